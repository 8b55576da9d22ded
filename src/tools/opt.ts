import { runTool } from "../process/run.js";
import { inlineArguments, inlinePassEnvironment, type InlineRunOptions } from "../inlining/passPipeline.js";
import { llvmToolFailure } from "./failure.js";

/**
 * Runs local-lto's inline pipeline (src/pipeline/inline/passPipeline.ts) over the merged module.
 * `output` null discards the module: used to ask LLVM for its inlining remarks alone.
 * llvm-link has verified the merged module; verifying again costs ~0.1 s on large crates.
 */
export async function runInlinePasses(opt: string, merged: string, output: string | null, options: InlineRunOptions = {}, role = "inline"): Promise<string | null> {
  const run = await runTool({ file: opt, args: ["--disable-verify", ...inlineArguments(options), merged, "-o", output ?? "/dev/null"], env: inlinePassEnvironment(options) });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: `opt (${role})` });
  return output;
}

/** `opt --strip-debug` (LLVM 22): helper bitcode without debug info, for `--helpers-debug=none`. */
export async function stripDebugInfo(opt: string, bitcode: string, output: string, userBitcode: readonly string[]): Promise<string> {
  const run = await runTool({ file: opt, args: ["--strip-debug", bitcode, "-o", output] });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "opt (strip debug info)", userBitcode });
  return output;
}
