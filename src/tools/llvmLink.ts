import { runTool } from "../process/run.js";
import { duplicateHelperError, llvmToolFailure } from "./failure.js";

/**
 * llvm-link warns when triples differ; local-lto checks targets itself (checkTargets.ts) and
 * only lets vendor-only differences through, so that one warning is known-benign noise.
 * Real builds have seen a thousand of these lines (background.md).
 */
export function filterBenignLinkWarnings(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => line.trim() && !/Linking two modules of different target triples/.test(line) && !/Linking two modules of different data layouts/.test(line))
    .join("\n");
}

/** Joins several helper modules into one, without internalizing: they are all helpers. */
export async function linkHelperModules(llvmLink: string, helperBitcode: readonly string[], output: string, userBitcode: readonly string[]): Promise<string> {
  if (helperBitcode.length === 1) return helperBitcode[0]!;
  const run = await runTool({ file: llvmLink, args: [...helperBitcode, "-o", output] });
  if (run.exitCode !== 0) {
    const duplicate = run.stderr.match(/symbol multiply defined: '?([^'\s]+)'?|'([^']+)': symbol multiply defined/);
    if (duplicate) throw duplicateHelperError(duplicate[1] ?? duplicate[2]!, run.stderr.trim());
    throw llvmToolFailure(run, { tool: "llvm-link (helpers)", userBitcode });
  }
  return output;
}

/**
 * The merge at the heart of local LTO. The Rust module goes first: llvm-link never internalizes
 * the first file (llvm/llvm-project#170397 documents this as stable). With
 * `--internalize --only-needed` every helper definition becomes `internal` and is linked only
 * if the Rust module uses it, exactly as if it were a `static inline` in the same crate.
 */
export async function mergeWithHelpers(llvmLink: string, rustBitcode: string, helperBitcode: string, output: string, userBitcode: readonly string[]): Promise<{ merged: string; warnings: string }> {
  const run = await runTool({ file: llvmLink, args: ["--internalize", "--only-needed", rustBitcode, helperBitcode, "-o", output] });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "llvm-link (merge)", userBitcode });
  return { merged: output, warnings: filterBenignLinkWarnings(run.stderr) };
}

/**
 * IR text → bitcode. llvm-link assembles `.ll` input like llvm-as, and it is a tool local-lto
 * already needs (llvm-as would be one more to find and match).
 */
export async function assembleModule(llvmLink: string, irFile: string, output: string, role: string): Promise<string> {
  const run = await runTool({ file: llvmLink, args: [irFile, "-o", output] });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: `llvm-link (${role})` });
  return output;
}
