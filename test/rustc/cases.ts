/**
 * Invocations and what local-lto decides from their arguments alone: decide.test.ts checks
 * src/rustc/decide.ts against them, launcher.test.ts checks bin/local-lto against the same table.
 */
import type { PassReason } from "../../src/rustc/decide.js";

export interface DecisionCase {
  name: string;
  args: string[];
  expected: "compile" | "dep-info" | PassReason;
  /** The pass-through prints a note (when a configuration exists). */
  note?: boolean;
}

const lib = ["--crate-name", "user", "--edition=2021", "src/lib.rs", "--crate-type", "lib", "--out-dir", "out"];

export const decisionCases: DecisionCase[] = [
  { name: "rustc -vV", args: ["-vV"], expected: "informational" },
  { name: "Cargo's target probe", args: ["-", "--crate-name", "___", "--print=file-names", "--crate-type", "bin", "--print=sysroot", "--print=cfg", "-Wwarnings"], expected: "informational" },
  { name: "--print as two words", args: ["--print", "sysroot"], expected: "informational" },
  { name: "-C help", args: ["-C", "help"], expected: "informational" },
  { name: "--explain", args: ["--explain", "E0308"], expected: "informational" },
  { name: "no input", args: ["--crate-type", "lib", "-O"], expected: "no-input" },
  { name: "a build script", args: ["--crate-name", "build_script_build", "--edition=2021", "build.rs", "--crate-type", "bin", "--emit=dep-info,link", "-C", "opt-level=3"], expected: "host-crate" },
  { name: "a proc-macro crate", args: ["--crate-name", "derive", "src/lib.rs", "--crate-type", "proc-macro", "--emit=dep-info,metadata,link"], expected: "host-crate" },
  { name: "cargo check", args: [...lib, "--emit=dep-info,metadata"], expected: "no-object" },
  { name: "--emit=llvm-ir", args: [...lib, "--emit=llvm-ir"], expected: "no-object" },
  { name: "sccache's dep-info probe", args: [...lib, "--emit", "dep-info", "-o", "/tmp/x.d"], expected: "dep-info" },
  { name: "cargo build, release rlib", args: [...lib, "--emit=dep-info,metadata,link", "-C", "opt-level=3", "-C", "embed-bitcode=no"], expected: "compile" },
  { name: "a Kbuild-style object", args: ["--edition=2021", "--emit=dep-info=drv/.a.o.d", "--emit=obj=drv/a.o", "--crate-type", "rlib", "drv/a.rs"], expected: "compile" },
  { name: "no --emit (link)", args: ["main.rs"], expected: "compile" },
  { name: "-C lto on a binary", args: ["--crate-name", "app", "src/main.rs", "--crate-type", "bin", "--emit=dep-info,link", "-C", "lto"], expected: "lto", note: true },
  { name: "-C lto=fat on a binary", args: ["--crate-name", "app", "src/main.rs", "--crate-type", "bin", "--emit=dep-info,link", "-Clto=fat"], expected: "lto", note: true },
  { name: "-C lto=off", args: [...lib, "--emit=link", "-C", "lto=off"], expected: "compile" },
  { name: "-C linker-plugin-lto on an rlib (no note)", args: [...lib, "--emit=dep-info,metadata,link", "-C", "linker-plugin-lto"], expected: "lto", note: false },
  { name: "incremental", args: [...lib, "--emit=dep-info,metadata,link", "-C", "incremental=/tmp/inc"], expected: "compile" },
];
