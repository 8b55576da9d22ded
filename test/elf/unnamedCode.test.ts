import { afterAll, describe, expect, it } from "vitest";
import { analyzeCallSites, readElf } from "../../src/elf/index.js";
import { findUnnamedCode, isAllX86Padding } from "../../src/elf/linked/unnamedCode.js";
import { readObjectFacts } from "../../src/verify/objectFacts.js";
import { CLANG, Workdir, fixture, run } from "./helpers/toolchain.js";

/**
 * A linked file that keeps its local symbols names every function it holds, unless one symbol was
 * removed: code no symbol names is what the proof looks for then, and a branch into it keeps every
 * absent name unproven (src/elf/linked/unnamedCode.ts).
 */

const work = new Workdir();
afterAll(() => work.cleanup());

function link(out: string, defines: string[]) {
  const path = work.file(out);
  run(CLANG, ["-fuse-ld=lld", "-nostdlib", "-static", ...defines.map((d) => `-Wa,--defsym,${d}=1`), "-o", path, fixture("unnamed_code.s")]);
  return readElf(work.read(out));
}

describe("code no symbol names", () => {
  it("finds the function after a size-less one, and not the size-less function's own code past its padding", () => {
    const elf = link("unnamed-called", ["CALLS_UNNAMED"]);
    const text = elf.sections.find((s) => s.name === ".text")!;
    const sizeless = elf.symbols.find((s) => s.name === "sizeless")!;
    const start = elf.symbols.find((s) => s.name === "_start")!;
    const label = elf.symbols.find((s) => s.name === "label_only")!;
    const { unnamed, labelOnly } = findUnnamedCode(elf, [text]);
    // From sizeless's `ret` (at 8) to _start (at 32): the fill around the unnamed function joins it
    // (a function may start with nops); the padding inside sizeless (6..8) is its own.
    expect(unnamed.map((s) => [s.start - sizeless.value, s.end - sizeless.value])).toEqual([[9, 32]]);
    expect(start.value - sizeless.value).toBe(32);
    expect(labelOnly.map((s) => [s.start - label.value, s.end - s.start])).toEqual([[0, 6]]); // call (5 bytes) + ret
  });

  it("a branch into it leaves an absent name unproven, with the branch named", () => {
    const elf = link("unnamed-called", ["CALLS_UNNAMED"]);
    const analysis = analyzeCallSites(elf, new Set(["rust_helper_gone"]));
    expect(analysis.unlocated.get("rust_helper_gone")).toMatch(/^1 use reaches code that no symbol names \(first: call at \.text\+0x\w+ to 0x\w+\)/);
    expect(readObjectFacts(elf, ["rust_helper_gone", "sizeless"]).helpers.map((h) => `${h.name} ${h.verdict}`)).toEqual(["rust_helper_gone not-proven", "sizeless calls-left"]);
  });

  it("only a label's code branches into it: absence is still proven, and the code is read to know that", () => {
    const elf = link("unnamed-orphan", []);
    const analysis = analyzeCallSites(elf, new Set(["rust_helper_gone"]));
    expect(analysis.sectionsScanned).toBeGreaterThan(0);
    expect(analysis.unlocated.size).toBe(0);
    expect(readObjectFacts(elf, ["rust_helper_gone"]).helpers[0]).toMatchObject({ verdict: "inlined", symbol: "absent" });
  });
});

describe("x86-64 fill", () => {
  const hex = (text: string) => Uint8Array.from(text.split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16)));
  it("int3, zeros and the nops assemblers align with", () => {
    expect(isAllX86Padding(hex("cc cc 00 90 66 90 0f 1f 00 0f 1f 40 00 0f 1f 44 00 00 66 0f 1f 44 00 00 0f 1f 80 00 00 00 00"))).toBe(true);
    expect(isAllX86Padding(hex("66 2e 0f 1f 84 00 00 00 00 00 66 66 2e 0f 1f 84 00 00 00 00 00"))).toBe(true);
    expect(isAllX86Padding(new Uint8Array())).toBe(true);
  });
  it("anything else, and a nop cut short or with a non-zero displacement", () => {
    expect(isAllX86Padding(hex("cc c3"))).toBe(false);
    expect(isAllX86Padding(hex("0f 1f 40"))).toBe(false);
    expect(isAllX86Padding(hex("0f 1f 40 01"))).toBe(false);
    expect(isAllX86Padding(hex("0f 1f c0"))).toBe(false);
  });
});
