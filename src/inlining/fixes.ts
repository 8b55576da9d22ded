import { clangCpuFlag, targetArch, type TargetArch } from "./featureClasses.js";
import { rustTargetWithCpu } from "./targetCompat.js";
import { effectiveTuneCpu, withTuningOf, type TargetAttributes, type TargetModel } from "./targetFeatures.js";

/** The build settings rules must respect (a fix never proposes what is already on). */
export interface RuleSettings {
  reconcile: boolean;
  nullPointerPolicy: "keep" | "caller" | "drop";
  /** The inline step's `-inline-threshold`, when one was given (inlinePolicy.ts). */
  inlineThreshold?: number;
}

export const defaultRuleSettings: RuleSettings = { reconcile: true, nullPointerPolicy: "caller" };

/**
 * Fix lines for a helper that has target features its Rust caller lacks: the exact flag for
 * each side and what it costs, only proposals LLVM confirms (the `-Ctarget-cpu` one is probed:
 * with it, LLVM inlines the helper as it is), and never an option that is already on.
 */
export interface TargetFixInput {
  caller: TargetAttributes;
  callee: TargetAttributes;
  model: TargetModel;
  triple: string | undefined;
  settings: RuleSettings;
  /** Instruction-set features the helper has and the caller lacks. */
  missing: readonly string[];
  /** The features the helper's body was found to need (its intrinsics), when known. */
  needs?: readonly string[];
}

const plus = (names: readonly string[]) => names.map((n) => `+${n}`).join(",");

export function targetFeatureFix(input: TargetFixInput): string {
  const arch = targetArch(input.triple);
  const options: string[] = [];
  if (!input.settings.reconcile) options.push("--reconcile=on (the default) aligns the helper when its body does not use them");
  const cpu = input.callee.cpu;
  if (cpu !== undefined && cpu !== input.caller.cpu) {
    const proposed = rustTargetWithCpu(input.caller, cpu);
    if (input.model.inlinable(proposed, input.callee) === true) {
      const cost = input.model.difference(withTuningOf(proposed, input.caller), input.caller);
      const what = cost === undefined ? `what ${cpu} has` : cost.length ? plus(cost) : "nothing more";
      options.push(`--rustc-arg=-Ctarget-cpu=${cpu} (makes the whole crate require ${what}: it no longer runs on CPUs without ${cost?.length === 1 ? "it" : "them"})`);
    }
  }
  const needs = input.needs?.length ? input.needs : undefined;
  if (needs && input.settings.reconcile) {
    options.push(`--rustc-arg=-Ctarget-feature=${plus(needs)} (only what the helper's code needs; the whole crate may then use ${needs.length === 1 ? "it" : "them"}, and the rest of the helper's features are reconciled)`);
  }
  if (input.caller.cpu !== undefined) {
    options.push(
      `--cc-arg=${clangCpuFlag(arch, input.caller.cpu)} (builds the helpers for the Rust side's CPU: their C code then uses only what the Rust side has${needs ? `, and does not compile if it needs ${plus(needs)}` : ""})`,
    );
  } else if (input.missing.length) {
    options.push(`build the helpers without ${plus(input.missing)}`);
  }
  return options.join("; or ");
}

/** A tuning-only difference: always harmless, reconciled unless the helper's address is taken. */
export function tuningFix(caller: TargetAttributes, settings: RuleSettings, arch: TargetArch): string {
  const mtune = arch === "x86" || arch === "aarch64" ? `--cc-arg=-mtune=${effectiveTuneCpu(caller)}` : "the Rust side's tuning";
  return settings.reconcile ? `build the helpers with ${mtune} (tuning only: nothing else changes)` : `--reconcile=on (the default) aligns the helper's tuning; or build the helpers with ${mtune}`;
}
