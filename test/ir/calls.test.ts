/** calls.ll: every form of call instruction, with exact expectations. */
import { describe, expect, it } from "vitest";
import { functionType, parseModule, type IrCallSite } from "../../src/ir/index.js";
import { fixture } from "./helpers.js";

function plain(site: IrCallSite) {
  return {
    ...site,
    attributes: { flags: [...site.attributes.flags], values: Object.fromEntries(site.attributes.values) },
  };
}

const none = { flags: [], values: {} };
const base = { caller: "caller", isIndirect: false, isInlineAsm: false, isIntrinsic: false, kind: "call", attributes: none };

describe("calls.ll", () => {
  const m = parseModule(fixture("calls.ll"));
  const sites = m.functions.get("caller")!.callSites.map(plain);

  it("finds every call, invoke and callbr, in order", () => {
    expect(sites.map((s) => `${s.kind} ${s.calleeOperand}`)).toEqual([
      "call @printf",
      "call @flag",
      "call @fl",
      "call @fast",
      "call @bundled",
      "call @llvm.memcpy.p0.p0.i64",
      "call @llvm.assume",
      "call %fp",
      "call asm",
      "call @tailer_alias",
      "invoke @may_throw",
      "callbr asm",
    ]);
  });

  it("reads an explicit function type (varargs)", () => {
    expect(sites[0]).toEqual({ ...base, callee: "printf", calleeOperand: "@printf", callType: "i32 (ptr, ...)", textLine: 19 });
  });

  it("reads tail, return attributes, a call-site attribute group and !dbg", () => {
    expect(sites[1]).toEqual({
      ...base,
      callee: "flag",
      calleeOperand: "@flag",
      callType: "i1",
      tail: "tail",
      attributes: { flags: ["nounwind"], values: { "call-site": "yes" } },
      debugLine: 42,
      textLine: 20,
    });
  });

  it("skips fast-math flags and reads calling conventions", () => {
    expect(sites[2]).toMatchObject({ callee: "fl", callType: "float" });
    expect(sites[3]).toMatchObject({ callee: "fast", callType: "void", callingConv: "fastcc" });
  });

  it("reads operand bundles without taking them for arguments or attributes", () => {
    expect(sites[4]).toEqual({ ...base, callee: "bundled", calleeOperand: "@bundled", callType: "void", textLine: 23 });
    expect(sites[6]).toMatchObject({ callee: "llvm.assume", isIntrinsic: true, attributes: { flags: ["nounwind"] } });
  });

  it("marks intrinsics and notail", () => {
    expect(sites[5]).toMatchObject({ callee: "llvm.memcpy.p0.p0.i64", isIntrinsic: true, tail: "notail", isIndirect: false });
  });

  it("reads a call through a pointer as indirect", () => {
    expect(sites[7]).toEqual({ ...base, callee: null, calleeOperand: "%fp", isIndirect: true, callType: "i32", textLine: 26 });
  });

  it("reads inline asm as no call at all", () => {
    expect(sites[8]).toEqual({
      ...base,
      callee: null,
      calleeOperand: "asm",
      isInlineAsm: true,
      callType: "void",
      attributes: { flags: ["nounwind"], values: {} },
      textLine: 27,
    });
    expect(sites[11]).toMatchObject({ kind: "callbr", callee: null, isInlineAsm: true, isIndirect: false });
  });

  it("reads a call through an alias as indirect, as LLVM does", () => {
    expect(sites[9]).toEqual({ ...base, callee: null, calleeOperand: "@tailer_alias", isIndirect: true, callType: "void", textLine: 28 });
  });

  it("reads invoke spanning two lines", () => {
    expect(sites[10]).toEqual({ ...base, kind: "invoke", callee: "may_throw", calleeOperand: "@may_throw", callType: "void", textLine: 29 });
  });

  it("reads musttail", () => {
    expect(m.functions.get("tailer")!.callSites[0]).toMatchObject({ callee: "bundled", tail: "musttail" });
  });

  it("counts instructions, not continuation lines, labels or clauses", () => {
    expect(m.functions.get("caller")!.instructionCount).toBe(16);
    expect(m.functions.get("tailer")!.instructionCount).toBe(2);
  });

  it("collects the values the body uses, bundles included", () => {
    expect(m.functions.get("caller")!.references).toEqual(["__gxx_personality_v0", ".str"]);
    expect(m.functions.get("caller")!.personality).toBe("__gxx_personality_v0");
  });

  it("reads declarations: varargs, calling convention, parameter attributes", () => {
    expect(m.functions.get("printf")).toMatchObject({
      isDeclaration: true,
      returnType: "i32",
      params: [{ type: "ptr", attributes: [] }],
      isVarArg: true,
    });
    expect(m.functions.get("fast")!.callingConv).toBe("fastcc");
    expect(m.functions.get("flag")!.returnType).toBe("i1");
    expect(m.functions.get("llvm.memcpy.p0.p0.i64")!.params.map((p) => p.attributes)).toEqual([[], [], [], ["immarg"]]);
  });

  it("prints a function's type as LLVM does", () => {
    expect(functionType(m.functions.get("printf")!)).toBe("i32 (ptr, ...)");
    expect(functionType(m.functions.get("__gxx_personality_v0")!)).toBe("i32 (...)");
    expect(functionType(m.functions.get("caller")!)).toBe("i32 (ptr, ptr, i32)");
  });
});
