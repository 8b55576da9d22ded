import { forgetReplayEntry } from "./plugin/replayEntry.js";
import { withProcessScope } from "../process/run.js";
import type { BuildContext } from "./context.js";
import type { PluginModeResult } from "./plugin/proveFromObject.js";
import { debugLog } from "../diagnostics/debugLog.js";
import { bitcodeModeFields, BuildInterruptedError, gatedReport, publishOutputs, stageTimer, type BuildHooks, type BuildResult, type ModeReportFields } from "./finishBuild.js";
import { resolveBuild } from "./resolve/resolveBuild.js";
import type { BuildOptions } from "./types.js";
import { createWorkspace, discardFile, stagingPathFor } from "./workspace.js";
import { isReplayable, pluginToolchainEntry, replayOptions, toolchainSummary } from "./replayable.js";

export { BuildInterruptedError, HelperCallsLeftError, writeReportFile, type BuildHooks, type BuildResult } from "./finishBuild.js";

/**
 * `local-lto build`: resolve the options and check every input and output before any work, run
 * the mode's pipeline into staged files, and publish the object, --emit-bc and --report only when
 * everything succeeded (docs/SAFETY.md, "what local-lto guarantees about your files").
 */
export async function build(options: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  const startedAt = Date.now();
  const resolved = await resolveBuild(options, options.env ?? process.env);
  // The modes load here, not at start-up: a repeated build replayed by the launcher needs none of them.
  const [{ planBuild }, { runPluginMode }, { runInlineMode }, { runStaticMode }] = await Promise.all([
    import("./mode/planBuild.js"),
    import("./plugin/runPluginMode.js"),
    import("./inline/runInlineMode.js"),
    import("./static/runStaticMode.js"),
  ]);
  const plan = await planBuild(resolved, hooks.onStage);
  const { toolchain } = plan;
  // What records the entry for a repeat loads while rustc runs, not after it (about 15 ms of a
  // first build's tail: the module, proper-lockfile and graceful-fs).
  if (options.replay && plan.mode === "plugin") void import("./plugin/recordReplay.js").then((m) => m.preloadReplayRecording(), () => undefined);
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
        const plugin = pluginToolchainEntry(plan.plugin.path, plan.plugin.llvmVersion);
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
    if (options.replay) {
      const { keyText } = options.replay;
      const replayable = isReplayable(resolved, options) ? pluginResult?.replayable : undefined;
      if (plan.mode !== "plugin" || !replayable) {
        await forgetReplayEntry(resolved.env, keyText).catch(() => undefined);
      } else {
        // Best effort, after the outputs are in place: without an entry the next build starts Node first.
        const { recordReplayEntry } = await import("./plugin/recordReplay.js");
        await recordReplayEntry({ keyText, resolved, plan, toolchain: report.toolchain, replayable, helpersConfig: options.helpersConfig, startedAt, options: replayOptions(options) }).catch((error: unknown) => debugReplay("no replay entry: %s", (error as Error).message));
      }
    }
    return { report, warnings: ctx.warnings, toolchain };
  } catch (error) {
    await Promise.all(staged.map(discardFile));
    if (hooks.signal?.aborted) throw new BuildInterruptedError(String(hooks.signal.reason ?? "abort"));
    // A build that failed (a compile error, a call left under --require-inlined) leaves no entry:
    // one the proof server prepared for it would send every later run through rustc twice, the
    // launcher's and Node's (a user trial). Its next build starts in Node.
    if (options.replay) await forgetReplayEntry(resolved.env, options.replay.keyText).catch(() => undefined);
    throw error;
  } finally {
    await workspace.dispose();
  }
}

const debugReplay = debugLog("local-lto:replay");
