import { describe, expect, test } from "vitest";
import { parseModule } from "../../src/ir/index.js";
import { readHelperBodies } from "../../src/inlining/helperBody.js";
import { planReconciliation, type NullPointerPolicy } from "../../src/inlining/reconcilePlan.js";
import { addCallAttribute, rewriteFunctionAttributes, tokenizeAttributeGroup } from "../../src/inlining/rewriteAttributes.js";
import { recordedFacts } from "../support/llvmFacts.js";

/** LLVM's answers (target verdicts and bits, intrinsic selection), recorded: test/support/llvmFacts.ts. */
const facts = recordedFacts("inlining-reconcile");

const triple = "x86_64-unknown-none-elf";
const rustcBareMetal = `"target-cpu"="x86-64" "target-features"="-mmx,-sse,-sse2,-sse3,-ssse3,-sse4.1,-sse4.2,-avx,-avx2,+soft-float"`;
const clangKernel = `"target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,-mmx,-sse,-sse2,-x87" "tune-cpu"="generic"`;

/** Rust calls every helper in `helpers` from one function (plus extra text, e.g. an address-taking global). */
function rustModule(helpers: string[], extra = "", target = rustcBareMetal) {
  const calls = helpers.map((h, i) => `  %r${i} = call i64 @${h}(ptr %p)`).join("\n");
  const decls = helpers.map((h) => `declare i64 @${h}(ptr) #1`).join("\n");
  return parseModule(`target triple = "${triple}"
define i64 @drive(ptr %p) #0 {
${calls}
  ret i64 0
}
${decls}
${extra}
attributes #0 = { nounwind ${target} }
attributes #1 = { nounwind ${target} }
`);
}

async function plan(helperText: string, helpers: string[], policy: NullPointerPolicy = "keep", rustExtra = "", rustTarget = rustcBareMetal) {
  const helperModule = parseModule(helperText);
  const rust = rustModule(helpers, rustExtra, rustTarget);
  const bodies = readHelperBodies(helperText, helperModule, helpers);
  const result = await facts.run(triple, [helperModule, rust], (targets, intrinsics) =>
    planReconciliation({ helperModule, helperBodies: bodies, rustModule: rust, helpers, nullPointerPolicy: policy, targets, intrinsics }),
  );
  return { helperModule, rust, plan: result };
}

const kernelHelpers = `target triple = "${triple}"
define i64 @rust_helper_ptr_err(ptr %p) #0 {
  %v = ptrtoint ptr %p to i64
  ret i64 %v
}
define i64 @rust_helper_load(ptr %p) #0 {
  %v = load i64, ptr %p
  ret i64 %v
}
define i64 @rust_helper_strlen(ptr %p) #0 {
  %v = call i64 @strlen(ptr %p) #2
  %w = call i64 @other(ptr %p)
  ret i64 %w
}
define i64 @rust_helper_loop(ptr %p) #0 {
entry:
  br label %l
l:
  %i = phi i64 [ 0, %entry ], [ %n, %l ]
  %n = add i64 %i, 1
  %c = icmp eq i64 %n, 10
  br i1 %c, label %x, label %l
x:
  ret i64 %n
}
declare i64 @strlen(ptr) #1
declare i64 @other(ptr) #1
attributes #0 = { nounwind null_pointer_is_valid "no-builtins" "no-builtin-wcslen" ${clangKernel} }
attributes #1 = { "no-builtins" ${clangKernel} }
attributes #2 = { nobuiltin nounwind "no-builtins" }
`;

describe("reconciliation plan: each rule acts only when its safety condition holds", () => {
  test("kernel C flags beside a bare-metal Rust caller: no-builtins dropped where no loop, null_pointer_is_valid only where neutral", async () => {
    const { plan: p } = await plan(kernelHelpers, ["rust_helper_ptr_err", "rust_helper_load", "rust_helper_strlen", "rust_helper_loop"]);
    const edits = new Map(p.helperEdits.map((e) => [e.function, e]));
    expect(edits.get("rust_helper_ptr_err")).toMatchObject({ removeStrings: ["no-builtins", "no-builtin-wcslen"], removeFlags: ["null_pointer_is_valid"] });
    expect(edits.get("rust_helper_load")).toMatchObject({ removeStrings: ["no-builtins", "no-builtin-wcslen"] });
    expect(edits.get("rust_helper_load")!.removeFlags).toBeUndefined();
    expect(edits.get("rust_helper_strlen")).toMatchObject({ markCallsNoBuiltin: true });
    // The loop keeps its no-builtins; its body touches no memory, so null_pointer_is_valid goes.
    expect(edits.get("rust_helper_loop")).toEqual({ function: "rust_helper_loop", removeFlags: ["null_pointer_is_valid"] });
    expect(p.kept).toContainEqual(expect.objectContaining({ helper: "rust_helper_loop", rule: "no-builtins" }));
    expect(p.kept).toContainEqual(expect.objectContaining({ helper: "rust_helper_load", rule: "null-pointer-is-valid" }));
    // The target attributes differ only by noise (-x87 is a subset of the caller's bits): untouched.
    for (const e of p.helperEdits) expect(e.setStrings).toBeUndefined();
    expect(p.changes.some((c) => c.includes("rust_helper_strlen") && c.includes("marked nobuiltin"))).toBe(true);
    expect(p.callerChanges).toEqual([]);
  });

  test("policy caller marks the Rust caller once the helper's other differences are gone; drop edits the helper", async () => {
    const caller = (await plan(kernelHelpers, ["rust_helper_load", "rust_helper_loop"], "caller")).plan;
    expect(caller.callerChanges).toEqual([{ caller: "drive", attribute: "null_pointer_is_valid", helpers: ["rust_helper_load"] }]);
    expect(caller.changes.at(-1)).toMatch(/^Rust caller drive: null_pointer_is_valid added/);
    const drop = (await plan(kernelHelpers, ["rust_helper_load"], "drop")).plan;
    expect(drop.helperEdits[0]!.removeFlags).toEqual(["null_pointer_is_valid"]);
    expect(drop.callerChanges).toEqual([]);
  });

  const featureHelpers = (features: string, body: string, extraDecl = "") => `target triple = "${triple}"
define i64 @rust_helper_f(ptr %p) #0 {
${body}
}
${extraDecl}
attributes #0 = { nounwind "target-cpu"="x86-64" "target-features"="${features}" }
`;

  test("target features: aligned when the helper does not use what it loses", async () => {
    const { plan: p } = await plan(featureHelpers("+popcnt,+cmov,+cx8", "  %v = ptrtoint ptr %p to i64\n  %c = call i64 @llvm.ctpop.i64(i64 %v)\n  ret i64 %c", "declare i64 @llvm.ctpop.i64(i64)"), ["rust_helper_f"]);
    expect(p.helperEdits[0]!.setStrings).toEqual({ "target-cpu": "x86-64", "target-features": "-mmx,-sse,-sse2,-sse3,-ssse3,-sse4.1,-sse4.2,-avx,-avx2,+soft-float" });
    expect(p.changes[0]).toMatch(/no longer has .*\+popcnt/);
  });

  test("target features: kept when an x86 intrinsic may need a lost feature", async () => {
    const { plan: p } = await plan(
      featureHelpers("+crc32", "  %v = call i32 @llvm.x86.sse42.crc32.32.32(i32 0, i32 1)\n  %w = zext i32 %v to i64\n  ret i64 %w", "declare i32 @llvm.x86.sse42.crc32.32.32(i32, i32)"),
      ["rust_helper_f"],
    );
    expect(p.helperEdits).toEqual([]);
    // LLVM itself says which feature the intrinsic needs: +crc32 (not "any feature").
    expect(p.kept[0]).toMatchObject({ rule: "target-features", needs: ["crc32"], reason: "it calls llvm.x86.sse42.crc32.32.32, and LLVM selects it only with +crc32, which the Rust callers lack" });
  });

  const userspaceRust = `"target-cpu"="x86-64"`;
  const corei7 = `"target-cpu"="corei7" "target-features"="+cmov,+crc32,+cx16,+cx8,+fxsr,+mmx,+popcnt,+sahf,+sse,+sse2,+sse3,+sse4.1,+sse4.2,+ssse3,+x87"`;
  const intrinsicHelper = (attrs: string, call: string, decl: string) => `target triple = "${triple}"
define i64 @rust_helper_f(ptr %p) #0 {
  ${call}
  ret i64 0
}
${decl}
attributes #0 = { nounwind ${attrs} }
`;

  test("an SSE2 intrinsic every x86-64 caller has (_mm_pause) does not stop a -march=corei7 helper", async () => {
    const { plan: p } = await plan(intrinsicHelper(corei7, "call void @llvm.x86.sse2.pause()", "declare void @llvm.x86.sse2.pause()"), ["rust_helper_f"], "caller", "", userspaceRust);
    expect(p.kept).toEqual([]);
    expect(p.helperEdits[0]!.setStrings).toEqual({ "target-cpu": "x86-64" });
    expect(p.changes[0], p.changes[0]).toContain("no longer has +crc32,+popcnt,+sse3,+sse4.1,+sse4.2,+ssse3 (LLVM selects its intrinsics without them");
  });

  test("an AVX2 intrinsic is refused for an x86-64-v1 caller", async () => {
    const avx2 = `"target-cpu"="x86-64-v3"`;
    const { plan: p } = await plan(
      intrinsicHelper(avx2, "%v = call <8 x i32> @llvm.x86.avx2.psrli.d(<8 x i32> zeroinitializer, i32 3)", "declare <8 x i32> @llvm.x86.avx2.psrli.d(<8 x i32>, i32)"),
      ["rust_helper_f"],
      "caller",
      "",
      userspaceRust,
    );
    expect(p.helperEdits).toEqual([]);
    expect(p.kept[0]).toMatchObject({ rule: "target-features" });
    expect(p.kept[0]!.reason).toMatch(/floating-point or vector|llvm\.x86\.avx2\.psrli\.d/);
  });

  test("AArch64: a helper with inline assembly keeps features its callers lack (the assembler checks them); without assembly it is aligned", async () => {
    const a64 = "aarch64-unknown-linux-gnu";
    const helperText = (asm: boolean) => `target triple = "${a64}"
define i64 @rust_helper_f(ptr %p) #0 {
${asm ? '  call void asm sideeffect "stadd $1, $0", "=*Q,r,~{memory}"(ptr elementtype(i64) %p, i64 1)\n' : ""}  %v = ptrtoint ptr %p to i64
  ret i64 %v
}
attributes #0 = { nounwind "target-cpu"="generic" "target-features"="+v8.1a,+lse" }
`;
    const rust = (helpers: string[]) => parseModule(`target triple = "${a64}"
define i64 @drive(ptr %p) #0 {
${helpers.map((h, i) => `  %r${i} = call i64 @${h}(ptr %p)`).join("\n")}
  ret i64 0
}
declare i64 @rust_helper_f(ptr) #0
attributes #0 = { nounwind "target-cpu"="generic" }
`);
    const planFor = async (asm: boolean) => {
      const text = helperText(asm);
      const helperModule = parseModule(text);
      const r = rust(["rust_helper_f"]);
      return facts.run(a64, [helperModule, r], (targets, intrinsics) =>
        planReconciliation({ helperModule, helperBodies: readHelperBodies(text, helperModule), rustModule: r, helpers: ["rust_helper_f"], nullPointerPolicy: "caller", targets, intrinsics }),
      );
    };
    const withAsm = await planFor(true);
    expect(withAsm.kept[0]).toMatchObject({ rule: "target-features", reason: expect.stringContaining("inline assembly may need it (the AArch64 assembler") });
    const plain = await planFor(false);
    expect(plain.helperEdits[0]!.setStrings).toEqual({ "target-cpu": "generic" });
    expect(plain.changes[0]).toMatch(/no longer has .*\+lse/);
  });

  test("a BMI2 intrinsic (scalar operands only): refused by LLVM's own selection, which needs +bmi2", async () => {
    const { plan: p } = await plan(
      intrinsicHelper(`"target-cpu"="x86-64-v3"`, "%v = call i32 @llvm.x86.bmi.pdep.32(i32 7, i32 12)", "declare i32 @llvm.x86.bmi.pdep.32(i32, i32)"),
      ["rust_helper_f"],
      "caller",
      "",
      userspaceRust,
    );
    expect(p.kept[0]).toMatchObject({ rule: "target-features", needs: ["bmi2"] });
  });

  test("target features: kept when floating point would change with SSE lost", async () => {
    const { plan: p } = await plan(featureHelpers("+sse2", "  %d = uitofp i64 1 to double\n  %v = fptoui double %d to i64\n  ret i64 %v"), ["rust_helper_f"]);
    expect(p.kept[0]!.reason).toMatch(/floating-point or vector/);
  });

  test("hardening: retpoline may go where the body has no indirect branch, SLS hardening never", async () => {
    const retpoline = (await plan(featureHelpers("+retpoline-indirect-calls,+retpoline-external-thunk", "  %v = ptrtoint ptr %p to i64\n  ret i64 %v"), ["rust_helper_f"])).plan;
    expect(retpoline.helperEdits).toHaveLength(1);
    const indirect = (await plan(featureHelpers("+retpoline-indirect-calls", "  %v = call i64 %p()\n  ret i64 %v"), ["rust_helper_f"])).plan;
    expect(indirect.kept[0]!.reason).toMatch(/hardening mitigation/);
    const sls = (await plan(featureHelpers("+harden-sls-ret", "  %v = ptrtoint ptr %p to i64\n  ret i64 %v"), ["rust_helper_f"])).plan;
    expect(sls.kept[0]!.reason).toMatch(/\+harden-sls-ret/);
  });

  test("a helper gaining features whose address escapes is kept: code without them may call it", async () => {
    const text = featureHelpers("-cmov", "  %v = ptrtoint ptr %p to i64\n  ret i64 %v");
    const escaped = (await plan(text, ["rust_helper_f"], "keep", "@table = global ptr @rust_helper_f")).plan;
    expect(escaped.kept[0]!.reason).toMatch(/address is taken/);
    expect((await plan(text, ["rust_helper_f"])).plan.helperEdits).toHaveLength(1);
  });

  test("a helper gaining features that other C code in the helpers calls without them is kept", async () => {
    const text = `target triple = "${triple}"
define i64 @rust_helper_f(ptr %p) #0 {
  %v = ptrtoint ptr %p to i64
  ret i64 %v
}
define i64 @c_user(ptr %p) #0 {
  %v = call i64 @rust_helper_f(ptr %p)
  ret i64 %v
}
attributes #0 = { nounwind "target-cpu"="x86-64" "target-features"="-cmov" }
`;
    expect((await plan(text, ["rust_helper_f"])).plan.kept[0]!.reason).toMatch(/c_user \(C code in the helpers\) calls it without \+cmov/);
  });

  test("no-builtins: an explicit -fno-builtin-memcpy is kept (memcpy can appear without a call)", async () => {
    const text = `target triple = "${triple}"
define i64 @rust_helper_f(ptr %p) #0 {
  ret i64 0
}
attributes #0 = { nounwind "no-builtin-memcpy" ${rustcBareMetal} }
`;
    expect((await plan(text, ["rust_helper_f"])).plan.kept[0]).toMatchObject({ rule: "no-builtins", reason: expect.stringContaining("-fno-builtin-memcpy") });
  });
});

describe("rewriting attributes in the helper module's text", () => {
  test("each edited function gets its own group; others keep the shared one; calls get nobuiltin", async () => {
    const { helperModule, plan: p } = await plan(kernelHelpers, ["rust_helper_ptr_err", "rust_helper_strlen"]);
    const out = rewriteFunctionAttributes(kernelHelpers, helperModule, p.helperEdits);
    const after = parseModule(out);
    const ptrErr = after.functions.get("rust_helper_ptr_err")!.attributes;
    expect(ptrErr.flags.has("null_pointer_is_valid")).toBe(false);
    expect(ptrErr.values.has("no-builtins")).toBe(false);
    expect(ptrErr.values.get("target-features")).toBe("+cmov,+cx8,+fxsr,-mmx,-sse,-sse2,-x87");
    expect(ptrErr.flags.has("nounwind")).toBe(true);
    // Untouched functions keep group #0 as it was.
    const load = after.functions.get("rust_helper_load")!.attributes;
    expect(load.flags.has("null_pointer_is_valid")).toBe(true);
    expect(load.values.has("no-builtins")).toBe(true);
    const strlenSites = after.functions.get("rust_helper_strlen")!.callSites;
    expect(strlenSites.map((s) => s.attributes.flags.has("nobuiltin"))).toEqual([true, true]);
    expect(out).toMatch(/call i64 @other\(ptr %p\) nobuiltin/);
    // The strlen call already had nobuiltin (clang's); it is not added twice.
    expect(out).toMatch(/call i64 @strlen\(ptr %p\) #2\n/);
  });

  test("attribute groups are split into whole attributes, including ones with spaces", async () => {
    const tokens = tokenizeAttributeGroup(`nounwind memory(argmem: readwrite) uwtable(sync) alignstack=16 "a b"="c d" "no-builtins" allocsize(0,1)`);
    expect(tokens.map((t) => t.key)).toEqual(["nounwind", "memory", "uwtable", "alignstack", "a b", "no-builtins", "allocsize"]);
    expect(tokens[1]!.text).toBe("memory(argmem: readwrite)");
  });

  test("a call attribute goes right after the argument list, also for quoted callee names", async () => {
    expect(addCallAttribute(`  %3 = tail call i64 @"odd name"(ptr noundef %0, { i64, i64 } %1) #4, !dbg !7`, "@odd name", "nobuiltin")).toBe(
      `  %3 = tail call i64 @"odd name"(ptr noundef %0, { i64, i64 } %1) nobuiltin #4, !dbg !7`,
    );
    expect(addCallAttribute(`  invoke void %5(i32 1) to label %a unwind label %b`, "%5", "nobuiltin")).toBe(`  invoke void %5(i32 1) nobuiltin to label %a unwind label %b`);
  });
});
