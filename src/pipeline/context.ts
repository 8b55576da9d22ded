import { resolve } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import type { Toolchain } from "../toolchain/resolveToolchain.js";
import { classifyInput, type InputKind } from "./compile/classifyInput.js";
import { analyzeRustcArgs, type RustcArgsFacts } from "./compile/rustcArgs.js";
import type { BuildOptions } from "./types.js";
import type { Workspace } from "./workspace.js";

/** Inputs after checking: absolute paths and what kind each one is. */
export interface ResolvedInputs {
  cwd: string;
  rustInput: string;
  rustKind: InputKind;
  helperInputs: string[];
  helperKinds: InputKind[];
  output: string;
  rustcArgs: string[];
  /** Set when the Rust input is a source file. */
  rustcFacts?: RustcArgsFacts;
  /** The inputs that are bitcode the user supplied (blamed when an LLVM reader rejects them). */
  userBitcode: string[];
}

/** Everything a mode's pipeline needs; `build.ts` creates it and publishes what the mode wrote. */
export interface BuildContext {
  options: BuildOptions;
  inputs: ResolvedInputs;
  toolchain: Toolchain;
  workspace: Workspace;
  /** Where the mode writes the object; build.ts renames it into place only on success. */
  stagedObject: string;
  warnings: string[];
  notes: string[];
  timings: Record<string, number>;
  /** Runs one stage, recording its wall time under `stage`. */
  timed<T>(stage: string, work: () => Promise<T>): Promise<T>;
}

function usage(message: string, fix: string): LocalLtoError {
  return new LocalLtoError({ code: "LLTO_USAGE", exit: "usage", message, fix });
}

export async function resolveInputs(options: BuildOptions): Promise<ResolvedInputs> {
  const cwd = options.cwd ?? process.cwd();
  const rustInput = resolve(cwd, options.rustInput);
  const helperInputs = options.helperInputs.map((h) => resolve(cwd, h));
  if (helperInputs.length === 0) throw usage("no helper input given", "pass at least one --helpers <file.c|file.bc>");
  const rustcArgs = options.rustcArgs ?? [];
  const [rustKind, ...helperKinds] = await Promise.all([classifyInput(rustInput, "rust"), ...helperInputs.map((h) => classifyInput(h, "helpers"))]);
  if (rustKind === "bitcode" && rustcArgs.length > 0) {
    throw usage("--rustc-arg was given but the Rust input is bitcode, which rustc does not compile again", "drop --rustc-arg, or pass the Rust source file");
  }
  const userBitcode = [rustInput, ...helperInputs].filter((_, i) => (i === 0 ? rustKind : helperKinds[i - 1]) === "bitcode");
  return {
    cwd,
    rustInput,
    rustKind: rustKind!,
    helperInputs,
    helperKinds,
    output: resolve(cwd, options.output),
    rustcArgs,
    rustcFacts: rustKind === "rust-source" ? analyzeRustcArgs(rustcArgs) : undefined,
    userBitcode,
  };
}
