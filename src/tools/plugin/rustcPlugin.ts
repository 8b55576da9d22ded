/**
 * The adapter for local-lto's rustc pass plugin (plugin/link_helpers.cpp, docs/PLUGIN.md): finds
 * the C++ compiler and LLVM headers of rustc's LLVM major, builds the plugin into a cache keyed by
 * rustc's exact LLVM version and the plugin's source, and checks that this rustc loads it and
 * links a helper with it. It never throws for a missing prerequisite: it says why not.
 */
import { writeCacheFile } from "../../files/writeAtomically.js";
import { packagePath } from "../../packageRoot.js";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, open, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { debugLog } from "../../diagnostics/debugLog.js";
import { readElf, symbolState, type ElfFile } from "../../elf/index.js";
import { pluginInstallDir } from "../../toolchain/cacheDir.js";
import { parsePluginRecord } from "./pluginRecord.js";
import { processExists } from "../../process/signals.js";
import { pluginFileName, prepareHelperSet } from "./helperSet.js";
import { formatCommand, runTool, type ToolRun } from "../../process/run.js";
import { findExecutable } from "../../toolchain/findExecutable.js";
import { parseLlvmToolVersion, parseRustcVersion, type RustcVersion, type Version } from "../../toolchain/versions.js";
import { sha256Hex } from "../../files/contentHash.js";

const debugPlugin = debugLog("local-lto:plugin");

/** The plugin's source, beside `src/` and `dist/` alike (package.json ships `plugin/`). */
export const pluginSourcePath = packagePath("plugin/link_helpers.cpp");

export { pluginFileName };

/** Bump when the build flags or the cache layout change: old builds are then simply not found. */
const BUILD_FORMAT = "local-lto rustc plugin 1";
/** The ready record's and the load check marker's format: 2 adds manglingPin. */
const CHECK_FORMAT = 2;
const LOCK_STALE_MS = 300_000;
const LOCK_WAIT_MS = 180_000;

export interface RustcPluginOptions {
  /** rustc to build for and load-test with (a path or a name on PATH). */
  rustc: string;
  /** Environment to find tools and the cache in; the default is process.env. Never changed. */
  env?: NodeJS.ProcessEnv;
  /** Where builds go; default LOCAL_LTO_PLUGIN_DIR, else `$XDG_CACHE_HOME/local-lto/plugin` (toolchain/cacheDir.ts). */
  cacheDir?: string;
  /** false: only find an existing build, never start the C++ compiler (for `doctor`). */
  build?: boolean;
  /**
   * Trust the ready record of an earlier build and load check for this rustc build (default: when
   * building). The link path sets it with `build: false`: a cheap lookup, never a build.
   */
  useReadyRecord?: boolean;
  /** rustc's `-vV` as the caller already read it (with `text`): saves asking again. */
  rustcVersion?: RustcVersion;
  /** Overrides for tests and unusual layouts. */
  clangxx?: string;
  llvmConfig?: string;
  source?: string;
}

export interface RustcPlugin {
  /** The built plugin (in the build cache; rustc loads a link to it in a helper-set directory). */
  path: string;
  /** Build directory: `<cacheDir>/llvm-<version>-<key>`; helper sets live under it. */
  dir: string;
  rustc: string;
  rustcVersion: RustcVersion;
  /** rustc's exact LLVM version, e.g. `22.1.2`. */
  llvmVersion: string;
  /** Stable and beta rustc accept `-Z` only with RUSTC_BOOTSTRAP=1 in their environment. */
  needsBootstrap: boolean;
  /**
   * The symbol mangling this rustc uses on its own, when RUSTC_BOOTSTRAP=1 changes it (rustc then
   * takes itself for a nightly, which mangles with v0): stable 1.95 mangles `legacy`. Read by the
   * load check from two compiles of one probe crate, with and without RUSTC_BOOTSTRAP, so that a
   * stable rustc whose own default is v0 is not pinned to legacy. Unset: nothing to pin.
   */
  manglingPin?: Mangling;
  /** Built by this call (false: found in the cache). */
  built: boolean;
  clangxx: string;
  llvmConfig: string;
  /** The LLVM headers' version (Debian's llvm-N-dev, e.g. 22.1.8): may differ from rustc's fork. */
  headersVersion: string;
}

export type Mangling = "legacy" | "v0";

export type PluginUnavailableReason = "rustc-failed" | "no-llvm" | "no-headers" | "no-clangxx" | "not-built" | "build-failed" | "load-failed";

export interface PluginUnavailable {
  reason: PluginUnavailableReason;
  /** One line: the cause. */
  message: string;
  /** One line: what to do. */
  fix: string;
  /** Compiler or rustc output, when there is some. */
  details?: string;
}

export type RustcPluginResult = { ok: true; plugin: RustcPlugin } | { ok: false; problem: PluginUnavailable };

/** The environment a rustc needs to load the plugin: RUSTC_BOOTSTRAP=1 for stable and beta only. */
export function pluginRustcEnv(plugin: Pick<RustcPlugin, "needsBootstrap">): Record<string, string> {
  return plugin.needsBootstrap ? { RUSTC_BOOTSTRAP: "1" } : {};
}

/** Nightly and locally built (`-dev`) rustc accept `-Z` as they are. */
export function rustcNeedsBootstrap(version: RustcVersion): boolean {
  return !/-(nightly|dev)\b/.test(version.release.text);
}

/** The compiler flags of the plugin build, without the source and output. Pure. */
export function pluginCompileArgs(llvmCxxFlags: readonly string[], version: string): string[] {
  return [
    ...llvmCxxFlags,
    // LLVM is built without RTTI: the plugin's classes derive from LLVM's and must match.
    "-fno-rtti",
    "-fPIC",
    "-O2",
    "-g0",
    "-shared",
    // No libLLVM on the link line: LLVM's symbols bind to rustc's own libLLVM when rustc loads
    // the plugin. Linking Debian's libLLVM would load a second LLVM into rustc.
    "-Wl,-z,undefs",
    `-DLOCAL_LTO_PLUGIN_VERSION="${version}"`,
  ];
}

interface LlvmDev {
  llvmConfig: string;
  version: Version;
  includeDir: string;
  cxxFlags: string[];
}

function llvmRoot(env: NodeJS.ProcessEnv): string {
  return env.LOCAL_LTO_SYSTEM_LLVM_ROOT ?? "/usr/lib";
}

function candidates(names: string[], env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  for (const name of names) {
    const path = findExecutable(name, env.PATH);
    if (path && !found.includes(path)) found.push(path);
  }
  return found;
}

/** llvm-config of LLVM `major` whose headers include the pass-plugin API and the IR linker. */
async function findLlvmDev(major: number, env: NodeJS.ProcessEnv, override?: string): Promise<LlvmDev | PluginUnavailable> {
  const explicit = override ?? env.LOCAL_LTO_LLVM_CONFIG;
  const paths = explicit ? candidates([explicit], env) : candidates([`${llvmRoot(env)}/llvm-${major}/bin/llvm-config`, `llvm-config-${major}`, "llvm-config"], env);
  const seen: string[] = [];
  for (const path of paths) {
    // llvm-config answers in the order asked.
    const run = await runTool({ file: path, args: ["--version", "--includedir", "--cxxflags"], env });
    if (run.exitCode !== 0) continue;
    const [versionLine = "", includeDir = "", flags = ""] = run.stdout.split("\n").map((line) => line.trim());
    const version = parseLlvmToolVersion(`LLVM version ${versionLine}`);
    if (!version) continue;
    seen.push(`${path} (LLVM ${versionLine})`);
    if (version.major !== major) continue;
    const pluginHeader = ["llvm/Plugins/PassPlugin.h", "llvm/Passes/PassPlugin.h"].some((h) => existsSync(join(includeDir, h)));
    if (!pluginHeader || !existsSync(join(includeDir, "llvm/Linker/Linker.h"))) {
      seen.push(`${includeDir} (no pass-plugin or linker headers)`);
      continue;
    }
    return { llvmConfig: path, version, includeDir, cxxFlags: flags.split(/\s+/).filter(Boolean) };
  }
  return {
    reason: "no-headers",
    message: `no LLVM ${major} development headers (rustc's LLVM major) found${seen.length ? `: saw ${seen.join(", ")}` : ""}`,
    fix: `install llvm-${major}-dev (Debian: apt-get install llvm-${major}-dev), or set LOCAL_LTO_LLVM_CONFIG to an LLVM ${major} llvm-config`,
  };
}

async function findClangxx(major: number, env: NodeJS.ProcessEnv, override?: string): Promise<{ path: string; version: Version } | PluginUnavailable> {
  const explicit = override ?? env.LOCAL_LTO_CLANGXX;
  const paths = explicit ? candidates([explicit], env) : candidates([`${llvmRoot(env)}/llvm-${major}/bin/clang++`, `clang++-${major}`, "clang++"], env);
  const seen: string[] = [];
  for (const path of paths) {
    const run = await runTool({ file: path, args: ["--version"], env });
    const version = run.exitCode === 0 ? parseLlvmToolVersion(run.stdout) : undefined;
    if (!version) continue;
    seen.push(`${path} (${version.text})`);
    // Same major as the headers: it also compiles the load check's C helper to bitcode that
    // rustc's LLVM must read.
    if (version.major === major) return { path, version };
  }
  return {
    reason: "no-clangxx",
    message: `no clang++ ${major} found to build the rustc plugin${seen.length ? `: saw ${seen.join(", ")}` : ""}`,
    fix: `install clang-${major} (Debian: apt-get install clang-${major}), or set LOCAL_LTO_CLANGXX`,
  };
}

function isUnavailable(value: object): value is PluginUnavailable {
  return "reason" in value;
}

/** The cache key: what makes one build differ from another. Pure. */
export function pluginBuildKey(parts: { source: string; llvmVersion: string; headersVersion: string; clangxxVersion: string; args: readonly string[] }): string {
  return sha256Hex(JSON.stringify([BUILD_FORMAT, parts.source, parts.llvmVersion, parts.headersVersion, parts.clangxxVersion, parts.args])).slice(0, 16);
}

/** One build per directory at a time: parallel builds (test workers, cargo jobs) wait for it. */
async function withLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const [info, owner] = await Promise.all([stat(lockPath).catch(() => undefined), readFile(lockPath, "utf8").catch(() => "")]);
    const pid = Number(owner);
    if (info && (Date.now() - info.mtimeMs > LOCK_STALE_MS || (pid > 0 && !processExists(pid)))) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) break; // give up waiting: build anyway (renames keep it safe)
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

/**
 * The plugin for `options.rustc`, built if needed (unless `build: false`) and load-tested once per
 * rustc build (`rustc -vV`'s commit); or why it cannot be had.
 */
export async function ensureRustcPlugin(options: RustcPluginOptions): Promise<RustcPluginResult> {
  const env = options.env ?? process.env;
  const rustcRun: Pick<ToolRun, "exitCode" | "stdout" | "stderr" | "spawnError"> = options.rustcVersion?.text
    ? { exitCode: 0, stdout: options.rustcVersion.text, stderr: "", spawnError: null }
    : await runTool({ file: options.rustc, args: ["-vV"], env });
  const rustcVersion = rustcRun.exitCode === 0 ? parseRustcVersion(rustcRun.stdout) : undefined;
  if (!rustcVersion) {
    return { ok: false, problem: { reason: "rustc-failed", message: `${options.rustc} -vV failed${rustcRun.spawnError ? ` (${rustcRun.spawnError})` : ""}`, fix: "check the rustc path", details: rustcRun.stderr.trim() || undefined } };
  }
  const llvm = rustcVersion.llvm;
  if (!llvm) {
    return { ok: false, problem: { reason: "no-llvm", message: `${options.rustc} does not use the LLVM backend`, fix: "use a rustc built with LLVM (rustup's are)" } };
  }
  const llvmVersion = `${llvm.major}.${llvm.minor}.${llvm.patch}`;
  const sourcePath = options.source ?? pluginSourcePath;
  let source: string;
  try {
    source = await readFile(sourcePath, "utf8");
  } catch (error) {
    return { ok: false, problem: { reason: "build-failed", message: `cannot read the plugin source ${sourcePath}: ${(error as Error).message}`, fix: "reinstall local-lto (its plugin/ folder is missing)" } };
  }
  // A plugin built and load-checked for this rustc build before: no need to ask llvm-config and
  // clang++ again (about 120 ms); headers or clang++ upgraded later do not unmake a plugin that loads.
  const ready = readyRecordPath(options, env, rustcRun.stdout, source);
  const known = (options.useReadyRecord ?? options.build !== false) ? await readReadyRecord(ready, options.rustc, rustcVersion) : undefined;
  if (known) return { ok: true, plugin: known };
  const [dev, clangxx] = await Promise.all([findLlvmDev(llvm.major, env, options.llvmConfig), findClangxx(llvm.major, env, options.clangxx)]);
  if (isUnavailable(dev)) return { ok: false, problem: dev };
  if (isUnavailable(clangxx)) return { ok: false, problem: clangxx };
  const headersVersion = `${dev.version.major}.${dev.version.minor}.${dev.version.patch}`;
  const key = pluginBuildKey({ source, llvmVersion, headersVersion, clangxxVersion: clangxx.version.text, args: pluginCompileArgs(dev.cxxFlags, "") });
  const cacheDir = options.cacheDir ?? pluginInstallDir(env);
  const dir = join(cacheDir, `llvm-${llvmVersion}-${key}`);
  const pluginPath = join(dir, pluginFileName);
  const plugin: RustcPlugin = {
    path: pluginPath,
    dir,
    rustc: options.rustc,
    rustcVersion,
    llvmVersion,
    needsBootstrap: rustcNeedsBootstrap(rustcVersion),
    built: false,
    clangxx: clangxx.path,
    llvmConfig: dev.llvmConfig,
    headersVersion,
  };
  // The load check is remembered per rustc build: one rustc commit is one libLLVM.
  const checkedMarker = join(dir, `loaded-v${CHECK_FORMAT}-by-${sha256Hex(rustcRun.stdout).slice(0, 16)}`);
  const checked = existsSync(pluginPath) ? await readCheckMarker(checkedMarker) : undefined;
  if (checked) {
    Object.assign(plugin, checked);
    if (options.build !== false) await writeReadyRecord(ready, plugin);
    return { ok: true, plugin };
  }
  if (options.build === false && !existsSync(pluginPath)) {
    return { ok: false, problem: { reason: "not-built", message: `the rustc plugin for LLVM ${llvmVersion} is not built yet`, fix: "run node scripts/build-plugin.mjs in local-lto's folder (scripts/setup.sh does)" } };
  }

  await mkdir(dir, { recursive: true });
  return withLock<RustcPluginResult>(join(dir, "build.lock"), async () => {
    if (!existsSync(pluginPath)) {
      const failure = await compilePlugin(plugin, dev, sourcePath, env);
      if (failure) return { ok: false, problem: failure };
      plugin.built = true;
    }
    const again = await readCheckMarker(checkedMarker);
    if (again) return { ok: true, plugin: Object.assign(plugin, again) };
    const check = await checkPluginLoads(plugin, env);
    if ("problem" in check) return { ok: false, problem: check.problem };
    if (check.manglingPin) plugin.manglingPin = check.manglingPin;
    await writeFile(checkedMarker, JSON.stringify({ format: CHECK_FORMAT, rustcVv: rustcRun.stdout, manglingPin: check.manglingPin ?? null }));
    return { ok: true, plugin };
  }).then(async (result) => {
    if (result.ok) await writeReadyRecord(ready, result.plugin);
    return result;
  });
}

/** What identifies "this plugin source, built as these overrides say, for this rustc build" (pure). */
function readyRecordPath(options: RustcPluginOptions, env: NodeJS.ProcessEnv, rustcVv: string, source: string): string {
  const overrides = [options.clangxx ?? env.LOCAL_LTO_CLANGXX ?? "", options.llvmConfig ?? env.LOCAL_LTO_LLVM_CONFIG ?? "", env.LOCAL_LTO_SYSTEM_LLVM_ROOT ?? ""];
  const key = sha256Hex(JSON.stringify([BUILD_FORMAT, CHECK_FORMAT, rustcVv, sha256Hex(source), overrides])).slice(0, 32);
  return join(options.cacheDir ?? pluginInstallDir(env), "ready", `${key}.json`);
}

type ReadyRecord = Omit<RustcPlugin, "rustc" | "rustcVersion" | "built">;

async function readReadyRecord(path: string, rustc: string, rustcVersion: RustcVersion): Promise<RustcPlugin | undefined> {
  try {
    const record = JSON.parse(await readFile(path, "utf8")) as ReadyRecord;
    if (!existsSync(record.path)) return undefined;
    return { ...record, rustc, rustcVersion, built: false };
  } catch {
    return undefined;
  }
}

/** What an earlier load check for this rustc build found; undefined if there was none (or an older one). */
async function readCheckMarker(path: string): Promise<Pick<RustcPlugin, "manglingPin"> | undefined> {
  try {
    const marker = JSON.parse(await readFile(path, "utf8")) as { format: number; manglingPin: Mangling | null };
    if (marker.format !== CHECK_FORMAT) return undefined;
    return marker.manglingPin ? { manglingPin: marker.manglingPin } : {};
  } catch {
    return undefined;
  }
}

/** Best effort: without it the next run asks the tools again. */
async function writeReadyRecord(path: string, plugin: RustcPlugin): Promise<void> {
  const { rustc: _rustc, rustcVersion: _version, built: _built, ...record } = plugin;
  await writeCacheFile(path, JSON.stringify(record satisfies ReadyRecord));
}

async function compilePlugin(plugin: RustcPlugin, dev: LlvmDev, sourcePath: string, env: NodeJS.ProcessEnv): Promise<PluginUnavailable | undefined> {
  const staged = `${plugin.path}.${process.pid}.tmp`;
  const args = [...pluginCompileArgs(dev.cxxFlags, `${plugin.llvmVersion}+${plugin.dir.slice(-16)}`), sourcePath, "-o", staged];
  debugPlugin("building %s", formatCommand({ file: plugin.clangxx, args }));
  const run = await runTool({ file: plugin.clangxx, args, env });
  if (run.exitCode !== 0) {
    await rm(staged, { force: true });
    return {
      reason: "build-failed",
      message: `building the rustc plugin with ${plugin.clangxx} against LLVM ${plugin.headersVersion} headers failed (exit ${run.exitCode ?? run.signal ?? run.spawnError})`,
      fix: "report it with the compiler output below; local-lto falls back to its own pipeline meanwhile",
      details: `${formatCommand(run.command)}\n${run.stderr.trim()}`,
    };
  }
  await rename(staged, plugin.path);
  return undefined;
}

/** A tiny crate calling one C helper, compiled by this rustc with the plugin: it must load, link
 * the helper and leave no symbol of it. Catches a plugin whose LLVM symbols rustc's libLLVM lacks
 * (the loader checks only the API version and symbol presence, docs/PLUGIN.md). */
async function checkPluginLoads(plugin: RustcPlugin, env: NodeJS.ProcessEnv): Promise<{ problem: PluginUnavailable } | { manglingPin?: Mangling }> {
  const work = await mkdtemp(join(plugin.dir, "load-check-"));
  try {
    const helperC = join(work, "probe.c");
    const helperBc = join(work, "probe.bc");
    const crate = join(work, "probe.rs");
    const object = join(work, "probe.o");
    const record = join(work, "record.jsonl");
    await writeFile(helperC, "unsigned local_lto_probe_helper(unsigned x) { return x * 3u + 1u; }\n");
    await writeFile(
      crate,
      'extern "C" { fn local_lto_probe_helper(x: u32) -> u32; }\n#[no_mangle]\npub extern "C" fn local_lto_probe(x: u32) -> u32 { unsafe { local_lto_probe_helper(x) } }\n' +
        // A mangled name: how this rustc mangles, with RUSTC_BOOTSTRAP and without.
        // (#[inline(never)]: rustc emits a small function only where it is used, otherwise.)
        "#[inline(never)]\npub fn local_lto_probe_mangled(x: u32) -> u32 { x.rotate_left(3) }\n",
    );
    const cc = await runTool({ file: plugin.clangxx, args: ["-x", "c", "-O2", "-c", "-emit-llvm", `--target=${plugin.rustcVersion.host}`, helperC, "-o", helperBc], env });
    if (cc.exitCode !== 0) return { problem: loadFailed(plugin, cc, "compiling the load check's C helper failed") };
    const set = await prepareHelperSet(plugin, helperBc, { dir: join(work, "set") });
    const rustcArgs = ["--crate-type=lib", "--emit=obj", "-O", crate];
    const rustc = await runTool({
      file: plugin.rustc,
      args: [...rustcArgs, `-Zllvm-plugins=${set.pluginPath}`, "-o", object],
      // Where local-lto runs, not in the check's directory: rustup's proxy chooses the toolchain
      // by the directory (a rust-toolchain.toml), and the check must load the plugin into the rustc
      // the build will use (a user trial: a project's nightly was checked with the default stable).
      // Every path given is absolute; rustc writes only the object.
      cwd: process.cwd(),
      env: { ...env, ...pluginRustcEnv(plugin), LOCAL_LTO_PLUGIN_RECORD: record },
    });
    if (rustc.exitCode !== 0) return { problem: loadFailed(plugin, rustc, `rustc ${plugin.rustcVersion.release.text.replace(/^rustc /, "")} could not use the plugin`) };
    const linked = parsePluginRecord(await readFile(record, "utf8").catch(() => ""));
    const elf = readElf(new Uint8Array(await readFile(object)));
    const state = symbolState(elf, "local_lto_probe_helper");
    if (!linked.some((m) => m.helpers.includes("local_lto_probe_helper")) || state !== "absent") {
      return { problem: loadFailed(plugin, rustc, `the plugin loaded but did not link the probe helper (record: ${linked.length} line(s), symbol ${state})`) };
    }
    if (!plugin.needsBootstrap) return {};
    // The same crate as the user's builds run it: no plugin, no RUSTC_BOOTSTRAP.
    const plainObject = join(work, "plain.o");
    const { RUSTC_BOOTSTRAP: _bootstrap, ...plainEnv } = env;
    const plain = await runTool({ file: plugin.rustc, args: [...rustcArgs, "-o", plainObject], cwd: process.cwd(), env: plainEnv });
    if (plain.exitCode !== 0) return { problem: loadFailed(plugin, plain, "the load check's plain compile failed") };
    const own = probeMangling(readElf(new Uint8Array(await readFile(plainObject))));
    const bootstrapped = probeMangling(elf);
    return own && own !== bootstrapped ? { manglingPin: own } : {};
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** How the probe crate's mangled function is named: `_ZN…` legacy, `_R…` v0. */
function probeMangling(elf: ElfFile): Mangling | undefined {
  const name = elf.symbols.find((s) => s.type === "FUNC" && s.name.includes("local_lto_probe_mangled"))?.name;
  return name?.startsWith("_ZN") ? "legacy" : name?.startsWith("_R") ? "v0" : undefined;
}

function loadFailed(plugin: RustcPlugin, run: ToolRun, message: string): PluginUnavailable {
  return {
    reason: "load-failed",
    message: `${message} (plugin built with LLVM ${plugin.headersVersion} headers for rustc's LLVM ${plugin.llvmVersion})`,
    fix: "report it with the output below; local-lto falls back to its own pipeline meanwhile",
    details: `${formatCommand(run.command)}\n${run.stderr.trim()}`,
  };
}
