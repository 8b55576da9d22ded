import { basename } from "node:path";
import { LocalLtoError } from "../../diagnostics/errors.js";
import { formatCommand, runTool } from "../../process/run.js";
import { tail } from "../toolFailure.js";
import type { Workspace } from "../workspace.js";
import type { CcIdentity } from "./cCompiler.js";
import type { RustCodegen } from "./rustCodegen.js";

export interface HelperObjectTarget {
  cc: CcIdentity;
  /** What rustc generates for the Rust side; undefined when unknown (a prebuilt Rust object). */
  rust?: RustCodegen;
}

const relocationFlag = /^-f(no-)?(pic|PIC|pie|PIE)$/;

/**
 * The C compiler's argv for one helper in static mode (pure). Flags follow the Rust side where
 * the user did not choose: the relocation model (a non-PIC helper in a PIC Rust object breaks
 * any shared-library link with "relocation R_X86_64_32 … recompile with -fPIC"; a PIC helper in
 * a kernel object brings GOT references the kernel cannot resolve), the code model, and
 * function/data sections, which rustc uses too, so `--gc-sections` can drop unused helpers.
 * clang is also given Rust's target, as in inline mode; gcc targets what it was built for.
 * Bitcode input keeps its own triple (clang warns when overriding it).
 */
export function helperObjectArgs(source: string, kind: "c-source" | "bitcode", output: string, target: HelperObjectTarget, userArgs: readonly string[]): string[] {
  const has = (test: (arg: string) => boolean) => userArgs.some(test);
  const args = ["-c"];
  if (!has((a) => /^-O([0-3sgz]|fast)?$/.test(a))) args.push("-O2");
  const triple = target.rust?.triple;
  if (target.cc.family === "clang" && kind === "c-source" && triple && !has((a) => a === "-target" || a.startsWith("--target") || a.startsWith("-target="))) {
    args.push(`--target=${triple}`);
  }
  if (target.rust && !has((a) => relocationFlag.test(a))) {
    args.push(target.rust.relocationModel === "pic" ? "-fPIC" : target.rust.relocationModel === "pie" ? "-fPIE" : "-fno-pic");
  }
  if (target.rust && target.rust.codeModel !== "small" && !has((a) => a.startsWith("-mcmodel="))) args.push(`-mcmodel=${target.rust.codeModel}`);
  if (!has((a) => /^-f(no-)?function-sections$/.test(a))) args.push("-ffunction-sections");
  if (!has((a) => /^-f(no-)?data-sections$/.test(a))) args.push("-fdata-sections");
  return [...args, ...userArgs, "-o", output, source];
}

/** Compiles one helper input (C source, or bitcode when the compiler is clang) to an ELF object. */
export async function compileHelperObject(source: string, kind: "c-source" | "bitcode", index: number, target: HelperObjectTarget, userArgs: readonly string[], workspace: Workspace): Promise<string> {
  if (kind === "bitcode" && target.cc.family !== "clang") {
    throw new LocalLtoError({
      code: "LLTO_MODE_INPUT",
      exit: "usage",
      message: `${source} is LLVM bitcode, which ${target.cc.name} cannot compile`,
      fix: "pass the helper's C source, or a clang as --cc (clang reads bitcode of its own LLVM major or older)",
      file: source,
    });
  }
  const output = workspace.file(`helpers-${index}-${basename(source).replace(/\W/g, "_")}.o`);
  const run = await runTool({ file: target.cc.path, args: helperObjectArgs(source, kind, output, target, userArgs) });
  if (run.spawnError) {
    throw new LocalLtoError({ code: "LLTO_TOOL_MISSING", exit: "toolMissing", message: `${target.cc.path} could not be started (${run.spawnError})`, fix: "pass --cc=<a runnable C compiler>" });
  }
  if (run.exitCode !== 0) {
    const tooNew = run.stderr.match(/\(Producer: '([^']*)' Reader: '([^']*)'\)/);
    throw new LocalLtoError({
      code: tooNew ? "LLTO_BITCODE_TOO_NEW" : "LLTO_CC_FAILED",
      exit: tooNew ? "toolchainMismatch" : "compileFailed",
      message: tooNew ? `${target.cc.name} (${tooNew[2]}) cannot read ${source}, written by ${tooNew[1]}` : `${target.cc.name} could not compile ${source}`,
      fix: tooNew ? "pass a clang of that LLVM major or newer as --cc, or the helper's C source" : `fix the errors below (the flags given with --cc-arg were passed unchanged; command: ${formatCommand(run.command)})`,
      file: source,
      details: tail(run.stderr, 60),
    });
  }
  return output;
}
