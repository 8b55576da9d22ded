import type { IrAttributes } from "../ir/types.js";
import { sameTargetStrings, withTuningOf, type TargetAttributes, type TargetModel } from "./targetFeatures.js";

export { sameTargetStrings, type TargetAttributes } from "./targetFeatures.js";

export function targetAttributesOf(attrs: IrAttributes): TargetAttributes {
  return { cpu: attrs.values.get("target-cpu"), tuneCpu: attrs.values.get("tune-cpu"), features: attrs.values.get("target-features") };
}

export type TargetComparison =
  /** Same cpu, tune-cpu and feature strings. */
  | { kind: "identical" }
  /** Different strings, each inlinable into the other: pure noise. */
  | { kind: "equal"; noise: string[] }
  /** The callee goes into the caller, not the other way round (x86 then checks the callee's calls). */
  | { kind: "subset"; extraInCaller: string[]; noise: string[] }
  /**
   * LLVM refuses. `missingInCaller`: instruction-set features the callee has and the caller lacks,
   * compared with the same tuning; `tuning`: what differs only through tune-cpu. Both empty when
   * LLVM refuses but the bits could not be probed.
   */
  | { kind: "incompatible"; missingInCaller: string[]; tuning: string[]; extraInCaller: string[]; noise: string[] }
  /** LLVM was not asked, or could not answer: only identical strings are known to be compatible. */
  | { kind: "unknown"; why: string };

/**
 * Compares two functions' target attributes with LLVM's own answers (targetFeatures.ts).
 * `noise` lists the features written in the callee's string that the caller has anyway (clang's
 * `+cmov,+cx8,+fxsr` beside rustc's bare `target-cpu`), for explanations of refused pairs.
 */
export function compareTargets(caller: TargetAttributes, callee: TargetAttributes, model: TargetModel | undefined): TargetComparison {
  if (sameTargetStrings(caller, callee)) return { kind: "identical" };
  const forward = model?.inlinable(caller, callee);
  const backward = model?.inlinable(callee, caller);
  if (forward === undefined || backward === undefined) {
    return { kind: "unknown", why: model ? "LLVM could not be asked whether they are compatible" : "no target-feature facts were gathered" };
  }
  if (forward && backward) return { kind: "equal", noise: [] };
  // Compatible pairs are described with the bits already known (probing them only for a message
  // would cost a feature probe per target); refused ones are worth asking for.
  const known = (a: TargetAttributes, b: TargetAttributes) => {
    const x = model!.knownBits(a);
    const y = model!.knownBits(b);
    return x && y ? [...x].filter((f) => !y.has(f)).sort() : [];
  };
  if (forward) return { kind: "subset", extraInCaller: known(caller, callee), noise: [] };
  // Everything explaining a refusal and proposing its fix, asked in one round.
  const proposed = callee.cpu !== undefined && callee.cpu !== caller.cpu ? rustTargetWithCpu(caller, callee.cpu) : undefined;
  model!.prefetch(
    [caller, callee, withTuningOf(callee, caller), ...(proposed ? [withTuningOf(proposed, caller)] : [])],
    proposed ? [{ caller: proposed, callee }] : [],
  );
  const extraInCaller = model!.difference(caller, callee) ?? [];
  const noise = noiseOf(caller, callee, model!);
  const all = model!.difference(callee, caller) ?? [];
  const missingInCaller = model!.difference(withTuningOf(callee, caller), caller) ?? [];
  const tuning = all.filter((f) => !missingInCaller.includes(f));
  return { kind: "incompatible", missingInCaller, tuning, extraInCaller, noise };
}

function noiseOf(caller: TargetAttributes, callee: TargetAttributes, model: TargetModel): string[] {
  const has = model.bits(caller);
  if (!has) return [];
  const callerWrote = writtenPlus(caller.features);
  return [...writtenPlus(callee.features)].filter((f) => has.has(f) && !callerWrote.has(f)).sort();
}

export function writtenPlus(features: string | undefined): Set<string> {
  return new Set(
    (features ?? "")
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f.startsWith("+"))
      .map((f) => f.slice(1)),
  );
}

/**
 * The Rust target after `-Ctarget-cpu=<the helper's CPU>`: rustc writes the CPU, keeps its feature
 * string and its tune-cpu (absent unless -Ztune-cpu).
 */
export function rustTargetWithCpu(caller: TargetAttributes, cpu: string): TargetAttributes {
  return { cpu, tuneCpu: caller.tuneCpu, features: caller.features };
}
