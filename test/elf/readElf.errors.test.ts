import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ElfFormatError, readElf } from "../../src/elf/index.js";
import { CLANG, LLVM_BIN, Workdir, fixture, run } from "./helpers/toolchain.js";

/** Every way an input can fail to be a readable ELF64 little-endian object gets a clear ElfFormatError. */

const work = new Workdir();
let valid: Uint8Array;

beforeAll(() => {
  work.compile(CLANG, fixture("extern_calls.c"), "valid.o", ["-O2"]);
  valid = work.read("valid.o");
});

afterAll(() => work.cleanup());

function reasonFor(bytes: Uint8Array): string {
  try {
    readElf(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ElfFormatError);
    expect(error).toBeInstanceOf(Error);
    const e = error as ElfFormatError;
    expect(e.message).toContain(e.reason);
    return e.reason;
  }
  throw new Error("readElf accepted the input");
}

/** A copy of the valid object with `patch` applied through a little-endian DataView. */
function patched(patch: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = valid.slice();
  patch(new DataView(bytes.buffer), bytes);
  return bytes;
}

function u64(view: DataView, at: number): number {
  return Number(view.getBigUint64(at, true));
}

/** The file offset of section header `index`. */
function sectionHeader(view: DataView, index: number): number {
  return u64(view, 40) + index * view.getUint16(58, true);
}

function findSection(view: DataView, type: number): number {
  const count = view.getUint16(60, true);
  for (let i = 0; i < count; i++) if (view.getUint32(sectionHeader(view, i) + 4, true) === type) return i;
  throw new Error(`no section of type ${type}`);
}

describe("inputs that are not ELF", () => {
  it("an empty file", () => {
    expect(reasonFor(new Uint8Array(0))).toMatch(/empty/);
  });

  it("LLVM bitcode, raw and in its wrapper", () => {
    work.compile(CLANG, fixture("extern_calls.c"), "module.bc", ["-O2", "-emit-llvm"]);
    expect(reasonFor(work.read("module.bc"))).toMatch(/LLVM bitcode \('BC' 0xC0DE\)/);
    work.compile(CLANG, fixture("extern_calls.c"), "wrapped.bc", ["--target=x86_64-apple-darwin", "-O2", "-emit-llvm"]);
    expect(reasonFor(work.read("wrapped.bc"))).toMatch(/bitcode wrapper/);
  });

  it("an ar archive", () => {
    run(`${LLVM_BIN}/llvm-ar`, ["rc", work.file("lib.a"), work.file("valid.o")]);
    expect(reasonFor(work.read("lib.a"))).toMatch(/ar archive/);
  });

  it("a text file", () => {
    expect(reasonFor(new TextEncoder().encode("define i32 @f() {\n  ret i32 0\n}\n"))).toMatch(/text file .*"define i32 @f\(\) \{"/);
  });

  it("other bytes, shown in hex", () => {
    expect(reasonFor(new Uint8Array([0x00, 0x01, 0x02, 0x03, 0x04]))).toMatch(/bad magic.*00 01 02 03/);
  });
});

describe("ELF files this reader does not support", () => {
  it("ELF32 (clang -m32)", () => {
    work.compile(CLANG, fixture("extern_calls.c"), "i386.o", ["-m32", "-O2"]);
    expect(reasonFor(work.read("i386.o"))).toBe("found ELF32 little-endian (Intel 80386); only ELF64 little-endian is supported");
  });

  it("big-endian ELF64 (powerpc64) and ELF32 (mips)", () => {
    work.compile(CLANG, fixture("extern_calls.c"), "ppc64.o", ["--target=powerpc64-linux-gnu", "-O2"]);
    expect(reasonFor(work.read("ppc64.o"))).toBe("found ELF64 big-endian (PowerPC64); only ELF64 little-endian is supported");
    work.compile(CLANG, fixture("extern_calls.c"), "mips.o", ["--target=mips-linux-gnu", "-O2"]);
    expect(reasonFor(work.read("mips.o"))).toBe("found ELF32 big-endian (MIPS); only ELF64 little-endian is supported");
  });
});

describe("truncated and corrupt ELF64 files", () => {
  it("a header cut short", () => {
    expect(reasonFor(valid.subarray(0, 3))).toMatch(/too short to hold the ELF magic/);
    expect(reasonFor(valid.subarray(0, 40))).toMatch(/truncated: the file is 40 bytes, the ELF64 header needs 64/);
  });

  it("a file cut before its section header table", () => {
    const view = new DataView(valid.buffer, valid.byteOffset);
    const cut = u64(view, 40) + 10;
    expect(reasonFor(valid.subarray(0, cut))).toMatch(/section header table.* extends past the end of the file/);
  });

  it("a section header table offset out of bounds", () => {
    const bytes = patched((view) => view.setBigUint64(40, 1n << 40n, true));
    expect(reasonFor(bytes)).toMatch(/section header table/);
  });

  it("a section header entry size that is not whole 4-byte words", () => {
    const bytes = patched((view) => view.setUint16(58, 66, true));
    expect(reasonFor(bytes)).toMatch(/section header entry size is 66, not a whole number of 4-byte words/);
  });

  it("a symbol table whose data lies outside the file", () => {
    const bytes = patched((view) => view.setBigUint64(sectionHeader(view, findSection(view, 2)) + 24, BigInt(valid.length), true));
    expect(reasonFor(bytes)).toMatch(/section \[\d+\] \(offset \d+, size \d+\) extends past the end of the file/);
  });

  it("a relocation naming a symbol past the end of the symbol table", () => {
    const bytes = patched((view) => {
      const rela = sectionHeader(view, findSection(view, 4));
      view.setUint32(u64(view, rela + 24) + 12, 9999, true);
    });
    expect(reasonFor(bytes)).toMatch(/refers to symbol 9999, but its symbol table has \d+ entries/);
  });

  it("a symbol name offset past its string table", () => {
    const bytes = patched((view) => {
      const symtab = sectionHeader(view, findSection(view, 2));
      view.setUint32(u64(view, symtab + 24) + 24, 0x7fffffff, true);
    });
    expect(reasonFor(bytes)).toMatch(/the name of symbol 1 is at offset 2147483647 of string table/);
  });

  it("a symbol table that links to something other than a string table", () => {
    const bytes = patched((view) => view.setUint32(sectionHeader(view, findSection(view, 2)) + 40, 0, true));
    expect(reasonFor(bytes)).toMatch(/links to section 0, which is not a string table/);
  });
});

describe("an e_type that is not a relocatable object, or a linked file without program headers", () => {
  // Read as a linked file, an object's relocations (the calls) would be ignored: never accepted.
  const cases: Array<[number, RegExp]> = [
    [0, /^e_type is NONE: not a relocatable object, executable or shared object/],
    [2, /^e_type is EXEC \(a linked file\) but there are no program headers/],
    [3, /^e_type is DYN \(a linked file\) but there are no program headers/],
    [4, /^e_type is CORE: not a relocatable object/],
    [0xfe00, /^e_type is 0xfe00: not a relocatable object/],
  ];
  for (const [type, reason] of cases) {
    it(`e_type ${type}`, () => {
      expect(reasonFor(patched((view) => view.setUint16(16, type, true)))).toMatch(reason);
    });
  }
});

describe("valid inputs in unusual containers", () => {
  it("reads an object from the middle of a larger buffer", () => {
    const big = new Uint8Array(valid.length + 100);
    big.set(valid, 37);
    const elf = readElf(big.subarray(37, 37 + valid.length));
    expect(elf.symbols.some((s) => s.name === "two_calls")).toBe(true);
    expect(elf.relocations.length).toBe(readElf(valid).relocations.length);
  });

  it("a file without section headers reads as no sections", () => {
    const bytes = patched((view) => {
      view.setBigUint64(40, 0n, true);
      view.setUint16(60, 0, true);
    });
    const elf = readElf(bytes);
    expect(elf.sections).toEqual([]);
    expect(elf.symbols).toEqual([]);
  });
});
