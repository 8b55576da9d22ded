import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeCallSites, readElf, type ElfFile } from "../../src/elf/index.js";
import { readObjectFacts } from "../../src/verify/objectFacts.js";
import { CLANG, GCC, LLVM_BIN, Workdir, fixture, objdump, readobjJson, run } from "./helpers/toolchain.js";

/**
 * Linked files, as GNU ld and lld really lay them out: calls through the PLT (lazy, -z now, IBT
 * .plt.sec), through the GOT with no relocation (-fno-plt), direct calls to local helpers, on x86-64
 * and aarch64; stripped files and -x. The x86-64 counts are checked against llvm-objdump: its
 * symbolised `<name>` / `<name@plt>` branch targets, and for `call *slot(%rip)` the slot's dynamic
 * relocation.
 */

const work = new Workdir();
afterAll(() => work.cleanup());

const HELPERS = ["rust_helper_ext", "rust_helper_local", "rust_helper_table", "rust_helper_hidden", "rust_helper_exported"];
const LLD = ["-fuse-ld=lld"];

function load(path: string): ElfFile {
  return readElf(work.read(path.slice(work.path.length + 1)));
}

/** Links `sources` into `out` with `compiler` and `flags` (a PIE unless the flags say otherwise). */
function link(compiler: string, out: string, sources: string[], flags: string[]): string {
  const path = work.file(out);
  run(compiler, ["-O2", ...flags, "-o", path, ...sources]);
  return path;
}

/** `%r14d`, `%r14`, `%eax`, `%al` … → the 64-bit register's name. */
function baseRegister(operand: string): string | undefined {
  const m = /^%(r\d+|[re]?(ax|bx|cx|dx|si|di|bp|sp)|[abcd]l|[sd]il)[dwb]?$/.exec(operand.trim());
  if (!m) return undefined;
  const r = m[1]!;
  if (/^r\d+$/.test(r)) return r;
  const core = r.replace(/^[re]/, "").replace(/^([abcd])l$/, "$1x").replace(/^(si|di)l$/, "$1");
  return `r${core}`;
}
const callerSaved = new Set(["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"]);

/**
 * Per helper, the calls llvm-objdump's own disassembly shows: branches to `<h>` or `<h@plt>`; to a
 * `.plt.sec` entry (which objdump leaves unnamed) whose `jmp *slot(%rip)` slot holds h; through
 * `*slot(%rip)`; and `call *%reg` after `mov slot(%rip), %reg` in the same function.
 */
function objdumpCounts(path: string): Record<string, number> {
  const slots = new Map<number, string>();
  for (const group of readobjJson(path, ["--relocations"]).Relocations ?? []) {
    for (const { Relocation: r } of group.Relocs) if (/GLOB_DAT|JUMP_SLOT/.test(r.Type.Name)) slots.set(Number(BigInt(r.Offset)), r.Symbol.Name.replace(/@.*/, ""));
  }
  const slotOf = (text: string) => slots.get(parseInt(/# 0x([0-9a-f]+)/.exec(text)?.[1] ?? "-1", 16));
  const disassembly = objdump(path);
  const stubs = new Map<number, string>();
  for (const [section, instructions] of disassembly) {
    if (!section.startsWith(".plt")) continue;
    instructions.forEach((insn, i) => {
      const entry = instructions[i - 1]?.mnemonic === "endbr64" ? instructions[i - 1]!.address : insn.address;
      const name = insn.mnemonic.startsWith("jmp") && insn.text.includes("(%rip)") ? slotOf(insn.text) : undefined;
      if (name) stubs.set(entry, name);
    });
  }
  const counts: Record<string, number> = {};
  for (const [section, instructions] of disassembly) {
    if (section.startsWith(".plt")) continue;
    const held = new Map<string, string>();
    let symbol = "";
    for (const insn of instructions) {
      if (insn.symbol !== symbol) held.clear();
      symbol = insn.symbol;
      const operands = insn.text.replace(/^\S+\s*/, "").replace(/\s*#.*$/, "").split(",");
      let name: string | undefined;
      if (/^(call|jmp|j[a-z]+)/.test(insn.mnemonic)) {
        const register = /^\*(%\w+)$/.exec(operands[0]!.trim())?.[1];
        if (register) name = held.get(baseRegister(register) ?? "");
        else if (insn.text.includes("(%rip)")) name = slotOf(insn.text);
        else {
          const symbolised = /<([\w.]+?)(@plt)?>$/.exec(insn.text)?.[1];
          name = symbolised && HELPERS.includes(symbolised) ? symbolised : stubs.get(parseInt(/^(?:0x)?([0-9a-f]+)/.exec(operands[0]!.trim())?.[1] ?? "-1", 16));
        }
        if (insn.mnemonic.startsWith("call")) for (const r of callerSaved) held.delete(r);
      } else {
        const destination = baseRegister(operands[operands.length - 1] ?? "");
        if (destination) held.delete(destination);
        const loaded = insn.mnemonic.startsWith("mov") && insn.text.includes("(%rip)") ? slotOf(insn.text) : undefined;
        if (destination && loaded) held.set(destination, loaded);
      }
      if (name && HELPERS.includes(name) && insn.symbol !== name) counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

function ourCounts(elf: ElfFile): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, sites] of analyzeCallSites(elf, new Set(HELPERS)).calls) if (sites.length) counts[name] = sites.length;
  return counts;
}

function rows(elf: ElfFile): Record<string, string> {
  return Object.fromEntries(readObjectFacts(elf, HELPERS).helpers.map((h) => [h.name, `${h.verdict} ${h.callsLeft} ${[...new Set(h.calls.map((c) => c.via))].join(",")}`.trim()]));
}

let libGcc: string;
let libLld: string;

beforeAll(() => {
  libGcc = link(GCC, "libh.so", [fixture("linked_lib.c")], ["-shared", "-fPIC"]);
  libLld = link(CLANG, "libh-lld.so", [fixture("linked_lib.c")], [...LLD, "-shared", "-fPIC"]);
});

const main = () => [fixture("linked_main.c"), `-L${work.path}`, "-lh"];

describe("x86-64 programs against llvm-objdump", () => {
  const variants: Array<[string, string, string[], string]> = [
    ["gcc, GNU ld, lazy PLT", GCC, [], "plt"],
    ["gcc -fno-plt: call *slot(%rip)", GCC, ["-fno-plt"], "got-slot"],
    ["gcc -fcf-protection -z ibt -z now: .plt.sec", GCC, ["-fcf-protection", "-Wl,-z,ibt", "-Wl,-z,now"], "plt"],
    ["gcc -no-pie (ET_EXEC)", GCC, ["-no-pie", "-fno-pie"], "plt"],
    ["gcc -no-pie -fno-plt", GCC, ["-no-pie", "-fno-pie", "-fno-plt"], "got-slot"],
    ["clang, lld", CLANG, LLD, "plt"],
    ["clang, lld -z force-ibt: .plt.sec", CLANG, [...LLD, "-fcf-protection", "-Wl,-z,force-ibt", "-Wl,--no-warnings"], "plt"],
    ["clang -fno-plt, lld", CLANG, [...LLD, "-fno-plt"], "got-slot"],
    ["clang, lld -z now", CLANG, [...LLD, "-Wl,-z,now"], "plt"],
    // Function-pointer tables relocated by RELR carry no RELA entry: the packed words are read.
    ["gcc -z pack-relative-relocs (RELR)", GCC, ["-Wl,-z,pack-relative-relocs"], "plt"],
    ["clang, lld -z pack-relative-relocs (RELR)", CLANG, [...LLD, "-Wl,-z,pack-relative-relocs"], "plt"],
  ];
  for (const [label, compiler, flags, extVia] of variants) {
    it(label, () => {
      const exe = link(compiler, `exe-${label.replace(/\W+/g, "_")}`, main(), flags);
      const elf = load(exe);
      const expected = objdumpCounts(exe);
      expect(expected.rust_helper_ext, "objdump sees the library calls").toBeGreaterThanOrEqual(2);
      expect(expected.rust_helper_local, "objdump sees the local call").toBeGreaterThanOrEqual(1);
      expect(ourCounts(elf)).toEqual(expected);
      const verdicts = rows(elf);
      expect(verdicts.rust_helper_ext).toBe(`calls-left ${expected.rust_helper_ext} ${extVia}`);
      expect(verdicts.rust_helper_local).toBe(`calls-left ${expected.rust_helper_local} direct`);
      // Only its address is used (a function-pointer table): never "inlined".
      expect(verdicts.rust_helper_table).toBe("not-proven 0");
      expect(verdicts.rust_helper_hidden).toBe("inlined 0");
      if (label.includes("ibt")) expect(elf.sections.some((s) => s.name === ".plt.sec")).toBe(true);
      if (label.includes("no-pie")) expect(elf.fileType).toBe("EXEC");
      if (label.includes("RELR")) expect(elf.sections.some((s) => s.typeName === "RELR")).toBe(true);
    });
  }
});

describe("x86-64 shared objects", () => {
  it("GNU ld: the exported helper is called through its own PLT, the hidden one directly", () => {
    const elf = load(libGcc);
    expect(ourCounts(elf)).toEqual(objdumpCounts(libGcc));
    expect(rows(elf)).toMatchObject({ rust_helper_exported: "calls-left 2 plt", rust_helper_hidden: "calls-left 1 direct", rust_helper_ext: "inlined 0" });
  });

  it("lld", () => {
    const elf = load(libLld);
    expect(ourCounts(elf)).toEqual(objdumpCounts(libLld));
    expect(rows(elf).rust_helper_hidden).toBe("calls-left 1 direct");
  });
});

describe("stripped and -x files", () => {
  it("counts what .dynsym allows, and never proves a helper it cannot locate", () => {
    const stripped = work.file("libh-stripped.so");
    run(`${LLVM_BIN}/llvm-strip`, ["-o", stripped, libGcc]);
    const elf = load(stripped);
    expect(elf.symbols).toEqual([]);
    const facts = readObjectFacts(elf, HELPERS);
    const byName = Object.fromEntries(facts.helpers.map((h) => [h.name, h]));
    // Exported: located through .dynsym, counted as before stripping.
    expect(byName.rust_helper_exported).toMatchObject({ verdict: "calls-left", callsLeft: 2 });
    expect(byName.rust_helper_ext).toMatchObject({ verdict: "inlined", symbol: "global" });
    // Hidden: still called, but nothing names it any more.
    expect(byName.rust_helper_hidden).toMatchObject({ verdict: "not-proven", callsLeft: 0 });
    expect(byName.rust_helper_hidden!.notProven![0]).toMatch(/no \.symtab \(stripped\) and rust_helper_hidden is not in \.dynsym/);
  });

  for (const [label, compiler, flags] of [["GNU ld -x", GCC, ["-Wl,-x"]], ["lld -x", CLANG, [...LLD, "-Wl,-x"]], ["strip", GCC, ["-s"]]] as const) {
    it(`a program linked with ${label}: the local helper it calls is not proven`, () => {
      const elf = load(link(compiler, `exe-${label.replace(/\W+/g, "_")}`, main(), [...flags]));
      const verdicts = rows(elf);
      expect(verdicts.rust_helper_local).toBe("not-proven 0");
      expect(verdicts.rust_helper_ext).toMatch(/^calls-left [1-9]/);
    });
  }
});

describe("a helper whose symbol alone was removed (objcopy --strip-symbol)", () => {
  // The file keeps its other local symbols, so a name it lacks would mean a function it lacks; the
  // helper's code is still called, by address. GCC places linked_main.c's first function right
  // after crt's size-less frame_dummy.
  for (const [label, compiler, flags, objcopy] of [
    ["GNU ld, GNU objcopy", GCC, [], "objcopy"],
    ["lld, llvm-objcopy", CLANG, LLD, `${LLVM_BIN}/llvm-objcopy`],
  ] as const) {
    it(label, () => {
      const exe = link(compiler, `exe-strip-one-${label.replace(/\W+/g, "_")}`, main(), [...flags]);
      const before = readObjectFacts(load(exe), [...HELPERS, "rust_helper_gone"]).helpers;
      expect(before.find((h) => h.name === "rust_helper_local")).toMatchObject({ verdict: "calls-left", symbol: "local" });
      // crt's size-less functions and the padding between functions are not unnamed code.
      expect(before.find((h) => h.name === "rust_helper_gone")).toMatchObject({ verdict: "inlined", symbol: "absent" });

      const stripped = `${exe}-stripped`;
      run(objcopy, ["--strip-symbol=rust_helper_local", exe, stripped]);
      const after = readObjectFacts(load(stripped), [...HELPERS, "rust_helper_gone"]).helpers;
      const local = after.find((h) => h.name === "rust_helper_local")!;
      expect(local).toMatchObject({ verdict: "not-proven", symbol: "absent" });
      expect(local.notProven!.join(" ")).toMatch(/uses? reach(es)? code that no symbol names \(first: call at \.text\+0x\w+ to 0x\w+\).* a copy whose symbol was removed/);
      expect(after.find((h) => h.name === "rust_helper_ext")).toMatchObject({ verdict: "calls-left" });
    });
  }

  // Found by a user trial: reached other than by a direct call, or at a nop.
  const stripOne = (exe: string, name: string) => {
    run("objcopy", [`--strip-symbol=${name}`, exe, `${exe}-stripped`]);
    const before = readObjectFacts(load(exe), [name]).helpers[0]!;
    const after = readObjectFacts(load(`${exe}-stripped`), [name]).helpers[0]!;
    return { before, after, why: after.notProven?.join(" ") ?? "" };
  };

  it("a Rust program's C helper: rustc calls it through its GOT slot, whose RELATIVE relocation stores the address", () => {
    const c = work.write("rs_helper.c", "__attribute__((noinline)) int c_helper(int x) { return (x * 3 + (x >> 2)) ^ 0x55; }\n");
    run(CLANG, ["-O2", "-c", "-fPIC", "-o", work.file("rs_helper.o"), c]);
    run(`${LLVM_BIN}/llvm-ar`, ["rcs", work.file("librs_helper.a"), work.file("rs_helper.o")]);
    const main = work.write("rs_main.rs", 'extern "C" { fn c_helper(x: i32) -> i32; }\nfn main() { let v = std::env::args().count() as i32; println!("{}", unsafe { c_helper(v) + c_helper(v + 1) }); }\n');
    const exe = work.file("rs-strip-one");
    run("rustc", ["-O", "--edition=2021", "-L", work.path, "-l", "static=rs_helper", "-o", exe, main]);
    const { before, after, why } = stripOne(exe, "c_helper");
    expect(before.verdict).toBe("calls-left");
    expect(after).toMatchObject({ verdict: "not-proven", symbol: "absent" });
    expect(why).toMatch(/reach(es)? code that no symbol names/);
  });

  it("a helper whose entry is a nop (patchable_function_entry): a call to the nop is a call to it", () => {
    const c = work.write("pfe.c", '#include <stdlib.h>\n__attribute__((noinline, patchable_function_entry(5, 0))) static int helper(int x) { return (x * 3 + (x >> 2)) ^ 0x55; }\nint main(int argc, char **argv) { int v = atoi(argc > 1 ? argv[1] : "7"); return helper(v) + helper(v + 1); }\n');
    const exe = link(GCC, "pfe-strip-one", [c], []);
    const { before, after, why } = stripOne(exe, "helper");
    expect(before.verdict).toBe("calls-left");
    expect(after.verdict).toBe("not-proven");
    // Its two calls, and the __patchable_function_entries record of its entry.
    expect(why).toMatch(/^3 uses reach code that no symbol names/);
  });

  it("a helper used only through a pointer (a qsort callback): the address load counts", () => {
    const c = work.write("qs.c", "#include <stdio.h>\n#include <stdlib.h>\nstatic int helper(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }\nint main(int argc, char **argv) { (void)argv; int a[4] = {argc, 3, 1, 2}; qsort(a, 4, sizeof a[0], helper); printf(\"%d\\n\", a[0]); return 0; }\n");
    const exe = link(GCC, "qs-strip-one", [c], []);
    const { before, after, why } = stripOne(exe, "helper");
    expect(before.verdict).toBe("not-proven"); // its address is used: calls through it cannot be counted
    expect(after.verdict).toBe("not-proven");
    expect(why).toMatch(/first: address-load at/);
  });

  it("aarch64, lld", () => {
    const exe = work.file("a64-strip-one");
    const lib = work.file("liba64-strip-one.so");
    const target = ["--target=aarch64-linux-gnu", "-O2", ...LLD, "-nostdlib"];
    run(CLANG, [...target, "-fPIC", "-shared", "-o", lib, fixture("linked_lib.c")]);
    run(CLANG, [...target, "-pie", "-o", exe, fixture("linked_a64_main.c"), lib]);
    expect(rows(load(exe)).rust_helper_local).toBe("calls-left 1 direct");
    run(`${LLVM_BIN}/llvm-objcopy`, ["--strip-symbol=rust_helper_local", exe, `${exe}-stripped`]);
    expect(rows(load(`${exe}-stripped`)).rust_helper_local).toBe("not-proven 0");
  });
});

describe("aarch64 (lld, no C library)", () => {
  const target = ["--target=aarch64-linux-gnu", "-O2"];
  let lib: string;
  beforeAll(() => {
    lib = work.file("liba64.so");
    run(CLANG, [...target, "-fPIC", ...LLD, "-nostdlib", "-shared", "-o", lib, fixture("linked_lib.c")]);
  });

  const cases: Array<[string, string[], string]> = [
    ["bl to PLT stubs", [], "plt"],
    ["-fno-plt: adrp+ldr from the GOT, blr", ["-fno-plt"], "got-slot"],
    ["BTI PLT stubs (-z force-bti)", ["-mbranch-protection=bti", "-Wl,-z,force-bti"], "plt"],
  ];
  for (const [label, flags, via] of cases) {
    it(label, () => {
      const exe = work.file(`a64-${label.replace(/\W+/g, "_")}`);
      run(CLANG, [...target, ...LLD, "-nostdlib", "-pie", ...flags, "-o", exe, fixture("linked_a64_main.c"), lib]);
      const elf = load(exe);
      const verdicts = rows(elf);
      // caller's two calls, and the two calls of caller inlined into _start.
      expect(verdicts.rust_helper_ext).toBe(`calls-left 4 ${via}`);
      expect(verdicts.rust_helper_local).toBe("calls-left 1 direct");
      if (label.includes("BTI")) expect(run(`${LLVM_BIN}/llvm-objdump`, ["-d", "-j", ".plt", exe])).toMatch(/\bbti\s+c\b/);
    });
  }

  it("the shared object's own PLT calls to its exported helper", () => {
    expect(rows(load(lib))).toMatchObject({ rust_helper_exported: "calls-left 2 plt", rust_helper_hidden: "calls-left 1 direct" });
  });
});

describe("a linked file in which nothing leads to a helper", () => {
  // undecodable.s: a byte the decoder stops at, hiding a PLT call to ext_helper and a direct call
  // to local_helper. Linked as a shared object, ext_helper stays undefined: only its PLT slot's
  // JUMP_SLOT relocation names it.
  let elf: ElfFile;
  beforeAll(() => {
    elf = load(link(CLANG, "libundecodable.so", [fixture("undecodable.s")], [...LLD, "-shared", "-nostdlib"]));
  });

  it("no symbol and no dynamic relocation names it: the code is not read (nothing in it could be a call to it), and it is proven gone", () => {
    const analysis = analyzeCallSites(elf, new Set(["gone_helper"]));
    expect(analysis.sectionsScanned).toBe(0);
    expect(analysis.coverage.filter((c) => c.status !== "stubs").map((c) => c.status)).toEqual(analysis.coverage.filter((c) => c.status !== "stubs").map(() => "skipped"));
    expect(analysis.coverage.length).toBeGreaterThan(0);
    const facts = readObjectFacts(elf, ["gone_helper"]);
    expect(facts.helpers[0]).toMatchObject({ verdict: "inlined", callsLeft: 0, symbol: "absent" });
  });

  it("a defined helper: every code section is read, and the stretch the decoder could not read keeps it unproven", () => {
    const analysis = analyzeCallSites(elf, new Set(["local_helper"]));
    expect(analysis.sectionsScanned).toBeGreaterThan(0);
    expect(analysis.decodeErrors.length).toBeGreaterThan(0);
    expect(readObjectFacts(elf, ["local_helper"]).helpers[0]).toMatchObject({ verdict: "not-proven", symbol: "local" });
  });

  it("a helper only a dynamic relocation names (imported, no address here): the code is read too", () => {
    const analysis = analyzeCallSites(elf, new Set(["ext_helper"]));
    expect(analysis.sectionsScanned).toBeGreaterThan(0);
    expect(readObjectFacts(elf, ["ext_helper"]).helpers[0]).toMatchObject({ verdict: "not-proven", symbol: "undefined" });
  });
});
