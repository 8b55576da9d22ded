/**
 * Prepared helper sets for the rustc mode, one per (configuration, rustc, target flags), under
 * `<target-dir>/local-lto/sets/<key>/`: the vetted, reconciled bitcode the plugin links from
 * (preparePluginHelpers), and a manifest with everything a later rustc run needs without preparing
 * again. A set is used while none of its dependencies (configuration files, helper sources, every
 * header they read, pkg-config files) is newer than the time its preparation started; a lock makes
 * parallel rustc runs (Cargo's jobs) prepare a set once.
 *
 * Each set also gives the launcher (bin/local-lto) an entry (launchEntries.ts), so that later
 * compiles reach rustc with the plugin without Node.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, readdir, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { runTool } from "../process/run.js";
import { defaultCacheDir } from "../toolchain/cacheDir.js";
import { prepareHelperSet } from "../tools/plugin/helperSet.js";
import { localLtoVersion } from "../version.js";
import type { RustcConfig } from "./config/loadConfig.js";
import { SET_FORMAT, type HelperSetRequest, type SetManifest } from "./setManifest.js";
import { sha256Hex } from "../files/contentHash.js";

export { SET_FORMAT, type HelperSetRequest, type SetManifest };

const LOCK_STALE_MS = 30_000;

export interface PreparedSet {
  dir: string;
  manifest: SetManifest;
  /** true: prepared by this call; false: found ready. */
  prepared: boolean;
}

/**
 * What identifies a rustc build without running it: for a toolchain's own rustc, the name of its
 * `librustc_driver-<hash>.so` (new for every rustc build) and the binary's size and time; for a
 * proxy or a name on PATH (rustup's `rustc`), its `-vV` answer.
 */
export async function rustcIdentity(rustc: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (rustc.includes("/")) {
    const lib = join(dirname(rustc), "..", "lib");
    const drivers = (await readdir(lib).catch(() => [] as string[])).filter((f) => /^librustc_driver-.*\.so$/.test(f));
    const info = await stat(rustc).catch(() => undefined);
    if (drivers.length && info) return `${resolve(rustc)} ${drivers.sort().join(",")} ${info.size} ${info.mtimeMs}`;
  }
  const run = await runTool({ file: rustc, args: ["-vV"], env });
  return `${rustc} ${run.stdout}`;
}

/** The set's key (pure): every input that changes what preparation makes, except file contents, which `dependencies` track. */
export function helperSetKey(config: RustcConfig, rustcId: string, setArgs: readonly string[], defines: readonly string[], env: NodeJS.ProcessEnv): string {
  const data = {
    format: SET_FORMAT,
    localLto: localLtoVersion,
    rustc: rustcId,
    setArgs,
    defines,
    baseDir: config.baseDir,
    helpers: config.helpers,
    ccArgs: config.ccArgs,
    pkgConfig: config.pkgConfig,
    pkgConfigPath: config.pkgConfig.length ? (env.PKG_CONFIG_PATH ?? null) : null,
    naming: { prefix: config.helperNaming.prefix, suffix: config.helperNaming.suffix, pattern: config.helperNaming.pattern?.source },
    allow: [...config.allow].sort(),
    helpersDebug: config.helpersDebug,
    reconcile: config.reconcile,
    nullPointerPolicy: config.nullPointerPolicy,
  };
  return sha256Hex(JSON.stringify(data)).slice(0, 24);
}

/** Whether a prepared set can be used as it is: its plugin is there and no dependency changed since. */
export async function isFresh(manifest: SetManifest): Promise<boolean> {
  if (!existsSync(manifest.pluginPath)) return false;
  const times = await Promise.all(manifest.dependencies.map((d) => stat(d).then((s) => s.mtimeMs, () => Infinity)));
  return times.every((t) => t <= manifest.preparedAt);
}

/** The prepared set for this configuration, rustc and target flags: found ready, or prepared once under a lock. */
export async function ensureHelperSet(request: HelperSetRequest): Promise<PreparedSet> {
  const rustcId = await rustcIdentity(request.rustc, request.env);
  const key = helperSetKey(request.config, rustcId, request.setArgs, request.defines, request.env);
  const dir = join(request.stateDir, "sets", key);
  const ready = await readManifest(dir);
  if (ready && (await isFresh(ready))) return { dir, manifest: ready, prepared: false };
  await mkdir(dirname(dir), { recursive: true });
  // Loaded when a set must be made, not for the proof after a compile the launcher ran: proper-lockfile
  // brings graceful-fs, which patches node:fs (and loads its streams) as it loads.
  const { default: lockfile } = await import("proper-lockfile");
  const release = await lockfile.lock(dir, { realpath: false, stale: LOCK_STALE_MS, lockfilePath: `${dir}.lock`, retries: { retries: 1200, minTimeout: 100, maxTimeout: 250 } });
  try {
    const again = await readManifest(dir);
    if (again && (await isFresh(again))) return { dir, manifest: again, prepared: false };
    const restored = await restoreFromCache(request, key, dir);
    if (restored) return { dir, manifest: restored, prepared: false };
    // Preparing loads most of local-lto (compile, vet, reconcile): only when a set is missing or stale.
    const { prepareSet } = await import("./prepareSet.js");
    return { dir, manifest: await prepareSet(request, key, dir), prepared: true };
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * The set from local-lto's cache directory, when a build prepared the same set before (same key)
 * and none of its dependencies changed since: a clean build then costs a copy, not a preparation.
 * The helper-set directory rustc loads the plugin from is made again in this target directory.
 */
async function restoreFromCache(request: HelperSetRequest, key: string, dir: string): Promise<SetManifest | undefined> {
  const cached = join(defaultCacheDir(request.env), "rustc-sets", key);
  const manifest = await readManifest(cached);
  if (!manifest || !existsSync(manifest.pluginBuild)) return undefined;
  const times = await Promise.all(manifest.dependencies.map((d) => stat(d).then((s) => s.mtimeMs, () => Infinity)));
  if (!times.every((t) => t <= manifest.preparedAt)) return undefined;
  await mkdir(dir, { recursive: true });
  await copyFile(join(cached, "helpers.bc"), join(dir, "helpers.bc"));
  // The helper-set directory rustc loads the plugin from: the plugin's own place (docs/PLUGIN.md), named by content.
  const set = await prepareHelperSet({ path: manifest.pluginBuild, dir: dirname(manifest.pluginBuild) }, join(dir, "helpers.bc"));
  const restored: SetManifest = { ...manifest, pluginPath: set.pluginPath, restoredFrom: cached };
  await writeFile(join(dir, "manifest.json.tmp"), `${JSON.stringify(restored, null, 2)}\n`);
  await rename(join(dir, "manifest.json.tmp"), join(dir, "manifest.json"));
  return restored;
}

export async function readManifest(dir: string): Promise<SetManifest | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as SetManifest;
    return manifest.format === SET_FORMAT ? manifest : undefined;
  } catch {
    return undefined;
  }
}
