/**
 * Leaves the launcher an entry for repeating a plugin-path build (replayEntry.ts): the helper set
 * in local-lto's cache (content-named, shared, never changed), the rustc command that loads it,
 * what the build decided before rustc, and the files whose change must send the next build back to
 * Node first.
 */
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { Report } from "../../report/schema.js";
import { pluginRustcCommand } from "../../tools/plugin/compileWithHelpers.js";
import { prepareHelperSet } from "../../tools/plugin/helperSet.js";
import type { BuildPlan } from "../mode/planBuild.js";
import type { ResolvedBuild } from "../resolve/resolvedBuild.js";
import type { PluginModeResult } from "./runPluginMode.js";
import { identityOf, type FileIdentity } from "../../files/fileIdentity.js";
import { rustupSelectionFiles } from "../../toolchain/rustupSelection.js";
import { STAGE, writeReplayEntry, type ReplayEntry } from "./replayEntry.js";
import { loadIndexLock } from "../../files/launcherIndex.js";

/** rustc's own files: a new toolchain in the same place (rustup update) changes them. */
function rustcFiles(sysroot: string | undefined): string[] {
  if (!sysroot) return [];
  const lib = join(sysroot, "lib");
  const drivers = existsSync(lib) ? readdirSync(lib).filter((f) => f.startsWith("librustc_driver-")).map((f) => join(lib, f)) : [];
  return [join(sysroot, "bin", "rustc"), ...drivers];
}

/**
 * A rustc found on PATH: where another `rustc` would be found first, were one to appear (the key
 * has PATH's text, not what it finds; a user trial).
 */
export function shadowingRustc(rustc: { path: string; source: string } | undefined, pathVariable: string | undefined, cwd: string): string[] {
  if (!rustc || rustc.source !== "path") return [];
  const shadowing: string[] = [];
  for (const dir of (pathVariable ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = resolve(cwd, dir, "rustc");
    if (candidate === resolve(cwd, rustc.path)) return shadowing;
    // One that exists and was passed over (not executable) cannot be an absent dependency.
    if (!existsSync(candidate)) shadowing.push(candidate);
  }
  return [];
}

/** Loads what writing an entry needs (the index's lock), ahead of the write. */
export function preloadReplayRecording(): Promise<unknown> {
  return loadIndexLock().catch(() => undefined);
}

export async function recordReplayEntry(input: {
  keyText: string;
  resolved: ResolvedBuild;
  plan: Extract<BuildPlan, { mode: "plugin" }>;
  /** The toolchain the report names (with the plugin). */
  toolchain: Report["toolchain"];
  replayable: NonNullable<PluginModeResult["replayable"]>;
  /** `--helpers-config`, when the helpers came from one. */
  helpersConfig?: string;
  /** When the build started reading its inputs: the entry's date, so a file changed since then is newer. */
  startedAt: number;
  /** The build's options as the command line gave them (without the environment and the replay key). */
  options: Record<string, unknown>;
  /** Told the entry's name once its files are written, before the launcher's index is updated. */
  onEntryWritten?: (name: string) => void;
}): Promise<void> {
  const { keyText, resolved, plan, replayable } = input;
  const validFrom = input.startedAt;
  const { prepared, rustcArgs, preparation } = replayable;
  // A header that would shadow one the helpers read cannot be seen without the compile's probes.
  if (!prepared.probes) throw new Error("a helper compile recorded no include probes (uncached)");
  const probes = prepared.probes;
  const set = await prepareHelperSet(plan.plugin, prepared.helpersBitcode);
  const command = pluginRustcCommand(plan.plugin.rustc, rustcArgs, set, plan.plugin, resolved.cwd, { RUSTC_BOOTSTRAP: resolved.env.RUSTC_BOOTSTRAP }, `${STAGE}/record.jsonl`);
  const rustup = rustupSelectionFiles(resolved.cwd, resolved.env);
  const rustc = plan.toolchain.rustc;
  const clang = plan.toolchain.tools.clang?.path;
  const dependencies = [
    ...prepared.dependencies.map((d) => resolve(resolved.cwd, d)),
    ...(input.helpersConfig ? [resolve(resolved.cwd, input.helpersConfig)] : []),
    plan.plugin.path,
    ...(rustc ? [rustc.path.includes("/") ? rustc.path : "", ...rustcFiles(rustc.sysroot)].filter(Boolean) : []),
    ...(clang && clang.includes("/") ? [clang] : []),
    ...rustup.present,
  ];
  const unique = [...new Set(dependencies)];
  // Not the plugin's build: every build links it into a helper set and unlinks it again, which
  // changes its ctime; its path names its source and LLVM, and the launcher checks its date.
  const identities = await Promise.all(unique.filter((path) => path !== plan.plugin.path).map(identityOf));
  const unreadable = identities.indexOf(undefined);
  if (unreadable >= 0) throw new Error(`${unique.filter((path) => path !== plan.plugin.path)[unreadable]} cannot be stat'ed`);
  // Where the command names rustup's proxy: the toolchain's rustc, as the proxy starts it
  // (src/toolchain/rustupProxy.ts); its choice of toolchain is among the dependencies below.
  const bypass = replayable.bypass;
  const entry: Omit<ReplayEntry, "format"> = {
    keyText,
    options: input.options,
    rustc: {
      file: bypass?.rustc ?? command.file,
      args: [...command.args],
      env: { ...(command.env ?? {}), LOCAL_LTO_PLUGIN_WAIT_MS: undefined, ...(bypass?.set ?? {}) },
      ...(bypass ? { environmentBefore: bypass.before } : {}),
    },
    plan: { reason: plan.reason, pluginPath: plan.plugin.path, pluginLlvmVersion: plan.plugin.llvmVersion, toolchain: input.toolchain ?? {} },
    prepared: { helperNames: prepared.helperNames, safetyChecks: prepared.safetyChecks, reconciliation: prepared.reconciliation, helperBitcode: prepared.helperBitcode, triple: prepared.triple },
    notes: preparation.notes,
    warnings: preparation.warnings,
    dependencies: unique,
    absent: [...new Set([...rustup.absent, ...shadowingRustc(rustc, resolved.env.PATH, resolved.cwd), ...probes.filter(([, existed]) => !existed).map(([path]) => resolve(resolved.cwd, path))])],
    present: [set.pluginPath, set.helpersPath, ...probes.filter(([, existed]) => existed).map(([path]) => resolve(resolved.cwd, path))],
    identities: identities as FileIdentity[],
  };
  // Written again even when unchanged: its date must be after every dependency's.
  await writeReplayEntry(resolved.env, entry, validFrom, input.onEntryWritten);
}
