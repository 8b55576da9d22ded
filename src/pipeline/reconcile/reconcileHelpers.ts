import { writeFile } from "node:fs/promises";
import { debugLog } from "../../diagnostics/debugLog.js";
import { parseModule } from "../../ir/index.js";
import type { IrFunction, IrModule } from "../../ir/types.js";
import { readHelperBodies, type HelperBodyFacts } from "../../inlining/helperBody.js";
import { noBuiltinsMissingInCaller } from "../../inlining/noBuiltins.js";
import { planReconciliation, type CallerAttributeChange, type ReconcilePlan } from "../../inlining/reconcilePlan.js";
import { rewriteFunctionAttributes, type FunctionAttributeEdit } from "../../inlining/rewriteAttributes.js";
import { targetArch } from "../../inlining/featureClasses.js";
import { targetAttributesOf } from "../../inlining/targetCompat.js";
import type { TargetModel } from "../../inlining/targetFeatures.js";
import { toolPath } from "../../toolchain/resolveToolchain.js";
import { defaultCacheDir } from "../../toolchain/cacheDir.js";
import type { HelperStageContext } from "../context.js";
import { assembleModule } from "../../tools/llvmLink.js";
import { factsTools, withLlvmFacts, type FactsContext } from "./llvmFacts.js";

const debug = debugLog("local-lto:reconcile");

export interface ReconcileInput {
  helperModule: IrModule;
  /** The helper module's IR text, as disassembled once for the whole build. */
  helperText: string;
  rustModule: Promise<IrModule>;
  helpersBitcode: string;
  /** The helpers selected for this build (helperSelection.ts). */
  helpers: readonly string[];
  /**
   * The plugin path: the Rust module is a probe whose caller `caller` calls only `helper`, and
   * rustc links the helpers itself, so a change to a Rust caller becomes a marker on the helper
   * (`"local-lto-caller-attributes"`) that the plugin applies to every real caller.
   */
  probeCallers?: ReadonlyMap<string, string>;
}

/** The marker the rustc plugin reads (plugin/link_helpers.cpp, applyCallerAttributes). */
export const callerAttributesMarker = "local-lto-caller-attributes";

/** Caller changes, planned on the probe's callers, as markers on the helpers they call. */
function callerMarkers(changes: readonly CallerAttributeChange[], probeCallers: ReadonlyMap<string, string>): FunctionAttributeEdit[] {
  const byHelper = new Map<string, Set<string>>();
  for (const change of changes) {
    const helper = probeCallers.get(change.caller);
    if (!helper) continue;
    const set = byHelper.get(helper) ?? new Set<string>();
    set.add(change.attribute);
    byHelper.set(helper, set);
  }
  return [...byHelper].map(([helper, attributes]) => ({ function: helper, setStrings: { [callerAttributesMarker]: [...attributes].sort().join(",") } }));
}

export interface ReconcileResult {
  /** The helper bitcode to merge: the input unchanged, or a rewritten copy in the workspace. */
  helpersBitcode: string;
  /** One line per change made, for the report. */
  changes: string[];
  /** The helper module as it is merged (rewritten or not), when this stage read its text. */
  helperModule?: IrModule;
  helperBodies?: Map<string, HelperBodyFacts>;
  /** Rust callers to mark during the inline step (--null-pointer-policy=caller only). */
  callerChanges: CallerAttributeChange[];
  /** Differences seen and left alone, with why (for debugging; --explain says it per call). */
  kept: ReconcilePlan["kept"];
}

let probeFiles = 0;

/** How the reconcile and explain stages ask LLVM about targets (llvmFacts.ts). */
export function factsContext(ctx: HelperStageContext, triple: string, modules: IrModule[]): FactsContext {
  return {
    tools: factsTools(ctx.toolchain),
    triple,
    cacheDir: ctx.build.cacheDir ?? defaultCacheDir(ctx.build.env),
    scratchFile: (name) => ctx.workspace.file(`${++probeFiles}-${name}`),
    declarationOf: (name) => modules.map((m) => m.functions.get(name)).find((f) => f !== undefined),
  };
}

/**
 * Could a caller/helper pair differ in something reconciliation acts on? From attributes and
 * LLVM's verdicts only (no feature bits): the usual case (clang's feature string beside rustc's
 * bare target-cpu, equal bits) costs no disassembly of the helper module.
 */
function worthReading(rust: IrModule, helperModule: IrModule, helpers: ReadonlySet<string>, targets: TargetModel): boolean {
  for (const fn of rust.functions.values()) {
    if (fn.isDeclaration) continue;
    for (const site of fn.callSites) {
      if (!site.callee || !helpers.has(site.callee)) continue;
      const helper = helperModule.functions.get(site.callee);
      if (helper && differsInReconcilable(fn, helper, targets)) return true;
    }
  }
  return false;
}

function differsInReconcilable(caller: IrFunction, helper: IrFunction, targets: TargetModel): boolean {
  const callerTarget = targetAttributesOf(caller.attributes);
  const helperTarget = targetAttributesOf(helper.attributes);
  // Both directions asked together: one probe run answers them.
  const forward = targets.inlinable(callerTarget, helperTarget);
  const backward = targets.inlinable(helperTarget, callerTarget);
  if (forward !== true) return true;
  // A strict subset fails on x86 only if the helper passes vectors or aggregates to another
  // function (LLVM's ABI check): the call types tell, without the body's text. A call whose vector
  // argument hides behind a scalar return type is missed here; --explain still reports it.
  const subset = backward !== true;
  if (subset && targetArch(targets.triple) === "x86" && helper.callSites.some((s) => !s.isIntrinsic && !s.isInlineAsm && /[{[<%]/.test(s.callType))) return true;
  const nb = noBuiltinsMissingInCaller(caller.attributes, helper.attributes);
  if (nb.all || nb.names.length) return true;
  return helper.attributes.flags.has("null_pointer_is_valid") && !caller.attributes.flags.has("null_pointer_is_valid");
}

/**
 * Makes helper attributes agree with their Rust callers where that is provably harmless
 * (docs/INLINING.md): the helper module is disassembled, its attribute groups rewritten, and the
 * text assembled again (llvm-link verifies it). The Rust module is never rewritten; the only
 * change to Rust code, null_pointer_is_valid on callers with --null-pointer-policy=caller, is made
 * by the inline step and reported per caller.
 */
export async function reconcileHelpers(ctx: HelperStageContext, input: ReconcileInput): Promise<ReconcileResult> {
  const unchanged: ReconcileResult = { helpersBitcode: input.helpersBitcode, changes: [], callerChanges: [], kept: [] };
  if (!ctx.build.reconcile) return unchanged;
  const rust = await input.rustModule;
  const helpers = [...input.helpers];
  const triple = rust.triple ?? input.helperModule.triple ?? "";
  const worth = await withLlvmFacts(factsContext(ctx, triple, [input.helperModule, rust]), (targets) => worthReading(rust, input.helperModule, new Set(helpers), targets));
  if (!worth) return unchanged;

  const text = input.helperText;
  const module = input.helperModule;
  const bodies = readHelperBodies(text, module, helpers);
  const plan = await withLlvmFacts(factsContext(ctx, triple, [module, rust]), (targets, intrinsics) =>
    planReconciliation({ helperModule: module, helperBodies: bodies, rustModule: rust, helpers, nullPointerPolicy: ctx.build.nullPointerPolicy, targets, intrinsics }),
  );
  for (const kept of plan.kept) debug("kept %s %s: %s", kept.helper, kept.rule, kept.reason);
  if (input.probeCallers) {
    for (const marker of callerMarkers(plan.callerChanges, input.probeCallers)) {
      const existing = plan.helperEdits.find((edit) => edit.function === marker.function);
      if (existing) existing.setStrings = { ...existing.setStrings, ...marker.setStrings };
      else plan.helperEdits.push(marker);
    }
    plan.callerChanges = [];
    // The report speaks of the crate's callers, not of the probe's.
    plan.changes = plan.changes.map((line) => line.replace(/Rust caller (__llto_caller_\d+)/g, (_, caller: string) => `every Rust caller of ${input.probeCallers!.get(caller) ?? caller}`));
  }
  if (plan.helperEdits.length === 0) return { ...unchanged, changes: plan.changes, helperModule: module, helperBodies: bodies, callerChanges: plan.callerChanges, kept: plan.kept };

  const rewritten = rewriteFunctionAttributes(text, module, plan.helperEdits);
  const textFile = ctx.workspace.file("helpers.reconciled.ll");
  const output = ctx.workspace.file("helpers.reconciled.bc");
  await writeFile(textFile, rewritten);
  // llvm-link reads IR text and verifies the module: an edit that broke it fails here, loudly.
  await assembleModule(toolPath(ctx.toolchain, "llvmLink"), textFile, output, "reconciled helpers");
  const reconciledModule = parseModule(rewritten);
  return {
    helpersBitcode: output,
    changes: plan.changes,
    helperModule: reconciledModule,
    helperBodies: readHelperBodies(rewritten, reconciledModule, helpers),
    callerChanges: plan.callerChanges,
    kept: plan.kept,
  };
}
