import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readElf, type ElfFile, type ElfSymbol } from "../../src/elf/index.js";
import { CLANG, GCC, LLVM_MC, Workdir, fixture, readobjJson, run, signed64, type ReadobjFile, type ReadobjSymbol } from "./helpers/toolchain.js";

/**
 * readElf against llvm-readobj on objects from every compiler and target this project meets:
 * every section header, every symbol of .symtab and .dynsym, every relocation.
 */

const work = new Workdir();
const objects: Array<{ name: string; path: string }> = [];

beforeAll(() => {
  const c = fixture("varied.c");
  const add = (name: string, path: string) => objects.push({ name, path });
  add("clang x86-64 -O2 -g", work.compile(CLANG, c, "clang-g.o", ["-O2", "-g"]));
  add("clang x86-64 -fPIC -fno-plt -ffunction-sections", work.compile(CLANG, c, "clang-pic.o", ["-O2", "-fPIC", "-fno-plt", "-ffunction-sections"]));
  add("clang aarch64 -O2 -g", work.compile(CLANG, fixture("helpers_in_one_tu.c"), "a64.o", ["--target=aarch64-linux-gnu", "-O2", "-g"]));
  add("clang aarch64 extern calls", work.compile(CLANG, fixture("extern_calls.c"), "a64-ext.o", ["--target=aarch64-linux-gnu", "-O2", "-fPIC"]));
  add("clang riscv64", work.compile(CLANG, fixture("extern_calls.c"), "rv64.o", ["--target=riscv64-linux-gnu", "-O2"]));
  add("gcc -O2 -g", work.compile(GCC, c, "gcc-g.o", ["-O2", "-g"]));
  add("gcc symbol kinds -fcommon", work.compile(GCC, fixture("symbol_kinds.c"), "kinds-gcc.o", ["-O2", "-fcommon"]));
  add("clang symbol kinds -fcommon", work.compile(CLANG, fixture("symbol_kinds.c"), "kinds-clang.o", ["-O2", "-fcommon"]));
  add("g++ COMDAT groups, GNU_UNIQUE", work.compile("g++", fixture("comdat.cpp"), "comdat-gxx.o", ["-O1"]));
  add("clang++ COMDAT groups", work.compile(`${CLANG}++`, fixture("comdat.cpp"), "comdat-clang.o", ["-O1"]));
  add("rustc -O", work.rustc(fixture("varied.rs"), "rust.o", ["-O", "--edition=2021"]));
  add("rustc -O -g", work.rustc(fixture("varied.rs"), "rust-g.o", ["-O", "--edition=2021", "-Cdebuginfo=2"]));
  const exe = work.file("linked");
  run(GCC, ["-O2", "-o", exe, c, fixture("exe_main.c"), "-lm"]);
  add("gcc linked PIE executable", exe);
  // More than 0xff00 sections: e_shnum moves to section 0 and symbols need SHT_SYMTAB_SHNDX.
  const many = work.file("many.s");
  writeFileSync(many, Array.from({ length: 66_000 }, (_, i) => `.section .text.f${i},"ax",@progbits\n.globl f${i}\n.type f${i},@function\nf${i}:\n ret\n`).join(""));
  run(LLVM_MC, ["-triple=x86_64-linux-gnu", "-filetype=obj", many, "-o", work.file("many.o")]);
  add("66000 sections (extended numbering, SHN_XINDEX)", work.file("many.o"));
});

afterAll(() => work.cleanup());

const symbolTypes: Record<string, number> = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, COMMON: 5, TLS: 6, GNU_IFUNC: 10 };
const bindings: Record<string, number> = { LOCAL: 0, GLOBAL: 1, WEAK: 2, GNU_UNIQUE: 10 };
const visibilities: Record<string, number> = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 };

/**
 * Both sides as plain records, compared field by field; returns one line per difference (an expect()
 * per field would dominate the run time on the 66 000-section object).
 */
function differences(label: string, ours: unknown[], theirs: unknown[]): string[] {
  const out: string[] = [];
  if (ours.length !== theirs.length) out.push(`${label}: ${ours.length} entries, llvm-readobj has ${theirs.length}`);
  const n = Math.min(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const a = JSON.stringify(ours[i]);
    const b = JSON.stringify(theirs[i]);
    if (a !== b) out.push(`${label} #${i}: ours ${a} readobj ${b}`);
  }
  return out;
}

function symbolRecords(ours: ElfSymbol[], theirs: ReadobjSymbol[], versioned: boolean): [unknown[], unknown[]] {
  const mine = ours.map((s, i) => {
    // llvm-readobj appends the version (name@VERSION) to dynamic symbols.
    const theirName = theirs[i]?.Symbol.Name.Name ?? "";
    const name = versioned && theirName.startsWith(`${s.name}@`) ? theirName : s.name;
    return [s.index, name, s.value, s.size, symbolTypes[s.type], bindings[s.binding], visibilities[s.visibility], s.sectionIndex, s.isDefined];
  });
  const ref = theirs.map(({ Symbol: t }, i) => [
    i, t.Name.Name, Number(BigInt(t.Value)), t.Size, t.Type.Value, t.Binding.Value, t.Other.Value & 3, t.Section.Value, t.Section.Value !== 0,
  ]);
  return [mine, ref];
}

function compare(elf: ElfFile, reference: ReadobjFile, label: string): string[] {
  const out: string[] = [];
  out.push(
    ...differences(
      `${label} sections`,
      elf.sections.map((s) => [
        s.index, s.name, s.type, s.typeName.startsWith("UNKNOWN") ? "?" : `SHT_${s.typeName}`, s.flags, s.isExecutable,
        s.addr, s.offset, s.size, s.link, s.info, s.entsize,
      ]),
      reference.Sections.map(({ Section: t }, i) => [
        t.Index, t.Name.Name, t.Type.Value, elf.sections[i]?.typeName.startsWith("UNKNOWN") ? "?" : t.Type.Name, Number(t.Flags.Value),
        (Number(t.Flags.Value) & 4) !== 0, Number(t.Address), t.Offset, t.Size, t.Link, t.Info, t.EntrySize,
      ]),
    ),
  );
  out.push(...differences(`${label} .symtab`, ...symbolRecords(elf.symbols, reference.Symbols ?? [], false)));
  out.push(...differences(`${label} .dynsym`, ...symbolRecords(elf.dynamicSymbols, reference.DynamicSymbols ?? [], true)));

  const theirs = (reference.Relocations ?? []).flatMap((group) => group.Relocs.map((r) => ({ group: group.SectionIndex, ...r.Relocation })));
  out.push(
    ...differences(
      `${label} relocations`,
      elf.relocations.map((r, i) => {
        const table = r.symbolTableIndex === elf.symbolTableIndex ? elf.symbols : elf.dynamicSymbols;
        const name = r.symbolIndex === 0 ? "-" : table[r.symbolIndex]!.name;
        const theirName = theirs[i]?.Symbol.Name ?? "";
        return [r.relocationSectionIndex, r.sectionIndex, r.offset, r.type, r.typeName, r.symbolIndex, theirName.startsWith(`${name}@`) ? theirName : name, r.addend];
      }),
      theirs.map((t) => [
        t.group, elf.sections[t.group]?.info, Number(BigInt(t.Offset)), t.Type.Value, t.Type.Name, t.Symbol.Value, t.Symbol.Name,
        t.Addend === undefined ? 0 : signed64(t.Addend),
      ]),
    ),
  );
  return out;
}

describe("readElf against llvm-readobj", () => {
  it("agrees on every section, symbol and relocation of every object", () => {
    const totals = { sections: 0, symbols: 0, relocations: 0, unnamedSectionTypes: 0 };
    const machines = new Set<string>();
    const fileTypes = new Set<string>();
    const mismatches: string[] = [];
    for (const { name, path } of objects) {
      const elf = readElf(work.read(path.slice(work.path.length + 1)));
      machines.add(elf.machineName);
      fileTypes.add(elf.fileType);
      mismatches.push(...compare(elf, readobjJson(path), name));
      totals.sections += elf.sections.length;
      totals.symbols += elf.symbols.length + elf.dynamicSymbols.length;
      totals.relocations += elf.relocations.length;
      totals.unnamedSectionTypes += elf.sections.filter((s) => s.typeName.startsWith("UNKNOWN")).length;
    }
    expect(mismatches.slice(0, 20), `${mismatches.length} differences`).toEqual([]);
    expect([...machines].sort()).toEqual(["aarch64", "riscv", "x86-64"]);
    expect([...fileTypes].sort()).toEqual(["DYN", "REL"]);
    expect(totals.sections).toBeGreaterThan(66_000);
    expect(totals.symbols).toBeGreaterThan(66_000);
    expect(totals.relocations).toBeGreaterThan(5_000);
    expect(totals.unnamedSectionTypes).toBe(0);
  });

  it("names what it reads the way readelf does", () => {
    const kinds = readElf(work.read("kinds-gcc.o"));
    const byName = new Map(kinds.symbols.map((s) => [s.name, s]));
    expect(byName.get("common_var")).toMatchObject({ type: "OBJECT", sectionIndex: 0xfff2, isDefined: true });
    expect(byName.get("tls_var")).toMatchObject({ type: "TLS", binding: "GLOBAL" });
    expect(byName.get("weak_fn")).toMatchObject({ type: "FUNC", binding: "WEAK" });
    expect(byName.get("hidden_fn")).toMatchObject({ binding: "GLOBAL", visibility: "HIDDEN" });
    expect(byName.get("protected_fn")).toMatchObject({ visibility: "PROTECTED" });
    expect(byName.get("ifunc_fn")).toMatchObject({ type: "GNU_IFUNC" });
    expect(byName.get("weak_undefined")).toMatchObject({ binding: "WEAK", isDefined: false, sectionIndex: 0 });
    expect(byName.get("symbol_kinds.c")).toMatchObject({ type: "FILE", sectionIndex: 0xfff1 });
    expect(kinds.symbols[0]).toMatchObject({ index: 0, name: "", type: "NOTYPE", isDefined: false });
    expect(kinds.machineName).toBe("x86-64");
    expect(kinds.elfClass).toBe(64);

    const gxx = readElf(work.read("comdat-gxx.o"));
    expect(gxx.sections.some((s) => s.typeName === "GROUP")).toBe(true);
    expect(gxx.symbols.some((s) => s.binding === "GNU_UNIQUE")).toBe(true);

    const many = readElf(work.read("many.o"));
    expect(many.sections.length).toBe(66_005);
    expect(many.sections.some((s) => s.typeName === "SYMTAB_SHNDX")).toBe(true);
    const last = many.symbols.find((s) => s.name === "f65999")!;
    expect(many.sections[last.sectionIndex]!.name).toBe(".text.f65999");
  });
});
