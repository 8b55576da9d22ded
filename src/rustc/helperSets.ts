/**
 * Prepared helper sets for the rustc mode, one per (configuration, rustc, target flags), under
 * `<target-dir>/local-lto/sets/<key>/`: the vetted, reconciled bitcode the plugin links from
 * (preparePluginHelpers), and a manifest with everything a later rustc run needs without preparing
 * again. A set is used while none of its dependencies (configuration files, helper sources, every
 * header they read, pkg-config files) is newer than the time its preparation started; a lock makes
 * parallel rustc runs (Cargo's jobs) prepare a set once.
 *
 * Each set also gives the launcher (bin/local-lto) an entry, `<target-dir>/local-lto/launch/<key>`
 * under the launcher's own key, so that later compiles reach rustc with the plugin without Node.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, readdir, rename, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import lockfile from "proper-lockfile";
import { LocalLtoError } from "../diagnostics/errors.js";
import { preparePluginHelpers } from "../pipeline/plugin/preparePluginHelpers.js";
import { createWorkspace } from "../pipeline/workspace.js";
import type { HelperBitcodeReport } from "../report/schema.js";
import type { SafetyCheckResult } from "../safety/types.js";
import { defaultCacheDir } from "../toolchain/cacheDir.js";
import { requireTools, resolveToolchain } from "../toolchain/resolveToolchain.js";
import { pkgConfigCflags } from "../tools/pkgConfig.js";
import { prepareHelperSet } from "../tools/plugin/helperSet.js";
import { ensureRustcPlugin } from "../tools/plugin/rustcPlugin.js";
import { runTool } from "../process/run.js";
import { localLtoVersion } from "../version.js";
import type { RustcConfig } from "./config/loadConfig.js";

const SET_FORMAT = 1;
const LOCK_STALE_MS = 30_000;

export interface SetManifest {
  format: typeof SET_FORMAT;
  key: string;
  /** When preparation started (ms since the epoch): a dependency newer than this makes the set stale. */
  preparedAt: number;
  helperNames: string[];
  /** Configuration files, helper sources, every header they read, pkg-config files: absolute paths. */
  dependencies: string[];
  triple: string;
  /** What rustc gets: `-Zllvm-plugins=<pluginPath>` (a content-named helper-set directory, docs/PLUGIN.md). */
  pluginPath: string;
  /** Stable or beta rustc: RUSTC_BOOTSTRAP=1 in its environment, and the legacy-mangling pin. */
  needsBootstrap: boolean;
  llvmVersion: string;
  safetyChecks: SafetyCheckResult[];
  reconciliation: string[];
  helperBitcode: HelperBitcodeReport[];
  notes: string[];
}

export interface PreparedSet {
  dir: string;
  manifest: SetManifest;
  /** true: prepared by this call; false: found ready. */
  prepared: boolean;
}

export interface HelperSetRequest {
  config: RustcConfig;
  /** rustc as Cargo gave it (a toolchain's own rustc, or a name on PATH). */
  rustc: string;
  /** helperSetArgs(): the crate's flags that matter to the set. */
  setArgs: readonly string[];
  /** The configuration's cfg-defines this crate is built with (`--cfg MODULE`): `-D` flags for its helpers. */
  defines: readonly string[];
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
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
  return sha256(JSON.stringify(data)).slice(0, 24);
}

async function readManifest(dir: string): Promise<SetManifest | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as SetManifest;
    return manifest.format === SET_FORMAT ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a prepared set can be used as it is: its plugin is there and no dependency changed since. */
export async function isFresh(manifest: SetManifest): Promise<boolean> {
  if (!existsSync(manifest.pluginPath)) return false;
  const times = await Promise.all(manifest.dependencies.map((d) => stat(d).then((s) => s.mtimeMs, () => Infinity)));
  return times.every((t) => t <= manifest.preparedAt);
}

/** `pkg-config --path`: the .pc files whose change changes the flags (best effort: not every pkg-config has it). */
async function pkgConfigFiles(names: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const name of names) {
    const run = await runTool({ file: env.PKG_CONFIG ?? "pkg-config", args: ["--path", name], env, cwd });
    if (run.exitCode === 0 && run.stdout.trim()) files.push(resolve(cwd, run.stdout.trim()));
  }
  return files;
}

function pluginUnavailable(message: string, fix: string, details?: string): LocalLtoError {
  return new LocalLtoError({ code: "LLTO_PLUGIN_UNAVAILABLE", exit: "toolchainMismatch", message: `the rustc mode needs local-lto's rustc plugin: ${message}`, fix, details });
}

/** Prepares the set (the caller holds the lock). */
async function prepare(request: HelperSetRequest, key: string, dir: string): Promise<SetManifest> {
  const { config, rustc, env } = request;
  const preparedAt = Date.now();
  const found = await ensureRustcPlugin({ rustc, env });
  if (!found.ok) throw pluginUnavailable(found.problem.message, found.problem.fix, found.problem.details);
  const plugin = found.plugin;
  const toolchain = await resolveToolchain({ rustc }, env);
  requireTools(toolchain, ["rustc", ...(config.helpers.some((h) => h.kind === "c-source") ? (["clang"] as const) : []), "llvmLink", "llvmDis", "opt", "llc"]);
  const ccArgs = [...(await pkgConfigCflags(config.pkgConfig, env, config.baseDir)), ...config.ccArgs, ...request.defines.map((d) => `-D${d}`), ...(config.helpersDebug === "none" ? ["-g0"] : [])];
  const workspace = await createWorkspace();
  const notes: string[] = [];
  try {
    const prepared = await preparePluginHelpers({
      helpers: config.helpers,
      ccArgs,
      helpersDebug: config.helpersDebug,
      cacheDir: defaultCacheDir(env),
      cwd: config.baseDir,
      env,
      allow: new Set(config.allow),
      helperNaming: config.helperNaming,
      reconcile: config.reconcile,
      nullPointerPolicy: config.nullPointerPolicy,
      rustc: { path: toolchain.rustc!.path, host: toolchain.rustc!.version.host },
      rustcArgs: request.setArgs,
      toolchain,
      workspace,
      notes,
      warnings: notes,
    });
    await mkdir(dir, { recursive: true });
    const helpersBc = join(dir, "helpers.bc");
    await copyFile(prepared.helpersBitcode, `${helpersBc}.tmp`);
    await rename(`${helpersBc}.tmp`, helpersBc);
    const set = await prepareHelperSet(plugin, helpersBc, { dir: join(request.stateDir, "plugin", sha256(await readFile(helpersBc)).slice(0, 32)) });
    const dependencies = [...new Set([...config.files, ...prepared.dependencies.map((d) => resolve(config.baseDir, d)), ...(await pkgConfigFiles(config.pkgConfig, env, config.baseDir))])].sort();
    const manifest: SetManifest = {
      format: SET_FORMAT,
      key,
      preparedAt,
      helperNames: prepared.helperNames,
      dependencies,
      triple: prepared.triple,
      pluginPath: set.pluginPath,
      needsBootstrap: plugin.needsBootstrap,
      llvmVersion: plugin.llvmVersion,
      safetyChecks: prepared.safetyChecks,
      reconciliation: prepared.reconciliation,
      helperBitcode: prepared.helperBitcode,
      notes,
    };
    await writeFile(join(dir, "manifest.json.tmp"), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(join(dir, "manifest.json.tmp"), join(dir, "manifest.json"));
    return manifest;
  } finally {
    await workspace.dispose();
  }
}

/** The prepared set for this configuration, rustc and target flags: found ready, or prepared once under a lock. */
export async function ensureHelperSet(request: HelperSetRequest): Promise<PreparedSet> {
  const rustcId = await rustcIdentity(request.rustc, request.env);
  const key = helperSetKey(request.config, rustcId, request.setArgs, request.defines, request.env);
  const dir = join(request.stateDir, "sets", key);
  const ready = await readManifest(dir);
  if (ready && (await isFresh(ready))) return { dir, manifest: ready, prepared: false };
  await mkdir(dirname(dir), { recursive: true });
  const release = await lockfile.lock(dir, { realpath: false, stale: LOCK_STALE_MS, lockfilePath: `${dir}.lock`, retries: { retries: 1200, minTimeout: 100, maxTimeout: 250 } });
  try {
    const again = await readManifest(dir);
    if (again && (await isFresh(again))) return { dir, manifest: again, prepared: false };
    return { dir, manifest: await prepare(request, key, dir), prepared: true };
  } finally {
    await release().catch(() => undefined);
  }
}

/** What the launcher reads (bin/local-lto, `llto_read_entry`): one fact per line. */
export type LaunchEntry =
  | { action: "plugin"; pluginPath: string; bootstrap: boolean; crates?: readonly string[]; dependencies: readonly string[]; absent: readonly string[] }
  | { action: "plain"; dependencies: readonly string[]; absent: readonly string[] };

/** The entry's text (pure). */
export function launchEntryText(entry: LaunchEntry, keyText: string): string {
  // The launcher compares the key text too: its key is a checksum, and checksums collide.
  const lines = ["local-lto-launch 1", `keytext ${keyText}`];
  if (entry.action === "plugin") {
    lines.push(`plugin ${entry.pluginPath}`, `bootstrap ${entry.bootstrap ? 1 : 0}`, `crates ${entry.crates ? entry.crates.join(" ") : "*"}`);
  } else {
    lines.push("plain");
  }
  for (const d of entry.dependencies) lines.push(`dep ${d}`);
  for (const a of entry.absent) lines.push(`absent ${a}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the launcher's entry under the key the launcher computed (LOCAL_LTO_LAUNCH_KEY), dated
 * `validFrom` (when the facts in it were read): a dependency changed after that is newer than
 * the entry, and the launcher hands the next compile to Node again.
 */
export async function writeLaunchEntry(stateDir: string, launch: { key: string; text: string }, entry: LaunchEntry, validFrom: number): Promise<void> {
  const launchKey = launch.key;
  if (!/^[0-9A-Za-z_-]+$/.test(launchKey) || launch.text.includes("\n")) return;
  const dir = join(stateDir, "launch");
  await mkdir(dir, { recursive: true });
  const path = join(dir, launchKey);
  const staged = `${path}.${process.pid}.tmp`;
  await writeFile(staged, launchEntryText(entry, launch.text));
  const when = new Date(validFrom);
  await utimes(staged, when, when);
  await rename(staged, path);
}
