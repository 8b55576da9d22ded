import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ElfFormatError, readElf, sweepX86, type ElfFile } from "../../src/elf/index.js";
import { ArchiveFormatError, readArchive } from "../../src/elf/readArchive.js";
import { readObjectFacts } from "../../src/verify/objectFacts.js";
import { CLANG, LLVM_BIN, Workdir, fixture, run } from "./helpers/toolchain.js";

/**
 * Property tests over real objects and archives, mutated and truncated: the readers never throw
 * anything but their own format errors (and never hang: a run that loops fails on the timeout),
 * and the proof never turns a helper that a relocation still names into "inlined". Fixed seed and
 * small budgets, so the suite stays fast and any failure replays exactly.
 */

// LOCAL_LTO_FC_SEED and LOCAL_LTO_FC_SCALE explore further locally; CI runs the fixed seed and budget.
const SEED = Number(process.env.LOCAL_LTO_FC_SEED ?? 20240611);
const SCALE = Number(process.env.LOCAL_LTO_FC_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const work = new Workdir();
afterAll(() => work.cleanup());

interface Sample {
  label: string;
  bytes: Uint8Array;
  /** Helpers that, in the unmutated file, have at least one call carried by a relocation. */
  relocated: string[];
}

const samples: Sample[] = [];
let archiveBytes: Uint8Array;

beforeAll(() => {
  const add = (label: string, path: string, relocated: string[]) => samples.push({ label, bytes: new Uint8Array(readFileSync(path)), relocated });
  add("clang x86-64 -ffunction-sections", work.compile(CLANG, fixture("helpers_in_one_tu.c"), "x86-sections.o", ["-O2", "-ffunction-sections"]), ["helper", "other_helper"]);
  add("clang x86-64 -fno-plt", work.compile(CLANG, fixture("extern_calls.c"), "x86-noplt.o", ["-O2", "-fPIC", "-fno-plt"]), ["helper", "other_helper"]);
  add("gcc x86-64", work.compile("gcc", fixture("extern_calls.c"), "x86-gcc.o", ["-O2"]), ["helper", "other_helper"]);
  add("clang aarch64", work.compile(CLANG, fixture("extern_calls.c"), "a64.o", ["--target=aarch64-linux-gnu", "-O2"]), ["helper", "other_helper"]);
  add("clang aarch64 -fno-plt", work.compile(CLANG, fixture("extern_calls.c"), "a64-noplt.o", ["--target=aarch64-linux-gnu", "-O2", "-fPIC", "-fno-plt"]), ["helper", "other_helper"]);
  const lib = work.file("libh.so");
  run("gcc", ["-O2", "-shared", "-fPIC", "-o", lib, fixture("linked_lib.c")]);
  const exe = work.file("pie");
  run("gcc", ["-O2", "-o", exe, fixture("linked_main.c"), `-L${work.path}`, "-lh"]);
  add("gcc PIE", exe, ["rust_helper_ext"]);
  run("ar", ["rcs", "lib.a", "x86-sections.o", "x86-gcc.o"], work.path);
  archiveBytes = work.read("lib.a");
});

const HELPERS = ["helper", "other_helper", "rust_helper_ext", "rust_helper_local"];

/** Byte edits: anywhere, in the ELF header, or in the section header table; with edge values that break sizes and offsets. */
function mutations(bytes: Uint8Array): fc.Arbitrary<Array<{ at: number; value: number }>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(view.getBigUint64(40, true));
  const shEnd = Math.min(bytes.length, shoff + view.getUint16(60, true) * 64);
  const position = fc.oneof(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 63 }), fc.integer({ min: Math.min(shoff, bytes.length - 1), max: Math.max(Math.min(shoff, bytes.length - 1), shEnd - 1) }));
  const value = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x7f, 0x80));
  return fc.array(fc.record({ at: position, value }), { minLength: 1, maxLength: 12 });
}

function apply(bytes: Uint8Array, edits: ReadonlyArray<{ at: number; value: number }>): Uint8Array {
  const copy = bytes.slice();
  for (const { at, value } of edits) copy[at] = value;
  return copy;
}

/** readElf then the whole proof; only ElfFormatError may escape (the reader's own), nothing else. */
function readAndProve(bytes: Uint8Array): ElfFile | undefined {
  let elf: ElfFile;
  try {
    elf = readElf(bytes);
  } catch (error) {
    if (error instanceof ElfFormatError) return undefined;
    throw error;
  }
  readObjectFacts(elf, HELPERS);
  return elf;
}

describe("readElf and the proof on damaged objects", () => {
  it("mutated headers and bytes: an ElfFormatError or a report, never another exception", () => {
    for (const sample of samples) {
      fc.assert(
        fc.property(mutations(sample.bytes), (edits) => {
          readAndProve(apply(sample.bytes, edits));
        }),
        { seed: SEED, numRuns: runs(150) },
      );
    }
  });

  it("truncated files: an ElfFormatError or a report, never another exception", () => {
    for (const sample of samples) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: sample.bytes.length - 1 }), (length) => {
          readAndProve(sample.bytes.subarray(0, length));
        }),
        { seed: SEED, numRuns: runs(60) },
      );
    }
  });

  it("code bytes changed at random never make a helper a relocation still names 'inlined'", () => {
    for (const sample of samples) {
      const elf = readElf(sample.bytes);
      const code = elf.sections.filter((s) => s.isExecutable && s.size > 0 && !s.name.startsWith(".plt"));
      const edit = fc.record({
        section: fc.integer({ min: 0, max: code.length - 1 }),
        fraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        value: fc.integer({ min: 0, max: 255 }),
      });
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
          const bytes = sample.bytes.slice();
          for (const e of edits) {
            const s = code[e.section]!;
            bytes[s.offset + Math.floor(e.fraction * s.size)] = e.value;
          }
          const facts = readObjectFacts(readElf(bytes), sample.relocated);
          for (const h of facts.helpers) expect(h.verdict, `${sample.label}: ${h.name}`).not.toBe("inlined");
        }),
        { seed: SEED, numRuns: runs(120) },
      );
    }
  });

  it("a text section cut short keeps every whole call before the cut, and a cut through an instruction is never proven", () => {
    const sample = samples.find((s) => s.label === "clang x86-64 -fno-plt")!;
    const elf = readElf(sample.bytes);
    const text = elf.sections.find((s) => s.name === ".text")!;
    const header = Number(new DataView(sample.bytes.buffer).getBigUint64(40, true)) + text.index * 64;
    const boundaries = new Set<number>();
    sweepX86(sample.bytes.subarray(text.offset, text.offset + text.size), 0, { onInstruction: (at, length) => boundaries.add(at + length) });
    const original = readObjectFacts(elf, ["helper"]).helpers[0]!.calls;
    expect(original.length).toBeGreaterThan(2);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: text.size - 1 }), (size) => {
        const bytes = sample.bytes.slice();
        new DataView(bytes.buffer).setBigUint64(header + 32, BigInt(size), true);
        const [row] = readObjectFacts(readElf(bytes), ["helper"]).helpers;
        const found = new Set(row!.calls.map((c) => c.offset));
        // 15 bytes: the longest x86 instruction, so the whole call lies before the cut.
        for (const call of original) if (call.offset + 15 <= size) expect(found.has(call.offset), `call at ${call.offset}, cut at ${size}`).toBe(true);
        if (!boundaries.has(size)) expect(row!.verdict).not.toBe("inlined");
      }),
      { seed: SEED, numRuns: runs(80) },
    );
  });
});

describe("readArchive on damaged and generated archives", () => {
  it("mutated or truncated archives: an ArchiveFormatError or members inside the file", () => {
    const check = (bytes: Uint8Array) => {
      try {
        for (const m of readArchive(bytes).members) {
          expect(m.offset + m.data.length).toBeLessThanOrEqual(bytes.length);
          expect(m.data.byteOffset - bytes.byteOffset).toBe(m.offset);
        }
      } catch (error) {
        if (!(error instanceof ArchiveFormatError)) throw error;
      }
    };
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }), (edits) => {
        check(apply(archiveBytes, edits.map((e) => ({ at: e.at % archiveBytes.length, value: e.value }))));
      }),
      { seed: SEED, numRuns: runs(300) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: archiveBytes.length }), (length) => check(archiveBytes.subarray(0, length))),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  it("whatever members llvm-ar writes (GNU or BSD, long names, odd sizes), readArchive returns them exactly", () => {
    const name = fc.stringMatching(/^[a-z0-9_.-]{1,40}$/).filter((n) => n !== "." && n !== ".." && !n.startsWith("-") && !n.startsWith("__.SYMDEF") && !n.startsWith("#1"));
    const member = fc.record({ name, data: fc.uint8Array({ maxLength: 70 }) });
    let run = 0;
    fc.assert(
      fc.property(fc.uniqueArray(member, { minLength: 1, maxLength: 5, selector: (m) => m.name }), fc.constantFrom("gnu", "bsd"), (members, format) => {
        const dir = join(work.path, `gen-${run++}`);
        mkdirSync(dir, { recursive: true });
        for (const m of members) writeFileSync(join(dir, m.name), m.data);
        execFileSync(`${LLVM_BIN}/llvm-ar`, [`--format=${format}`, "rc", "out.a", ...members.map((m) => m.name)], { cwd: dir });
        const parsed = readArchive(new Uint8Array(readFileSync(join(dir, "out.a"))));
        expect(parsed.members.map((m) => m.name)).toEqual(members.map((m) => m.name));
        parsed.members.forEach((m, i) => expect(Buffer.from(m.data).equals(Buffer.from(members[i]!.data))).toBe(true));
        rmSync(dir, { recursive: true, force: true });
      }),
      { seed: SEED, numRuns: runs(10) },
    );
  });
});
