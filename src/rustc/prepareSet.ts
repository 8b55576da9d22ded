/**
 * Preparing a helper set (helperSets.ts): the helpers compiled, vetted and reconciled for this
 * rustc and these target flags (preparePluginHelpers), the plugin's content-named helper-set
 * directory made, the manifest written. Loaded only when a set is missing or stale.
 */
import { copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import { preparePluginHelpers } from "../pipeline/plugin/preparePluginHelpers.js";
import { createWorkspace } from "../pipeline/workspace.js";
import { runTool } from "../process/run.js";
import { defaultCacheDir } from "../toolchain/cacheDir.js";
import { requireTools, resolveToolchain } from "../toolchain/resolveToolchain.js";
import { pkgConfigCflags } from "../tools/pkgConfig.js";
import { prepareHelperSet } from "../tools/plugin/helperSet.js";
import { ensureRustcPlugin } from "../tools/plugin/rustcPlugin.js";
import { SET_FORMAT, type HelperSetRequest, type SetManifest } from "./setManifest.js";

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
  return new LocalLtoError({ code: "LLTO_PLUGIN_UNAVAILABLE", message: `the rustc mode needs local-lto's rustc plugin: ${message}`, fix, details });
}

/**
 * A copy of the set in local-lto's cache directory (`<cache>/rustc-sets/<key>/`), so that a clean
 * build (`cargo clean`, a fresh target directory) finds it there instead of preparing it again
 * (helperSets.ts, restoreFromCache). Written whole, then renamed into place.
 */
async function storeInCache(request: HelperSetRequest, key: string, dir: string): Promise<void> {
  const cached = join(defaultCacheDir(request.env), "rustc-sets", key);
  const staging = `${cached}.${process.pid}.tmp`;
  await mkdir(staging, { recursive: true });
  await copyFile(join(dir, "helpers.bc"), join(staging, "helpers.bc"));
  await copyFile(join(dir, "manifest.json"), join(staging, "manifest.json"));
  await rm(cached, { recursive: true, force: true });
  await rename(staging, cached).catch(() => rm(staging, { recursive: true, force: true }));
}

/** Prepares the set (the caller holds the lock). */
export async function prepareSet(request: HelperSetRequest, key: string, dir: string): Promise<SetManifest> {
  const { config, rustc, env } = request;
  const preparedAt = Date.now();
  // Independent questions to rustc and the tools: asked at once.
  const [found, toolchain, pcFiles] = await Promise.all([ensureRustcPlugin({ rustc, env }), resolveToolchain({ rustc }, env), pkgConfigFiles(config.pkgConfig, env, config.baseDir)]);
  if (!found.ok) throw pluginUnavailable(found.problem.message, found.problem.fix, found.problem.details);
  const plugin = found.plugin;
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
    // The helper-set directory rustc loads the plugin from: the plugin's own place (docs/PLUGIN.md), named by content.
    const set = await prepareHelperSet(plugin, helpersBc);
    const dependencies = [...new Set([...config.files, ...prepared.dependencies.map((d) => resolve(config.baseDir, d)), ...pcFiles])].sort();
    const manifest: SetManifest = {
      format: SET_FORMAT,
      key,
      preparedAt,
      helperNames: prepared.helperNames,
      dependencies,
      triple: prepared.triple,
      pluginPath: set.pluginPath,
      pluginBuild: plugin.path,
      needsBootstrap: plugin.needsBootstrap,
      ...(plugin.manglingPin ? { manglingPin: plugin.manglingPin } : {}),
      llvmVersion: plugin.llvmVersion,
      safetyChecks: prepared.safetyChecks,
      reconciliation: prepared.reconciliation,
      helperBitcode: prepared.helperBitcode,
      notes,
    };
    await writeFile(join(dir, "manifest.json.tmp"), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(join(dir, "manifest.json.tmp"), join(dir, "manifest.json"));
    await storeInCache(request, key, dir).catch(() => undefined);
    return manifest;
  } finally {
    await workspace.dispose();
  }
}

