import { functionType } from "../ir/queries.js";
import type { IrAttributes, IrCallSite, IrFunction } from "../ir/types.js";
import type { HelperBodyFacts } from "./helperBody.js";
import { mustMatchMismatches } from "./mustMatch.js";
import { describeNoBuiltins, noBuiltinsMissingInCaller } from "./noBuiltins.js";
import { defaultRuleSettings, targetFeatureFix, tuningFix, type RuleSettings } from "./fixes.js";
import { targetArch } from "./featureClasses.js";
import { compareTargets, sameTargetStrings, targetAttributesOf, type TargetAttributes } from "./targetCompat.js";
import type { TargetModel } from "./targetFeatures.js";

/** The build's settings the fix lines depend on: a fix never proposes what is already on. */
export { defaultRuleSettings, type RuleSettings } from "./fixes.js";

/**
 * Why LLVM would leave one call out of line, decided from attributes alone, in the order of
 * getAttributeBasedInliningDecision (llvm/lib/Analysis/InlineCost.cpp): indirect call; then, unless
 * `alwaysinline`, conflicting attributes (target features, no-builtins, the must-be-equal class);
 * optnone caller; null_pointer_is_valid; interposable callee; noinline. When none applies, LLVM's
 * cost model decides, which only its own remark can tell.
 */
export type BlockerCategory =
  | "no-definition"
  | "signature-mismatch"
  | "target-features"
  | "no-builtins"
  | "must-match"
  | "optnone"
  | "null-pointer-is-valid"
  | "interposable"
  | "noinline";

/** A category for every call site: a blocker, or what LLVM's cost model said. */
export type CallCategory = BlockerCategory | "too-costly" | "not-inline-viable" | "inlined" | "cost-model" | "unknown";

export interface Blocker {
  category: BlockerCategory;
  /** A few words naming the obstacle, for lists: `null_pointer_is_valid`, `+crc32`. */
  label: string;
  reason: string;
  fix: string;
  /** False when local-lto's model cannot tell (unknown CPU, other architecture). */
  certain: boolean;
}

export interface CallDiagnosis {
  caller: string;
  callee: string;
  /** Every attribute-based blocker, in LLVM's order: the first is what LLVM reports. */
  blockers: Blocker[];
  /** `alwaysinline` on the call or the callee: LLVM 22 skips the attribute checks. */
  alwaysInline: boolean;
}

export interface DiagnoseInput {
  caller: IrFunction;
  /** The callee's definition in the merged module; undefined when only declared. */
  callee: IrFunction | undefined;
  calleeName: string;
  /** The call as written in the caller; undefined for calls LLVM found after inlining. */
  site?: IrCallSite;
  /** The callee's declaration as the caller's module wrote it, to spot signature differences. */
  declaration?: IrFunction;
  triple: string | undefined;
  calleeBody?: HelperBodyFacts;
  /** Target attributes of functions the callee calls (for the x86 ABI check of a feature subset). */
  targetOf: (name: string) => TargetAttributes | undefined;
  /** LLVM's answers about target attributes (targetFeatures.ts); without it they are "unknown". */
  model?: TargetModel;
  settings?: RuleSettings;
  /** Features the helper's body was found to need (its intrinsics), for the fix line. */
  bodyNeeds?: readonly string[];
}

const shownLimit = 6;
function list(names: readonly string[], sign = "+"): string {
  const shown = names.slice(0, shownLimit).map((n) => `${sign}${n}`).join(",");
  return names.length > shownLimit ? `${shown} and ${names.length - shownLimit} more` : shown;
}

export function diagnoseCall(input: DiagnoseInput): CallDiagnosis {
  const { caller, callee, site, calleeName } = input;
  const out: CallDiagnosis = { caller: caller.name, callee: calleeName, blockers: [], alwaysInline: false };
  if (!callee || callee.isDeclaration) {
    out.blockers.push({ category: "no-definition", label: "no definition", reason: `${calleeName} has no definition in the merged module`, fix: "pass the helper source that defines it with --helpers", certain: true });
    return out;
  }
  const declared = input.declaration;
  if (site?.isIndirect || (declared && functionType(declared) !== functionType(callee))) {
    const rustType = declared ? functionType(declared) : site?.callType;
    out.blockers.push({
      category: "signature-mismatch",
      label: "signature mismatch",
      reason: `the Rust declaration's signature differs from the C definition (${rustType} vs ${functionType(callee)}): LLVM sees an indirect call and never inlines it`,
      fix: "declare the function in Rust with the C types (bool ↔ _Bool, the same integer widths, structs by pointer), e.g. with bindgen",
      certain: true,
    });
    return out;
  }
  const siteAttrs = site?.attributes;
  if (callee.attributes.flags.has("alwaysinline") || siteAttrs?.flags.has("alwaysinline")) {
    out.alwaysInline = true;
    if (siteAttrs?.flags.has("noinline")) out.blockers.push(noinline("call site"));
    return out;
  }
  out.blockers.push(...targetBlockers(input));
  out.blockers.push(...noBuiltinBlockers(caller.attributes, callee.attributes, input.settings ?? defaultRuleSettings));
  for (const m of mustMatchMismatches(caller.attributes, callee.attributes)) {
    out.blockers.push({ category: "must-match", label: m.attribute, reason: m.reason, fix: m.fix, certain: true });
  }
  if (caller.attributes.flags.has("optnone")) {
    out.blockers.push({ category: "optnone", label: "optnone caller", reason: `the caller ${caller.name} is optnone (built without optimisation)`, fix: "build the Rust code with optimisation (-O or -Copt-level=1 or more)", certain: true });
  }
  if (callee.attributes.flags.has("null_pointer_is_valid") && !caller.attributes.flags.has("null_pointer_is_valid")) {
    out.blockers.push({
      category: "null-pointer-is-valid",
      label: "null_pointer_is_valid",
      reason: "null_pointer_is_valid on the helper (from -fno-delete-null-pointer-checks), not on the caller",
      fix: nullPointerFix(input.settings ?? defaultRuleSettings),
      certain: true,
    });
  }
  if (isInterposable(callee)) {
    out.blockers.push({ category: "interposable", label: `${callee.linkage} linkage`, reason: `the helper has ${callee.linkage} linkage: it may be replaced at link time`, fix: "define the helper without weak/common linkage (local-lto internalizes helpers, so this only happens for helpers left external)", certain: true });
  }
  if (callee.attributes.flags.has("noinline")) out.blockers.push(noinline("helper"));
  if (siteAttrs?.flags.has("noinline")) out.blockers.push(noinline("call site"));
  if (callee.attributes.values.has("loader-replaceable")) {
    out.blockers.push({ category: "noinline", label: "loader-replaceable", reason: "the helper is loader-replaceable", fix: "drop the loader-replaceable attribute", certain: true });
  }
  return out;
}

/** Why a noinline helper or call site is not inlined, and the fix (also the plugin path's text for LLVM's noinline remarks). */
export function noinline(where: "helper" | "call site"): Blocker {
  return where === "helper"
    ? { category: "noinline", label: "noinline", reason: "the helper is noinline (__attribute__((noinline)) or built at -O0)", fix: "drop noinline from the helper, or build it with optimisation", certain: true }
    : { category: "noinline", label: "noinline call site", reason: "the call site is marked noinline", fix: "drop #[inline(never)]-style call attributes", certain: true };
}

function isInterposable(fn: IrFunction): boolean {
  return ["weak", "linkonce", "common", "extern_weak"].includes(fn.linkage);
}

function targetBlockers(input: DiagnoseInput): Blocker[] {
  const callerTarget = targetAttributesOf(input.caller.attributes);
  const calleeTarget = targetAttributesOf(input.callee!.attributes);
  const settings = input.settings ?? defaultRuleSettings;
  const cmp = compareTargets(callerTarget, calleeTarget, input.model);
  const cpu = callerTarget.cpu ?? "the default CPU";
  const noise = (n: string[]) => (n.length ? `; its ${list(n)} ${n.length === 1 ? "is" : "are"} the caller's too (noise)` : "");
  switch (cmp.kind) {
    case "identical":
    case "equal":
      return [];
    case "unknown":
      return [{ category: "target-features", label: "target features", reason: `target-cpu/tune-cpu/target-features differ and ${cmp.why}`, fix: "build both sides for the same CPU and features", certain: false }];
    case "incompatible": {
      if (cmp.missingInCaller.length === 0 && cmp.tuning.length > 0) {
        return [
          {
            category: "target-features",
            label: list(cmp.tuning),
            reason: `tune-cpu differs: the helper is tuned with ${list(cmp.tuning)}, which the caller's tuning lacks${noise(cmp.noise)}`,
            fix: tuningFix(callerTarget, settings, targetArch(input.triple)),
            certain: true,
          },
        ];
      }
      const missing = cmp.missingInCaller;
      return [
        {
          category: "target-features",
          label: missing.length ? list(missing) : "target attributes",
          reason: missing.length
            ? `the helper has ${list(missing)} which the caller (target-cpu ${cpu}) lacks${noise(cmp.noise)}`
            : `LLVM refuses the helper's target attributes (${describeTarget(calleeTarget)}) in a caller with ${describeTarget(callerTarget)}`,
          fix: targetFeatureFix({ caller: callerTarget, callee: calleeTarget, model: input.model!, triple: input.triple, settings, missing, needs: input.bodyNeeds }),
          certain: true,
        },
      ];
    }
    case "subset": {
      // The callee's features are a strict subset: x86 then rejects any call in the callee that
      // passes vectors or aggregates to a function whose target attributes differ from the caller's.
      const body = input.calleeBody;
      if (!body || targetArch(input.triple) !== "x86") return [];
      for (const call of body.calls) {
        if (!call.abiSensitive) continue;
        const nested = call.callee ? input.targetOf(call.callee) : undefined;
        if (call.callee === null || !nested || !sameTargetStrings(nested, callerTarget)) {
          return [
            {
              category: "target-features",
              label: "ABI of a nested call",
              reason: `the caller has more features${cmp.extraInCaller.length ? ` (${list(cmp.extraInCaller)})` : ""} and the helper passes a vector or aggregate to ${call.callee ?? "an indirect callee"}, whose target attributes differ from the caller's: LLVM cannot prove the call's ABI stays the same`,
              fix: settings.reconcile ? "build both sides with the same CPU and features" : "--reconcile=on aligns the helper to the caller's target; or build both sides with the same features",
              certain: true,
            },
          ];
        }
      }
      return [];
    }
  }
}

function describeTarget(t: TargetAttributes): string {
  const parts = [`target-cpu ${t.cpu ?? "absent"}`];
  if (t.tuneCpu) parts.push(`tune-cpu ${t.tuneCpu}`);
  parts.push(t.features ? `features ${t.features.length > 80 ? `${t.features.slice(0, 77)}...` : t.features}` : "no feature string");
  return parts.join(", ");
}

function nullPointerFix(settings: RuleSettings): string {
  if (!settings.reconcile) return "--reconcile=on (the default) with --null-pointer-policy=caller (the default) keeps C's semantics by marking the Rust caller too; =drop removes it from the helper";
  if (settings.nullPointerPolicy === "keep") return "--null-pointer-policy=caller (the default) keeps C's semantics by marking the Rust caller too (cost: docs/INLINING.md), =drop removes it from the helper";
  return "the Rust caller is marked only when this is the last obstacle: remove the others; or --null-pointer-policy=drop removes it from the helper (changes the C code's meaning)";
}

function noBuiltinBlockers(caller: IrAttributes, callee: IrAttributes, settings: RuleSettings): Blocker[] {
  const missing = noBuiltinsMissingInCaller(caller, callee);
  if (!missing.all && missing.names.length === 0) return [];
  const what = describeNoBuiltins(missing);
  const from = missing.all ? "-ffreestanding or -fno-builtin" : missing.names.map((n) => `-fno-builtin-${n}`).join(" ");
  return [
    {
      category: "no-builtins",
      label: what,
      reason: `${what} on the helper only (from ${from}): LLVM inlines only into callers with the same restrictions`,
      fix: settings.reconcile
        ? "build the helper without it, or the Rust crate with #![no_builtins]"
        : "--reconcile=on (the default) drops it where the helper's body cannot be affected; otherwise build the helper without it, or the Rust crate with #![no_builtins]",
      certain: true,
    },
  ];
}

/** The first blocker is what LLVM reports; with none, its cost model decides. */
export function primaryCategory(d: CallDiagnosis): CallCategory {
  return d.blockers[0]?.category ?? "cost-model";
}
