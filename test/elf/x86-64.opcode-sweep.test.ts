import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeInstructionAt } from "../../src/elf/x86-64/decodeBranches.js";
import { LLVM_MC, LLVM_OBJDUMP, Workdir, parseObjdump, run } from "./helpers/toolchain.js";

/**
 * Every opcode of every map, with several prefixes and ModRM shapes, each at its own symbol so that
 * llvm-objdump decodes it from a known start: the decoder's length must equal LLVM's wherever LLVM
 * knows the instruction. This checks the opcode tables far beyond what compilers happen to emit.
 */

/** Bytes after each candidate: room for any immediate (up to imm64), decoded as filler otherwise. */
const PAYLOAD = [0, 0, 0, 0, 0, 0, 0, 0];
const work = new Workdir();

interface Candidate {
  group: string;
  bytes: number[];
}

/** ModRM shapes: register; [base+index*s+disp8] (SIB); [rip+disp32]. */
function modrmForms(reg: number): number[][] {
  return [
    [0xc0 | (reg << 3) | 1],
    [0x44 | (reg << 3), 0x24, 0x7f],
    [0x05 | (reg << 3), 0x11, 0x22, 0x33, 0x44],
  ];
}

function candidates(): Candidate[] {
  const out: Candidate[] = [];
  const allRegs = [0, 1, 2, 3, 4, 5, 6, 7];
  const add = (group: string, head: number[], regs: number[]) => {
    for (const reg of regs) for (const form of modrmForms(reg)) out.push({ group, bytes: [...head, ...form] });
  };
  const fewRegs = [0, 2];
  for (const prefix of [[], [0x66], [0x48], [0xf3], [0xf2], [0x67], [0x66, 0x48]]) {
    const regs = prefix.length === 0 || prefix[0] === 0x66 ? allRegs : fewRegs;
    for (let op = 0; op < 256; op++) {
      // Prefix bytes as "opcodes" only restate prefixes; 0f is the escape tested below.
      if ([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x0f].includes(op) || (op & 0xf0) === 0x40) continue;
      if (op === 0xc4 || op === 0xc5 || op === 0x62 || op === 0x8f) continue; // VEX/EVEX/XOP: own groups
      add(`1-byte ${hex(prefix)}`, [...prefix, op], regs);
    }
  }
  for (const prefix of [[], [0x66], [0xf3], [0xf2], [0x48]]) {
    const regs = prefix.length === 0 || prefix[0] === 0x66 ? allRegs : fewRegs;
    for (let op = 0; op < 256; op++) {
      if (op === 0x38 || op === 0x3a) continue;
      add(`0f ${hex(prefix)}`, [...prefix, 0x0f, op], regs);
    }
    for (let op = 0; op < 256; op++) {
      add(`0f38 ${hex(prefix)}`, [...prefix, 0x0f, 0x38, op], [0]);
      add(`0f3a ${hex(prefix)}`, [...prefix, 0x0f, 0x3a, op], [0]);
    }
  }
  // VIA PadLock: register forms the ModRM shapes above do not reach (OpenSSL's padlock engine).
  for (const prefix of [[], [0xf3]]) {
    for (const m of [0xc0, 0xc8, 0xd0, 0xe0, 0xe8]) out.push({ group: "0f a6 padlock", bytes: [...prefix, 0x0f, 0xa6, m] });
    for (const m of [0xc0, 0xc8, 0xd0, 0xd8, 0xe0, 0xe8, 0xf0]) out.push({ group: "0f a7 padlock", bytes: [...prefix, 0x0f, 0xa7, m] });
  }
  add("8f pop", [0x8f], [0]);
  for (let pp = 0; pp < 4; pp++) {
    for (const L of [0, 1]) {
      for (let op = 0; op < 256; op++) add(`vex c5 pp${pp} L${L}`, [0xc5, 0xf8 | (L << 2) | pp, op], [0]);
      for (const map of [1, 2, 3]) {
        for (const W of [0, 1]) {
          for (let op = 0; op < 256; op++) add(`vex c4 map${map} pp${pp} L${L} W${W}`, [0xc4, 0xe0 | map, (W << 7) | 0x78 | (L << 2) | pp, op], [0]);
        }
      }
    }
    for (const map of [1, 2, 3, 5, 6]) {
      for (const W of [0, 1]) {
        for (let op = 0; op < 256; op++) add(`evex map${map} pp${pp} W${W}`, [0x62, 0xf0 | map, (W << 7) | 0x7c | pp, 0x48, op], [0]);
      }
    }
  }
  for (const payload of [0x00, 0x08, 0x80, 0x88]) {
    for (let op = 0; op < 256; op++) {
      // LLVM reads prefixes after REX2 as prefixes; the APX spec makes that #UD, and so does the decoder.
      if (payload < 0x80 && ([0x0f, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3].includes(op) || (op & 0xf0) === 0x40)) continue;
      add(`rex2 ${hex([payload])}`, [0xd5, payload, op], [0, 1, 2, 4]);
    }
  }
  for (let pp = 0; pp < 4; pp++) {
    for (const W of [0, 1]) {
      for (let op = 0; op < 256; op++) add(`evex map4 pp${pp} W${W}`, [0x62, 0xf4, (W << 7) | 0x7c | pp, 0x08, op], [0, 1, 2]);
    }
  }
  for (const map of [8, 9, 10]) for (let op = 0; op < 256; op++) add(`xop map${map}`, [0x8f, 0xe0 | map, 0x78, op], [0]);
  return out;
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

let all: Candidate[] = [];
let lengths: Array<number | "unknown" | undefined> = [];
let texts: string[] = [];

beforeAll(() => {
  all = candidates();
  // Each candidate at its own symbol: llvm-objdump restarts decoding at every symbol.
  const starts: number[] = [];
  const lines = [".text"];
  let address = 0;
  all.forEach((c, i) => {
    starts.push(address);
    lines.push(`s${i}:`, `.byte ${[...c.bytes, ...PAYLOAD].join(",")}`);
    address += c.bytes.length + PAYLOAD.length;
  });
  const source = work.write("sweep.s", lines.join("\n") + "\n");
  const object = work.file("sweep.o");
  run(LLVM_MC, ["-triple=x86_64-linux-gnu", "-filetype=obj", source, "-o", object]);
  const instructions = parseObjdump(run(LLVM_OBJDUMP, ["-d", "-z", "--no-show-raw-insn", object])).get(".text") ?? [];
  const slotAt = new Map(starts.map((start, slot) => [start, slot]));
  lengths = new Array(all.length);
  texts = new Array(all.length);
  for (let k = 0; k < instructions.length; k++) {
    const insn = instructions[k]!;
    const slot = slotAt.get(insn.address);
    if (slot === undefined) continue;
    texts[slot] = insn.text;
    const next = instructions[k + 1];
    lengths[slot] = insn.text.includes("<unknown>") ? "unknown" : next ? next.address - insn.address : address - insn.address;
  }
});

afterAll(() => work.cleanup());

describe("x86-64 opcode tables against LLVM's disassembler", () => {
  it("decodes every LLVM-known opcode/prefix/ModRM combination to LLVM's length", () => {
    const mismatches: string[] = [];
    let compared = 0;
    let ambiguous = 0;
    all.forEach((c, i) => {
      const reference = lengths[i];
      if (reference === undefined || reference === "unknown") return;
      const code = new Uint8Array([...c.bytes, ...PAYLOAD]);
      const ours = decodeInstructionAt(code, 0);
      compared++;
      const ourLength = "error" in ours ? ours.error : ours.length;
      // LLVM reads 66 E9 and 66 0F 8x as rel16 (AMD) but 66 E8 as rel32 (Intel); the decoder refuses to pick a CPU.
      if (typeof ourLength === "string" && ourLength.includes("Intel and AMD") && /^(j|call)/.test(texts[i] ?? "")) {
        ambiguous++;
        return;
      }
      if (ourLength !== reference) mismatches.push(`${c.group}: ${hex(c.bytes)} -> ours ${ourLength}, LLVM ${reference} (${texts[i]})`);
    });
    console.log(`compared ${compared} of ${all.length} candidates`);
    expect(compared).toBeGreaterThan(50_000);
    expect(ambiguous).toBe(18 * 24); // 66 E8, 66 E9 and 66 0F 80-8F, each with 24 ModRM-shaped tails
    expect(mismatches.slice(0, 60), `${mismatches.length} mismatches`).toEqual([]);
  });
});
