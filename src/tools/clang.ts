import { basename } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import { runTool } from "../process/run.js";
import { llvmToolFailure, tail } from "./failure.js";

/**
 * clang's argv for one helper source. The target is Rust's, so both modules agree on triple and
 * data layout and llvm-link has nothing to warn about; `-O2` unless the user chose a level,
 * because helper bodies must be optimised before they are inlined into optimised Rust.
 */
export function helperCompileArgs(source: string, output: string, llvmTriple: string | undefined, userArgs: readonly string[]): string[] {
  const hasTarget = userArgs.some((a) => a === "-target" || a.startsWith("--target") || a.startsWith("-target="));
  const hasOpt = userArgs.some((a) => /^-O([0-3sgz]|fast)?$/.test(a));
  return [
    "-c",
    "-emit-llvm",
    ...(hasOpt ? [] : ["-O2"]),
    ...(hasTarget || !llvmTriple ? [] : [`--target=${llvmTriple}`]),
    ...userArgs,
    "-o",
    output,
    source,
  ];
}

export interface HelperCompileExtras {
  /** clang's working directory (relative paths in --cc-arg, DW_AT_comp_dir); default: local-lto's. */
  cwd?: string;
  /** Also write the Makefile dependency rule here (`-MD -MF`), for the helper cache. */
  depfile?: string;
}

export function helperBitcodeName(source: string, index: number): string {
  return `helpers-${index}-${basename(source).replace(/\W/g, "_")}.bc`;
}

/** clang -c -emit-llvm: one helper source to bitcode at `output`. */
export async function compileHelperBitcode(clang: string, source: string, output: string, llvmTriple: string | undefined, userArgs: readonly string[], extras: HelperCompileExtras = {}): Promise<string> {
  const args = helperCompileArgs(source, output, llvmTriple, userArgs);
  // Dependency output changes nothing in the bitcode; it is not part of the cache key's argv.
  if (extras.depfile) args.splice(args.length - 1, 0, "-MD", "-MF", extras.depfile);
  const run = await runTool({ file: clang, args, cwd: extras.cwd });
  if (run.spawnError) throw llvmToolFailure(run, { tool: "clang" });
  if (run.exitCode !== 0) {
    throw new LocalLtoError({
      code: "LLTO_CC_FAILED",
      message: `clang could not compile ${source}`,
      fix: "fix the errors clang reports below (the flags given with --cc-arg, or with `cc-args` in local-lto.toml for the rustc mode, were passed unchanged)",
      file: source,
      details: tail(run.stderr, 60),
    });
  }
  return output;
}

/**
 * clang's include search and configuration files for a helper compile's flags: `-E -v` on an
 * empty input prints them on stderr (read by src/pipeline/cache/includeProbes.ts).
 */
export async function printIncludeSearch(clang: string, llvmTriple: string | undefined, userArgs: readonly string[], cwd?: string): Promise<string> {
  const args = helperCompileArgs("/dev/null", "/dev/null", llvmTriple, userArgs).map((a) => (a === "-c" ? "-E" : a));
  args.splice(args.length - 1, 0, "-v", "-x", "c");
  const run = await runTool({ file: clang, args, cwd });
  return run.stderr;
}
