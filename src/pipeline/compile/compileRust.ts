import { LocalLtoError } from "../../diagnostics/errors.js";
import { runTool } from "../../process/run.js";
import { llvmToolFailure, tail } from "../toolFailure.js";
import type { RustcArgsFacts } from "./rustcArgs.js";

export interface RustCompileResult {
  output: string;
  /** rustc's warnings, passed on to the user. */
  diagnostics: string;
}

/**
 * rustc's argv (pure): the user's flags unchanged, then what local-lto owns. A crate type
 * defaults to `lib` (an object to link into something else), where rustc's own default is `bin`.
 */
export function rustcArguments(source: string, output: string, emit: "llvm-bc" | "obj", userArgs: readonly string[], facts: RustcArgsFacts): string[] {
  return [...userArgs, ...(facts.crateTypeGiven ? [] : ["--crate-type=lib"]), `--emit=${emit}`, "-o", output, source];
}

/**
 * Runs rustc. Inline mode asks for `llvm-bc`: rustc runs its whole optimisation pipeline, so the
 * bitcode is what `--emit=obj` would have handed to codegen. Static mode asks for `obj`, which any
 * rustc can give, whatever its backend.
 */
export async function compileRust(rustc: string, source: string, output: string, emit: "llvm-bc" | "obj", userArgs: readonly string[], facts: RustcArgsFacts, cwd?: string): Promise<RustCompileResult> {
  const run = await runTool({ file: rustc, args: rustcArguments(source, output, emit, userArgs, facts), cwd });
  if (run.spawnError) throw llvmToolFailure(run, { tool: "rustc" });
  if (run.exitCode !== 0) {
    throw new LocalLtoError({
      code: "LLTO_RUSTC_FAILED",
      exit: "compileFailed",
      message: `rustc could not compile ${source}`,
      fix: "fix the errors rustc reports below (the flags given with --rustc-arg were passed unchanged)",
      file: source,
      details: tail(run.stderr, 60),
    });
  }
  return { output, diagnostics: run.stderr };
}
