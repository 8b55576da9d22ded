/**
 * What a build and the proof server's preparation of a first build (plugin/prepareReplay.ts) agree
 * on about a repeat: which builds the launcher can repeat, the options it repeats them with, and
 * the toolchain a report names.
 */
import type { Report } from "../report/schema.js";
import type { ToolId } from "../toolchain/catalogue.js";
import type { Toolchain } from "../toolchain/resolveToolchain.js";
import type { ResolvedBuild } from "./resolve/resolvedBuild.js";
import type { BuildOptions } from "./types.js";

/** The options a repeat starts from: what the command line gave, as JSON (no environment, no key). */
export function replayOptions(options: BuildOptions): Record<string, unknown> {
  const { env: _env, replay: _replay, ...rest } = options;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** What a launcher replay cannot reproduce: kept temporaries, helpers compiled afresh, pkg-config's files. */
export function isReplayable(resolved: ResolvedBuild, options: BuildOptions): boolean {
  return !resolved.keepTemps && !resolved.outputs.emitBitcode && resolved.cacheDir !== undefined && (options.pkgConfig ?? []).length === 0;
}

export function toolchainSummary(toolchain: Toolchain, used: readonly ToolId[]): Report["toolchain"] {
  const summary: NonNullable<Report["toolchain"]> = {};
  for (const id of used) {
    const tool = id === "rustc" ? toolchain.rustcTool : toolchain.tools[id];
    if (tool.path) summary[tool.executable] = { path: tool.path, version: id === "rustc" ? toolchain.rustc?.version.release.text : tool.version?.text };
  }
  return summary;
}

/** The report's toolchain entry for local-lto's plugin (a build, its repeat and a prepared first build name it alike). */
export function pluginToolchainEntry(path: string, llvmVersion: string): NonNullable<Report["toolchain"]> {
  return { "local-lto plugin": { path, version: `LLVM ${llvmVersion}` } };
}
