import { LocalLtoError } from "../../diagnostics/errors.js";
import { runTool } from "../../process/run.js";
import type { RustcArgsFacts } from "../compile/rustcArgs.js";
import { tail } from "../toolFailure.js";
import type { Workspace } from "../workspace.js";

/** rustc's argv in static mode (pure): exactly what the user would run for an object, `lib` by default as in inline mode. */
export function rustObjectArgs(source: string, output: string, userArgs: readonly string[], facts: RustcArgsFacts): string[] {
  return [...userArgs, ...(facts.crateTypeGiven ? [] : ["--crate-type=lib"]), "--emit=obj", "-o", output, source];
}

export interface RustObjectResult {
  object: string;
  /** rustc's warnings, passed on to the user. */
  diagnostics: string;
}

/** `rustc --emit=obj`: static mode needs no bitcode, so any rustc works, whatever its LLVM (or backend). */
export async function compileRustObject(rustc: string, source: string, userArgs: readonly string[], facts: RustcArgsFacts, workspace: Workspace, cwd: string): Promise<RustObjectResult> {
  const object = workspace.file("rust.o");
  const run = await runTool({ file: rustc, args: rustObjectArgs(source, object, userArgs, facts), cwd });
  if (run.spawnError) {
    throw new LocalLtoError({ code: "LLTO_TOOL_MISSING", exit: "toolMissing", message: `rustc could not be started (${run.spawnError}): ${rustc}`, fix: "run `local-lto doctor` to see which tools were found" });
  }
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
  return { object, diagnostics: run.stderr };
}
