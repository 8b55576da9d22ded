import type { SafetyCheckId } from "../../safety/types.js";
import type { ToolOverrides } from "../../toolchain/resolveToolchain.js";
import type { RustcArgsFacts } from "../../tools/rustcArgs.js";
import type { CodegenOptLevel } from "../../tools/rustcArgs.js";
import type { BuildMode, HelpersDebug, NullPointerPolicy } from "../types.js";
import type { HelperVariant } from "../variants/helpersConfig.js";

/**
 * The Rust input, by kind: each kind carries exactly the facts its pipeline needs, so a stage
 * that compiles Rust source cannot be handed bitcode without rustc's flags, and so on.
 */
export type RustInput =
  | { readonly kind: "rust-source"; readonly path: string; readonly rustcArgs: readonly string[]; readonly facts: RustcArgsFacts }
  /** rustc-produced bitcode; code is generated at `codegenOptLevel` (`--codegen-opt-level`, default 3). */
  | { readonly kind: "bitcode"; readonly path: string; readonly codegenOptLevel: CodegenOptLevel }
  /** A prebuilt object: static mode only. */
  | { readonly kind: "object"; readonly path: string };

export type HelperInputKind = "c-source" | "bitcode" | "object";

export interface HelperInput {
  readonly path: string;
  readonly kind: HelperInputKind;
}

/**
 * Filters on the functions the helper inputs define (docs/INLINING.md, "Which functions are
 * helpers"): none by default, so every function a helper input defines and the Rust code
 * references is a helper, whatever its name.
 */
export interface HelperNaming {
  readonly prefix?: string;
  readonly suffix?: string;
  /** A regular expression the whole name must match. */
  readonly pattern?: RegExp;
}

/** Every file a build writes, as absolute paths; `report: "-"` is standard output. */
export interface BuildOutputs {
  readonly object: string;
  readonly emitBitcode?: string;
  readonly report?: string;
}

/**
 * A build with every default applied and every path checked: what `resolveBuild()` makes of
 * `BuildOptions` once, before any work. Stages read this and nothing else.
 */
export interface ResolvedBuild {
  readonly cwd: string;
  /** The environment tools are looked up in and run with (injectable for tests). */
  readonly env: NodeJS.ProcessEnv;
  readonly rust: RustInput;
  readonly helpers: readonly HelperInput[];
  /** The helpers config variant that supplied helpers and flags, if any. */
  readonly variant?: HelperVariant;
  /** Flags for every C compile: the variant's, the user's, then `-g0` for `--helpers-debug=none`. */
  readonly ccArgs: readonly string[];
  readonly helpersDebug: HelpersDebug;
  readonly helperNaming: HelperNaming;
  readonly outputs: BuildOutputs;
  readonly requireInlined: boolean;
  /** The mode asked for; `planBuild` decides the one that runs. */
  readonly mode: BuildMode;
  readonly codegenBackend: "auto" | "rust-lld" | "llc";
  readonly tools: ToolOverrides;
  readonly cc?: string;
  readonly linker?: string;
  readonly allow: ReadonlySet<SafetyCheckId>;
  /** Where compiled helper bitcode is cached; undefined with `--no-cache`. */
  readonly cacheDir?: string;
  readonly reconcile: boolean;
  readonly explain: boolean;
  readonly nullPointerPolicy: NullPointerPolicy;
  /** The inliner's threshold for helper calls: `--inline-threshold`, else `-Cllvm-args=-inline-threshold=N` given to rustc, else LLVM's. */
  readonly inlineThreshold?: number;
  readonly keepTemps: boolean;
  /** Stable rustc may be given RUSTC_BOOTSTRAP=1 to load the plugin (its own run only). */
  readonly rustcBootstrap: boolean;
  /** Inputs that are bitcode the user supplied (blamed when an LLVM reader rejects them). */
  readonly userBitcode: readonly string[];
}

/** rustc's flags for a build (none for bitcode or object input). */
export function rustcArgsOf(build: ResolvedBuild): readonly string[] {
  return build.rust.kind === "rust-source" ? build.rust.rustcArgs : [];
}
