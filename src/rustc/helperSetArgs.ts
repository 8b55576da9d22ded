/**
 * The part of a crate's rustc flags that a prepared helper set depends on: the target and the
 * flags that change the attributes rustc gives the crate's functions (reconciliation compares
 * helpers with those, docs/INLINING.md) or the module flags the plugin's link merges. Everything
 * else (crate names, paths, lints, `-C metadata`, `-C incremental`, debug info, strip, codegen
 * units …) differs from crate to crate and must not give each crate its own set. Pure.
 *
 * bin/local-lto keys its launch entries on the same flags (llto_key_codegen there);
 * test/rustc/launcher.test.ts checks the two lists are equal.
 */
import type { RustcInvocation } from "./args.js";

/** `-C` keys that can change function attributes or module flags. */
export const helperSetCodegenKeys = [
  "opt-level",
  "target-cpu",
  "target-feature",
  "relocation-model",
  "code-model",
  "force-frame-pointers",
  "force-unwind-tables",
  "no-redzone",
  "soft-float",
  "panic",
  "llvm-args",
  "instrument-coverage",
  "profile-generate",
  "profile-use",
  "symbol-mangling-version",
] as const;

const codegenKeys = new Set<string>(helperSetCodegenKeys);

/**
 * `-O`, `--target`, `--sysroot`, the `-C` keys above and every `-Z` flag, in the order given,
 * normalized to the one-argument spellings (`-Copt-level=3`), so that `-C opt-level=3` and
 * `-Copt-level=3` share a set.
 */
export function helperSetArgs(inv: Pick<RustcInvocation, "argv" | "codegen" | "unstable" | "target" | "optimize">): string[] {
  const args: string[] = [];
  if (inv.optimize) args.push("-O");
  if (inv.target) args.push(`--target=${inv.target}`);
  const argv = inv.argv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--sysroot" && i + 1 < argv.length) args.push(`--sysroot=${argv[i + 1]}`);
    else if (argv[i]!.startsWith("--sysroot=")) args.push(argv[i]!);
  }
  for (const [key, value] of inv.codegen) if (codegenKeys.has(key)) args.push(`-C${key}${value === undefined ? "" : `=${value}`}`);
  for (const [key, value] of inv.unstable) args.push(`-Z${key}${value === undefined ? "" : `=${value}`}`);
  return args;
}
