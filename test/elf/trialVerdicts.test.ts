import { afterAll, describe, expect, it } from "vitest";
import { readElf, type ElfFile } from "../../src/elf/index.js";
import { readObjectFacts } from "../../src/verify/objectFacts.js";
import { CLANG, GCC, Workdir } from "./helpers/toolchain.js";

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
