import { LocalLtoError } from "../../diagnostics/errors.js";
import { runTool } from "../../process/run.js";
import { llvmToolFailure, tail } from "../toolFailure.js";
import type { Workspace } from "../workspace.js";
import type { RustcArgsFacts } from "./rustcArgs.js";

export interface RustCompileResult {
  bitcode: string;
  /** rustc's warnings, passed on to the user. */
  diagnostics: string;
}

/**
 * `rustc --emit=llvm-bc`: rustc runs its whole optimisation pipeline, so the bitcode is what
 * `--emit=obj` would have handed to codegen. A crate type defaults to `lib` (an object to link
 * into something else), where rustc's own default would be `bin`.
 */
export async function compileRust(rustc: string, source: string, userArgs: readonly string[], facts: RustcArgsFacts, workspace: Workspace): Promise<RustCompileResult> {
  const bitcode = workspace.file("rust.bc");
  const args = [...userArgs, ...(facts.crateTypeGiven ? [] : ["--crate-type=lib"]), "--emit=llvm-bc", "-o", bitcode, source];
  const run = await runTool({ file: rustc, args });
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
  return { bitcode, diagnostics: run.stderr };
}
