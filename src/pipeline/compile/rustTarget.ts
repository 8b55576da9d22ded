import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { LocalLtoError } from "../../diagnostics/errors.js";
import type { RustcArgsFacts } from "./rustcArgs.js";

/**
 * The LLVM triple clang should compile helpers for: rustc's `--target`, the `llvm-target` of a
 * JSON target spec, or rustc's host. Rust target names are LLVM triples for the common targets;
 * where they differ (e.g. `x86_64-unknown-none` is `x86_64-unknown-none-elf` in LLVM) the
 * architecture and data layout still agree, which is what checkTargets.ts enforces.
 */
export async function rustTargetTriple(facts: RustcArgsFacts, host: string, cwd: string): Promise<string> {
  if (!facts.target) return host;
  if (!facts.target.endsWith(".json")) return facts.target;
  const path = resolve(cwd, facts.target);
  let spec: { "llvm-target"?: string };
  try {
    spec = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new LocalLtoError({
      code: "LLTO_TARGET_SPEC",
      exit: "invalidInput",
      message: `cannot read the target spec ${path}: ${(error as Error).message}`,
      fix: "pass --rustc-arg=--target=<a readable JSON target spec or a target name>",
      file: path,
    });
  }
  if (!spec["llvm-target"]) {
    throw new LocalLtoError({ code: "LLTO_TARGET_SPEC", exit: "invalidInput", message: `${path} has no "llvm-target"`, fix: "add llvm-target to the target spec", file: path });
  }
  return spec["llvm-target"];
}
