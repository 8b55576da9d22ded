import { afterAll, describe, expect, it } from "vitest";
import { readElf, type ElfFile } from "../../src/elf/index.js";
import { readObjectFacts } from "../../src/verify/objectFacts.js";
import { CLANG, GCC, LLVM_BIN, Workdir, run } from "./helpers/toolchain.js";

const LLVM_OBJCOPY = `${LLVM_BIN}/llvm-objcopy`;

/**
 * Wrong "inlined" verdicts a user trial found, each rebuilt with the real compiler: a call or a use
 * of the helper's address is left in every one of these objects, so the verdict must never be
 * `inlined`.
 */

const work = new Workdir();
afterAll(() => work.cleanup());

function load(path: string): ElfFile {
  return readElf(work.read(path.slice(work.path.length + 1)));
}

function verdictOf(path: string, helper = "rust_helper_foo"): { verdict: string; reasons: string[] } {
  const [row] = readObjectFacts(load(path), [helper]).helpers;
  return { verdict: row!.verdict, reasons: row!.notProven ?? [] };
}

const aliasSource = `__attribute__((noinline)) int real_impl(int x){return x*3+1;}
int rust_helper_foo(int x) __attribute__((alias("real_impl")));
int caller(int x){return real_impl(x)+1;}
`;
const staticSource = `static __attribute__((noinline)) int rust_helper_foo(int x){return x*3+1;}
int caller(int x){return rust_helper_foo(x)+1;}
`;

describe("x86-64 large code model: movabs with GOTOFF64 / GOT64, then call through the register", () => {
  const alias = work.write("alias.c", aliasSource);
  const stat = work.write("stat.c", staticSource);
  const cases: Array<[string, string, string, string[], RegExp]> = [
    ["clang, an alias's target", CLANG, alias, ["-O2", "-mcmodel=large"], /\.ltext\+0x[0-9a-f]+ R_X86_64_GOTOFF64/],
    ["clang -fPIC, an alias's target", CLANG, alias, ["-O2", "-mcmodel=large", "-fPIC"], /\.ltext\+0x[0-9a-f]+ R_X86_64_GOT64/],
    ["gcc, an alias's target", GCC, alias, ["-O2", "-mcmodel=large"], /\.text\+0x[0-9a-f]+ R_X86_64_GOTOFF64/],
    ["clang, a static helper (section symbol + addend)", CLANG, stat, ["-O2", "-mcmodel=large"], /\.ltext\+0x[0-9a-f]+ R_X86_64_GOTOFF64/],
  ];
  for (const [what, compiler, source, flags, where] of cases) {
    it(`is not proven: ${what}`, () => {
      const object = work.compile(compiler, source, `large-${cases.findIndex((c) => c[0] === what)}.o`, flags);
      const { verdict, reasons } = verdictOf(object);
      expect(verdict).toBe("not-proven");
      expect(reasons.join("\n")).toMatch(where);
    });
  }
});

describe("relative pointer tables in data (.long f - .)", () => {
  const table = (entry: string, helper: string) =>
    `__asm__(".pushsection .rodata.reltab,\\"a\\"\\n.globl reltab\\nreltab:\\n${entry} ${helper} - .\\n.popsection\\n");
extern const char reltab[];
int call_it(int x){int (*f)(int)=(int(*)(int))(reltab+*(const int*)reltab); return f(x);}
`;
  const staticHelper = "static __attribute__((noinline,used)) int rust_helper_foo(int x){return x*3+1;}\n";
  const aliasHelper = `__attribute__((noinline,used)) int real_impl(int x){return x*3+1;}
int rust_helper_foo(int x) __attribute__((alias("real_impl")));
`;
  const cases: Array<[string, string, string[], RegExp]> = [
    [".long, x86-64", staticHelper + table(".long", "rust_helper_foo"), [], /\.rodata\.reltab\+0x0 R_X86_64_PC32/],
    [".quad, x86-64", staticHelper + table(".quad", "rust_helper_foo"), [], /\.rodata\.reltab\+0x0 R_X86_64_PC64/],
    [".long, aarch64", staticHelper + table(".long", "rust_helper_foo"), ["--target=aarch64-linux-gnu"], /\.rodata\.reltab\+0x0 R_AARCH64_PREL32/],
    [".quad, aarch64", staticHelper + table(".quad", "rust_helper_foo"), ["--target=aarch64-linux-gnu"], /\.rodata\.reltab\+0x0 R_AARCH64_PREL64/],
    [".long to a global alias's target, x86-64", aliasHelper + table(".long", "real_impl"), [], /\.rodata\.reltab\+0x0 R_X86_64_PC32/],
    [".long to a global alias's target, aarch64", aliasHelper + table(".long", "real_impl"), ["--target=aarch64-linux-gnu"], /\.rodata\.reltab\+0x0 R_AARCH64_PREL32/],
  ];
  cases.forEach(([what, source, flags, where], i) => {
    it(`is not proven: ${what}`, () => {
      const object = work.compile(CLANG, work.write(`reltab-${i}.c`, source), `reltab-${i}.o`, ["-O2", ...flags]);
      const { verdict, reasons } = verdictOf(object);
      expect(verdict).toBe("not-proven");
      expect(reasons.join("\n")).toMatch(where);
    });
  });

  it("leaves a kept helper's own jump table and its .eh_frame entry alone (clang -fPIC / -fno-pic / aarch64, gcc)", () => {
    const source = work.write("switch.c", `extern int g1(int), g2(int), g3(int), g4(int), g5(int);
int rust_helper_sw(int x, int y){ switch(x){case 0: return g1(y); case 1: return g2(y)+3; case 2: return g3(y)*5;
  case 3: return g4(y)-7; case 4: return g5(y)^9; case 5: return y*11; default: return 0;} }
`);
    const builds: Array<[string, string[]]> = [[CLANG, ["-O2", "-fPIC"]], [CLANG, ["-O2", "-fno-pic"]], [CLANG, ["-O2", "--target=aarch64-linux-gnu"]], [GCC, ["-O2"]], [GCC, ["-O2", "-fPIC"]]];
    builds.forEach(([compiler, flags], i) => {
      const { verdict, reasons } = verdictOf(work.compile(compiler, source, `switch-${i}.o`, flags), "rust_helper_sw");
      expect({ verdict, reasons }, `${compiler} ${flags.join(" ")}`).toEqual({ verdict: "inlined", reasons: [] });
    });
  });
});

describe("relocatable objects whose helper symbol was removed", () => {
  const stripped: Array<[string, string, string[], (input: string, output: string) => void]> = [
    ["strip --strip-unneeded", CLANG, ["-O2"], (i, o) => run("strip", ["--strip-unneeded", "-o", o, i])],
    ["llvm-objcopy --discard-all", CLANG, ["-O2"], (i, o) => run(LLVM_OBJCOPY, ["--discard-all", i, o])],
    ["llvm-objcopy --strip-symbol", CLANG, ["-O2"], (i, o) => run(LLVM_OBJCOPY, ["--strip-symbol=rust_helper_foo", i, o])],
    ["gcc, strip --strip-unneeded", GCC, ["-O2"], (i, o) => run("strip", ["--strip-unneeded", "-o", o, i])],
    ["aarch64, llvm-objcopy --discard-all", CLANG, ["-O2", "--target=aarch64-linux-gnu"], (i, o) => run(LLVM_OBJCOPY, ["--discard-all", i, o])],
    ["-ffunction-sections, --strip-symbol (a section-symbol relocation)", CLANG, ["-O2", "-ffunction-sections"], (i, o) => run(LLVM_OBJCOPY, ["--strip-symbol=rust_helper_foo", i, o])],
  ];
  const stat = work.write("stat-stripped.c", staticSource);
  stripped.forEach(([what, compiler, flags, strip], i) => {
    it(`is not proven: ${what}`, () => {
      const object = work.compile(compiler, stat, `stripped-${i}.o`, flags);
      const out = work.file(`stripped-${i}-s.o`);
      strip(object, out);
      const elf = load(out);
      expect(elf.symbols.some((s) => s.name === "rust_helper_foo")).toBe(false);
      const { verdict, reasons } = verdictOf(out);
      expect(verdict).toBe("not-proven");
      expect(reasons.join("\n")).toMatch(/use reaches code that no symbol names .* rust_helper_foo is not in the symbol table/);
    });
  });

  it("a helper that is simply absent from an object whose code is all named stays inlined", () => {
    const object = work.compile(CLANG, work.write("no-helper.c", "int caller(int x){return x*3+2;}\n"), "no-helper.o", ["-O2"]);
    const stripped = work.file("no-helper-s.o");
    run("strip", ["--strip-unneeded", "-o", stripped, object]);
    expect(verdictOf(stripped)).toEqual({ verdict: "inlined", reasons: [] });
  });
});

describe("aarch64 adr with no relocation (a local helper in the same section)", () => {
  const helper = "static __attribute__((noinline,used)) int rust_helper_foo(int x){return x*3+1;}\n";
  const cases: Array<[string, string, string[]]> = [
    ["inline assembly adr", `${helper}void *getp(void){void *r; __asm__("adr %0, rust_helper_foo" : "=r"(r)); return r;}\n`, []],
    ["-mcmodel=tiny, *q = helper", `${helper}void setp(int (**q)(int)){ *q = rust_helper_foo; }\n`, ["-mcmodel=tiny"]],
  ];
  cases.forEach(([what, source, flags], i) => {
    it(`is not proven: ${what}`, () => {
      const object = work.compile(CLANG, work.write(`adr-${i}.c`, source), `adr-${i}.o`, ["--target=aarch64-linux-gnu", "-O2", ...flags]);
      const { verdict, reasons } = verdictOf(object);
      expect(verdict).toBe("not-proven");
      expect(reasons.join("\n")).toMatch(/\.text\+0x[0-9a-f]+ address load/);
    });
  });
});
