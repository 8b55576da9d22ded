import { findAddressTakenFunctions } from "../ir/addressTaken.js";
import { functionType } from "../ir/queries.js";
import type { IrAttributes, IrFunction, IrModule } from "../ir/types.js";
import { defaultRuleSettings, diagnoseCall, type Blocker, type RuleSettings } from "./diagnose.js";
import { asmUsesVectorRegisters, isFloatingPointOrVectorFeature, isHardeningFeature, isRetpolineFeature, targetArch, type TargetArch } from "./featureClasses.js";
import type { HelperBodyFacts } from "./helperBody.js";
import { withFeature, type IntrinsicFacts } from "./intrinsicNeeds.js";
import { noBuiltinSet, synthesizableFromStraightLineCode } from "./noBuiltins.js";
import type { FunctionAttributeEdit } from "./rewriteAttributes.js";
import { compareTargets, targetAttributesOf, type TargetAttributes } from "./targetCompat.js";
import { withTuningOf, type TargetModel } from "./targetFeatures.js";

export { asmUsesVectorRegisters } from "./featureClasses.js";

/**
 * What to do about `null_pointer_is_valid` on a helper whose body it can affect (docs/INLINING.md):
 * - `caller` (default): mark each Rust caller `null_pointer_is_valid` too, so the inlined C code
 *   keeps its meaning (what LLVM itself does when it force-inlines such a callee);
 * - `keep`: change nothing, explain the call;
 * - `drop`: remove it from the helper (the kernel's first version), changing the C code's meaning.
 */
export type NullPointerPolicy = "keep" | "caller" | "drop";

export interface ReconcileInputs {
  helperModule: IrModule;
  helperBodies: ReadonlyMap<string, HelperBodyFacts>;
  rustModule: IrModule;
  /** The helpers (functions the helper module defines and Rust calls) to consider. */
  helpers: readonly string[];
  nullPointerPolicy: NullPointerPolicy;
  /** LLVM's answers about target attributes; questions it has not answered yet are collected. */
  targets: TargetModel;
  /** LLVM's answers about which target intrinsics select for which features. */
  intrinsics: IntrinsicFacts;
}

export interface CallerAttributeChange {
  caller: string;
  attribute: "null_pointer_is_valid";
  helpers: string[];
}

export interface ReconcilePlan {
  helperEdits: FunctionAttributeEdit[];
  /** Rust callers that get an attribute (only with --null-pointer-policy=caller). */
  callerChanges: CallerAttributeChange[];
  /** One line per change made, for the report. */
  changes: string[];
  /** Differences found and left as they are, with the reason (never for the must-be-equal class: those are not attempted). */
  kept: KeptDifference[];
}

export interface KeptDifference {
  helper: string;
  rule: "target-features" | "no-builtins" | "null-pointer-is-valid";
  reason: string;
  /** Target features the helper's body needs (found by asking LLVM about its intrinsics). */
  needs?: string[];
}

interface HelperCallers {
  helper: IrFunction;
  callers: IrFunction[];
}

function callersOf(rust: IrModule, helperModule: IrModule, helpers: readonly string[]): HelperCallers[] {
  const wanted = new Set(helpers);
  const byHelper = new Map<string, Set<IrFunction>>();
  for (const fn of rust.functions.values()) {
    if (fn.isDeclaration) continue;
    for (const site of fn.callSites) {
      if (!site.callee || !wanted.has(site.callee) || site.isIndirect) continue;
      const definition = helperModule.functions.get(site.callee);
      const declaration = rust.functions.get(site.callee);
      // A call through a differently typed declaration is indirect after the merge: no attribute helps.
      if (!definition || definition.isDeclaration || (declaration && functionType(declaration) !== functionType(definition))) continue;
      let set = byHelper.get(site.callee);
      if (!set) byHelper.set(site.callee, (set = new Set()));
      set.add(fn);
    }
  }
  return [...byHelper].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, set]) => ({ helper: helperModule.functions.get(name)!, callers: [...set] }));
}

function cloneAttributes(a: IrAttributes): IrAttributes {
  return { flags: new Set(a.flags), values: new Map(a.values) };
}

function applyToAttributes(attrs: IrAttributes, edit: FunctionAttributeEdit): IrAttributes {
  const out = cloneAttributes(attrs);
  for (const f of edit.removeFlags ?? []) out.flags.delete(f);
  for (const k of edit.removeStrings ?? []) out.values.delete(k);
  for (const [k, v] of Object.entries(edit.setStrings ?? {})) out.values.set(k, v);
  return out;
}

/**
 * Decides, per helper, which attribute differences with its Rust callers to remove, each only when
 * the rule's safety condition holds (docs/INLINING.md). Pure: reads the modules, returns edits.
 */
export function planReconciliation(input: ReconcileInputs): ReconcilePlan {
  const plan: ReconcilePlan = { helperEdits: [], callerChanges: [], changes: [], kept: [] };
  const triple = input.rustModule.triple ?? input.helperModule.triple;
  const addressTaken = new Set([...findAddressTakenFunctions(input.rustModule).keys(), ...findAddressTakenFunctions(input.helperModule).keys()]);
  const targetOf = (name: string): TargetAttributes | undefined => {
    const fn = input.helperModule.functions.get(name) ?? input.rustModule.functions.get(name);
    return fn ? targetAttributesOf(fn.attributes) : undefined;
  };
  const callerNeeds = new Map<string, Set<string>>();
  const settings: RuleSettings = { ...defaultRuleSettings, reconcile: true, nullPointerPolicy: input.nullPointerPolicy };

  for (const { helper, callers } of callersOf(input.rustModule, input.helperModule, input.helpers)) {
    const body = input.helperBodies.get(helper.name);
    const diagnose = (caller: IrFunction, attributes: IrAttributes) =>
      diagnoseCall({ caller, callee: { ...helper, attributes }, calleeName: helper.name, triple, calleeBody: body, targetOf, model: input.targets, settings });
    const blockersBefore = callers.flatMap((c) => diagnose(c, helper.attributes).blockers);
    const has = (category: Blocker["category"]) => blockersBefore.some((b) => b.category === category);
    const edit: FunctionAttributeEdit = { function: helper.name };
    const notes: string[] = [];

    if (has("target-features")) {
      const cCallers = [...input.helperModule.functions.values()].filter((f) => f.name !== helper.name && f.callSites.some((s) => s.callee === helper.name));
      const target = alignTarget({ helper, callers, cCallers, body, addressTaken: addressTaken.has(helper.name), triple, targets: input.targets, intrinsics: input.intrinsics });
      if (target.ok) {
        edit.setStrings = { ...target.set };
        edit.removeStrings = [...target.remove];
        notes.push(target.change);
      } else plan.kept.push({ helper: helper.name, rule: "target-features", reason: target.reason, ...(target.needs ? { needs: target.needs } : {}) });
    }

    if (has("no-builtins")) {
      const verdict = dropNoBuiltins(helper, callers, body);
      if (verdict.ok) {
        edit.removeStrings = [...(edit.removeStrings ?? []), ...verdict.remove];
        edit.markCallsNoBuiltin = verdict.markCalls;
        notes.push(verdict.change);
      } else plan.kept.push({ helper: helper.name, rule: "no-builtins", reason: verdict.reason });
    }

    let keepNullPointerForCallers = false;
    if (has("null-pointer-is-valid")) {
      if (body?.nullPointerNeutral) {
        edit.removeFlags = ["null_pointer_is_valid"];
        notes.push("dropped null_pointer_is_valid: its body has no memory access, address arithmetic or call, so the attribute cannot change what it means");
      } else if (input.nullPointerPolicy === "drop") {
        edit.removeFlags = ["null_pointer_is_valid"];
        notes.push("dropped null_pointer_is_valid (--null-pointer-policy=drop): C's -fno-delete-null-pointer-checks no longer holds for this helper's code once inlined");
      } else if (input.nullPointerPolicy === "caller") {
        keepNullPointerForCallers = true;
      } else {
        plan.kept.push({
          helper: helper.name,
          rule: "null-pointer-is-valid",
          reason: `its body ${nullSensitivity(body)}, so null_pointer_is_valid can change what it means; kept (--null-pointer-policy=keep)`,
        });
      }
    }

    const changed = edit.setStrings || edit.removeStrings?.length || edit.removeFlags?.length || edit.markCallsNoBuiltin;
    if (changed) {
      plan.helperEdits.push(edit);
      for (const note of notes) plan.changes.push(`${helper.name}: ${note}`);
    }
    if (keepNullPointerForCallers) {
      // Only where null_pointer_is_valid is then the last obstacle: marking a caller whose call
      // stays out of line anyway would only cost.
      const after = applyToAttributes(helper.attributes, edit);
      for (const caller of callers) {
        // Blockers local-lto cannot model (certain: false) are LLVM's to decide: they do not stop the marking.
        const left = diagnose(caller, after).blockers.filter((b) => b.certain);
        if (left.length === 1 && left[0]!.category === "null-pointer-is-valid") {
          let set = callerNeeds.get(caller.name);
          if (!set) callerNeeds.set(caller.name, (set = new Set()));
          set.add(helper.name);
        }
      }
    }
  }
  for (const [caller, helpers] of [...callerNeeds].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const list = [...helpers].sort();
    plan.callerChanges.push({ caller, attribute: "null_pointer_is_valid", helpers: list });
    plan.changes.push(`Rust caller ${caller}: null_pointer_is_valid added (--null-pointer-policy=caller) so that the inlined ${list.join(", ")} keep${list.length === 1 ? "s" : ""} C's null-pointer semantics`);
  }
  return plan;
}

/** What in a body makes null_pointer_is_valid matter, in words. */
function nullSensitivity(body: HelperBodyFacts | undefined): string {
  if (!body) return "could not be read";
  const memory = ["load", "store", "atomicrmw", "cmpxchg", "getelementptr", "alloca", "va_arg"].filter((op) => body.opcodes.has(op));
  if (memory.length) return `accesses memory (${memory.join(", ")})`;
  if (body.inlineAsm.length) return "has inline assembly, which may access memory";
  if (body.calls.length) return "calls other functions";
  return "uses memory intrinsics or other instructions whose meaning depends on it";
}

type TargetVerdict =
  | { ok: true; set: Record<string, string>; remove: string[]; change: string }
  | { ok: false; reason: string; needs?: string[] };

interface AlignInput {
  helper: IrFunction;
  callers: IrFunction[];
  /** Functions of the helper module that call the helper: they run it too. */
  cCallers: IrFunction[];
  body: HelperBodyFacts | undefined;
  addressTaken: boolean;
  triple: string | undefined;
  targets: TargetModel;
  intrinsics: IntrinsicFacts;
}

/**
 * Rule "target features": give the helper its callers' target-cpu, tune-cpu and target-features,
 * when every instruction-set feature it loses is unused by its body (target intrinsics: LLVM still
 * selects them without it) and every one it gains is one all its callers already have. Feature
 * bits and verdicts are LLVM's (targetFeatures.ts); tuning is compared apart from the instruction
 * set (the helper's target with the callers' tune-cpu) and is always safe to change.
 */
function alignTarget(input: AlignInput): TargetVerdict {
  const { helper, callers, body, targets: model } = input;
  if (!body) return { ok: false, reason: "its body could not be read" };
  const arch = targetArch(input.triple);
  const callerTargets = callers.map((c) => targetAttributesOf(c.attributes));
  // The callers' target: the one whose features every other caller has (usually they are all equal).
  let chosen: TargetAttributes | undefined;
  let unknown = false;
  for (const candidate of callerTargets) {
    const verdicts = callerTargets.map((t) => model.inlinable(t, candidate));
    if (verdicts.includes(undefined)) unknown = true;
    if (verdicts.every((v) => v === true)) {
      chosen = candidate;
      break;
    }
  }
  if (!chosen) return { ok: false, reason: unknown ? "LLVM could not be asked about its callers' target attributes" : "its Rust callers have target features none of which is contained in all the others" };
  const helperTarget = targetAttributesOf(helper.attributes);
  model.prefetch(input.cCallers.map((c) => targetAttributesOf(c.attributes)));
  const cmp = compareTargets(chosen, helperTarget, model);
  if (cmp.kind === "unknown") return { ok: false, reason: cmp.why };
  const framed = withTuningOf(helperTarget, chosen);
  const removed = model.difference(framed, chosen);
  const added = model.difference(chosen, framed);
  if (!removed || !added) return { ok: false, reason: "LLVM's feature bits for these targets could not be probed" };

  for (const f of removed) {
    const refusal = removalRefusal(f, body, arch);
    if (refusal) return { ok: false, reason: refusal };
  }
  if (removed.length && body.targetIntrinsics.length) {
    const refusal = intrinsicRefusal(body, chosen, removed, input.intrinsics);
    if (refusal) return refusal;
  }
  // Functions of the helper module that call it run it too: a gained feature must be theirs as well.
  for (const f of added) {
    if (isHardeningFeature(f)) continue;
    if (input.addressTaken) return { ok: false, reason: `it would gain +${f}, and its address is taken, so code without +${f} may call it` };
    for (const c of input.cCallers) {
      const bits = model.bits(targetAttributesOf(c.attributes));
      if (!bits || !bits.has(f)) return { ok: false, reason: `it would gain +${f}, and ${c.name} (C code in the helpers) calls it without +${f}` };
    }
    if (isFloatingPointOrVectorFeature(f, arch) && (body.usesFloatingPoint || body.usesVectors)) {
      return { ok: false, reason: `it would gain +${f}, which changes how its floating-point or vector code is computed` };
    }
  }
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const [key, value] of [["target-cpu", chosen.cpu], ["tune-cpu", chosen.tuneCpu], ["target-features", chosen.features]] as const) {
    if (value === undefined) remove.push(key);
    else set[key] = value;
  }
  const tuning = cmp.kind === "incompatible" ? cmp.tuning : [];
  const parts: string[] = [];
  if (cmp.kind !== "equal" && cmp.kind !== "identical" && cmp.noise.length) parts.push(`${cmp.noise.map((f) => `+${f}`).join(",")} ${cmp.noise.length === 1 ? "was" : "were"} the callers' already`);
  if (removed.length) parts.push(`no longer has ${removed.map((f) => `+${f}`).join(",")} (${removalWhy(removed, body, arch)})`);
  if (added.length) parts.push(`now has ${added.map((f) => `+${f}`).join(",")} (${addedWhy(added)})`);
  if (tuning.length) parts.push(`tuning ${tuning.map((f) => `+${f}`).join(",")} now the callers' (tuning only)`);
  if (!parts.length) parts.push("same feature bits, differently written");
  return {
    ok: true,
    set,
    remove,
    change: `target-cpu/tune-cpu/target-features set to its Rust callers' (target-cpu ${chosen.cpu ?? "absent"}${chosen.tuneCpu ? `, tune-cpu ${chosen.tuneCpu}` : ""}): ${parts.join("; ")}`,
  };
}

/** Why the body may not lose `feature`, or null when it can. */
function removalRefusal(feature: string, body: HelperBodyFacts, arch: TargetArch): string | null {
  if (isHardeningFeature(feature)) {
    if (isRetpolineFeature(feature) && !body.hasIndirectBranches) return null;
    return `it is built with +${feature} (a hardening mitigation the Rust callers lack): build the Rust side with the same mitigation`;
  }
  // The x86 assembler accepts every instruction whatever the features; others (AArch64, RISC-V)
  // reject an instruction the function's features lack, so inline assembly may need any of them.
  if (arch !== "x86" && body.inlineAsm.length) return `it would lose +${feature} and its inline assembly may need it (the ${arch === "aarch64" ? "AArch64" : "target's"} assembler checks instructions against the function's features)`;
  if (isFloatingPointOrVectorFeature(feature, arch)) {
    if (body.usesFloatingPoint || body.usesVectors) return `it would lose +${feature} and its body computes with floating-point or vector values`;
    for (const asm of body.inlineAsm) {
      if (asmUsesVectorRegisters(asm.template, asm.constraints, arch)) return `it would lose +${feature} and its inline assembly uses vector or floating-point registers`;
    }
  }
  return null;
}

/**
 * Target intrinsics: each must still be selected by LLVM with the callers' features. When one is
 * not, the features that make it selectable are the body's real needs (for the fix line).
 */
function intrinsicRefusal(body: HelperBodyFacts, target: TargetAttributes, removed: readonly string[], intrinsics: IntrinsicFacts): { ok: false; reason: string; needs?: string[] } | null {
  const seen = new Set<string>();
  for (const call of body.targetIntrinsics) {
    if (seen.has(call.name)) continue;
    seen.add(call.name);
    const selects = intrinsics.selects(call, target);
    if (selects === true) continue;
    // What each lost feature alone does for it, asked together with the first question.
    const withOne = removed.map((f) => [f, intrinsics.selects(call, withFeature(target, f))] as const);
    if (selects === undefined) return { ok: false, reason: `it would lose ${removed.map((f) => `+${f}`).join(",")} and it calls ${call.name}, which LLVM could not be asked about` };
    const needs = withOne.filter(([, ok]) => ok === true).map(([f]) => f);
    const what = needs.length ? `LLVM selects it only with ${needs.map((f) => `+${f}`).join(",")}` : `LLVM cannot select it without ${removed.map((f) => `+${f}`).join(",")}`;
    return { ok: false, reason: `it calls ${call.name}, and ${what}, which the Rust callers lack`, ...(needs.length ? { needs } : {}) };
  }
  return null;
}

function removalWhy(removed: string[], body: HelperBodyFacts, arch: TargetArch): string {
  const reasons = new Set<string>();
  for (const f of removed) {
    if (isRetpolineFeature(f)) reasons.add("no indirect call or jump in its body");
    else if (isFloatingPointOrVectorFeature(f, arch)) reasons.add(body.inlineAsm.length ? "no floating point, vectors or vector registers in its body or assembly" : "no floating point or vectors in its body");
    else reasons.add(body.targetIntrinsics.length ? "LLVM selects its intrinsics without them" : "only changes which instructions generic IR compiles to");
  }
  return [...reasons].join("; ");
}

function addedWhy(added: string[]): string {
  const reasons = new Set<string>();
  for (const f of added) {
    if (isHardeningFeature(f)) reasons.add("a mitigation its callers have");
    else if (f === "soft-float") reasons.add("its callers' floating-point ABI, and no floating point in its body");
    else reasons.add("instructions every caller may already use");
  }
  return [...reasons].join("; ");
}

type NoBuiltinVerdict = { ok: true; remove: string[]; markCalls: boolean; change: string } | { ok: false; reason: string };

/**
 * Rule "no-builtins": drop the helper's restrictions its callers lack, when no transformation can
 * introduce or reinterpret a library call in the inlined body: no loop (idiom recognition turns
 * loops into strlen/wcslen/memset calls), no explicit restriction on a function LLVM synthesizes
 * from straight-line code, and every call in the body marked `nobuiltin` (what clang itself does
 * for the calls it knows under -fno-builtin).
 */
function dropNoBuiltins(helper: IrFunction, callers: IrFunction[], body: HelperBodyFacts | undefined): NoBuiltinVerdict {
  if (!body) return { ok: false, reason: "its body could not be read" };
  const own = noBuiltinSet(helper.attributes);
  const explicit = [...own.names].filter((n) => synthesizableFromStraightLineCode.has(n));
  if (explicit.length) return { ok: false, reason: `it was built with -fno-builtin-${explicit[0]}, and LLVM can create ${explicit[0]} calls from plain stores and loads` };
  if (body.hasLoop) return { ok: false, reason: "its body has a loop, which an optimiser may turn into a call the restriction forbids (strlen, wcslen, …)" };
  const callerSets = callers.map((c) => noBuiltinSet(c.attributes));
  const remove: string[] = [];
  if (own.all && !callerSets.every((s) => s.all)) remove.push("no-builtins");
  for (const n of own.names) if (!callerSets.every((s) => s.all || s.names.has(n))) remove.push(`no-builtin-${n}`);
  const calls = body.calls.length;
  const how = calls === 0 ? "its body has no call and no loop, so nothing in it can become or be read as a library call" : `its body has no loop, and its ${calls} call${calls === 1 ? " is" : "s are"} marked nobuiltin so no library-call rewrite applies to ${calls === 1 ? "it" : "them"}`;
  return { ok: true, remove, markCalls: calls > 0, change: `dropped ${remove.map((r) => `"${r}"`).join(", ")}: ${how}` };
}
