import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeCallSites, findCallsTo, readElf, symbolState, symbolVisibility, type ElfFile, type ObjectCallSite } from "../../src/elf/index.js";
import { CLANG, GCC, LLVM_MC, Workdir, fixture, run } from "./helpers/toolchain.js";

/**
 * Each `via` case on objects that really have it: hand-written assembly for the exact forms, and
 * the relocations clang, gcc and rustc actually emit for local, sectioned, external and GOT calls.
 */

const work = new Workdir();
afterAll(() => work.cleanup());

function load(path: string): ElfFile {
  return readElf(work.read(path.slice(work.path.length + 1)));
}

/** Compact form of a call site for exact comparisons. */
function brief(site: ObjectCallSite): string {
  const through = site.through ? ` through ${site.through.register}@${site.through.loadOffset.toString(16)}` : "";
  return `${site.callerSymbol ?? "?"}+${site.offset.toString(16)} ${site.instruction} ${site.via}${site.relocationType ? ` ${site.relocationType}` : ""}${through}`;
}

function countsBy(sites: ObjectCallSite[], key: (s: ObjectCallSite) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of sites) out[key(s)] = (out[key(s)] ?? 0) + 1;
  return out;
}

describe("hand-written assembly with every call form", () => {
  let elf: ElfFile;
  beforeAll(() => {
    const object = work.file("call_forms.o");
    run(LLVM_MC, ["-triple=x86_64-linux-gnu", "-filetype=obj", fixture("call_forms.s"), "-o", object]);
    elf = load(object);
  });

  it("asked about no function, skips every code section as the full analysis does for a name the object lacks", () => {
    const none = analyzeCallSites(elf, new Set());
    const absent = analyzeCallSites(elf, new Set(["not_present"]));
    expect(none.coverage.length).toBeGreaterThan(0);
    expect(none.coverage).toEqual(absent.coverage);
    expect(none.coverage.every((c) => c.status === "skipped")).toBe(true);
    expect({ scanned: none.sectionsScanned, errors: none.decodeErrors, calls: none.calls.size, references: none.references.size, unlocated: none.unlocated.size }).toEqual({
      scanned: absent.sectionsScanned,
      errors: absent.decodeErrors,
      calls: 0,
      references: 0,
      unlocated: absent.unlocated.size,
    });
  });

  it("gives every requested name an entry, even with no calls", () => {
    const calls = findCallsTo(elf, new Set(["helper", "not_present"]));
    expect([...calls.keys()].sort()).toEqual(["helper", "not_present"]);
    expect(calls.get("not_present")).toEqual([]);
  });

  it("counts direct calls, jcc rel8/rel32 and tail jumps; not loops, not helper+1; recursion counts", () => {
    const sites = findCallsTo(elf, new Set(["helper"])).get("helper")!;
    expect(sites.map(brief)).toEqual([
      "direct_caller+0 call direct",
      "direct_caller+5 call direct",
      "direct_caller+c jcc direct",
      "direct_caller+e jcc direct",
      "direct_caller+19 jmp direct",
      "helper+1f call direct",
    ]);
  });

  it("resolves relocations against a section symbol plus addend, including an address loaded with lea", () => {
    const sites = findCallsTo(elf, new Set(["far_helper"])).get("far_helper")!;
    expect(sites.map(brief)).toEqual([
      "section_caller+25 call section-relocation R_X86_64_PLT32",
      "section_caller+2c jcc section-relocation R_X86_64_PLT32",
      "section_caller+39 call-indirect section-relocation R_X86_64_PC32 through rax@32",
      "section_caller+3b jmp section-relocation R_X86_64_PLT32",
    ]);
  });

  it("counts relocations against the helper's own symbol and through its GOT slot", () => {
    const calls = findCallsTo(elf, new Set(["ext_helper", "global_helper"]));
    expect(calls.get("ext_helper")!.map(brief)).toEqual([
      "symbol_caller+40 call symbol-relocation R_X86_64_PLT32",
      "symbol_caller+45 call symbol-relocation R_X86_64_PLT32",
      "symbol_caller+4c jcc symbol-relocation R_X86_64_PLT32",
      "symbol_caller+57 jmp symbol-relocation R_X86_64_PLT32",
      "got_caller+5d call-indirect got-relocation R_X86_64_GOTPCRELX",
      "got_caller+6a call-indirect got-relocation R_X86_64_REX_GOTPCRELX through rbx@63",
      "got_caller+6c call-indirect got-relocation R_X86_64_REX_GOTPCRELX through rbx@63",
      "got_caller+82 jmp-indirect got-relocation R_X86_64_GOTPCRELX",
    ]);
    // The later `call *%rcx` follows a call that clobbers %rcx: it is not attributed to global_helper.
    expect(calls.get("global_helper")!.map(brief)).toEqual(["symbol_caller+52 call symbol-relocation R_X86_64_PLT32"]);
  });

  it("reports address loads and pointer tables as references", () => {
    const { references, decodeErrors, sectionsScanned } = analyzeCallSites(elf, new Set(["helper", "ext_helper", "global_helper", "far_helper"]));
    expect(decodeErrors).toEqual([]);
    expect(sectionsScanned).toBe(2);
    expect(references.get("helper")).toEqual([{ name: "helper", section: ".data", offset: 0, kind: "other", relocationType: "R_X86_64_64" }]);
    expect(references.get("ext_helper")).toEqual([
      { name: "ext_helper", section: ".data", offset: 8, kind: "other", relocationType: "R_X86_64_64" },
      { name: "ext_helper", section: ".text", offset: 0x63, kind: "address-load", relocationType: "R_X86_64_REX_GOTPCRELX", callsThrough: 2 },
    ]);
    expect(references.get("global_helper")).toEqual([
      { name: "global_helper", section: ".text", offset: 0x73, kind: "address-load", relocationType: "R_X86_64_REX_GOTPCRELX", callsThrough: 0 },
    ]);
    expect(references.get("far_helper")).toEqual([
      { name: "far_helper", section: ".text", offset: 0x32, kind: "address-load", relocationType: "R_X86_64_PC32", callsThrough: 1 },
    ]);
  });

  it("tells local, global, undefined and absent symbols apart", () => {
    expect(symbolState(elf, "helper")).toBe("local");
    expect(symbolState(elf, "far_helper")).toBe("local");
    expect(symbolState(elf, "global_helper")).toBe("global");
    expect(symbolState(elf, "ext_helper")).toBe("undefined");
    expect(symbolState(elf, "not_present")).toBe("absent");
    expect(symbolState(elf, ".text")).toBe("absent"); // section symbols are not functions
    expect(symbolVisibility(elf, "global_helper")).toBe("DEFAULT");
  });
});

describe("local helpers in one translation unit", () => {
  const names = new Set(["helper", "other_helper"]);
  const cases: Array<[string, string, string[], ObjectCallSite["via"], string | undefined]> = [
    // Same section: both assemblers resolve the displacement themselves and leave no relocation.
    ["clang -O2", CLANG, ["-O2"], "direct", undefined],
    ["gcc -O2", GCC, ["-O2"], "direct", undefined],
    // One section per function: the call is relocated against the callee's section symbol, addend -4;
    // clang marks it PLT32, gcc (GNU as) PC32.
    ["clang -O2 -ffunction-sections", CLANG, ["-O2", "-ffunction-sections"], "section-relocation", "R_X86_64_PLT32"],
    ["gcc -O2 -ffunction-sections", GCC, ["-O2", "-ffunction-sections"], "section-relocation", "R_X86_64_PC32"],
  ];
  for (const [label, compiler, flags, via, relocationType] of cases) {
    it(`${label}: every call is '${via}'`, () => {
      const elf = load(work.compile(compiler, fixture("helpers_in_one_tu.c"), `one-tu-${label.replace(/\W+/g, "_")}.o`, flags));
      const calls = findCallsTo(elf, names);
      const helper = calls.get("helper")!;
      expect(countsBy(helper, (s) => `${s.callerSymbol} ${s.instruction}`)).toEqual({
        "first_caller call": 2,
        "second_caller call": 1,
        "tail_caller jmp": 1,
      });
      expect(calls.get("other_helper")!.map((s) => `${s.callerSymbol} ${s.instruction}`)).toEqual(["second_caller call"]);
      for (const site of [...helper, ...calls.get("other_helper")!]) {
        expect(site.via).toBe(via);
        expect(site.relocationType).toBe(relocationType);
      }
      expect(symbolState(elf, "helper")).toBe("local");
    });
  }

  it("resolves section symbol + non-zero addend to the second helper of a shared section (clang and gcc)", () => {
    for (const compiler of [CLANG, GCC]) {
      const elf = load(work.compile(compiler, fixture("helpers_shared_section.c"), `shared-${compiler === GCC ? "gcc" : "clang"}.o`, ["-O2"]));
      const calls = findCallsTo(elf, new Set(["first_helper", "second_helper"]));
      expect(calls.get("first_helper")!.map((s) => `${s.callerSymbol} ${s.instruction} ${s.via}`)).toEqual(["uses_both call section-relocation"]);
      expect(calls.get("second_helper")!.map((s) => `${s.callerSymbol} ${s.instruction} ${s.via}`)).toEqual([
        "uses_both call section-relocation",
        "uses_both call section-relocation",
        "tail_to_second jmp section-relocation",
      ]);
      const second = elf.symbols.find((s) => s.name === "second_helper")!;
      expect(second.value).toBeGreaterThan(0);
      const relocated = elf.relocations.filter((r) => elf.symbols[r.symbolIndex]?.name === ".text.helpers" && elf.sections[r.sectionIndex]!.name === ".text");
      expect(relocated.map((r) => r.addend)).toContain(second.value - 4);
    }
  });

  it("counts direct calls in a linked executable, whose sections sit at their load address", () => {
    const exe = work.file("one-tu-exe");
    run(GCC, ["-O2", "-o", exe, fixture("helpers_in_one_tu.c"), fixture("exe_main_helpers.c")]);
    const elf = load(exe);
    expect(elf.fileType).toBe("DYN");
    const helper = findCallsTo(elf, names).get("helper")!;
    expect(helper.map((s) => `${s.section} ${s.callerSymbol} ${s.instruction} ${s.via}`)).toEqual([
      ".text first_caller call direct",
      ".text first_caller call direct",
      ".text second_caller call direct",
      ".text tail_caller jmp direct",
    ]);
    const text = elf.sections.find((s) => s.name === ".text")!;
    expect(text.addr).toBeGreaterThan(0);
    for (const site of helper) expect(site.offset).toBeLessThan(text.size);
  });
});

describe("calls to external helpers", () => {
  const names = new Set(["helper", "other_helper"]);
  const shapes = (sites: ObjectCallSite[]) => countsBy(sites, (s) => `${s.callerSymbol} ${s.instruction} ${s.via}`);

  it("clang -O2: PLT32 against the helper, including a conditional tail call (jcc rel32)", () => {
    const calls = findCallsTo(load(work.compile(CLANG, fixture("extern_calls.c"), "ext-clang.o", ["-O2"])), names);
    expect(shapes(calls.get("helper")!)).toEqual({
      "two_calls call symbol-relocation": 2,
      "tail_call jmp symbol-relocation": 1,
      "conditional_tail_call jcc symbol-relocation": 1,
    });
    expect(shapes(calls.get("other_helper")!)).toEqual({ "mixed call symbol-relocation": 1 });
  });

  it("gcc -O2: PLT32 against the helper", () => {
    const calls = findCallsTo(load(work.compile(GCC, fixture("extern_calls.c"), "ext-gcc.o", ["-O2"])), names);
    expect(shapes(calls.get("helper")!)).toEqual({
      "two_calls call symbol-relocation": 2,
      "tail_call jmp symbol-relocation": 1,
      "conditional_tail_call jmp symbol-relocation": 1,
    });
    expect(shapes(calls.get("other_helper")!)).toEqual({ "mixed call symbol-relocation": 1 });
  });

  it("clang -fPIC -fno-plt: through the GOT, with the GOT load hoisted into a register for repeated calls", () => {
    const elf = load(work.compile(CLANG, fixture("extern_calls.c"), "ext-clang-noplt.o", ["-O2", "-fPIC", "-fno-plt"]));
    const { calls, references } = analyzeCallSites(elf, names);
    expect(shapes(calls.get("helper")!)).toEqual({
      "two_calls call-indirect got-relocation": 2,
      "tail_call jmp-indirect got-relocation": 1,
      "conditional_tail_call jmp-indirect got-relocation": 1,
    });
    expect(calls.get("helper")!.filter((s) => s.through).length).toBe(2);
    expect(shapes(calls.get("other_helper")!)).toEqual({ "mixed call-indirect got-relocation": 1 });
    expect(references.get("helper")!.map((r) => `${r.kind} ${r.relocationType} ${r.callsThrough}`)).toEqual(["address-load R_X86_64_REX_GOTPCRELX 2"]);
  });

  it("gcc -fPIC -fno-plt: call/jmp *helper@GOTPCREL(%rip)", () => {
    const calls = findCallsTo(load(work.compile(GCC, fixture("extern_calls.c"), "ext-gcc-noplt.o", ["-O2", "-fPIC", "-fno-plt"])), names);
    expect(shapes(calls.get("helper")!)).toEqual({
      "two_calls call-indirect got-relocation": 2,
      "tail_call jmp-indirect got-relocation": 1,
      "conditional_tail_call jmp-indirect got-relocation": 1,
    });
    for (const site of calls.get("helper")!) expect(site.relocationType).toBe("R_X86_64_GOTPCRELX");
  });

  it("rustc -O: calls C helpers through GOTPCREL, mostly from a register loaded once", () => {
    const elf = load(work.rustc(fixture("calls_c_helper.rs"), "rust-calls.o", ["-O", "--edition=2021"]));
    const { calls, decodeErrors } = analyzeCallSites(elf, names);
    expect(decodeErrors).toEqual([]);
    expect(shapes(calls.get("helper")!)).toEqual({
      "rust_two_calls call-indirect got-relocation": 2,
      "rust_tail_call jmp-indirect got-relocation": 1,
    });
    expect(shapes(calls.get("other_helper")!)).toEqual({ "rust_loop call-indirect got-relocation": 1 });
    for (const site of [...calls.get("helper")!, ...calls.get("other_helper")!]) expect(site.relocationType).toBe("R_X86_64_GOTPCREL");
    expect(symbolState(elf, "helper")).toBe("undefined");
  });
});

describe("aarch64", () => {
  const names = new Set(["helper", "other_helper"]);
  const aarch64 = ["--target=aarch64-linux-gnu", "-O2"];
  const shapes = (sites: ObjectCallSite[]) => countsBy(sites, (s) => `${s.callerSymbol} ${s.instruction} ${s.via} ${s.relocationType ?? "-"}`);

  it("local helpers: bl/b with no relocation in one section, CALL26/JUMP26 against the section symbol with -ffunction-sections", () => {
    const direct = findCallsTo(load(work.compile(CLANG, fixture("helpers_in_one_tu.c"), "a64-one-tu.o", aarch64)), names);
    expect(shapes(direct.get("helper")!)).toEqual({ "first_caller call direct -": 2, "second_caller call direct -": 1, "tail_caller jmp direct -": 1 });
    const sectioned = findCallsTo(load(work.compile(CLANG, fixture("helpers_in_one_tu.c"), "a64-sections.o", [...aarch64, "-ffunction-sections"])), names);
    expect(shapes(sectioned.get("helper")!)).toEqual({
      "first_caller call section-relocation R_AARCH64_CALL26": 2,
      "second_caller call section-relocation R_AARCH64_CALL26": 1,
      "tail_caller jmp section-relocation R_AARCH64_JUMP26": 1,
    });
    expect(shapes(sectioned.get("other_helper")!)).toEqual({ "second_caller call section-relocation R_AARCH64_CALL26": 1 });
  });

  it("external helpers: CALL26/JUMP26 against the helper's symbol", () => {
    const calls = findCallsTo(load(work.compile(CLANG, fixture("extern_calls.c"), "a64-ext.o", aarch64)), names);
    expect(shapes(calls.get("helper")!)).toEqual({
      "two_calls call symbol-relocation R_AARCH64_CALL26": 2,
      "tail_call jmp symbol-relocation R_AARCH64_JUMP26": 1,
      "conditional_tail_call jmp symbol-relocation R_AARCH64_JUMP26": 1,
    });
  });
});

it("refuses machines it cannot decode rather than report zero calls", () => {
  const elf = load(work.compile(CLANG, fixture("extern_calls.c"), "riscv.o", ["--target=riscv64-linux-gnu", "-O2"]));
  expect(() => findCallsTo(elf, new Set(["helper"]))).toThrow(/riscv/);
});

describe("a loop that reloads the helper's address at its latch (rustc's shape)", () => {
  let elf: ElfFile;
  beforeAll(() => {
    const object = work.file("loop_reload.o");
    run(LLVM_MC, ["-triple=x86_64-linux-gnu", "-filetype=obj", fixture("loop_reload.s"), "-o", object]);
    elf = load(object);
  });

  it("the reload is credited with the call at the loop head: no address used other than by calls", () => {
    const analysis = analyzeCallSites(elf, new Set(["helper"]));
    const inLoop = analysis.references.get("helper")!.filter((r) => r.offset < 0x20);
    expect(inLoop.map((r) => [r.kind, r.callsThrough])).toEqual([
      ["address-load", 1],
      ["address-load", 1],
    ]);
    expect(analysis.calls.get("helper")!.filter((s) => s.callerSymbol === "loop_reload").map(brief)).toEqual(["loop_reload+f call-indirect got-relocation R_X86_64_REX_GOTPCRELX through rbx@6"]);
  });

  it("a reload whose value is overwritten before any call, or stored, is not credited", () => {
    const analysis = analyzeCallSites(elf, new Set(["helper"]));
    const start = elf.symbols.find((s) => s.name === "loop_reload_escapes")!.value;
    const escapes = analysis.references.get("helper")!.filter((r) => r.offset >= start);
    // The preheader load (stored at the head), the load the call goes through, the load into %rax that is stored.
    expect(escapes.map((r) => r.callsThrough)).toEqual([0, 1, 0]);
  });
});
