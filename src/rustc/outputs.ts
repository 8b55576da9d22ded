/**
 * The files a rustc invocation writes, named the way rustc names them (rustc 1.95,
 * rustc_session::config::OutputFilenames): the proof reads the machine code among them, and the
 * dep-info file gets the helpers' files. Pure.
 */
import { dirname, join, resolve } from "node:path";
import { codegenValue, crateNameFromInput, emitKinds, type RustcInvocation } from "./args.js";

export type ProofKind =
  /** A relocatable object: every function in it is this crate's. */
  | "object"
  /** An rlib: this crate's objects (and its metadata). */
  | "rlib"
  /** A static library: this crate's objects and those of std and every dependency. */
  | "staticlib"
  /** An executable or shared object, linked: every crate's code. */
  | "linked";

export interface OutputFile {
  path: string;
  kind: string;
  /** Set for files that hold machine code the proof reads. */
  proof?: ProofKind;
}

export interface RustcOutputs {
  crateName: string;
  /** `-C extra-filename` (Cargo's `-<hash>`), empty when not given. */
  extra: string;
  files: OutputFile[];
  /** The dep-info file, when one is written. */
  depInfo?: string;
  /** Where per-unit objects (`*.rcgu.o`) land with `--emit=obj` and several codegen units. */
  objectDir: string;
}

const linkFile: Record<string, [prefix: string, suffix: string, proof: ProofKind]> = {
  rlib: ["lib", ".rlib", "rlib"],
  lib: ["lib", ".rlib", "rlib"],
  staticlib: ["lib", ".a", "staticlib"],
  bin: ["", "", "linked"],
  cdylib: ["lib", ".so", "linked"],
  dylib: ["lib", ".so", "linked"],
};

const emitExtension: Record<string, string> = { obj: ".o", "dep-info": ".d", asm: ".s", "llvm-ir": ".ll", "llvm-bc": ".bc", mir: ".mir" };

function withExtension(path: string, extension: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  return (dot > slash + 1 ? path.slice(0, dot) : path) + extension;
}

/**
 * The outputs. `crateTypes` are the crate's types (from `--crate-type`, else from the source's
 * `#![crate_type]`, else `bin`: the engine works that out); `cwd` resolves relative paths.
 */
export function rustcOutputs(inv: RustcInvocation, crateTypes: readonly string[], cwd: string, crateNameOverride?: string): RustcOutputs {
  const crateName = crateNameOverride ?? inv.crateName ?? crateNameFromInput(inv.input ?? "rust_out");
  const extra = codegenValue(inv, "extra-filename") ?? "";
  const outDir = resolve(cwd, inv.outDir ?? (inv.output ? dirname(inv.output) : "."));
  const kinds = emitKinds(inv);
  const explicit = new Map(inv.emit.filter((e) => e.path !== undefined).map((e) => [e.kind, e.path!]));
  // `-o` names the one output of a single-output invocation; with several, rustc adapts its extension per kind.
  const singleOutput = kinds.filter((k) => !explicit.has(k)).length === 1 && (kinds[0] !== "link" || crateTypes.length <= 1);
  const files: OutputFile[] = [];
  for (const kind of kinds) {
    if (kind === "link") {
      for (const type of crateTypes.length ? crateTypes : ["bin"]) {
        const [prefix, suffix, proof] = linkFile[type] ?? ["lib", `.${type}`, "linked"];
        const path = explicit.get("link") ?? (inv.output ? (singleOutput ? inv.output : withExtension(inv.output, suffix)) : join(outDir, `${prefix}${crateName}${extra}${suffix}`));
        files.push({ path: resolve(cwd, path), kind: `link:${type}`, proof });
      }
      continue;
    }
    const extension = kind === "metadata" ? ".rmeta" : (emitExtension[kind] ?? `.${kind}`);
    const prefix = kind === "metadata" ? "lib" : "";
    const path = explicit.get(kind) ?? (inv.output ? (singleOutput ? inv.output : withExtension(inv.output, extension)) : join(outDir, `${prefix}${crateName}${extra}${extension}`));
    if (path === "-") continue; // standard output
    files.push({ path: resolve(cwd, path), kind, ...(kind === "obj" ? { proof: "object" as const } : {}) });
  }
  const depInfo = files.find((f) => f.kind === "dep-info")?.path;
  return { crateName, extra, files, ...(depInfo ? { depInfo } : {}), objectDir: outDir };
}
