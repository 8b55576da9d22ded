/**
 * The reader on real clang -O2 and rustc -O output, checked against LLVM's own tools and against
 * what the sources say.
 */
import { afterAll, describe, expect, it } from "vitest";
import { findAddressTakenFunctions, hasAttribute, type IrModule } from "../../src/ir/index.js";
import { expectAgreesWithLlvm } from "./agreement.js";
import { clangToIr, run, rustToIr, Scratch, tool } from "./helpers.js";

const scratch = new Scratch();
afterAll(() => scratch.dispose());

const C_SOURCE = `#include <stdio.h>
#include <string.h>
#include <wchar.h>

static int counter;
__thread int tls_counter = 1;
static __thread int tls_ie __attribute__((tls_model("initial-exec")));

int weak_hook(int x) __attribute__((weak));
int weak_hook(int x) { return x + 1; }

static inline int twice(int x) { return 2 * x; }

__attribute__((noinline)) static int bump(int x) { counter += x; return counter; }

typedef int (*op_t)(int);
int apply(op_t f, int x) { return f(x); }
op_t ops[] = { bump, weak_hook };

__attribute__((constructor)) static void setup(void) { counter = 3; puts("setup"); }
__attribute__((destructor)) static void teardown(void) { puts("teardown"); }

size_t wide_len(const wchar_t *s) { return wcslen(s); }
int deref_then_check(int *p) { int v = *p; if (p) return v; return -1; }

int entry(int x) {
  printf("%d\\n", x);
  return twice(x) + bump(x) + apply(bump, x) + tls_counter + tls_ie;
}

int is_bump(op_t f) { return f == bump; }
void copy(char *d, const char *s, int n) { memcpy(d, s, n); }
void set_ie(int v) { tls_ie = v; }
`;

describe("clang -O2 -g -fno-delete-null-pointer-checks -fno-builtin-wcslen", () => {
  let module: IrModule;

  it("agrees with llvm-nm, the call graph and instruction counts", () => {
    const ll = clangToIr(scratch, "helpers", C_SOURCE, ["-g", "-fno-delete-null-pointer-checks", "-fno-builtin-wcslen"]);
    module = expectAgreesWithLlvm(ll);
  });

  it("reads the module header and flags", () => {
    expect(module.sourceFilename).toMatch(/helpers\.c$/);
    expect(module.triple).toMatch(/^x86_64-/);
    expect(module.dataLayout).toMatch(/^e-m:e/);
    expect(module.moduleFlags).toContainEqual({ behavior: 1, key: "wchar_size", value: "i32 4" });
    expect(module.namedMetadata.get("llvm.ident")?.[0]).toMatch(/clang version 22/);
  });

  it("sees linkage, TLS and constructors as written in C", () => {
    const fns = module.functions;
    expect(fns.get("weak_hook")?.linkage).toBe("weak");
    expect(fns.get("bump")?.linkage).toBe("internal");
    expect(fns.has("twice")).toBe(false); // inlined away at -O2
    expect(fns.get("printf")).toMatchObject({ isDeclaration: true, isVarArg: true });
    expect(module.globals.get("tls_counter")?.threadLocal).toBe("thread_local");
    expect(module.globals.get("tls_ie")?.threadLocal).toBe("thread_local(initialexec)");
    expect(module.globals.get("counter")?.linkage).toBe("internal");
    expect(module.globalCtors).toEqual(["setup"]);
    expect(module.globalDtors).toEqual(["teardown"]);
  });

  it("reads the function attributes the flags set", () => {
    for (const name of ["entry", "apply", "wide_len", "deref_then_check"]) {
      const attrs = module.functions.get(name)!.attributes;
      expect(attrs.flags.has("null_pointer_is_valid")).toBe(true);
      expect(attrs.values.get("no-builtin-wcslen")).toBe("");
      expect(attrs.values.get("target-cpu")).toBe("x86-64");
      expect(hasAttribute(attrs, "uwtable")).toBe(true);
    }
    expect(module.functions.get("bump")!.attributes.flags.has("noinline")).toBe(true);
    const wcslenCall = module.functions.get("wide_len")!.callSites.find((c) => c.callee === "wcslen")!;
    expect(wcslenCall.attributes.flags.has("nobuiltin")).toBe(true);
  });

  it("finds calls, their kinds and debug lines", () => {
    const entry = module.functions.get("entry")!;
    const printf = entry.callSites.find((c) => c.callee === "printf")!;
    expect(printf).toMatchObject({ callType: "i32 (ptr, ...)", isIndirect: false, debugLine: 27 });
    // apply() was inlined: both calls of bump are direct now.
    expect(entry.callSites.filter((c) => c.callee === "bump" && !c.isIndirect)).toHaveLength(2);
    const apply = module.functions.get("apply")!.callSites;
    expect(apply).toHaveLength(1);
    expect(apply[0]).toMatchObject({ callee: null, isIndirect: true, debugLine: 17 });
    const copy = module.functions.get("copy")!.callSites[0]!;
    expect(copy.isIntrinsic).toBe(true);
    expect(copy.callee).toMatch(/^llvm\.memcpy\./);
  });

  it("maps functions and globals to their source lines", () => {
    expect(module.functions.get("entry")!.debug).toEqual({ file: "helpers.c", directory: scratch.dir, line: 26 });
    expect(module.functions.get("bump")!.debug).toMatchObject({ file: "helpers.c", line: 14 });
    expect(module.functions.get("wcslen")!.debug?.file).toMatch(/wchar\.h$/);
    expect(module.globals.get("ops")!.debug).toMatchObject({ file: "helpers.c", line: 18 });
    expect(module.globals.get("tls_counter")!.debug).toMatchObject({ file: "helpers.c", line: 6 });
  });

  it("finds the function pointers that escape", () => {
    const taken = findAddressTakenFunctions(module);
    expect(taken.get("bump")?.sort()).toEqual(["is_bump", "ops"]);
    expect(taken.get("weak_hook")).toEqual(["ops"]);
    expect(taken.has("setup")).toBe(false);
  });
});

describe("llvm-dis output of bitcode", () => {
  it("reads what llvm-dis prints for clang's bitcode as LLVM sees it", () => {
    scratch.write("dis.c", C_SOURCE);
    run(tool("clang"), ["-O2", "-g", "-c", "-emit-llvm", "-o", "dis.bc", "dis.c"], scratch.dir);
    run(tool("llvm-dis"), ["dis.bc", "-o", "dis.ll"], scratch.dir);
    const m = expectAgreesWithLlvm(scratch.path("dis.ll"));
    expect(m.functions.get("entry")!.debug).toMatchObject({ file: "dis.c", line: 26 });
  });
});

const RUST_SOURCE = `
extern "C" {
    fn c_helper(x: i32) -> i32;
    fn c_flag() -> bool;
    static C_GLOBAL: i32;
}

pub trait Shape { fn area(&self) -> u32; }
pub struct Square(pub u32);
impl Shape for Square { fn area(&self) -> u32 { self.0 * self.0 } }

#[inline(never)]
pub fn describe<T: core::fmt::Debug>(x: T) -> String { format!("{:?}", x) }
pub fn describe_both() -> String { describe(5u8) + &describe("five") }

pub fn area_of(s: &dyn Shape) -> u32 { s.area() }
pub fn boxed() -> Box<dyn Shape> { Box::new(Square(3)) }

pub fn call_c(x: i32) -> i32 { unsafe { c_helper(x) + C_GLOBAL + c_flag() as i32 } }
pub fn index(v: &[u32], i: usize) -> u32 { v[i] }
pub fn with_drop(v: Vec<String>) -> usize { let s = describe(1u32); let n = v.len() + s.len(); drop(v); n }

#[no_mangle]
pub extern "C" fn exported(x: u32) -> u32 { x.wrapping_mul(3) }

pub static TABLE: [fn(u32) -> u32; 1] = [identity];
fn identity(x: u32) -> u32 { x }

thread_local! { static TL: core::cell::Cell<u32> = core::cell::Cell::new(0); }
pub fn tick() -> u32 { TL.with(|t| { t.set(t.get() + 1); t.get() }) }
`;

describe("rustc -O", () => {
  let module: IrModule;

  it("agrees with llvm-nm, the call graph and instruction counts", () => {
    const ll = rustToIr(scratch, "shapes", RUST_SOURCE);
    module = expectAgreesWithLlvm(ll);
  });

  it("sees extern \"C\" declarations with Rust's signatures", () => {
    expect(module.functions.get("c_helper")).toMatchObject({ isDeclaration: true, returnType: "i32" });
    expect(module.functions.get("c_flag")).toMatchObject({ isDeclaration: true, returnType: "i1" });
    expect(module.globals.get("C_GLOBAL")).toMatchObject({ hasInitializer: false, linkage: "external" });
    const callC = [...module.functions.values()].find((f) => f.name.includes("call_c"))!;
    expect(callC.callSites.map((c) => c.callee).sort()).toEqual(["c_flag", "c_helper"]);
    expect(callC.callSites.every((c) => !c.isIndirect)).toBe(true);
    expect(module.functions.get("exported")).toMatchObject({ isDeclaration: false, linkage: "external" });
  });

  it("reads invokes with their unwind edges and personality", () => {
    const invokes = [...module.functions.values()].flatMap((f) => f.callSites).filter((c) => c.kind === "invoke");
    expect(invokes.length).toBeGreaterThan(0);
    const withDrop = [...module.functions.values()].find((f) => f.name.includes("with_drop"))!;
    expect(withDrop.personality).toBe("rust_eh_personality");
  });

  it("sees generic instances, dynamic calls and vtables", () => {
    const instances = [...module.functions.values()].filter((f) => f.name.includes("describe") && !f.isDeclaration);
    expect(instances.length).toBeGreaterThanOrEqual(3);
    const areaOf = [...module.functions.values()].find((f) => f.name.includes("area_of"))!;
    expect(areaOf.callSites.some((c) => c.isIndirect && c.callee === null)).toBe(true);
    const taken = findAddressTakenFunctions(module);
    const impl = [...taken.keys()].find((n) => n.includes("area") && n.includes("Square"));
    expect(impl).toBeDefined();
    const identity = [...taken.keys()].find((n) => n.includes("identity"));
    expect(identity).toBeDefined();
    expect(taken.get(identity!)!.some((user) => user.includes("TABLE"))).toBe(true);
  });

  it("reads rustc's attribute groups", () => {
    const exported = module.functions.get("exported")!;
    expect(exported.attributes.flags.has("nonlazybind")).toBe(true);
    expect(exported.attributes.values.get("probe-stack")).toBe("inline-asm");
    const tls = [...module.globals.values()].find((g) => g.threadLocal !== undefined);
    expect(tls).toBeDefined();
  });
});
