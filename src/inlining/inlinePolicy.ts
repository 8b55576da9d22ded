import type { IrModule } from "../ir/types.js";

/**
 * Inline as C would (docs/INLINING.md §3.2). A helper exists to expose a `static inline` function
 * or a macro to Rust; in C, a call to either is inlined with the inline-hint threshold (325 rather
 * than 225), or always (a macro). The exported wrapper, though, is a plain function: clang gives
 * it no `inlinehint`, so LLVM weighs a call to it from Rust as if the C code had never asked for
 * inlining. local-lto therefore counts every helper as an inline function: the inline step adds
 * `inlinehint` to each function the helper inputs define (forceattrs, so the helper bitcode and
 * the speculative merge stay as they are). It never adds `alwaysinline`: LLVM's cost model still
 * decides, and `noinline`/`optnone` helpers are left alone.
 *
 * Measured on the kernel's helpers (x86-64), 22 of 31 wrap a function C would inline with the
 * hint; the other 9 wrap macros (the same or more for C) or out-of-line functions (forwarders that
 * LLVM inlines anyway). On bindgen-style wrappers of xxHash and Concurrency Kit, all 9 wrap inline
 * functions. "Inherit the wrapped function's hint" and "every helper is inline" give the same
 * hints there; the second needs no second compile of the helpers and works for bitcode inputs.
 */
export function helperInlineHints(helperModule: IrModule): string[] {
  const out: string[] = [];
  for (const fn of helperModule.functions.values()) {
    if (fn.isDeclaration || fn.linkage === "internal" || fn.linkage === "private" || fn.name.startsWith("llvm.")) continue;
    const flags = fn.attributes.flags;
    if (flags.has("inlinehint") || flags.has("alwaysinline") || flags.has("noinline") || flags.has("optnone")) continue;
    out.push(`${fn.name}:inlinehint`);
  }
  return out.sort();
}

/**
 * The inline threshold for the inline step: `--inline-threshold=N`, else one given to rustc as
 * `-Cllvm-args=-inline-threshold=N` (the user meant it for the inliner, which for helper calls is
 * local-lto's), else LLVM's default.
 */
export function inlineThresholdFrom(explicit: number | undefined, rustcArgs: readonly string[]): number | undefined {
  if (explicit !== undefined) return explicit;
  let found: number | undefined;
  for (let i = 0; i < rustcArgs.length; i++) {
    const arg = rustcArgs[i]!;
    let value: string | undefined;
    if (arg.startsWith("-Cllvm-args=")) value = arg.slice("-Cllvm-args=".length);
    else if ((arg === "-C" || arg === "--codegen") && rustcArgs[i + 1]?.startsWith("llvm-args=")) value = rustcArgs[++i]!.slice("llvm-args=".length);
    else if (arg.startsWith("--codegen=llvm-args=")) value = arg.slice("--codegen=llvm-args=".length);
    if (value === undefined) continue;
    for (const word of value.split(/\s+/)) {
      const m = /^--?inline-threshold=(-?\d+)$/.exec(word);
      if (m) found = Number(m[1]);
    }
  }
  return found;
}
