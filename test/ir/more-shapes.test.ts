/**
 * Less common shapes from real compilers, each checked against LLVM's own view: asm goto
 * (callbr), ifunc, alias, computed goto (blockaddress), setjmp, varargs, AddressSanitizer,
 * -O0 code, and rustc -O0 with its unreachable blocks.
 */
import { afterAll, describe, expect, it } from "vitest";
import { findAddressTakenFunctions } from "../../src/ir/index.js";
import { expectAgreesWithLlvm } from "./agreement.js";
import { clangToIr, rustToIr, Scratch } from "./helpers.js";

const scratch = new Scratch();
afterAll(() => scratch.dispose());

const C_SOURCE = `#include <stdarg.h>
#include <setjmp.h>
static int impl_a(int x) { return x + 1; }
static int impl_b(int x) { return x + 2; }
static int (*resolve_pick(void))(int) { return impl_a; }
int picked(int) __attribute__((ifunc("resolve_pick")));
int real_fn(int x) { return x * 7; }
int alias_fn(int) __attribute__((alias("real_fn")));
__attribute__((visibility("hidden"))) int hidden_fn(int x) { return x - 1; }
__attribute__((used, section(".mysec"))) static int placed = 3;
int sum(int n, ...) { va_list ap; va_start(ap, n); int s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, int); va_end(ap); return s; }
int dispatch(int op, int v) {
  static void *labels[] = { &&l0, &&l1 };
  goto *labels[op & 1];
l0: return impl_a(v);
l1: return impl_b(v);
}
int with_asm_goto(int x) {
  asm goto("test %0, %0; jz %l[zero]" :: "r"(x) :: zero);
  return 1;
zero:
  return 0;
}
jmp_buf env;
int try_it(void) { if (setjmp(env)) return 1; return 0; }
int likely(int x) { if (__builtin_expect(x > 3, 1)) return sum(3, x, x, x); return 0; }
`;

describe("clang, less common shapes", () => {
  const flagSets = [["-O2"], ["-O0"], ["-O2", "-fsanitize=address"], ["-O1", "-fPIC", "-fstack-protector-strong", "-fcf-protection", "-g"]];
  it.each(flagSets.map((f) => [f.join(" "), f] as const))("agrees with LLVM at %s", (_name, flags) => {
    const m = expectAgreesWithLlvm(clangToIr(scratch, `shapes${flagSets.findIndex((f) => f === flags)}`, C_SOURCE, [...flags]));
    expect(m.ifuncs.get("picked")?.resolver).toBe("resolve_pick");
    expect(m.aliases.get("alias_fn")?.aliasee).toBe("real_fn");
    expect(m.functions.get("hidden_fn")?.visibility).toBe("hidden");
    expect(m.globals.get("placed")?.section).toBe(".mysec");
    expect(m.compilerUsedGlobals).toContain("placed");
    expect(m.functions.get("sum")?.isVarArg).toBe(true);
    const asmGoto = m.functions.get("with_asm_goto")!.callSites.find((c) => c.kind === "callbr");
    expect(asmGoto).toMatchObject({ isInlineAsm: true, callee: null, isIndirect: false });
    expect(findAddressTakenFunctions(m).get("resolve_pick")).toEqual(["picked"]);
  });
});

describe("rustc, less common shapes", () => {
  const source = `pub fn f(v: &[u32], i: usize) -> u32 { v[i] + g(i) }
#[inline(never)] pub fn g(i: usize) -> u32 { let s = format!("{}", i); s.len() as u32 }
pub fn h<T: Clone>(x: &T) -> T { x.clone() }
pub fn use_h() -> String { h(&String::from("x")) }
`;
  it("agrees with LLVM at -O0 with debug info (unreachable blocks, debug records)", () => {
    const m = expectAgreesWithLlvm(rustToIr(scratch, "shapes_o0", source, ["-C", "opt-level=0", "-g"]));
    expect([...m.functions.values()].some((f) => f.debug?.file.endsWith("shapes_o0.rs"))).toBe(true);
  });

  it("agrees with LLVM with panic=abort (no invokes)", () => {
    const m = expectAgreesWithLlvm(rustToIr(scratch, "shapes_abort", source, ["-C", "panic=abort"]));
    expect([...m.functions.values()].flatMap((f) => f.callSites).some((c) => c.kind === "invoke")).toBe(false);
  });
});
