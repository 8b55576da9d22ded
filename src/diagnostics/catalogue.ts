/**
 * The catalogue of local-lto's own diagnostics: each code, the exit code class it ends with, and
 * what causes it. `LocalLtoError` takes its exit code from here, so a code and its exit code cannot
 * disagree; docs/EXIT-CODES.md's code table is generated from this file (`npm run docs`) and a test
 * checks it is up to date.
 */
import type { ExitCodeName } from "./exitCodes.js";

export interface DiagnosticEntry {
  readonly exit: ExitCodeName;
  /** When it happens, for docs/EXIT-CODES.md (Markdown). */
  readonly cause: string;
}

export const diagnosticCatalogue = {
  LLTO_USAGE: { exit: "usage", cause: "no helper input, or `--rustc-arg` given with bitcode Rust input; `--allow` naming no check; `--helpers-variant` without a config, or naming a variant the config does not define ([VARIANTS.md](VARIANTS.md))" },
  LLTO_MODE_INPUT: { exit: "usage", cause: "the chosen mode cannot use an input or flag: Rust bitcode or `--emit-bc` with `--mode static`, an object with `--mode inline`, helper bitcode with a `--cc` that is not clang ([MODES.md](MODES.md))" },
  LLTO_RUSTC_ARG_UNSUPPORTED: { exit: "usage", cause: "inline mode: a rustc flag that changes the object in a way local-lto's own code generation cannot reproduce (`-C lto`, `-C linker-plugin-lto`, `-C split-debuginfo=packed`, `-Z use-ctors-section`, `-Z relax-elf-relocations=no`, \u2026) or a `-C`/`-Z` key local-lto does not know; every flag's handling is in `src/tools/rustcCodegenFlags.ts` ([ARCHITECTURE.md](ARCHITECTURE.md)); `--mode static` lets rustc write the object" },
  LLTO_RUSTC_ARG_OWNED: { exit: "usage", cause: "a `--rustc-arg` such as `--emit`, `-o`, `--out-dir` that would fight over rustc's output, or one that makes rustc print instead of compiling (`--print`, `-vV`, `--help`, `-C help`, `--explain`), or rustup's `+<toolchain>` as the first `--rustc-arg` (it would choose a toolchain for the compile alone: set `RUSTUP_TOOLCHAIN` instead)" },
  LLTO_CC_ARG_OWNED: { exit: "usage", cause: "a `--cc-arg` that makes the C compiler write something other than bitcode or an object (`-S`, `-E`, `-M`, `-MM`, `-fsyntax-only`, `-###`) or choose the output (`-o`)" },
  LLTO_OUTPUT_IS_INPUT: { exit: "usage", cause: "an output (`-o`, `--report`, `--emit-bc`) is the same file as an input or as another output \u2014 compared through symlinks and hard links; refused before any work" },
  LLTO_INPUT_UNREADABLE: { exit: "unreadablePath", cause: "an input does not exist or is not readable" },
  LLTO_INPUT_NOT_FILE: { exit: "unreadablePath", cause: "an input is a directory, FIFO, device or socket: only regular files are read (a FIFO would block the build)" },
  LLTO_OUTPUT_UNWRITABLE: { exit: "unreadablePath", cause: "an output's directory does not exist or is not writable, or its path ends with `/`" },
  LLTO_FILE_SYSTEM: { exit: "unreadablePath", cause: "a file local-lto reads or writes for its own work (its cache directory, the rustc mode's state under the target directory, a report, a staging file) is refused by the file system: permission denied, a read-only file system, no space left or a quota reached; the message names the path ([INTEGRATION.md](INTEGRATION.md))" },
  LLTO_OUTPUT_NOT_REGULAR: { exit: "unreadablePath", cause: "an output path names a symlink, directory, device node, FIFO or socket, which local-lto never replaces (`--report -` prints the report on standard output)" },
  LLTO_INPUT_EMPTY: { exit: "invalidInput", cause: "an input file is empty" },
  LLTO_INPUT_CORRUPT: { exit: "invalidInput", cause: "named `.bc` but no bitcode magic, or bitcode LLVM cannot read" },
  LLTO_INPUT_FOREIGN: { exit: "invalidInput", cause: "an ELF object, archive or other binary given where source or bitcode is expected" },
  LLTO_INPUT_KIND: { exit: "invalidInput", cause: "a text input whose extension says neither Rust (`.rs`) nor C (`.c`); static mode: an ELF input that is not a relocatable object" },
  LLTO_TARGET_SPEC: { exit: "invalidInput", cause: "a JSON `--target` spec that cannot be read or has no `llvm-target`" },
  LLTO_NOT_ELF: { exit: "invalidInput", cause: "`inspect` (or static mode, for an object input) was given something that is neither an ELF file nor a regular `ar` archive (a thin archive, a truncated or corrupt one), or an ELF file that is not a relocatable object, executable or shared object (e_type NONE, CORE or unknown; EXEC or DYN without program headers, a damaged object whose relocations would be ignored); static mode: not a 64-bit little-endian ELF file" },
  LLTO_UNSUPPORTED_TARGET: { exit: "invalidInput", cause: "static mode: the Rust object is for a machine local-lto cannot verify (only x86-64 and aarch64)" },
  LLTO_IR_PARSE: { exit: "invalidInput", cause: "text given to the IR reader is not LLVM IR" },
  LLTO_HELPER_DUPLICATE: { exit: "invalidInput", cause: "two helper inputs define the same symbol" },
  LLTO_PKG_CONFIG: { exit: "invalidInput", cause: "`--pkg-config <name>`: pkg-config knows no such package (install its -dev package or set `PKG_CONFIG_PATH`)" },
  LLTO_HELPERS_CONFIG: { exit: "invalidInput", cause: "the `--helpers-config` file is not JSON or does not match the format ([VARIANTS.md](VARIANTS.md))" },
  LLTO_CONFIG: { exit: "invalidInput", cause: "the rustc mode's configuration (`local-lto.toml`, `[workspace.metadata.local-lto]` in Cargo.toml, `LOCAL_LTO_CONFIG`, `LOCAL_LTO_*`) is not valid TOML, has an unknown key or a value of the wrong type, names a helper file or Kbuild `.cmd` file that cannot be read; the message names the file and the key path, e.g. `local-lto.toml: helpers[1]: \u2026` ([INTEGRATION.md](INTEGRATION.md#configuration))" },
  LLTO_TOOL_MISSING: { exit: "toolMissing", cause: "a tool is not found where local-lto looked, or an override path is not executable (the message names the flag or environment variable that gave it: `--opt`, `LOCAL_LTO_OPT`, `RUSTC`, \u2026)" },
  LLTO_TOOL_NOT_WHAT_IT_CLAIMS: { exit: "toolMissing", cause: "a path the user gave is not the tool it stands for (gcc given as `--clang`, `/bin/true` as `--opt`, `RUSTC=/bin/true`): its `--version` is not an LLVM banner, or it does not answer `rustc -vV`; never read as a version and never replaced by a fallback" },
  LLTO_LLVM_MISMATCH: { exit: "toolchainMismatch", cause: "an LLVM tool's major differs from rustc's LLVM, or clang is newer than the LLVM tools" },
  LLTO_CC_NOT_CLANG: { exit: "toolchainMismatch", cause: "inline mode, and `--cc` names GCC or another compiler that writes no LLVM bitcode" },
  LLTO_RUSTC_NO_LLVM: { exit: "toolchainMismatch", cause: "rustc does not use the LLVM backend" },
  LLTO_BITCODE_TOO_NEW: { exit: "toolchainMismatch", cause: "an LLVM tool could not read bitcode written by a newer LLVM (names both versions)" },
  LLTO_TARGET_MISMATCH: { exit: "targetMismatch", cause: "helper and Rust modules differ in architecture or data layout" },
  LLTO_RUSTC_FAILED: { exit: "compileFailed", cause: "rustc reported errors" },
  LLTO_CC_FAILED: { exit: "compileFailed", cause: "the C compiler reported errors" },
  LLTO_TOOL_FAILED: { exit: "toolFailed", cause: "llvm-link, opt, llc or llvm-dis (static mode: objcopy) failed on local-lto's own intermediate files" },
  LLTO_LINK_FAILED: { exit: "toolFailed", cause: "static mode: `ld -r` failed (for another target, pass `--linker`)" },
  LLTO_HELPER_NOT_LOCAL: { exit: "toolFailed", cause: "static mode: a symbol the helpers define is still global or weak after objcopy; nothing is written" },
  LLTO_DEMO_FAILED: { exit: "toolFailed", cause: "a step of `local-lto demo` failed" },
  LLTO_HELPER_ASM_LABEL: { exit: "unsafeHelpers", cause: "a helper's inline assembly defines a global label, and the helper is inlined more than once (the label would be defined twice); use a local label (`1:`, `%=`) or `--mode static`" },
  LLTO_UNSAFE_HELPERS: { exit: "unsafeHelpers", cause: "a safety check on the helpers failed: the message names the symbol and its `file:line` (or helper input) ([SAFETY.md](SAFETY.md)); `--allow=<check>` overrides" },
  LLTO_CALLS_LEFT: { exit: "helperCallsLeft", cause: "`--require-inlined` and at least one helper call left (the message names each helper and its count)" },
  LLTO_NOT_PROVEN: { exit: "cannotProve", cause: "`--require-inlined`, no call found, but a helper is `not-proven`: code that could not be decoded, its address used other than by calls, a stripped file that does not name it (or one where code reaches code no symbol names), an archive member that is not machine code, or a machine without a call decoder (`build`); the message names each helper and why" },
  LLTO_NOTHING_CHECKED: { exit: "cannotProve", cause: "`--require-inlined` over no helper at all: the prefix matched nothing (bindgen `--wrap-static-fns` names wrappers `<name>__extern`), an empty helper file, or `inspect` on an object with no helper symbol (pass `--helper NAME`)" },
  LLTO_CANNOT_PROVE: { exit: "cannotProve", cause: "`inspect` on an object (or archive member) for a machine without a call decoder: riscv64, ppc64le, loongarch64, big-endian (s390x) or ELF32 files; the message names the architecture" },
  LLTO_PLUGIN_UNAVAILABLE: { exit: "toolchainMismatch", cause: "`--mode plugin` or the rustc mode (which always needs the plugin): rustc cannot take the plugin path — a stable rustc without `--rustc-bootstrap` (or `LOCAL_LTO_RUSTC_BOOTSTRAP=1`), no plugin built for rustc's LLVM (no `llvm-N-dev` headers or `clang++-N`: run `node scripts/build-plugin.mjs`), or inputs only the link path takes ([MODES.md](MODES.md)); auto mode takes the link path instead" },
} as const satisfies Record<string, DiagnosticEntry>;

export type DiagnosticCode = keyof typeof diagnosticCatalogue;
