import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { HelperBitcodeReport } from "../../report/schema.js";
import { parseDepfile } from "./depfile.js";
import { compileHelperBitcode, helperBitcodeName, printIncludeSearch } from "../../tools/clang.js";
import { stripDebugInfo } from "../../tools/opt.js";
import { toolPath } from "../../toolchain/resolveToolchain.js";
import type { HelperStageContext } from "../context.js";
import { compileHelperCached } from "./helperCache.js";

export interface PreparedHelper {
  bitcode: string;
  report: HelperBitcodeReport;
  /** The files its compile read (source and headers), when known: for dep-info files. */
  dependencies?: string[];
  /** The files its compile looked for, and whether they existed (includeProbes.ts). */
  probes?: [string, boolean][];
}

/**
 * One helper input as bitcode for the merge: a `.c` source compiled by clang (through the helper
 * cache unless `--no-cache`) in the build's working directory, or the user's bitcode, with its
 * debug info stripped for `--helpers-debug=none`.
 */
export async function prepareHelperBitcode(ctx: HelperStageContext, index: number, triple: string | undefined): Promise<PreparedHelper> {
  const { build, toolchain, workspace } = ctx;
  const { path: source, kind } = build.helpers[index]!;
  if (kind === "object") throw new Error("internal: a helper object in a bitcode pipeline");
  if (kind !== "c-source") {
    if (build.helpersDebug !== "none") return { bitcode: source, report: { source, origin: "input" } };
    const stripped = await stripDebugInfo(toolPath(toolchain, "opt"), source, workspace.file(`stripped-${helperBitcodeName(source, index)}`), build.userBitcode);
    return { bitcode: stripped, report: { source, origin: "stripped" } };
  }

  const clang = toolPath(toolchain, "clang");
  const output = workspace.file(helperBitcodeName(source, index));
  const compile = async (out: string, depfile?: string) => {
    await compileHelperBitcode(clang, source, out, triple, build.ccArgs, { cwd: build.cwd, depfile });
  };
  if (build.cacheDir === undefined) {
    const depfile = workspace.file(`${helperBitcodeName(source, index)}.d`);
    await compile(output, depfile);
    const deps = await readFile(depfile, "utf8").then(parseDepfile, () => undefined);
    return { bitcode: output, report: { source, origin: "compiled", uncached: "--no-cache" }, dependencies: deps?.map((d) => resolve(build.cwd, d)) };
  }
  const result = await compileHelperCached({
    clang: { path: clang, version: toolchain.tools.clang.version?.text ?? "unknown" },
    source,
    triple,
    ccArgs: build.ccArgs,
    cwd: build.cwd,
    cacheDir: build.cacheDir,
    env: build.env,
    compile,
    includeSearch: () => printIncludeSearch(clang, triple, build.ccArgs, build.cwd),
    output,
    scratchDepfile: workspace.file(`${helperBitcodeName(source, index)}.d`),
  });
  return {
    bitcode: result.bitcode,
    dependencies: result.dependencies,
    probes: result.probes,
    report: { source, origin: result.cache === "hit" ? "cache-hit" : "compiled", ...(result.key ? { cacheKey: result.key } : {}), ...(result.reason ? { uncached: result.reason } : {}) },
  };
}
