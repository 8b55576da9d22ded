/**
 * Whether a rustc invocation can involve a helper at all, from its arguments alone. The launcher
 * (bin/local-lto, POSIX sh) makes the same decision before Node starts; test/rustc/launcher.test.ts
 * checks the two agree on every case of test/rustc/decide.test.ts.
 */
import { codegenValue, emitKinds, isNo, type RustcInvocation } from "./args.js";

export type PassReason =
  /** `-vV`, `--version`, `--help`, `--print …` (Cargo's target probe), `--explain`. */
  | "informational"
  /** Nothing to compile. */
  | "no-input"
  /** A proc-macro crate or a build script: host code, run by the build, never shipped. */
  | "host-crate"
  /** `--emit` without `obj` or `link` (`cargo check`, `--emit=metadata`, `llvm-ir` …): no object. */
  | "no-object"
  /** `-C lto` or `-C linker-plugin-lto`: whole-program LTO at the link sees the helpers' bitcode. */
  | "lto"
  /** Started by a Cargo build script (a feature probe through the wrapper): runByBuildScript. */
  | "build-script";

export type ArgsDecision =
  | { action: "pass-through"; reason: PassReason; note?: string }
  /** Compile with the plugin when a configuration applies. */
  | { action: "compile" }
  /** `--emit=dep-info` alone (sccache's probe for the files a compile reads): rustc as it is, plus the helpers' files. */
  | { action: "dep-info" };

/** Crate types whose output is linked (carries std and every dependency). */
export const linkedCrateTypes = new Set(["bin", "cdylib", "dylib", "staticlib"]);

function ltoFlag(inv: RustcInvocation): string | undefined {
  const lto = codegenValue(inv, "lto");
  if (lto !== undefined && !isNo(lto)) return `-C lto${lto ? `=${lto}` : ""}`;
  const plugin = codegenValue(inv, "linker-plugin-lto");
  if (plugin !== undefined && !isNo(plugin)) return "-C linker-plugin-lto";
  return undefined;
}

export function decideFromArgs(inv: RustcInvocation): ArgsDecision {
  if (inv.informational || inv.print.length > 0) return { action: "pass-through", reason: "informational" };
  if (inv.input === undefined) return { action: "pass-through", reason: "no-input" };
  if (inv.crateTypes.includes("proc-macro") || inv.crateName?.startsWith("build_script_")) return { action: "pass-through", reason: "host-crate" };
  const kinds = emitKinds(inv);
  if (!kinds.includes("obj") && !kinds.includes("link")) {
    if (kinds.length === 1 && kinds[0] === "dep-info") return { action: "dep-info" };
    return { action: "pass-through", reason: "no-object" };
  }
  const lto = ltoFlag(inv);
  if (lto) {
    // One note per linked artifact, not per crate: Cargo gives every dependency -C linker-plugin-lto.
    const linked = inv.crateTypes.some((t) => linkedCrateTypes.has(t)) || (inv.crateTypes.length === 0 && kinds.includes("link"));
    return {
      action: "pass-through",
      reason: "lto",
      ...(linked ? { note: `note: local-lto: ${lto}: rustc runs unchanged; whole-program LTO inlines the helpers itself when their C is compiled to bitcode too (-flto)` } : {}),
    };
  }
  return { action: "compile" };
}

/**
 * Whether rustc was started by a Cargo build script rather than by Cargo: Cargo gives a build
 * script `CARGO_CFG_*` (the target's cfgs) and no `CARGO_CRATE_NAME`, and gives the compiles it
 * runs itself `CARGO_CRATE_NAME` and no `CARGO_CFG_*` (checked with Cargo 1.95). What a build
 * script compiles through `$RUSTC_WORKSPACE_WRAPPER` is a probe (autocfg, a nightly-feature test),
 * whose answer decides the crate's code: it must see rustc as it is, never the plugin's
 * RUSTC_BOOTSTRAP. The launcher makes the same check (bin/local-lto). Pure.
 */
export function runByBuildScript(env: NodeJS.ProcessEnv): boolean {
  return env.CARGO_CFG_TARGET_ARCH !== undefined && env.CARGO_CRATE_NAME === undefined;
}
