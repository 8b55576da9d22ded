import { describe, expect, test } from "vitest";
import { parseModule } from "../../src/ir/index.js";
import type { IrModule } from "../../src/ir/types.js";
import { diagnoseCall, primaryCategory } from "../../src/inlining/diagnose.js";
import { readHelperBodies } from "../../src/inlining/helperBody.js";
import { mustMatchMismatches } from "../../src/inlining/mustMatch.js";
import { noBuiltinsMissingInCaller } from "../../src/inlining/noBuiltins.js";
import { asmUsesVectorRegisters } from "../../src/inlining/featureClasses.js";
import { compareTargets, targetAttributesOf } from "../../src/inlining/targetCompat.js";
import { tooCostlyFix } from "../../src/inlining/explain.js";
import { helperInlineHints, inlineThresholdFrom } from "../../src/inlining/inlinePolicy.js";
import { recordedFacts } from "../support/llvmFacts.js";

const triple = "x86_64-unknown-linux-gnu";

/** A Rust-like caller module and a C-like helper module, merged in one text for the rule engine. */
function merged(helperAttrs: string, callerAttrs = `"target-cpu"="x86-64"`, extra = ""): IrModule {
  return parseModule(`target triple = "${triple}"
define i64 @caller(ptr %p) #0 {
  %r = call i64 @rust_helper_h(ptr %p)
  ret i64 %r
}
define internal i64 @rust_helper_h(ptr %p) #1 {
  %v = load i64, ptr %p
  ret i64 %v
}
${extra}
attributes #0 = { nounwind ${callerAttrs} }
attributes #1 = { nounwind ${helperAttrs} }
`);
}

/** LLVM's answers (target verdicts and bits), recorded: test/support/llvmFacts.ts. */
const facts = recordedFacts("inlining-rules");

function diagnose(module: IrModule) {
  const caller = module.functions.get("caller")!;
  const callee = module.functions.get("rust_helper_h")!;
  return facts.run(triple, [module], (model) =>
    diagnoseCall({
      caller,
      callee,
      calleeName: callee.name,
      site: caller.callSites[0],
      triple,
      calleeBody: readHelperBodies("", module, []).get(callee.name),
      targetOf: (name) => {
        const fn = module.functions.get(name);
        return fn ? targetAttributesOf(fn.attributes) : undefined;
      },
      model,
    }),
  );
}

const clangDefault = `"target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic"`;

describe("diagnosis: LLVM's attribute checks, in LLVM's order", () => {
  test("clang's default x86-64 string beside rustc's bare target-cpu is noise: no blocker", async () => {
    const d = await diagnose(merged(clangDefault));
    expect(d.blockers).toEqual([]);
    expect(primaryCategory(d)).toBe("cost-model");
  });

  test("a feature the caller lacks: target-features, naming the noise too", async () => {
    const d = await diagnose(merged(`"target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+popcnt"`));
    expect(d.blockers.map((b) => b.category)).toEqual(["target-features"]);
    expect(d.blockers[0]!.reason).toContain("+popcnt which the caller (target-cpu x86-64) lacks");
    expect(d.blockers[0]!.reason).toContain("+cmov,+cx8,+fxsr are the caller's too (noise)");
    // The fix names the exact flags, what they cost, and never --reconcile=on (it is on by default).
    expect(d.blockers[0]!.fix).not.toContain("--reconcile=on");
    expect(d.blockers[0]!.fix).toContain("--cc-arg=-march=x86-64");
  });

  test("a helper built for a CPU: the fix is that CPU for the Rust side, with its cost, from LLVM", async () => {
    const d = await diagnose(merged(`"target-cpu"="corei7" "target-features"="+cmov,+crc32,+cx16,+cx8,+fxsr,+mmx,+popcnt,+sahf,+sse,+sse2,+sse3,+sse4.1,+sse4.2,+ssse3,+x87"`));
    expect(d.blockers[0]!.reason).toContain("the helper has +crc32,+popcnt,+sse3,+sse4.1,+sse4.2,+ssse3 which the caller (target-cpu x86-64) lacks");
    expect(d.blockers[0]!.fix).toContain("--rustc-arg=-Ctarget-cpu=corei7 (makes the whole crate require +crc32,+popcnt,+sse3,+sse4.1,+sse4.2,+ssse3");
  });

  test("tune-cpu only: still a target-features refusal, said to be tuning", async () => {
    const d = await diagnose(merged(`"target-cpu"="x86-64" "tune-cpu"="znver3"`));
    expect(d.blockers[0]!.reason).toMatch(/^tune-cpu differs/);
  });

  test("kernel C flags: no-builtins, then null_pointer_is_valid (LLVM reports the first)", async () => {
    const d = await diagnose(merged(`null_pointer_is_valid "no-builtins" "no-builtin-wcslen" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,-mmx,-sse,-sse2,-x87"`));
    expect(d.blockers.map((b) => b.category)).toEqual(["no-builtins", "null-pointer-is-valid"]);
    expect(d.blockers[0]!.reason).toMatch(/^no-builtins, no-builtin-wcslen on the helper only/);
  });

  test("no-builtin sets: the callee's must be a subset of the caller's", async () => {
    const m = merged(`"no-builtin-wcslen"`, `"no-builtins"`);
    expect((await diagnose(m)).blockers).toEqual([]);
    expect(noBuiltinsMissingInCaller(m.functions.get("caller")!.attributes, m.functions.get("rust_helper_h")!.attributes)).toEqual({ all: false, names: [] });
    expect((await diagnose(merged(`"no-builtin-memcpy"`, `"no-builtin-wcslen"`))).blockers[0]!.reason).toMatch(/^no-builtin-memcpy on the helper only/);
  });

  test("must-match attributes name the flag on the side that lacks them", async () => {
    const asan = mustMatchMismatches(parseAttrs(""), parseAttrs("sanitize_address"));
    expect(asan).toHaveLength(1);
    expect(asan[0]!.fix).toContain("-Zsanitizer=address");
    const callerOnly = mustMatchMismatches(parseAttrs("shadowcallstack"), parseAttrs(""));
    expect(callerOnly[0]).toMatchObject({ attribute: "shadowcallstack", side: "caller" });
    expect(mustMatchMismatches(parseAttrs(""), parseAttrs("strictfp"))[0]!.attribute).toBe("strictfp");
    // A strictfp caller may inline a non-strictfp callee.
    expect(mustMatchMismatches(parseAttrs("strictfp"), parseAttrs(""))).toEqual([]);
    expect(mustMatchMismatches(parseAttrs(""), parseAttrs(`"denormal-fp-math"="preserve-sign,preserve-sign"`))[0]!.attribute).toBe("denormal-fp-math");
    expect(mustMatchMismatches(parseAttrs(`"denormal-fp-math"="dynamic,dynamic"`), parseAttrs(`"denormal-fp-math"="preserve-sign"`))).toEqual([]);
    expect((await diagnose(merged("sanitize_address"))).blockers[0]!.category).toBe("must-match");
  });

  test("after the conflicting attributes: optnone caller, interposable, noinline", async () => {
    expect((await diagnose(merged("", `optnone noinline "target-cpu"="x86-64"`))).blockers.map((b) => b.category)).toContain("optnone");
    // No target-cpu on the helper means LLVM's generic CPU, a subset of x86-64: only noinline is left.
    expect((await diagnose(merged(`noinline`, `"target-cpu"="x86-64"`))).blockers.map((b) => b.category)).toEqual(["noinline"]);
    const weak = parseModule(`define i64 @caller() {\n  %r = call i64 @h()\n  ret i64 %r\n}\ndefine weak i64 @h() {\n  ret i64 0\n}`);
    const d = diagnoseCall({ caller: weak.functions.get("caller")!, callee: weak.functions.get("h")!, calleeName: "h", site: weak.functions.get("caller")!.callSites[0], triple, targetOf: () => undefined });
    expect(d.blockers.map((b) => b.category)).toEqual(["interposable"]);
  });

  test("alwaysinline skips the attribute checks (LLVM 22)", async () => {
    const d = await diagnose(merged(`alwaysinline null_pointer_is_valid "no-builtins"`));
    expect(d.alwaysInline).toBe(true);
    expect(d.blockers).toEqual([]);
  });

  test("a Rust declaration typed differently from the C definition: signature mismatch", () => {
    const rust = parseModule(`declare i8 @rust_helper_h(ptr)\ndefine i8 @caller(ptr %p) {\n  %r = call i8 @rust_helper_h(ptr %p)\n  ret i8 %r\n}`);
    const c = parseModule(`define zeroext i1 @rust_helper_h(ptr %p) { ret i1 true }`);
    const d = diagnoseCall({ caller: rust.functions.get("caller")!, callee: c.functions.get("rust_helper_h")!, calleeName: "rust_helper_h", declaration: rust.functions.get("rust_helper_h"), triple, targetOf: () => undefined });
    expect(d.blockers[0]!.category).toBe("signature-mismatch");
    expect(d.blockers[0]!.reason).toContain("(i8 (ptr) vs i1 (ptr))");
  });

  test("a feature subset with a nested call passing an aggregate: LLVM's ABI check refuses", async () => {
    const m = parseModule(`target triple = "${triple}"
define i64 @caller(ptr %p) #0 {
  %r = call i64 @rust_helper_h(ptr %p)
  ret i64 %r
}
define internal i64 @rust_helper_h(ptr %p) #1 {
  %v = call { i64, i64 } @pair(ptr %p)
  %a = extractvalue { i64, i64 } %v, 0
  ret i64 %a
}
declare { i64, i64 } @pair(ptr) #1
attributes #0 = { "target-cpu"="x86-64-v3" }
attributes #1 = { "target-cpu"="x86-64" }
`);
    const text = m.functions.get("rust_helper_h")!;
    const bodies = readHelperBodies(`target triple = "${triple}"\ndefine i64 @caller(ptr %p) #0 {\n  %r = call i64 @rust_helper_h(ptr %p)\n  ret i64 %r\n}\ndefine internal i64 @rust_helper_h(ptr %p) #1 {\n  %v = call { i64, i64 } @pair(ptr %p)\n  %a = extractvalue { i64, i64 } %v, 0\n  ret i64 %a\n}\n`, m);
    expect(bodies.get(text.name)!.calls[0]).toMatchObject({ callee: "pair", abiSensitive: true });
    const d = await facts.run(triple, [m], (model) =>
      diagnoseCall({ caller: m.functions.get("caller")!, callee: text, calleeName: text.name, triple, calleeBody: bodies.get(text.name), targetOf: (n) => targetAttributesOf(m.functions.get(n)!.attributes), model }),
    );
    expect(d.blockers[0]!.label).toBe("ABI of a nested call");
  });
});

function parseAttrs(text: string) {
  return parseModule(`define void @f() #0 { ret void }\nattributes #0 = { ${text} }`).functions.get("f")!.attributes;
}

describe("helper bodies: what a rule needs to know", () => {
  const text = `target triple = "${triple}"
define i64 @neutral(ptr %p) #0 {
  %i = ptrtoint ptr %p to i64
  %c = icmp uge i64 %i, -4095
  %r = select i1 %c, i64 %i, i64 0
  %x = call i64 @llvm.ctpop.i64(i64 %r)
  ret i64 %x
}
define i64 @loop(ptr %p, i64 %n) #0 {
entry:
  br label %body
body:
  %i = phi i64 [ 0, %entry ], [ %next, %body ]
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %body
exit:
  ret i64 %i
}
define void @asm(ptr %p) #0 {
  call void asm sideeffect "movdqu %xmm0, $0", "=*m,~{xmm0},~{dirflag},~{fpsr},~{flags}"(ptr elementtype(i64) %p)
  call void asm sideeffect "lock btsq $1, $0", "=*m,Ir,~{memory},~{dirflag},~{fpsr},~{flags}"(ptr elementtype(i64) %p, i64 1)
  ret void
}
define double @fp(i64 %x) #0 {
  %d = sitofp i64 %x to double
  %c = call i32 @llvm.x86.sse42.crc32.32.32(i32 0, i32 1)
  %e = call i32 @ext(i32 %c)
  ret double %d
}
define i32 @switchy(i32 %x) #0 {
  switch i32 %x, label %d [
    i32 0, label %a
    i32 1, label %b
  ]
a:
  ret i32 1
b:
  ret i32 2
d:
  ret i32 0
}
declare i64 @llvm.ctpop.i64(i64)
declare i32 @llvm.x86.sse42.crc32.32.32(i32, i32)
declare i32 @ext(i32)
attributes #0 = { nounwind }
`;
  const bodies = readHelperBodies(text, parseModule(text));

  test("pointer arithmetic and pure intrinsics are null-pointer neutral; loads, asm and calls are not", () => {
    expect(bodies.get("neutral")!.nullPointerNeutral).toBe(true);
    expect(bodies.get("neutral")!.hasLoop).toBe(false);
    expect(bodies.get("asm")!.nullPointerNeutral).toBe(false);
    expect(bodies.get("fp")!.nullPointerNeutral).toBe(false);
  });

  test("a back edge is a loop; a switch is not, but may become a jump table", () => {
    expect(bodies.get("loop")!.hasLoop).toBe(true);
    expect(bodies.get("switchy")!.hasLoop).toBe(false);
    expect(bodies.get("switchy")!.hasIndirectBranches).toBe(true);
    expect([...bodies.get("switchy")!.opcodes].sort()).toEqual(["ret", "switch"]);
  });

  test("floating point, x86 intrinsics, calls and inline assembly are recorded", () => {
    const fp = bodies.get("fp")!;
    expect(fp.usesFloatingPoint).toBe(true);
    expect(fp.targetIntrinsics).toEqual([{ name: "llvm.x86.sse42.crc32.32.32", args: ["i32 0", "i32 1"] }]);
    expect(fp.calls.map((c) => c.callee)).toEqual(["ext"]);
    const asm = bodies.get("asm")!;
    expect(asm.inlineAsm).toHaveLength(2);
    expect(asmUsesVectorRegisters(asm.inlineAsm[0]!.template, asm.inlineAsm[0]!.constraints)).toBe(true);
    expect(asmUsesVectorRegisters(asm.inlineAsm[1]!.template, asm.inlineAsm[1]!.constraints)).toBe(false);
    expect(asmUsesVectorRegisters("", "=x,x")).toBe(true);
    expect(asmUsesVectorRegisters("fldz", "={st}")).toBe(true);
    expect(asmUsesVectorRegisters("", "=r,r,~{memory}")).toBe(false);
  });
});

describe("target comparison: LLVM's answers for any CPU, on x86-64 and AArch64", () => {
  test("without LLVM's answers only identical strings are known", () => {
    expect(compareTargets({ cpu: "x86-64" }, { cpu: "x86-64" }, undefined).kind).toBe("identical");
    expect(compareTargets({ cpu: "x86-64" }, { cpu: "bonnell" }, undefined).kind).toBe("unknown");
  });

  test("CPUs no table knows: nehalem is corei7, x86-64-v2 has what corei7 has but tuning", async () => {
    const [same, v2, v3] = await facts.run(triple, [], (model) => [
      compareTargets({ cpu: "corei7" }, { cpu: "nehalem" }, model),
      compareTargets({ cpu: "corei7" }, { cpu: "x86-64-v2" }, model),
      compareTargets({ cpu: "x86-64-v2" }, { cpu: "x86-64-v3" }, model),
    ]);
    expect(same.kind).toBe("equal");
    expect(v2.kind === "subset" || v2.kind === "equal").toBe(true);
    expect(v3).toMatchObject({ kind: "incompatible", missingInCaller: expect.arrayContaining(["avx", "avx2", "bmi", "bmi2", "fma", "movbe"]) });
  });

  test("AArch64: the arm64 kernel's C and Rust strings are compatible; a Neoverse-N1 helper is not, for instruction set and tuning", async () => {
    const a64 = "aarch64-unknown-none-softfloat";
    const kernelC = { cpu: "generic", features: "+v8a,-fmv,-fp-armv8,-neon" };
    const kernelRust = { cpu: "generic", features: "+v8a,+strict-align,-neon,-fp-armv8" };
    const [kernel, n1, reverse] = await facts.run(a64, [], (model) => [
      compareTargets(kernelRust, kernelC, model),
      compareTargets({ cpu: "generic" }, { cpu: "neoverse-n1" }, model),
      compareTargets(kernelC, kernelRust, model),
    ]);
    expect(kernel.kind).toBe("subset");
    expect(reverse).toMatchObject({ kind: "incompatible", missingInCaller: ["strict-align"] });
    expect(n1).toMatchObject({ kind: "incompatible", missingInCaller: expect.arrayContaining(["crc", "lse", "rcpc", "v8.2a"]) });
  });
});

describe("inline as C would: helpers are inline functions, the threshold is the user's", () => {
  test("every function the helper inputs define gets inlinehint, unless noinline, optnone, alwaysinline or internal", () => {
    const m = parseModule(`define i64 @a() #0 { ret i64 0 }
define internal i64 @b() #0 { ret i64 0 }
define i64 @c() #1 { ret i64 0 }
define i64 @d() #2 { ret i64 0 }
declare i64 @e()
attributes #0 = { nounwind }
attributes #1 = { noinline nounwind }
attributes #2 = { inlinehint }
`);
    expect(helperInlineHints(m)).toEqual(["a:inlinehint"]);
  });

  test("--inline-threshold wins; else -Cllvm-args=-inline-threshold=N given to rustc, in any of rustc's spellings", () => {
    expect(inlineThresholdFrom(400, ["-Cllvm-args=-inline-threshold=900"])).toBe(400);
    expect(inlineThresholdFrom(undefined, ["-O", "-Cllvm-args=-inline-threshold=900"])).toBe(900);
    expect(inlineThresholdFrom(undefined, ["-C", "llvm-args=-x86-asm-syntax=intel --inline-threshold=700"])).toBe(700);
    expect(inlineThresholdFrom(undefined, ["--codegen=llvm-args=-inline-threshold=50"])).toBe(50);
    expect(inlineThresholdFrom(undefined, ["-Cllvm-args=-unroll-threshold=10"])).toBeUndefined();
  });

  test("a call LLVM finds too costly: the fix names the threshold that inlines it", () => {
    const remark = { kind: "Missed" as const, name: "TooCostly", caller: "f", callee: "h", cost: "340", threshold: "325", message: "" };
    expect(tooCostlyFix(remark, { reconcile: true, nullPointerPolicy: "caller" })).toContain("--inline-threshold=341 or about that inlines it");
    // The remark's threshold includes LLVM's bonuses (here 1.5×): the base needed scales with it.
    expect(tooCostlyFix({ ...remark, cost: "600", threshold: "487" }, { reconcile: true, nullPointerPolicy: "caller" })).toContain("--inline-threshold=402 ");
  });
});
