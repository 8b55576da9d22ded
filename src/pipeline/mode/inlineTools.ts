import type { ToolId } from "../../toolchain/catalogue.js";
import type { HelperInputKind, RustInput } from "../resolve/resolvedBuild.js";

/** An input's kind in any mode: static mode also links prebuilt ELF objects. */
export type BuildInputKind = RustInput["kind"] | HelperInputKind;

/**
 * The tools inline mode needs for these inputs: rustc for Rust source, clang for C helpers, and the
 * LLVM tools. rust-lld is used when present (codegen with rustc's own LLVM) but never required.
 */
export function inlineModeTools(rustKind: BuildInputKind, helperKinds: readonly BuildInputKind[]): ToolId[] {
  return [
    ...(rustKind === "rust-source" ? (["rustc"] as const) : []),
    ...(helperKinds.includes("c-source") ? (["clang"] as const) : []),
    "llvmLink",
    "opt",
    "llc",
    "llvmDis",
    "llvmNm",
  ];
}
