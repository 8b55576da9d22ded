import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataRanges } from "../../src/elf/aarch64/callSites.js";
import { decodeA64Branch, findA64Branches, readElf, type A64BranchKind } from "../../src/elf/index.js";
import { CLANG, LLVM_MC, Workdir, fixture, objdump, run, type ObjdumpInstruction } from "./helpers/toolchain.js";

/** AArch64 branch finding against llvm-objdump, on compiler output and on code with data in it. */

const work = new Workdir();
const objects: Array<{ name: string; path: string }> = [];
const target = ["--target=aarch64-linux-gnu"];

beforeAll(() => {
  for (const flags of [["-O0"], ["-O2"], ["-Os", "-ffunction-sections"], ["-O2", "-mbranch-protection=standard", "-fPIC"]]) {
    const name = `clang aarch64 ${flags.join(" ")}`;
    objects.push({ name, path: work.compile(CLANG, fixture("portable.c"), `${flags.join("").replace(/\W+/g, "_")}.o`, [...target, ...flags]) });
  }
  const data = work.file("data.o");
  run(LLVM_MC, ["-triple=aarch64-linux-gnu", "-filetype=obj", fixture("a64_data_in_text.s"), "-o", data]);
  objects.push({ name: "llvm-mc data in text", path: data });
});

afterAll(() => work.cleanup());

function expectedKind(insn: ObjdumpInstruction): A64BranchKind | undefined {
  const m = insn.mnemonic;
  if (m === "bl") return "call";
  if (m === "b") return "jmp";
  if (/^b\.[a-z]+$/.test(m) || /^(cbn?z|tbn?z)$/.test(m)) return "jcc";
  if (/^blr(aa|ab|aaz|abz)?$/.test(m)) return "call-indirect";
  if (/^br(aa|ab|aaz|abz)?$/.test(m)) return "jmp-indirect";
  return undefined;
}

describe("AArch64 branches against llvm-objdump", () => {
  it("finds exactly objdump's branches, with the same targets, and skips data", () => {
    let branches = 0;
    const kinds = new Set<string>();
    for (const { name, path } of objects) {
      const elf = readElf(work.read(path.slice(work.path.length + 1)));
      const reference = objdump(path);
      for (const section of elf.sections.filter((s) => s.isExecutable && s.size > 0)) {
        const code = elf.bytes.subarray(section.offset, section.offset + section.size);
        const ours = new Map(findA64Branches(code, 0, { dataRanges: dataRanges(elf, section, 0) }).map((b) => [b.offset, b]));
        const expected = reference.get(section.name) ?? [];
        const label = `${name} ${section.name}`;
        expect(expected.length, label).toBeGreaterThan(0);
        for (const insn of expected) {
          const kind = expectedKind(insn);
          const branch = ours.get(insn.address);
          expect(branch?.kind, `${label} @${insn.address.toString(16)}: ${insn.text}`).toBe(kind);
          if (!branch) continue;
          ours.delete(insn.address);
          branches++;
          kinds.add(branch.kind);
          if (branch.target !== undefined) {
            // The target is the last address before the symbolic `<name+off>` (tbz also prints #0x bit numbers).
            const operands = insn.text.slice(insn.mnemonic.length).replace(/<.*>/, "");
            const printed = [...operands.matchAll(/\b0x([0-9a-f]+)\b/g)].pop();
            expect(printed && parseInt(printed[1]!, 16), `${label} target of ${insn.text}`).toBe(branch.target);
          }
        }
        expect([...ours.keys()], `${label}: branches objdump does not show`).toEqual([]);
      }
    }
    expect(branches).toBeGreaterThan(150);
    expect([...kinds].sort()).toEqual(["call", "call-indirect", "jcc", "jmp", "jmp-indirect"]);
  });
});

describe("decodeA64Branch", () => {
  it("decodes the immediate forms, signed and scaled", () => {
    expect(decodeA64Branch(0x94000010, 0x100)).toMatchObject({ kind: "call", mnemonic: "bl", target: 0x140 });
    expect(decodeA64Branch(0x17ffffff, 0x100)).toMatchObject({ kind: "jmp", mnemonic: "b", target: 0xfc });
    expect(decodeA64Branch(0x54000040, 0)).toMatchObject({ kind: "jcc", mnemonic: "b.eq", target: 8 });
    expect(decodeA64Branch(0xb4ffffe0, 0x20)).toMatchObject({ kind: "jcc", mnemonic: "cbz", target: 0x1c });
    expect(decodeA64Branch(0x37180041, 0)).toMatchObject({ kind: "jcc", mnemonic: "tbnz", target: 8 });
    expect(decodeA64Branch(0xd63f0040, 0)).toMatchObject({ kind: "call-indirect", mnemonic: "blr" });
    expect(decodeA64Branch(0xd61f0060, 0)).toMatchObject({ kind: "jmp-indirect", mnemonic: "br" });
  });

  it("ignores ret and other instructions", () => {
    expect(decodeA64Branch(0xd65f03c0, 0)).toBeUndefined(); // ret
    expect(decodeA64Branch(0xd503201f, 0)).toBeUndefined(); // nop
    expect(decodeA64Branch(0x8b020020, 0)).toBeUndefined(); // add
  });
});
