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
