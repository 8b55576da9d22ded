import { readFile } from "node:fs/promises";
import type { IrModule } from "../../ir/types.js";
import { explainHelperCalls, type ExplainedCall } from "../../inlining/explain.js";
import { readHelperBodies, type HelperBodyFacts } from "../../inlining/helperBody.js";
import type { CallerAttributeChange, ReconcilePlan } from "../../inlining/reconcilePlan.js";
import { parseInlineRemarks, type InlineRemark } from "../../inlining/remarks.js";
import type { HelperReport } from "../../report/schema.js";
import { toolPath } from "../../toolchain/resolveToolchain.js";
import type { BuildContext } from "../context.js";
import { disassembleModule } from "../../tools/llvmDis.js";
import { runInlinePasses } from "../../tools/opt.js";
import { factsContext } from "../reconcile/reconcileHelpers.js";
import { withLlvmFacts } from "../reconcile/llvmFacts.js";

export interface ExplainInput {
  rustModule: IrModule;
  /** The helper module as merged (after reconciliation), when already read. */
  helperModule?: IrModule;
  helperBodies?: Map<string, HelperBodyFacts>;
  /** The helper bitcode as merged, read when the module above is absent. */
  helpersBitcode: string;
  /** The merged module before inlining: what the inline step read. */
  mergedBitcode: string;
  /** Remarks the inline step already wrote (--explain), else LLVM is asked again. */
  remarksFile?: string;
  forceAttributes: readonly string[];
  /** The Rust functions kept out of the inliner's reach (the same list the build used). */
  noinlineList?: string;
  /** The inline threshold the build used. */
  inlineThreshold?: number;
  /** The plugin that scoped the inline step: the remarks come from the same scoped pipeline. */
  scopePlugin?: string;
  helpers: readonly string[];
  /** What reconciliation did to Rust callers and left alone (for the reasons). */
  callerChanges?: readonly CallerAttributeChange[];
  kept?: ReconcilePlan["kept"];
}

/**
 * Explains each helper call site: local-lto's diagnosis from the attributes of both modules, and
 * LLVM's own verdict (its inlining remarks) on the merged module. Costs one extra `opt` run when
 * the inline step did not already write the remarks (calls left without --explain).
 */
export async function explainCalls(ctx: BuildContext, input: ExplainInput): Promise<ExplainedCall[]> {
  const { toolchain, workspace, timed } = ctx;
  let helperModule = input.helperModule;
  let helperBodies = input.helperBodies;
  if (!helperModule || !helperBodies) {
    const dis = await disassembleModule(toolPath(toolchain, "llvmDis"), input.helpersBitcode);
    helperModule = dis.module;
    helperBodies = readHelperBodies(dis.text, helperModule, input.helpers);
  }
  let remarksFile = input.remarksFile;
  if (!remarksFile) {
    remarksFile = workspace.file("inline-remarks.yaml");
    const file = remarksFile;
    await timed("inline remarks", async () => {
      await runInlinePasses(toolPath(toolchain, "opt"), input.mergedBitcode, null, { forceAttributes: input.forceAttributes, remarksFile: file, noinlineList: input.noinlineList, inlineThreshold: input.inlineThreshold, scopePlugin: input.scopePlugin }, "inline remarks");
    });
  }
  const remarks: InlineRemark[] = parseInlineRemarks(await readFile(remarksFile, "utf8"));
  const triple = input.rustModule.triple ?? helperModule.triple ?? "";
  const settings = { reconcile: ctx.build.reconcile, nullPointerPolicy: ctx.build.nullPointerPolicy, inlineThreshold: input.inlineThreshold } as const;
  const modules = [helperModule, input.rustModule];
  return withLlvmFacts(factsContext(ctx, triple, modules), (targets) =>
    explainHelperCalls({ rustModule: input.rustModule, helperModule: modules[0]!, helperBodies: helperBodies!, helpers: input.helpers, remarks, callerAttributes: input.callerChanges, kept: input.kept, targets, settings }),
  );
}

/** The report's per-helper reasons: every call left out of line (and, with --explain, the inlined ones). */
export function attachReasons(helpers: HelperReport[], explained: readonly ExplainedCall[], includeInlined: boolean): HelperReport[] {
  return helpers.map((h) => {
    const mine = explained.filter((e) => e.helper === h.name && (includeInlined || e.category !== "inlined"));
    if (mine.length === 0) return h;
    return {
      ...h,
      reasons: mine.map((e) => ({
        caller: e.caller,
        ...(e.line !== undefined ? { line: e.line } : {}),
        category: e.category,
        reason: e.reason,
        ...(e.fix ? { fix: e.fix } : {}),
        ...(e.llvmRemark ? { llvmRemark: e.llvmRemark } : {}),
        ...(e.agrees !== undefined ? { llvmAgrees: e.agrees } : {}),
      })),
    };
  });
}
