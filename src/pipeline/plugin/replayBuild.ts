/**
 * A repeated `local-lto build` whose rustc the launcher already started (bin/local-lto,
 * replayEntry.ts): resolve and check the options as any build does, then prove, report and
 * publish from rustc's object. Everything else a build can need (the modes, the preparation) is
 * build.ts's, which this module does not import: a repeat that cannot be finished here returns
 * undefined, and src/cli/replayMain.ts hands over to main.js, which builds as usual.
 */
import { rm } from "node:fs/promises";
import { debugLog } from "../../diagnostics/debugLog.js";
import { bitcodeModeFields, BuildInterruptedError, gatedReport, publishOutputs, stageTimer, type BuildHooks, type BuildResult } from "../finishBuild.js";
import { resolveBuild } from "../resolve/resolveBuild.js";
import type { ResolvedBuild } from "../resolve/resolvedBuild.js";
import type { BuildOptions } from "../types.js";
import { discardFile, stagingPathFor } from "../workspace.js";
import { ReplayDeclined, replayPluginMode, statusFromStandardInput, stopLauncherRustc, type RustcStatusText } from "./proveFromObject.js";
import type { ReplayEntry } from "./replayEntry.js";
import { pluginToolchainEntry } from "../replayable.js";

const debugReplay = debugLog("local-lto:replay");

/** A repeat's hooks: a build's, and where rustc's status comes from (Node's standard input, or a proof server's client). */
export interface ReplayHooks extends BuildHooks {
  rustcStatus?: RustcStatusText;
}

/**
 * The repeat of the build `options` describe, from `entry` and the launcher's rustc in `stage`;
 * undefined when the entry cannot finish it (ReplayDeclined): the launcher's rustc is then still
 * running, for the caller to stop. Any other failure stops it here.
 */
export async function replayBuild(options: BuildOptions, entry: ReplayEntry, stage: string, hooks: ReplayHooks = {}): Promise<BuildResult | undefined> {
  try {
    const resolved = await resolveBuild(options, options.env ?? process.env);
    return await replayFromEntry(resolved, entry, stage, hooks);
  } catch (error) {
    if (error instanceof ReplayDeclined) {
      debugReplay("%s: building as usual", error.message);
      return undefined;
    }
    // The launcher waits for its rustc before it exits: a build that failed must not wait for it.
    await stopLauncherRustc(stage);
    throw error;
  }
}

/**
 * A repeated build whose rustc the launcher started (replayEntry.ts): the proof, the report and
 * the outputs, as build() makes them, from the entry's record of what was decided before rustc.
 */
async function replayFromEntry(resolved: ResolvedBuild, entry: ReplayEntry, stage: string, hooks: ReplayHooks): Promise<BuildResult> {
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
    const result = await replayPluginMode(ctx, entry, stage, hooks.signal, hooks.rustcStatus ?? statusFromStandardInput);
    const plugin = pluginToolchainEntry(entry.plan.pluginPath, entry.plan.pluginLlvmVersion);
    const fields = bitcodeModeFields("plugin", result, { ...entry.plan.toolchain, ...plugin });
    const report = await gatedReport(resolved, entry.plan.reason, fields, ctx.notes, timings);
    // A stop that arrived while rustc's object was being proved still keeps every output as it was.
    if (hooks.signal?.aborted) throw new BuildInterruptedError(String(hooks.signal.reason ?? "abort"));
    await publishOutputs(resolved, ctx, undefined, report, staged);
    // rustc has ended (its status was read): its staging directory is of no more use, and removing
    // it here spares the launcher an `rm` after Node exits (it removes what a failure leaves).
    await rm(stage, { recursive: true, force: true });
    debugReplay("replayed %s", entry.keyText);
    return { report, warnings: ctx.warnings };
  } catch (error) {
    await Promise.all(staged.map(discardFile));
    if (hooks.signal?.aborted) throw new BuildInterruptedError(String(hooks.signal.reason ?? "abort"));
    throw error;
  }
}

