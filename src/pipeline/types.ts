import type { SafetyCheckId } from "../safety/types.js";
import type { CodegenOptLevel } from "../tools/rustcArgs.js";
import type { ToolOverrides } from "../toolchain/resolveToolchain.js";

/** What `local-lto build` is asked to do: the CLI and the library API both build this. */
export interface BuildOptions {
  /** A Rust source file (compiled with rustc) or rustc-produced bitcode (`.bc`). */
  rustInput: string;
  /** C sources (compiled with clang) or bitcode files defining the helpers. */
  helperInputs: string[];
  /** The relocatable object to write. */
  output: string;
  /** Passed to rustc unchanged, in order (`--rustc-arg=<flag>`). */
  rustcArgs?: string[];
  /** Passed to clang unchanged, in order (`--cc-arg=<flag>`). */
  ccArgs?: string[];
  /** C flags as one string each, split as a shell would (`--cc-args "$(CFLAGS)"`); before `ccArgs`. */
  ccArgStrings?: string[];
  /** Libraries whose `pkg-config --cflags` go to every C compile (`--pkg-config <name>`); before the other C flags. */
  pkgConfig?: string[];
  /**
   * Helpers are the functions the helper inputs define and the Rust code references; these
   * filters narrow that set by name (docs/INLINING.md, "Which functions are helpers").
   */
  helperPrefix?: string;
  helperSuffix?: string;
  /** A regular expression (JavaScript syntax) the whole helper name must match. */
  helperPattern?: string;
  /** Drop the naming filters: every function the helper inputs define is a helper (the default without filters). */
  allHelperFunctions?: boolean;
  /** Also keep the merged, inlined bitcode here. */
  emitBitcode?: string;
  /** Also write the JSON report here (published with the object, all or nothing); `-` is standard output. */
  reportPath?: string;
  /**
   * Stable rustc loads plugins only with RUSTC_BOOTSTRAP=1: allow local-lto to set it for its own
   * rustc run only (`--rustc-bootstrap`, or LOCAL_LTO_RUSTC_BOOTSTRAP=1). Nightly needs nothing.
   */
  rustcBootstrap?: boolean;
  /** The environment tools are found and run in; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Fail (exit 10, no object written) when any helper call is left in the object. */
  requireInlined?: boolean;
  /** Codegen optimisation level for bitcode Rust input (source input follows rustc's flags). */
  codegenOptLevel?: CodegenOptLevel;
  /**
   * Who inlines and generates code: rustc's own rust-lld (one process, rustc's LLVM), or opt + llc
   * of rustc's LLVM major. `auto` (default): rust-lld when found, else opt + llc.
   */
  codegenBackend?: "auto" | "rust-lld" | "llc";
  tools?: ToolOverrides;
  /** Working directory for relative paths; defaults to process.cwd(). */
  cwd?: string;
  /** Keep the temporary directory (for debugging); its path is logged. */
  keepTemps?: boolean;
  /** inline, static (helpers linked in and made local, no inlining), or auto (the default): docs/MODES.md. */
  mode?: BuildMode;
  /** The C compiler for .c helpers in both modes (`--cc`); static mode defaults to `cc`, inline mode to the clang found. */
  cc?: string;
  /** Static mode: the linker for `ld -r` (GNU ld or ld.lld); defaults to the one that goes with the C compiler. */
  linker?: string;
  /** Safety checks (src/safety/types.ts) whose findings the user accepts (`--allow=<check>`). */
  allow?: SafetyCheckId[];
  /** A helpers config naming helper sources and their variants (`--helpers-config`, docs/VARIANTS.md). */
  helpersConfig?: string;
  /** The variant of `helpersConfig` to build with (`--helpers-variant`); default: the config's. */
  helpersVariant?: string;
  /** Helpers' debug info: `keep` what the flags give (default), or `none` (`-g0`; stripped from helper bitcode). */
  helpersDebug?: HelpersDebug;
  /** Reuse compiled helper bitcode across builds (default true; `--no-cache`). */
  helperCache?: boolean;
  /** Where the helper bitcode cache lives (`--cache-dir`); default LOCAL_LTO_CACHE_DIR, else $XDG_CACHE_HOME/local-lto. */
  cacheDir?: string;
  /** Remove harmless attribute differences from helpers before inlining (`--reconcile`, default on; docs/INLINING.md). */
  reconcile?: "on" | "off";
  /** Explain every helper call site, inlined or not, and check it against LLVM's remarks (`--explain`). */
  explain?: boolean;
  /** `null_pointer_is_valid` on helpers whose body it affects: caller (default), keep, or drop (docs/INLINING.md). */
  nullPointerPolicy?: NullPointerPolicy;
  /** The inliner's threshold for helper calls (`--inline-threshold`; default: `-Cllvm-args=-inline-threshold=N` given to rustc, else LLVM's). */
  inlineThreshold?: number;
  /**
   * The CLI's command line, as the launcher keys repeated builds (src/pipeline/plugin/replayEntry.ts):
   * a plugin-path build leaves an entry under this key (a repeat itself is src/cli/replayMain.ts's).
   */
  replay?: { keyText: string };
}

/** See src/inlining/reconcilePlan.ts. */
export type NullPointerPolicy = "keep" | "caller" | "drop";

export type HelpersDebug = "keep" | "none";

/**
 * plugin: rustc links the helpers in through local-lto's pass plugin (the fast path); inline: the
 * link path (llvm-link, then inline and codegen with rust-lld or opt + llc); static: helpers linked
 * in and made local, not inlined; auto: the first that can run (docs/MODES.md).
 */
export type BuildMode = "auto" | "plugin" | "inline" | "static";

export type { CodegenOptLevel } from "../tools/rustcArgs.js";

/** The symbols `inspect` checks when given neither helper names nor helper inputs. */
export const defaultHelperPrefix = "rust_helper_";

/** One bitcode module produced or accepted by the compile stage. */
export interface BitcodeModule {
  /** Where the user's input came from. */
  source: string;
  /** The bitcode file in the workspace (or the user's own .bc). */
  bitcode: string;
  kind: "rust" | "helpers";
}
