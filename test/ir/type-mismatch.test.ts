/**
 * A call whose function type differs from its callee's is not a direct call for LLVM
 * (getCalledFunction() is null): the inliner never sees it. Rust and C disagreeing on a helper's
 * signature produces exactly that after llvm-link.
 */
import { afterAll, describe, expect, it } from "vitest";
import { findAddressTakenFunctions, parseModule } from "../../src/ir/index.js";
import { expectAgreesWithLlvm } from "./agreement.js";
import { clangToIr, fixture, rustToIr, run, Scratch, tool } from "./helpers.js";

describe("hand-written mismatches (type-mismatch.ll)", () => {
  const m = parseModule(fixture("type-mismatch.ll"));
  const sites = m.functions.get("rust_user")!.callSites;

  it("keeps the callee's name but marks the call indirect", () => {
    expect(sites.map((s) => [s.callee, s.callType, s.isIndirect])).toEqual([
      ["c_flag", "i8", false],
      ["c_flag", "i1", true], // i1 () called, i8 () defined
      ["takes_i64", "i32", true], // argument i32 where the parameter is i64
      ["printf", "i32 (ptr, ...)", false],
      ["printf", "i32", true], // varargs callee called without its function type
    ]);
  });

  it("counts the mismatched callee as address-taken, as Function::hasAddressTaken does", () => {
    const taken = findAddressTakenFunctions(m);
    expect(taken.get("c_flag")).toEqual(["rust_user"]);
    expect(taken.get("takes_i64")).toEqual(["rust_user"]);
    expect(taken.get("printf")).toEqual(["rust_user"]);
  });
});

describe("llvm-link of a Rust module and a C module that disagree", () => {
  const scratch = new Scratch();
  afterAll(() => scratch.dispose());

  it("reports the Rust call of the C helper as indirect", () => {
    const rust = rustToIr(
      scratch,
      "user",
      `extern "C" { fn c_flag() -> bool; fn c_scale(x: i32) -> i32; }
       pub fn use_flag() -> bool { unsafe { c_flag() } }
       pub fn use_scale(x: i32) -> i32 { unsafe { c_scale(x) } }`,
    );
    // C returns an unsigned char where Rust expects bool, and takes a long where Rust passes i32.
    const c = clangToIr(
      scratch,
      "helper",
      `unsigned char c_flag(void) { return 1; }
       int c_scale(long x) { return (int)(x * 2); }`,
    );
    const linked = scratch.path("linked.ll");
    run(tool("llvm-link"), ["-S", "-o", linked, rust, c]);

    const m = expectAgreesWithLlvm(linked);
    expect(m.functions.get("c_flag")).toMatchObject({ isDeclaration: false, returnType: "i8" });
    expect(m.functions.get("c_scale")!.params.map((p) => p.type)).toEqual(["i64"]);
    const calls = [...m.functions.values()].flatMap((f) => f.callSites);
    const flag = calls.find((s) => s.callee === "c_flag")!;
    expect(flag).toMatchObject({ callType: "i1", isIndirect: true });
    const scale = calls.find((s) => s.callee === "c_scale")!;
    expect(scale).toMatchObject({ callType: "i32", isIndirect: true });
  });
});
