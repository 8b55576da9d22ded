import { resolve } from "node:path";
import type { HelperBitcodeReport } from "../../report/schema.js";
import { runTool } from "../../process/run.js";
import { toolPath } from "../../toolchain/resolveToolchain.js";
import { compileHelper, helperBitcodeName } from "../compile/compileHelpers.js";
import type { BuildContext } from "../context.js";
import { llvmToolFailure } from "../toolFailure.js";
import { compileHelperCached, defaultCacheDir } from "./helperCache.js";

export interface PreparedHelper {
  bitcode: string;
  report: HelperBitcodeReport;
}

/**
 * One helper input as bitcode for the merge: a `.c` source compiled by clang (through the helper
 * cache unless `--no-cache`) in the build's working directory, or the user's bitcode, with its
 * debug info stripped for `--helpers-debug=none` (`opt --strip-debug`, LLVM 22).
 */
export async function prepareHelperBitcode(ctx: BuildContext, index: number, triple: string | undefined): Promise<PreparedHelper> {
  const { inputs, options, toolchain, workspace } = ctx;
  const source = inputs.helperInputs[index]!;
  if (inputs.helperKinds[index] !== "c-source") {
    if (options.helpersDebug !== "none") return { bitcode: source, report: { source, origin: "input" } };
    const stripped = workspace.file(`stripped-${helperBitcodeName(source, index)}`);
    const run = await runTool({ file: toolPath(toolchain, "opt"), args: ["--strip-debug", source, "-o", stripped] });
    if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "opt (strip debug info)", userBitcode: inputs.userBitcode });
    return { bitcode: stripped, report: { source, origin: "stripped" } };
  }

  const clang = toolPath(toolchain, "clang");
  const ccArgs = options.ccArgs ?? [];
  const output = workspace.file(helperBitcodeName(source, index));
  const compile = async (out: string, depfile?: string) => {
    await compileHelper(clang, source, index, triple, ccArgs, workspace, { cwd: inputs.cwd, output: out, depfile });
  };
  if (options.helperCache === false) {
    await compile(output);
    return { bitcode: output, report: { source, origin: "compiled", uncached: "--no-cache" } };
  }
  const result = await compileHelperCached({
    clang: { path: clang, version: toolchain.tools.clang.version?.text ?? "unknown" },
    source,
    triple,
    ccArgs,
    cwd: inputs.cwd,
    cacheDir: options.cacheDir !== undefined ? resolve(inputs.cwd, options.cacheDir) : defaultCacheDir(),
    compile,
    output,
    scratchDepfile: workspace.file(`${helperBitcodeName(source, index)}.d`),
  });
  return {
    bitcode: result.bitcode,
    report: { source, origin: result.cache === "hit" ? "cache-hit" : "compiled", ...(result.key ? { cacheKey: result.key } : {}), ...(result.reason ? { uncached: result.reason } : {}) },
  };
}
