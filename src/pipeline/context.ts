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

/** How each mode tells its inputs apart (static mode also accepts prebuilt ELF objects). */
export type ClassifyInput<K extends string> = (path: string, role: "rust" | "helpers") => Promise<K>;

/**
 * Checks inputs before any work: absolute paths, each classified, rustc's flags read. Shared by
 * both modes; `kinds` says what the mode accepts (for messages).
 */
export async function resolveInputsWith<K extends string>(options: BuildOptions, classify: ClassifyInput<K>, kinds = "file.c|file.bc"): Promise<Omit<ResolvedInputs, "rustKind" | "helperKinds"> & { rustKind: K; helperKinds: K[] }> {
  const cwd = options.cwd ?? process.cwd();
  const rustInput = resolve(cwd, options.rustInput);
  const helperInputs = options.helperInputs.map((h) => resolve(cwd, h));
  if (helperInputs.length === 0) throw usage("no helper input given", `pass at least one --helpers <${kinds}>, or --helpers-config with a variant`);
  const rustcArgs = options.rustcArgs ?? [];
  const [rustKind, ...helperKinds] = await Promise.all([classify(rustInput, "rust"), ...helperInputs.map((h) => classify(h, "helpers"))]);
  if (rustKind !== "rust-source" && rustcArgs.length > 0) {
    const what = rustKind === "object" ? "an object" : "bitcode";
    throw usage(`--rustc-arg was given but the Rust input is ${what}, which rustc does not compile again`, "drop --rustc-arg, or pass the Rust source file");
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

export function resolveInputs(options: BuildOptions): Promise<ResolvedInputs> {
  return resolveInputsWith(options, classifyInput);
}
