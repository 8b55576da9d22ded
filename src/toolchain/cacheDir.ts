import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * local-lto's cache directory: LOCAL_LTO_CACHE_DIR, else $XDG_CACHE_HOME/local-lto, else
 * ~/.cache/local-lto — read from the environment the build was given, so tests stay hermetic.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOCAL_LTO_CACHE_DIR) return resolve(env.LOCAL_LTO_CACHE_DIR);
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), ".cache");
  return join(base, "local-lto");
}

/**
 * Where the rustc plugin is built (scripts/setup.sh) and found: LOCAL_LTO_PLUGIN_DIR, else
 * `$XDG_CACHE_HOME/local-lto/plugin`. Apart from LOCAL_LTO_CACHE_DIR on purpose: the plugin is
 * installed once per rustc LLVM, like a tool, while the build caches may be per project or per test run.
 */
export function pluginInstallDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOCAL_LTO_PLUGIN_DIR) return resolve(env.LOCAL_LTO_PLUGIN_DIR);
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), ".cache");
  return join(base, "local-lto", "plugin");
}
