/**
 * A first build prepared by the proof server (docs/MODES.md, "The proof server"): everything a
 * plugin-path build decides before rustc starts — options, toolchain, plan, the helper set vetted
 * and reconciled — written as the launcher's entry for this command line (replayEntry.ts), without
 * starting rustc. The launcher then repeats the build from that entry at once: its own rustc, the
 * proof in the server. What Node's start costs a first build (~0.2 s) is gone, and rustc stays the
 * launcher's child (its signals, terminal, jobserver and limits are the build's own).
 *
 * Only a build whose repeat the entry can finish is prepared; anything else is declined, and the
 * launcher starts Node as before. What only rustc's run can tell (a helper call left to explain,
 * a compile error) sends the repeat to Node too (replayBuild.ts), which builds from the start:
 * a key whose Node build could not be repeated is marked (replayEntry.ts, `forgetReplayEntry`),
 * so that it is not prepared again only to be built twice.
 */
import { usableBypass } from "../../toolchain/rustupProxy.js";
import { stageTimer } from "../finishBuild.js";
import { planBuild } from "../mode/planBuild.js";
import { isReplayable, pluginToolchainEntry, replayOptions, toolchainSummary } from "../replayable.js";
import { resolveBuild } from "../resolve/resolveBuild.js";
import type { BuildOptions } from "../types.js";
import { createWorkspace } from "../workspace.js";
import { preparePluginHelpers } from "./preparePluginHelpers.js";
import { recordReplayEntry } from "./recordReplay.js";
import { isNodeFirst, STAGE } from "./replayEntry.js";
import { pluginCompileArgs, pluginHelperRequest } from "./runPluginMode.js";

export type PrepareOutcome = { prepared: true } | { prepared: false; why: string };

/**
 * Prepares the first build `options` describe (the command line's, with the launcher's key) and
 * writes its entry; declines, with why, what a repeat could not finish. Errors a build would
 * report are declines too: Node then builds and reports them in full. `onEntryWritten` is told the
 * entry's name as soon as the launcher can repeat the build from it (before the index is updated,
 * which the launcher given the name does not read).
 */
export async function prepareReplay(options: BuildOptions, hooks: { signal?: AbortSignal; onEntryWritten?: (name: string) => void } = {}): Promise<PrepareOutcome> {
  const { signal } = hooks;
  const startedAt = Date.now();
  const keyText = options.replay?.keyText;
  if (!keyText) return { prepared: false, why: "not-launched" };
  // No entry is written for a command line with a newline (launcherIndex.ts): nothing to prepare.
  if (keyText.includes("\n")) return { prepared: false, why: "newline" };
  const env = options.env ?? process.env;
  if (await isNodeFirst(env, keyText)) return { prepared: false, why: "node-first" };
  const resolved = await resolveBuild(options, env);
  if (resolved.explain) return { prepared: false, why: "explain" };
  if (!isReplayable(resolved, options)) return { prepared: false, why: "not-repeatable" };
  if (resolved.rust.kind !== "rust-source") return { prepared: false, why: "bitcode-input" };
  const plan = await planBuild(resolved);
  if (plan.mode !== "plugin") return { prepared: false, why: `mode-${plan.mode}` };
  const workspace = await createWorkspace(false);
  try {
    const ctx = { build: resolved, toolchain: plan.toolchain, workspace, notes: [] as string[], warnings: [] as string[], timed: stageTimer({}, {}) };
    const prepared = await preparePluginHelpers(pluginHelperRequest(ctx));
    if (signal?.aborted) return { prepared: false, why: "stopped" };
    const bypass = usableBypass(plan.toolchain.rustc!.direct, env);
    const plugin = pluginToolchainEntry(plan.plugin.path, plan.plugin.llvmVersion);
    await recordReplayEntry({
      keyText,
      resolved,
      plan,
      toolchain: { ...toolchainSummary(plan.toolchain, plan.tools), ...plugin },
      replayable: {
        rustcArgs: pluginCompileArgs(resolved, `${STAGE}/rust.o`, undefined),
        prepared,
        preparation: { notes: [...ctx.notes], warnings: [...ctx.warnings] },
        ...(bypass ? { bypass } : {}),
      },
      helpersConfig: options.helpersConfig,
      startedAt,
      options: replayOptions(options),
      onEntryWritten: hooks.onEntryWritten,
    });
    return { prepared: true };
  } finally {
    await workspace.dispose();
  }
}
