import { ensureRustcPlugin, type RustcPluginOptions } from "./rustcPlugin.js";

/**
 * One line for `local-lto doctor`: whether this rustc can take the plugin fast path, and if not,
 * why and the fix. Builds nothing unless `build: true` (a build takes seconds).
 */
export async function checkPlugin(options: RustcPluginOptions): Promise<string> {
  const result = await ensureRustcPlugin({ build: false, ...options });
  if (!result.ok) return `rustc plugin: unavailable: ${result.problem.message} (fix: ${result.problem.fix})`;
  const { plugin } = result;
  const release = plugin.rustcVersion.release.text;
  return `rustc plugin: ok for ${release} (LLVM ${plugin.llvmVersion}, headers ${plugin.headersVersion}${plugin.needsBootstrap ? ", loaded with RUSTC_BOOTSTRAP=1 in rustc's environment only" : ""}): ${plugin.path}`;
}
