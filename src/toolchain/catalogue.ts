/**
 * The external tools local-lto drives, and how a user points at each one.
 * `llvmMajorMatters` tools read or write bitcode, so their LLVM major must fit rustc's.
 */

export type ToolId = "rustc" | "clang" | "llvmLink" | "opt" | "llc" | "llvmDis" | "llvmNm" | "rustLld" | "ldLld" | "llvmObjcopy";

export interface ToolSpec {
  id: ToolId;
  /** Executable name without a version suffix. */
  executable: string;
  /** Command-line flag that overrides discovery (`--llvm-link=/path`). */
  flag: string;
  /** Environment variable that overrides discovery. */
  envVar: string;
  /** Debian package that ships `<executable>-N` and `/usr/lib/llvm-N/bin/<executable>`. */
  debianPackage: (major: number) => string;
  /** How to ask for the version, when not `--version`. */
  versionArgs?: readonly string[];
}

export const toolSpecs: Record<ToolId, ToolSpec> = {
  rustc: { id: "rustc", executable: "rustc", flag: "--rustc", envVar: "LOCAL_LTO_RUSTC", debianPackage: () => "rustup (https://rustup.rs)" },
  clang: { id: "clang", executable: "clang", flag: "--clang", envVar: "LOCAL_LTO_CLANG", debianPackage: (n) => `clang-${n}` },
  llvmLink: { id: "llvmLink", executable: "llvm-link", flag: "--llvm-link", envVar: "LOCAL_LTO_LLVM_LINK", debianPackage: (n) => `llvm-${n}` },
  opt: { id: "opt", executable: "opt", flag: "--opt", envVar: "LOCAL_LTO_OPT", debianPackage: (n) => `llvm-${n}` },
  llc: { id: "llc", executable: "llc", flag: "--llc", envVar: "LOCAL_LTO_LLC", debianPackage: (n) => `llvm-${n}` },
  llvmDis: { id: "llvmDis", executable: "llvm-dis", flag: "--llvm-dis", envVar: "LOCAL_LTO_LLVM_DIS", debianPackage: (n) => `llvm-${n}` },
  llvmNm: { id: "llvmNm", executable: "llvm-nm", flag: "--llvm-nm", envVar: "LOCAL_LTO_LLVM_NM", debianPackage: (n) => `llvm-${n}` },
  // rustc's own LLD, linked against rustc's own LLVM: found in rustc's sysroot, not on PATH.
  rustLld: {
    id: "rustLld",
    executable: "rust-lld",
    flag: "--rust-lld",
    envVar: "LOCAL_LTO_RUST_LLD",
    debianPackage: () => "rustup (it ships with the rustc component)",
    versionArgs: ["-flavor", "gnu", "--version"],
  },
  ldLld: { id: "ldLld", executable: "ld.lld", flag: "--ld-lld", envVar: "LOCAL_LTO_LD_LLD", debianPackage: (n) => `lld-${n}` },
  llvmObjcopy: { id: "llvmObjcopy", executable: "llvm-objcopy", flag: "--llvm-objcopy", envVar: "LOCAL_LTO_LLVM_OBJCOPY", debianPackage: (n) => `llvm-${n}` },
};

/** The LLVM tools inline mode needs besides rustc and clang. */
export const llvmToolIds = ["llvmLink", "opt", "llc", "llvmDis"] as const satisfies readonly ToolId[];
