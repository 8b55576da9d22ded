import type { IrAttributes } from "../ir/types.js";
import { parseTriple } from "../ir/target.js";
import { x86CpuFeatures, x86FeatureBits, x86PerformanceOnlyFeatures, type X86TargetAttributes } from "./x86Features.js";

export interface TargetAttributes {
  cpu?: string;
  tuneCpu?: string;
  features?: string;
}

export function targetAttributesOf(attrs: IrAttributes): TargetAttributes {
  return { cpu: attrs.values.get("target-cpu"), tuneCpu: attrs.values.get("tune-cpu"), features: attrs.values.get("target-features") };
}

export function sameTargetStrings(a: TargetAttributes, b: TargetAttributes): boolean {
  return (a.cpu ?? "") === (b.cpu ?? "") && (a.tuneCpu ?? "") === (b.tuneCpu ?? "") && (a.features ?? "") === (b.features ?? "");
}

export type TargetComparison =
  /** Same cpu, tune-cpu and feature strings. */
  | { kind: "identical" }
  /** Different strings, same feature bits once LLVM expands them: pure noise. */
  | { kind: "equal"; noise: string[] }
  /** The callee's bits are a strict subset of the caller's: LLVM then checks the callee's calls. */
  | { kind: "subset"; extraInCaller: string[]; noise: string[] }
  /** The callee has bits the caller lacks. */
  | { kind: "incompatible"; missingInCaller: string[]; extraInCaller: string[]; noise: string[] }
  /** No feature model for this target or CPU: only identical strings are known to be compatible. */
  | { kind: "unknown"; why: string };

export function isX86_64(triple: string | undefined): boolean {
  return parseTriple(triple ?? "").arch === "x86_64";
}

/**
 * Compares two functions' target attributes as LLVM's x86 inliner does (see x86Features.ts).
 * `noise` lists the features written in the callee's string that the caller's CPU already gives
 * (clang's `+cmov,+cx8,+fxsr` beside rustc's bare `target-cpu`), for explanations.
 */
export function compareTargets(caller: TargetAttributes, callee: TargetAttributes, triple: string | undefined): TargetComparison {
  if (sameTargetStrings(caller, callee)) return { kind: "identical" };
  const arch = parseTriple(triple ?? "").arch;
  if (arch !== "x86_64" && arch !== "i386" && arch !== "i686") {
    return { kind: "unknown", why: `local-lto has no target-feature model for ${arch || "this target"}; the strings differ` };
  }
  const is64 = arch === "x86_64";
  const callerBits = x86FeatureBits(caller as X86TargetAttributes, is64);
  const calleeBits = x86FeatureBits(callee as X86TargetAttributes, is64);
  if (!callerBits.known) return { kind: "unknown", why: `local-lto has no feature table for CPU ${callerBits.unknownCpu}` };
  if (!calleeBits.known) return { kind: "unknown", why: `local-lto has no feature table for CPU ${calleeBits.unknownCpu}` };
  const missingInCaller = [...calleeBits.bits].filter((f) => !callerBits.bits.has(f)).sort();
  const extraInCaller = [...callerBits.bits].filter((f) => !calleeBits.bits.has(f)).sort();
  const cpuGives = x86CpuFeatures(caller.cpu || "generic", is64) ?? new Set<string>();
  const noise = [...writtenPlus(callee.features)].filter((f) => cpuGives.has(f) && !writtenPlus(caller.features).has(f)).sort();
  if (missingInCaller.length === 0 && extraInCaller.length === 0) return { kind: "equal", noise };
  if (missingInCaller.length === 0) return { kind: "subset", extraInCaller, noise };
  return { kind: "incompatible", missingInCaller, extraInCaller, noise };
}

function writtenPlus(features: string | undefined): Set<string> {
  return new Set(
    (features ?? "")
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f.startsWith("+"))
      .map((f) => f.slice(1)),
  );
}

/** Tuning-only differences change no result, only instruction choice: noise whatever the body does. */
export function isTuningFeature(feature: string): boolean {
  return x86PerformanceOnlyFeatures.has(feature);
}

/** Features that change code generation for security (hardening) rather than the instruction set. */
export const hardeningFeatures: ReadonlySet<string> = new Set([
  "retpoline", "retpoline-indirect-calls", "retpoline-indirect-branches", "retpoline-external-thunk",
  "lvi-cfi", "lvi-load-hardening", "seses", "harden-sls-ijmp", "harden-sls-ret", "speculative-load-hardening",
]);

/** Retpoline features only change indirect calls and jumps (and turn jump tables off). */
export const retpolineFeatures: ReadonlySet<string> = new Set([
  "retpoline", "retpoline-indirect-calls", "retpoline-indirect-branches", "retpoline-external-thunk",
]);

/** Features whose presence changes how floating-point and vector values are computed or passed. */
export function isFloatingPointOrVectorFeature(feature: string): boolean {
  return /^(x87|mmx|3dnow|sse|ssse3|avx|fma|f16c|xop|aes|vaes|pclmul|vpclmulqdq|gfni|sha|sm3|sm4|kl|widekl|amx|soft-float|evex512|egpr)/.test(feature);
}
