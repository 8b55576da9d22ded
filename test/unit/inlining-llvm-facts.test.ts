import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseModule } from "../../src/ir/index.js";
import type { CallDiagnosis } from "../../src/inlining/diagnose.js";
import { deferUncertain } from "../../src/inlining/explain.js";
import { targetFeatureFix } from "../../src/inlining/fixes.js";
import { callArguments, intrinsicProbeKey, intrinsicProbeModule, readSelection, withFeature } from "../../src/inlining/intrinsicNeeds.js";
import {
  emptyTargetFacts,
  inlineProbeModule,
  parseCpuList,
  parseFeatureList,
  parseInlinedProbes,
  planProbes,
  targetKey,
  TargetModel,
  verdictKey,
  type TargetAttributes,
} from "../../src/inlining/targetFeatures.js";
import { factsFixtureDir } from "../support/llvmFacts.js";

/**
 * The pure halves of asking LLVM (targetFeatures.ts, intrinsicNeeds.ts): probe modules out, recorded
 * tool output in (test/fixtures/llvm-facts/*.txt, from LLVM 22's opt and llc).
 */
const recorded = (name: string) => readFileSync(join(factsFixtureDir, name), "utf8");

describe("reading opt's and llc's answers", () => {
  test("opt -mattr=help: the features and CPUs LLVM knows, mode features left out", () => {
    const x86 = recorded("opt-mattr-help-x86_64.txt");
    const features = parseFeatureList(x86);
    expect(features).toEqual(expect.arrayContaining(["sse4.2", "crc32", "avx2", "retpoline-external-thunk", "soft-float", "fast-imm16"]));
    expect(features).not.toContain("64bit");
    expect(features.filter((f) => f.endsWith("-mode"))).toEqual([]);
    expect(parseCpuList(x86)).toEqual(expect.arrayContaining(["corei7", "nehalem", "x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4", "znver5", "generic"]));
    const a64 = recorded("opt-mattr-help-aarch64.txt");
    expect(parseFeatureList(a64)).toEqual(expect.arrayContaining(["neon", "fp-armv8", "v8a", "strict-align", "execute-only", "lse"]));
    expect(parseCpuList(a64)).toEqual(expect.arrayContaining(["cortex-a72", "neoverse-n1", "generic", "apple-m1"]));
  });

  test("opt -pass-remarks=inline: which probe pairs were inlined", () => {
    // opt-inline-probe.ll: x86-64 ← corei7 is refused, corei7 ← x86-64 inlined.
    expect(parseInlinedProbes(recorded("opt-inline-remarks.txt"), 2)).toEqual([false, true]);
    expect(parseInlinedProbes("remark: <unknown>:0:0: 'e3' inlined into 'c2' with (cost=-30, threshold=337)\n", 4)).toEqual([false, false, false, false]);
  });

  test("llc: Cannot select is a refusal; a broken probe is no answer", () => {
    expect(readSelection(134, recorded("llc-cannot-select-crc32.txt"))).toEqual({ selects: false, message: "Cannot select: intrinsic %llvm.x86.sse42.crc32.64.64" });
    expect(readSelection(0, "")).toEqual({ selects: true });
    expect(readSelection(1, "llc: error: /tmp/p.ll:3:8: error: expected type")).toMatchObject({ selects: undefined });
  });
});

describe("probe modules", () => {
  test("a verdict probe: an empty callee called by an empty caller, identical attribute sets shared", () => {
    const text = inlineProbeModule("x86_64-unknown-linux-gnu", [
      { caller: { cpu: "x86-64" }, callee: { cpu: "corei7" } },
      { caller: { cpu: "corei7" }, callee: { cpu: "x86-64" } },
    ]);
    expect(text).toBe(recorded("opt-inline-probe.ll"));
  });

  test("feature bits: one callee per feature, the inverse ones detected, the bits read back", () => {
    const facts = { ...emptyTargetFacts(), features: ["a", "b", "execute-only"] };
    const target: TargetAttributes = { cpu: "c1" };
    const batch = planProbes(facts, [{ caller: target, callee: { cpu: "c2" } }], [target]);
    // 1 verdict, 3 inverse probes, then per target: the featureless callee and one per feature.
    expect(batch.pairs).toHaveLength(1 + 3 + 1 + 3);
    expect(batch.pairs[1]!.callee.features).toBe("-a,-b,-execute-only");
    expect(batch.pairs[1]!.caller.features).toBe("-a,-b,-execute-only,+a");
    // LLVM's answers: verdict no; inverse probes: only execute-only refuses; the target has a,
    // lacks b, and the featureless callee does not go in (so it has execute-only).
    batch.record(facts, [false, true, true, false, false, true, false, true]);
    expect(facts.verdicts[verdictKey(target, { cpu: "c2" })]).toBe(false);
    expect(facts.inverse).toEqual(["execute-only"]);
    expect(facts.bits[targetKey(target)]).toEqual(["a", "execute-only"]);
    // Nothing asked twice.
    expect(planProbes(facts, [{ caller: target, callee: { cpu: "c2" } }], [target]).pairs).toEqual([]);
  });

  test("verdicts from bits: the callee's bits a subset of the caller's; inverse features the other way", () => {
    const facts = { ...emptyTargetFacts(), inverse: ["execute-only"], bits: { [targetKey({ cpu: "big" })]: ["a", "b"], [targetKey({ cpu: "small" })]: ["a"], [targetKey({ cpu: "xo" })]: ["a", "execute-only"] } };
    const model = new TargetModel("aarch64", facts);
    expect(model.inlinable({ cpu: "big" }, { cpu: "small" })).toBe(true);
    expect(model.inlinable({ cpu: "small" }, { cpu: "big" })).toBe(false);
    // An execute-only callee may go into a caller without it, not the other way round.
    expect(model.inlinable({ cpu: "small" }, { cpu: "xo" })).toBe(true);
    expect(model.inlinable({ cpu: "xo" }, { cpu: "small" })).toBe(false);
    expect(model.difference({ cpu: "big" }, { cpu: "small" })).toEqual(["b"]);
    // The direct verdicts were asked for; nothing else.
    expect(model.missing().verdicts).toHaveLength(4);
    expect(model.missing().bitsFor).toEqual([]);
    expect(model.inlinable({ cpu: "unknown" }, { cpu: "small" })).toBeUndefined();
  });

  test("an intrinsic probe: SSA operands become parameters, constants stay, the target's attributes on the function", () => {
    const helper = parseModule(`declare i32 @llvm.x86.sse42.crc32.32.32(i32, i32)
declare void @llvm.x86.sse2.pause()
declare <8 x i32> @llvm.x86.avx2.psrli.d(<8 x i32>, i32)
define i32 @h(i32 %c, i32 %v) {
  %r = tail call i32 @llvm.x86.sse42.crc32.32.32(i32 %c, i32 noundef %v)
  tail call void @llvm.x86.sse2.pause()
  %s = tail call <8 x i32> @llvm.x86.avx2.psrli.d(<8 x i32> <i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7, i32 8>, i32 3)
  ret i32 %r
}`);
    const line = "  %r = tail call i32 @llvm.x86.sse42.crc32.32.32(i32 %c, i32 noundef %v)";
    const crc = { name: "llvm.x86.sse42.crc32.32.32", args: callArguments(line, "llvm.x86.sse42.crc32.32.32") };
    expect(crc.args).toEqual(["i32 %c", "i32 noundef %v"]);
    const target = { cpu: "x86-64", features: "+crc32" };
    expect(intrinsicProbeModule("x86_64-unknown-linux-gnu", helper.functions.get(crc.name)!, crc, target)).toBe(
      [
        'target triple = "x86_64-unknown-linux-gnu"',
        'declare i32 @"llvm.x86.sse42.crc32.32.32"(i32, i32)',
        'define i32 @probe(i32 %a0, i32 %a1) #0 {\n  %r = call i32 @"llvm.x86.sse42.crc32.32.32"(i32 %a0, i32 noundef %a1)\n  ret i32 %r\n}',
        'attributes #0 = { nounwind "target-cpu"="x86-64" "target-features"="+crc32" }',
        "",
      ].join("\n"),
    );
    const pause = { name: "llvm.x86.sse2.pause", args: [] };
    expect(intrinsicProbeModule("x86_64-unknown-linux-gnu", helper.functions.get(pause.name)!, pause, { cpu: "x86-64" })).toContain('  call void @"llvm.x86.sse2.pause"()\n  ret void\n');
    const psrliLine = "  %s = tail call <8 x i32> @llvm.x86.avx2.psrli.d(<8 x i32> <i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7, i32 8>, i32 3)";
    const psrli = { name: "llvm.x86.avx2.psrli.d", args: callArguments(psrliLine, "llvm.x86.avx2.psrli.d") };
    expect(psrli.args).toEqual(["<8 x i32> <i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7, i32 8>", "i32 3"]);
    // Constant operands (an immediate must stay one) are part of the cache key; SSA names are not.
    expect(intrinsicProbeKey({ ...crc, args: ["i32 %x", "i32 noundef %y"] }, target)).toBe(intrinsicProbeKey(crc, target));
    expect(intrinsicProbeKey(psrli, target)).not.toBe(intrinsicProbeKey({ ...psrli, args: [psrli.args[0]!, "i32 4"] }, target));
    expect(withFeature({ cpu: "x86-64" }, "crc32")).toEqual({ cpu: "x86-64", features: "+crc32" });
    expect(intrinsicProbeModule("x", helper.functions.get(crc.name)!, { name: crc.name, args: ["metadata !3", "i32 1"] }, target)).toBeUndefined();
  });
});

describe("explanations defer to LLVM where local-lto cannot tell", () => {
  const uncertain = { category: "target-features" as const, label: "target features", reason: "target-cpu/tune-cpu/target-features differ and LLVM could not be asked", fix: "…", certain: false };
  const nullPointer = { category: "null-pointer-is-valid" as const, label: "null_pointer_is_valid", reason: "…", fix: "…", certain: true };
  const d: CallDiagnosis = { caller: "f", callee: "h", blockers: [uncertain, nullPointer], alwaysInline: false };

  test("LLVM reports something else: the unknown target blocker is dropped", () => {
    expect(deferUncertain(d, "null-pointer-is-valid").blockers.map((b) => b.category)).toEqual(["null-pointer-is-valid"]);
    expect(deferUncertain(d, "inlined").blockers.map((b) => b.category)).toEqual(["null-pointer-is-valid"]);
  });

  test("LLVM reports conflicting attributes: kept, and said to be LLVM's word", () => {
    const kept = deferUncertain(d, "conflicting-attributes").blockers[0]!;
    expect(kept).toMatchObject({ category: "target-features", certain: true });
    expect(kept.reason).toMatch(/LLVM reports conflicting attributes$/);
  });
});

describe("fix lines name only what is not on already", () => {
  const facts = emptyTargetFacts();
  const caller = { cpu: "x86-64" };
  const callee = { cpu: "corei7" };
  facts.verdicts[verdictKey({ cpu: "corei7", tuneCpu: undefined, features: undefined }, callee)] = true;
  facts.bits[targetKey(caller)] = ["sse2"];
  facts.bits[targetKey({ cpu: "corei7", tuneCpu: "x86-64" })] = ["sse2", "sse4.2"];
  const model = new TargetModel("x86_64-unknown-linux-gnu", facts);

  test("reconciliation on (the default): never --reconcile=on; the CPU, the feature, the C side", () => {
    const fix = targetFeatureFix({ caller, callee, model, triple: "x86_64-unknown-linux-gnu", settings: { reconcile: true, nullPointerPolicy: "caller" }, missing: ["sse4.2"], needs: ["sse4.2"] });
    expect(fix).not.toContain("--reconcile=on");
    expect(fix).toBe(
      "--rustc-arg=-Ctarget-cpu=corei7 (makes the whole crate require +sse4.2: it no longer runs on CPUs without it); or --rustc-arg=-Ctarget-feature=+sse4.2 (only what the helper's code needs; the whole crate may then use it, and the rest of the helper's features are reconciled); or --cc-arg=-march=x86-64 (builds the helpers for the Rust side's CPU: their C code then uses only what the Rust side has, and does not compile if it needs +sse4.2)",
    );
  });

  test("reconciliation off: it is proposed first; on AArch64 the C flag is -mcpu", () => {
    const off = targetFeatureFix({ caller, callee, model, triple: "x86_64-unknown-linux-gnu", settings: { reconcile: false, nullPointerPolicy: "caller" }, missing: ["sse4.2"] });
    expect(off).toMatch(/^--reconcile=on \(the default\) aligns the helper/);
    const a64 = targetFeatureFix({ caller: { cpu: "generic" }, callee: { cpu: "generic", features: "+lse" }, model, triple: "aarch64-unknown-linux-gnu", settings: { reconcile: true, nullPointerPolicy: "caller" }, missing: ["lse"] });
    expect(a64).toBe("--cc-arg=-mcpu=generic (builds the helpers for the Rust side's CPU: their C code then uses only what the Rust side has)");
  });
});
