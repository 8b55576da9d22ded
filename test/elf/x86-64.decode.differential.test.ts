import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeCallSites, readElf, sweepX86, type X86Branch, type X86BranchKind } from "../../src/elf/index.js";
import { CLANG, GCC, Workdir, fixture, objdump, run, type ObjdumpInstruction } from "./helpers/toolchain.js";

/**
 * The decoder must find exactly the instruction starts llvm-objdump finds, in every executable
 * section of real compiler output, and agree with it on every call, jmp and jcc.
 */

const work = new Workdir();
const objects: Array<{ name: string; path: string }> = [];

function expectedKind(insn: ObjdumpInstruction): X86BranchKind | undefined {
  const m = insn.mnemonic;
  const operands = insn.text.slice(insn.text.indexOf(insn.mnemonic) + m.length).trim();
  if (/^l?call[qlw]?$/.test(m)) return operands.startsWith("*") || m.startsWith("l") ? "call-indirect" : "call";
  if (/^l?jmp[qlw]?$/.test(m)) return operands.startsWith("*") || m.startsWith("l") ? "jmp-indirect" : "jmp";
  if (/^j[a-z]+$/.test(m) || /^loop(n?[ez])?$/.test(m)) return "jcc";
  return undefined;
}

beforeAll(() => {
  const c = fixture("varied.c");
  const rs = fixture("varied.rs");
  const builds: Array<[string, () => string]> = [
    ["clang -O2", () => work.compile(CLANG, c, "clang-o2.o", ["-O2"])],
    ["clang -O0", () => work.compile(CLANG, c, "clang-o0.o", ["-O0"])],
    ["clang -Os -fPIC -ffunction-sections", () => work.compile(CLANG, c, "clang-os.o", ["-Os", "-fPIC", "-ffunction-sections"])],
    ["clang -O2 -fcf-protection=full", () => work.compile(CLANG, c, "clang-cet.o", ["-O2", "-fcf-protection=full"])],
    ["clang -O2 -mretpoline", () => work.compile(CLANG, c, "clang-retpoline.o", ["-O2", "-mretpoline"])],
    ["clang -O2 -mavx512f", () => work.compile(CLANG, c, "clang-avx512.o", ["-O2", "-mavx512f", "-mavx512bw", "-mavx512vl"])],
    ["clang -O3 -march=sapphirerapids", () => work.compile(CLANG, c, "clang-spr.o", ["-O3", "-march=sapphirerapids"])],
    ["clang -O2 -march=znver4 -fno-plt", () => work.compile(CLANG, c, "clang-znver4.o", ["-O2", "-march=znver4", "-fno-plt", "-fPIC"])],
    ["gcc -O2", () => work.compile(GCC, c, "gcc-o2.o", ["-O2"])],
    ["gcc -O0", () => work.compile(GCC, c, "gcc-o0.o", ["-O0"])],
    ["gcc -O3 -march=skylake-avx512", () => work.compile(GCC, c, "gcc-skx.o", ["-O3", "-march=skylake-avx512"])],
    ["gcc -O2 -fcf-protection -fPIC", () => work.compile(GCC, c, "gcc-cet.o", ["-O2", "-fcf-protection", "-fPIC"])],
    ["rustc -O", () => work.rustc(rs, "rust-o.o", ["-O", "--edition=2021"])],
    ["rustc -O -Ctarget-cpu=haswell", () => work.rustc(rs, "rust-hsw.o", ["-O", "--edition=2021", "-Ctarget-cpu=haswell"])],
    ["rustc -Copt-level=0", () => work.rustc(rs, "rust-o0.o", ["-Copt-level=0", "--edition=2021"])],
  ];
  for (const [name, build] of builds) objects.push({ name, path: build() });
  // A linked executable: sections start at their load address, and .plt/.init have hand-written code.
  const exe = work.file("linked");
  run(GCC, ["-O2", "-o", exe, c, fixture("exe_main.c"), "-lm"]);
  objects.push({ name: "gcc -O2 linked executable", path: exe });
});

afterAll(() => work.cleanup());

describe("x86-64 length decoder against llvm-objdump", () => {
  it("builds every object", () => {
    expect(objects.length).toBe(16);
  });

  it("finds the same instruction starts and branches in every executable section", () => {
    let sectionsChecked = 0;
    let instructionsChecked = 0;
    let branchesChecked = 0;
    for (const { name, path } of objects) {
      const elf = readElf(work.read(path.slice(work.path.length + 1)));
      const reference = objdump(path);
      for (const section of elf.sections.filter((s) => s.isExecutable && s.size > 0)) {
        const base = elf.fileType === "REL" ? 0 : section.addr;
        const code = elf.bytes.subarray(section.offset, section.offset + section.size);
        const starts: number[] = [];
        const result = sweepX86(code, base, { onInstruction: (offset) => starts.push(offset) });
        const expected = reference.get(section.name) ?? [];
        const label = `${name} ${section.name}`;
        expect(result.decodeErrors, label).toEqual([]);
        expect(expected.length, label).toBeGreaterThan(0);
        expect(firstDifference(starts, expected.map((i) => i.address)), label).toBeUndefined();
        instructionsChecked += starts.length;

        const ours = new Map<number, X86Branch>(result.branches.map((b) => [b.offset, b]));
        for (const insn of expected) {
          const kind = expectedKind(insn);
          const branch = ours.get(insn.address);
          expect(branch?.kind, `${label} @${insn.address.toString(16)}: ${insn.text}`).toBe(kind);
          if (branch && branch.target !== undefined) {
            const printed = /\b0x([0-9a-f]+)\b/.exec(insn.text.slice(insn.mnemonic.length));
            expect(printed && parseInt(printed[1]!, 16), `${label} target of ${insn.text}`).toBe(branch.target);
          }
          if (kind) branchesChecked++;
        }
        sectionsChecked++;
      }
    }
    console.log(`checked ${sectionsChecked} sections, ${instructionsChecked} instructions, ${branchesChecked} branches`);
    expect(sectionsChecked).toBeGreaterThan(20);
    expect(instructionsChecked).toBeGreaterThan(20_000);
    expect(branchesChecked).toBeGreaterThan(2_000);
  });

  it("finds the calls objdump -r shows: relocated against a named symbol, through its GOT slot, or direct", () => {
    const tally: Record<string, number> = {};
    for (const { name, path } of objects) {
      const elf = readElf(work.read(path.slice(work.path.length + 1)));
      // Every function and every external symbol stands in for a helper.
      const names = new Set(elf.symbols.filter((s) => s.type === "FUNC" || (s.index > 0 && !s.isDefined && s.type === "NOTYPE")).map((s) => s.name));
      const analysis = analyzeCallSites(elf, names);
      expect(analysis.decodeErrors, name).toEqual([]);
      const ours = new Map<string, { via: string; names: Set<string> }>();
      for (const site of [...analysis.calls.values()].flat()) {
        if (site.via === "section-relocation" || site.through) continue; // objdump shows no resolved target for these
        const key = `${site.section}+${site.offset.toString(16)}`;
        const entry = ours.get(key) ?? { via: site.via, names: new Set<string>() };
        entry.names.add(site.name);
        ours.set(key, entry);
      }
      const expected = new Map<string, { via: string; name: string }>();
      for (const [sectionName, instructions] of objdump(path, ["-r"])) {
        const section = elf.sections.find((s) => s.name === sectionName)!;
        const base = elf.fileType === "REL" ? 0 : section.addr;
        for (const insn of instructions) {
          const kind = expectedKind(insn);
          if (!kind) continue;
          const key = `${sectionName}+${(insn.address - base).toString(16)}`;
          const rel = insn.relocations[0];
          const relocated = rel && /^(.+?)(?:[+-]0x[0-9a-f]+)?$/.exec(rel.target)![1]!;
          if (rel && relocated && names.has(relocated) && !elf.sections.some((s) => s.name === relocated)) {
            if (/^R_X86_64_(PLT32|PC32)$/.test(rel.type) && !kind.endsWith("indirect")) expected.set(key, { via: "symbol-relocation", name: relocated });
            if (/GOTPCREL/.test(rel.type) && kind.endsWith("indirect")) expected.set(key, { via: "got-relocation", name: relocated });
          } else if (!rel && !kind.endsWith("indirect")) {
            const target = /<([^+>]+)>$/.exec(insn.text)?.[1];
            const loop = kind !== "call" && target === insn.symbol;
            if (target && names.has(target) && !loop) expected.set(key, { via: "direct", name: target });
          }
        }
      }
      const mismatches: string[] = [];
      for (const [key, e] of expected) {
        const o = ours.get(key);
        if (!o || o.via !== e.via || !o.names.has(e.name)) mismatches.push(`${key}: objdump ${e.via} ${e.name}, ours ${o ? `${o.via} ${[...o.names]}` : "none"}`);
        tally[e.via] = (tally[e.via] ?? 0) + 1;
      }
      for (const key of ours.keys()) if (!expected.has(key)) mismatches.push(`${key}: ours ${ours.get(key)!.via} ${[...ours.get(key)!.names]}, objdump none`);
      expect(mismatches.slice(0, 20), `${name}: ${mismatches.length} differences`).toEqual([]);
    }
    expect(tally["symbol-relocation"]).toBeGreaterThan(200);
    expect(tally["direct"]).toBeGreaterThan(20);
    expect(tally["got-relocation"]).toBeGreaterThan(300);
  });
});

function firstDifference(ours: number[], theirs: number[]): string | undefined {
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] !== theirs[i]) {
      return `instruction #${i}: ours at ${ours[i]?.toString(16)}, objdump at ${theirs[i]?.toString(16)} (previous ${theirs[i - 1]?.toString(16)})`;
    }
  }
  return undefined;
}