import { copyFile, writeFile } from "node:fs/promises";
import { LocalLtoError } from "../diagnostics/errors.js";
import { withProcessScope } from "../process/run.js";
import { gateFailure, gateVerdict } from "../verify/gate.js";
import { reportSchemaId } from "../report/schemaId.js";
import type { Report } from "../report/schema.js";
import { summarize } from "../report/summarize.js";
import type { Toolchain } from "../toolchain/resolveToolchain.js";
import type { ToolId } from "../toolchain/catalogue.js";
import type { BuildContext } from "./context.js";
import { ReplayDeclined, replayPluginMode, stopLauncherRustc, type PluginModeResult } from "./plugin/proveFromObject.js";
import { forgetReplayEntry, readReplayEntry, type ReplayEntry } from "./plugin/replayEntry.js";
import createDebug from "debug";
import { resolveBuild } from "./resolve/resolveBuild.js";
import type { ResolvedBuild } from "./resolve/resolvedBuild.js";
import type { BuildOptions } from "./types.js";
import { createWorkspace, discardFile, publishFile, stagingPathFor } from "./workspace.js";

/** `--require-inlined` failed: the report is attached so the CLI can still print and save it. */
export class HelperCallsLeftError extends LocalLtoError {
  constructor(readonly report: Report) {
    super(gateFailure(report));
  }
}

/** A signal stopped the build: children stopped, temporary files removed, outputs untouched. */
export class BuildInterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = "BuildInterruptedError";
  }
}

export interface BuildResult {
  report: Report;
  /** Compiler warnings and notes for stderr. */
  warnings: string[];
  /** The toolchain resolved for this build (none when the launcher replayed it). */
  toolchain?: Toolchain;
}

export interface BuildHooks {
  /** Called as each stage starts, for progress output on stderr. */
  onStage?: (stage: string) => void;
  /** Aborting stops every child process, removes temporary and staged files, and rejects with BuildInterruptedError. */
  signal?: AbortSignal;
}

/**
 * `local-lto build`: resolve the options and check every input and output before any work, run
 * the mode's pipeline into staged files, and publish the object, --emit-bc and --report only when
 * everything succeeded (docs/SAFETY.md, "what local-lto guarantees about your files").
 */
export async function build(options: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  const stage = options.replay?.stage;
  try {
    return await buildOnce(options, hooks);
  } catch (error) {
    // The launcher waits for its rustc before it exits: a build that failed must not wait for it.
    if (stage) await stopLauncherRustc(stage);
    throw error;
  }
}

async function buildOnce(options: BuildOptions, hooks: BuildHooks): Promise<BuildResult> {
  const startedAt = Date.now();
  const resolved = await resolveBuild(options, options.env ?? process.env);
  const stage = options.replay?.stage;
  if (stage) {
    const entry = await readReplayEntry(resolved.env, options.replay!.keyText);
    if (entry) {
      try {
        return await replayBuild(resolved, entry, stage, hooks);
      } catch (error) {
        if (!(error instanceof ReplayDeclined)) throw error;
        debugReplay("%s: building as usual", error.message);
      }
    }
    // The launcher's rustc is not used: stop it rather than let it compete with this build.
    await stopLauncherRustc(stage);
  }
  // The modes load here, not at start-up: a repeated build replayed by the launcher needs none of them.
  const [{ planBuild }, { runPluginMode }, { runInlineMode }, { runStaticMode }] = await Promise.all([
    import("./mode/planBuild.js"),
    import("./plugin/runPluginMode.js"),
    import("./inline/runInlineMode.js"),
    import("./static/runStaticMode.js"),
  ]);
  const plan = await planBuild(resolved, hooks.onStage);
  const { toolchain } = plan;
  const workspace = await createWorkspace(resolved.keepTemps);
  const timings: Record<string, number> = {};
  const ctx: BuildContext = {
    build: resolved,
    toolchain,
    workspace,
    stagedObject: stagingPathFor(resolved.outputs.object),
    warnings: [],
    notes: [],
    timings,
    timed: stageTimer(timings, hooks),
  };
  const staged: string[] = [ctx.stagedObject];
  let pluginResult: PluginModeResult | undefined;
  try {
    // One process scope: if a stage fails or a signal arrives, children still running are stopped before cleanup.
    const outcome = await withProcessScope(async (): Promise<{ fields: ModeReportFields; inlinedBitcode?: string }> => {
      if (plan.mode === "plugin") {
        const result = await runPluginMode(ctx, plan.plugin);
        const plugin = { "local-lto plugin": { path: plan.plugin.path, version: `LLVM ${plan.plugin.llvmVersion}` } };
        pluginResult = result;
        return { fields: bitcodeModeFields("plugin", result, { ...toolchainSummary(toolchain, plan.tools), ...plugin }) };
      }
      if (plan.mode === "static") {
        const result = await runStaticMode(ctx, plan);
        return { fields: { mode: "static", target: result.target, helpers: result.helpers, unusedHelpers: result.unusedHelpers, safetyChecks: result.safety, toolchain: result.toolchain } };
      }
      const result = await runInlineMode(ctx, plan.scopePlugin);
      return { inlinedBitcode: result.inlinedBitcode, fields: bitcodeModeFields("inline", result, toolchainSummary(toolchain, result.codegenBackend === "rustLld" ? [...plan.tools, "rustLld"] : plan.tools)) };
    }, hooks.signal);
    const report = await gatedReport(resolved, plan.reason, outcome.fields, ctx.notes, timings);
    await publishOutputs(resolved, ctx, outcome.inlinedBitcode, report, staged);
    if (options.replay && !(plan.mode === "plugin" && pluginResult?.replayable && isReplayable(resolved, options))) {
      await forgetReplayEntry(resolved.env, options.replay.keyText).catch(() => undefined);
    } else if (plan.mode === "plugin" && pluginResult?.replayable && options.replay) {
      // Best effort, after the outputs are in place: without an entry the next build starts Node first.
      const { recordReplayEntry } = await import("./plugin/recordReplay.js");
      await recordReplayEntry({ keyText: options.replay.keyText, resolved, plan, report, replayable: pluginResult.replayable, helpersConfig: options.helpersConfig, startedAt, options: replayOptions(options) }).catch((error: unknown) => debugReplay("no replay entry: %s", (error as Error).message));
    }
    return { report, warnings: ctx.warnings, toolchain };
  } catch (error) {
    await Promise.all(staged.map(discardFile));
    if (hooks.signal?.aborted) throw new BuildInterruptedError(String(hooks.signal.reason ?? "abort"));
    throw error;
  } finally {
    await workspace.dispose();
  }
}

const debugReplay = createDebug("local-lto:replay");

/** Runs one stage, recording its wall time under its name (BuildContext.timed). */
function stageTimer(timings: Record<string, number>, hooks: BuildHooks): BuildContext["timed"] {
  return async (stage, work) => {
    const started = performance.now();
    hooks.onStage?.(stage);
    try {
      return await work();
    } finally {
      timings[stage] = Math.round(performance.now() - started);
    }
  };
}

/**
 * The report of a build or of its replay, and the --require-inlined gate: when it fails, the
 * report (which says why) is written and the object is not.
 */
async function gatedReport(resolved: ResolvedBuild, modeReason: string, fields: ModeReportFields, notes: string[], timings: Record<string, number>): Promise<Report> {
  const report: Report = {
    schema: reportSchemaId,
    command: "build",
    modeReason,
    object: resolved.outputs.object,
    rustInput: resolved.rust.path,
    helperInputs: resolved.helpers.map((h) => h.path),
    ...(resolved.variant ? { helpersVariant: resolved.variant.name } : {}),
    ...fields,
    summary: summarize(fields.helpers),
    notes,
    timingsMs: timings,
  };
  if (resolved.requireInlined && !gateVerdict(report).pass) {
    if (resolved.outputs.report && resolved.outputs.report !== "-") await writeReportFile(resolved.outputs.report, report);
    throw new HelperCallsLeftError(report);
  }
  return report;
}

/** The options a repeat starts from: what the command line gave, as JSON (no environment, no key). */
function replayOptions(options: BuildOptions): Record<string, unknown> {
  const { env: _env, replay: _replay, ...rest } = options;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** What a launcher replay cannot reproduce: kept temporaries, helpers compiled afresh, pkg-config's files. */
function isReplayable(resolved: ResolvedBuild, options: BuildOptions): boolean {
  return !resolved.keepTemps && !resolved.outputs.emitBitcode && resolved.cacheDir !== undefined && (options.pkgConfig ?? []).length === 0;
}

/**
 * A repeated build whose rustc the launcher started (replayEntry.ts): the proof, the report and
 * the outputs, as build() makes them, from the entry's record of what was decided before rustc.
 */
async function replayBuild(resolved: ResolvedBuild, entry: ReplayEntry, stage: string, hooks: BuildHooks): Promise<BuildResult> {
  const workspace = await createWorkspace(false);
  const timings: Record<string, number> = {};
  const ctx = {
    build: resolved,
    stagedObject: stagingPathFor(resolved.outputs.object),
    warnings: [] as string[],
    notes: [] as string[],
    timed: stageTimer(timings, hooks),
  };
  const staged = [ctx.stagedObject];
  try {
    const result = await replayPluginMode(ctx, entry, stage, hooks.signal);
    const plugin = { "local-lto plugin": { path: entry.plan.pluginPath, version: `LLVM ${entry.plan.pluginLlvmVersion}` } };
    const fields = bitcodeModeFields("plugin", result, { ...entry.plan.toolchain, ...plugin });
    const report = await gatedReport(resolved, entry.plan.reason, fields, ctx.notes, timings);
    await publishOutputs(resolved, ctx, undefined, report, staged);
    debugReplay("replayed %s", entry.keyText);
    return { report, warnings: ctx.warnings };
  } catch (error) {
    await Promise.all(staged.map(discardFile));
    if (hooks.signal?.aborted) throw new BuildInterruptedError(String(hooks.signal.reason ?? "abort"));
    throw error;
  } finally {
    await workspace.dispose();
  }
}

/**
 * Every output staged beside its final path first, then renamed into place one after the other:
 * all were checked before any work (resolveBuild), so a rename can only fail for a reason that
 * appeared during the build, and then nothing more is published.
 */
async function publishOutputs(resolved: ResolvedBuild, ctx: Pick<BuildContext, "stagedObject">, inlinedBitcode: string | undefined, report: Report, staged: string[]): Promise<void> {
  const moves: [string, string][] = [[ctx.stagedObject, resolved.outputs.object]];
  if (resolved.outputs.emitBitcode && inlinedBitcode) {
    const bcStaged = stagingPathFor(resolved.outputs.emitBitcode);
    staged.push(bcStaged);
    await copyFile(inlinedBitcode, bcStaged);
    moves.push([bcStaged, resolved.outputs.emitBitcode]);
  }
  if (resolved.outputs.report && resolved.outputs.report !== "-") {
    const reportStaged = stagingPathFor(resolved.outputs.report);
    staged.push(reportStaged);
    await writeFile(reportStaged, `${JSON.stringify(report, null, 2)}\n`);
    moves.push([reportStaged, resolved.outputs.report]);
  }
  for (const [from, to] of moves) await publishFile(from, to);
}

/** The report fields of the two modes that work on bitcode (plugin, inline). */
function bitcodeModeFields(
  mode: "plugin" | "inline",
  result: Pick<ModeReportFields, "target" | "helpers" | "unusedHelpers"> & { safetyChecks: Report["safetyChecks"]; reconciliation: string[]; helperBitcode: NonNullable<Report["helperBitcode"]> },
  toolchain: Report["toolchain"],
): ModeReportFields {
  const { target, helperBitcode, helpers, unusedHelpers, safetyChecks, reconciliation } = result;
  return { mode, target, helperBitcode, helpers, unusedHelpers, safetyChecks, reconciliation, toolchain };
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

/** Writes a report atomically (staged beside it, then renamed). */
export async function writeReportFile(path: string, report: Report): Promise<void> {
  const staged = stagingPathFor(path);
  await writeFile(staged, `${JSON.stringify(report, null, 2)}\n`);
  await publishFile(staged, path);
}
