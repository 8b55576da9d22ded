/**
 * Preparing a helper set (helperSets.ts): the helpers compiled, vetted and reconciled for this
 * rustc and these target flags (preparePluginHelpers), the plugin's content-named helper-set
 * directory made, the manifest written. Loaded only when a set is missing or stale.
 */
import { copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
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
import { SET_FORMAT, sha256, type HelperSetRequest, type SetManifest } from "./helperSets.js";

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
export async function prepareSet(request: HelperSetRequest, key: string, dir: string): Promise<SetManifest> {
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

