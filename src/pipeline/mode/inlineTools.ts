import type { ToolId } from "../../toolchain/catalogue.js";
import type { InputKind } from "../compile/classifyInput.js";

/** An input's kind in any mode: static mode also links prebuilt ELF objects. */
export type BuildInputKind = InputKind | "object";

/** The tools inline mode runs for these inputs: rustc for Rust source, clang for C helpers, and the LLVM tools. */
export function inlineModeTools(rustKind: BuildInputKind, helperKinds: readonly BuildInputKind[]): ToolId[] {
  return [
    ...(rustKind === "rust-source" ? (["rustc"] as const) : []),
    ...(helperKinds.includes("c-source") ? (["clang"] as const) : []),
    "llvmLink",
    "opt",
    "llc",
    "llvmDis",
  ];
}
