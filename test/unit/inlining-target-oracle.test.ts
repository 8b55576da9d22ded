import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compareTargets } from "../../src/inlining/targetCompat.js";
import { emptyTargetFacts, parseCpuList, targetKey, TargetModel, verdictKey, type TargetAttributes, type TargetFacts } from "../../src/inlining/targetFeatures.js";
import { answerQuestions } from "../../src/pipeline/reconcile/llvmFacts.js";
import { llvmBin, tempDir } from "../support/toolchain.js";

/**
 * The feature bits local-lto probes from LLVM (targetFeatures.ts) against LLVM's own verdicts:
 * for every CPU the installed opt lists (x86-64 and AArch64) and the strings rustc and clang really
 * write, the subset test on the probed bits must give exactly what `opt -passes=inline` decides for
 * the pair. The bits name features in explanations and drive the reconciliation rules; the
 * verdicts decide. Runs the real opt (a few seconds per architecture).
 */
function cpus(triple: string): string[] {
  const help = spawnSync(`${llvmBin}/opt`, [`-mtriple=${triple}`, "-mattr=help"], { encoding: "utf8", input: "" });
  return parseCpuList(`${help.stdout}\n${help.stderr}`);
}

/** Probes the bits of `targets` and the direct verdicts of `pairs` with the real opt. */
async function probe(triple: string, targets: TargetAttributes[], pairs: [TargetAttributes, TargetAttributes][]): Promise<TargetModel> {
  const scratch = tempDir("llto-oracle-");
  let n = 0;
  const data = { targets: emptyTargetFacts() as TargetFacts, intrinsics: {} };
  await answerQuestions(
    { tools: { opt: `${llvmBin}/opt` }, triple, scratchFile: (f) => join(scratch, `${++n}-${f}`), declarationOf: () => undefined },
    { data, tried: new Set(), markDirty: () => undefined },
    (model) => {
      for (const t of targets) model.bits(t);
      for (const [caller, callee] of pairs) model.inlinable(caller, callee);
    },
  );
  return new TargetModel(triple, data.targets);
}

/**
 * Pairs where the bits and LLVM disagree. Targets LLVM cannot build (a 32-bit CPU on a 64-bit
 * triple is a fatal error) stay unanswered: `answered` counts the rest.
 */
function compare(model: TargetModel, pairs: [TargetAttributes, TargetAttributes][]): { answered: number; disagreements: string[] } {
  const disagreements: string[] = [];
  let answered = 0;
  for (const [caller, callee] of pairs) {
    const direct = model.facts.verdicts[verdictKey(caller, callee)];
    const fromBits = model.fromBits(caller, callee);
    if (direct === undefined && fromBits === undefined) continue;
    answered++;
    if (direct !== fromBits) disagreements.push(`${JSON.stringify(caller)} ← ${JSON.stringify(callee)}: LLVM ${direct === undefined ? "was not asked" : direct ? "inlines" : "refuses"}, bits say ${fromBits === undefined ? "nothing" : fromBits ? "inline" : "refuse"}`);
  }
  return { answered, disagreements };
}

const clangKernelX86 = "+cmov,+cx8,+fxsr,-aes,-avx,-avx2,-avx512f,-f16c,-fma,-mmx,-pclmul,-sha,-sse,-sse2,-sse3,-sse4.1,-sse4.2,-sse4a,-ssse3,-x87,-xop";
const rustKernelX86 = "-mmx,+soft-float,+retpoline-external-thunk,+retpoline-indirect-branches,+retpoline-indirect-calls,+harden-sls-ijmp,+harden-sls-ret";

describe("probed feature bits give LLVM's own verdicts", () => {
  test("x86-64: every CPU opt lists against the psABI levels, and the kernel's strings", async () => {
    const triple = "x86_64-unknown-linux-gnu";
    const list = cpus(triple);
    expect(list).toEqual(expect.arrayContaining(["corei7", "nehalem", "x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4", "znver4", "generic"]));
    const bases: TargetAttributes[] = [
      { cpu: "x86-64" },
      { cpu: "x86-64-v3" },
      { cpu: "generic", features: rustKernelX86 },
      { cpu: "x86-64", tuneCpu: "generic", features: clangKernelX86 },
      { cpu: "x86-64", tuneCpu: "generic", features: "+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" },
    ];
    const targets = [...bases, ...list.map((cpu) => ({ cpu }))];
    const pairs: [TargetAttributes, TargetAttributes][] = [];
    for (const a of bases) for (const b of targets) if (targetKey(a) !== targetKey(b)) pairs.push([a, b], [b, a]);
    const model = await probe(triple, targets, pairs);
    const { answered, disagreements } = compare(model, pairs);
    expect(disagreements).toEqual([]);
    // Every 64-bit CPU is answered; the 32-bit ones (i386 … pentium4, athlon, k6, c3, geode) cannot be built for x86-64.
    expect(answered).toBeGreaterThan(2 * bases.length * 90);
    expect(model.knownBits({ cpu: "corei7" })).toBeDefined();
    expect(model.knownBits({ cpu: "i486" })).toBeUndefined();
    // What the CPU model says, from LLVM alone.
    expect(compareTargets({ cpu: "nehalem" }, { cpu: "corei7" }, model).kind).toBe("equal");
  }, 300_000);

  test("AArch64: every CPU opt lists against generic, and the arm64 kernel's strings", async () => {
    const triple = "aarch64-unknown-none-softfloat";
    const list = cpus(triple);
    expect(list).toEqual(expect.arrayContaining(["generic", "cortex-a72", "neoverse-n1", "neoverse-v2", "apple-m1"]));
    const bases: TargetAttributes[] = [
      { cpu: "generic" },
      { cpu: "generic", features: "+v8a,+strict-align,-neon,-fp-armv8" },
      { cpu: "generic", features: "+v8a,-fmv,-fp-armv8,-neon" },
      { cpu: "neoverse-n1" },
    ];
    const targets = [...bases, ...list.map((cpu) => ({ cpu }))];
    const pairs: [TargetAttributes, TargetAttributes][] = [];
    for (const a of bases) for (const b of targets) if (targetKey(a) !== targetKey(b)) pairs.push([a, b], [b, a]);
    const model = await probe(triple, targets, pairs);
    const { answered, disagreements } = compare(model, pairs);
    expect(disagreements).toEqual([]);
    expect(answered).toBe(pairs.length);
    expect(model.facts.inverse).toEqual(["execute-only"]);
  }, 300_000);
});
