import { copyFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import { withProcessScope } from "../process/run.js";
import { gateFailure, gateVerdict } from "../report/gate.js";
import { reportSchemaId } from "../report/schemaId.js";
import type { Report } from "../report/schema.js";
import { summarize } from "../report/summarize.js";
import type { Toolchain } from "../toolchain/resolveToolchain.js";
import type { ToolId } from "../toolchain/catalogue.js";
import type { BuildContext } from "./context.js";
import { runInlineMode } from "./inlineMode.js";
import { planBuild } from "./mode/planBuild.js";
import { runStaticMode } from "./staticMode.js";
import { applyHelperOptions } from "./variants/applyHelperOptions.js";
import type { BuildOptions } from "./types.js";
import { createWorkspace, discardFile, publishFile, stagingPathFor } from "./workspace.js";

/** `--require-inlined` failed: the report is attached so the CLI can still print and save it. */
export class HelperCallsLeftError extends LocalLtoError {
  constructor(readonly report: Report) {
    super(gateFailure(report));
  }
}

export interface BuildResult {
  report: Report;
  /** Compiler warnings and notes for stderr. */
  warnings: string[];
  toolchain: Toolchain;
}

export interface BuildHooks {
  /** Called as each stage starts, for progress output on stderr. */
  onStage?: (stage: string) => void;
}

/**
 * `local-lto build`: check inputs and tools before any work, run the mode's pipeline into a
 * staged file, and publish the object (and --emit-bc) only when everything succeeded.
 */
export async function build(requestedOptions: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  // A helpers config variant and --helpers-debug become plain helper inputs and flags (docs/VARIANTS.md).
  const { options, variant } = await applyHelperOptions(requestedOptions);
  // Inputs, output directory, tools, and the mode (docs/MODES.md), all before any work.
  const plan = await planBuild(options, hooks.onStage);
  const { inputs, toolchain } = plan;

  const workspace = await createWorkspace(options.keepTemps);
  const timings: Record<string, number> = {};
  const ctx: Omit<BuildContext, "inputs"> = {
    options,
    toolchain,
    workspace,
    stagedObject: stagingPathFor(inputs.output),
    warnings: [],
    notes: [],
    timings,
    timed: async (stage, work) => {
      const started = performance.now();
      hooks.onStage?.(stage);
      try {
        return await work();
      } finally {
        timings[stage] = Math.round(performance.now() - started);
      }
    },
  };

  try {
    // One process scope: if a stage fails, children still running are stopped before cleanup.
    const outcome = await withProcessScope(async (): Promise<{ fields: ModeReportFields; inlinedBitcode?: string }> => {
      if (plan.mode === "static") {
        const result = await runStaticMode({ ...ctx, inputs: plan.inputs }, plan);
        return { fields: { mode: "static", target: result.target, helpers: result.helpers, unusedHelpers: result.unusedHelpers, safetyChecks: result.safety, toolchain: result.toolchain } };
      }
      const result = await runInlineMode({ ...ctx, inputs: plan.inputs });
      return {
        inlinedBitcode: result.inlinedBitcode,
        fields: {
          mode: "inline",
          target: result.target,
          helperBitcode: result.helperBitcode,
          helpers: result.helpers,
          unusedHelpers: result.unusedHelpers,
          safetyChecks: result.safetyChecks,
          reconciliation: result.reconciliation,
          toolchain: toolchainSummary(toolchain, result.codegenBackend === "rustLld" ? [...plan.tools, "rustLld"] : plan.tools),
        },
      };
    });
    const report: Report = {
      schema: reportSchemaId,
      command: "build",
      modeReason: plan.reason,
      object: options.output,
      rustInput: options.rustInput,
      helperInputs: options.helperInputs,
      ...(variant ? { helpersVariant: variant.name } : {}),
      ...outcome.fields,
      summary: summarize(outcome.fields.helpers),
      notes: ctx.notes,
      timingsMs: timings,
    };
    if (options.requireInlined && !gateVerdict(report).pass) throw new HelperCallsLeftError(report);
    if (options.emitBitcode && outcome.inlinedBitcode) {
      const bcOut = resolve(inputs.cwd, options.emitBitcode);
      const bcStaged = stagingPathFor(bcOut);
      await copyFile(outcome.inlinedBitcode, bcStaged);
      await publishFile(bcStaged, bcOut);
    }
    await publishFile(ctx.stagedObject, inputs.output);
    return { report, warnings: ctx.warnings, toolchain };
  } catch (error) {
    await discardFile(ctx.stagedObject);
    throw error;
  } finally {
    await workspace.dispose();
  }
}

/** What each mode contributes to the report; build() adds the fields common to both. */
type ModeReportFields = Pick<Report, "mode" | "target" | "helpers" | "unusedHelpers" | "safetyChecks" | "toolchain"> & Partial<Pick<Report, "helperBitcode" | "reconciliation">>;

function toolchainSummary(toolchain: Toolchain, used: readonly ToolId[]): Report["toolchain"] {
  const summary: NonNullable<Report["toolchain"]> = {};
  for (const id of used) {
    const tool = id === "rustc" ? toolchain.rustcTool : toolchain.tools[id];
    if (tool.path) summary[tool.executable] = { path: tool.path, version: id === "rustc" ? toolchain.rustc?.version.release.text : tool.version?.text };
  }
  return summary;
}

export async function writeReportFile(path: string, report: Report): Promise<void> {
  const staged = stagingPathFor(path);
  await writeFile(staged, `${JSON.stringify(report, null, 2)}\n`);
  await publishFile(staged, path);
}
