
/**
 * The link path's pipeline when the passes cannot be scoped (no plugin for this LLVM): the
 * inliner, with the cheap cleanups that turn an
 * inlined helper into the code a `static inline` would have given (instcombine, simplifycfg),
 * inside the CGSCC walk so they see each caller right after its callees were inlined; then the
 * loop vectorizer once more, because a loop that called a helper could not be vectorized by
 * rustc and can be now (an IS_ERR check over an array: 5.00 → 4.77 instructions per element,
 * C's figure; loops rustc already vectorized carry `llvm.loop.isvectorized` and are skipped).
 * rustc and clang already ran their full pipelines; re-running one over the merged module, as
 * the kernel does with `clang -O2`, repeats rustc's work (docs/BENCHMARKS.md). The vectorizer
 * costs ~0.15 s CPU on regex-syntax (about 2% of a plain rustc build).
 * `no-verify-fixpoint`: instcombine's fixpoint check is a debugging aid that costs time.
 */
export const inlinePipeline =
  "cgscc(inline,function(instcombine<no-verify-fixpoint>,simplifycfg)),function(loop-vectorize,instcombine<no-verify-fixpoint>)";

/** The pipeline without the loop vectorizer, for `-C no-vectorize-loops`. */
const inlinePipelineNoVectorize = "cgscc(inline,function(instcombine<no-verify-fixpoint>,simplifycfg))";

/**
 * The caller pipeline, when local-lto's plugin scopes the passes (`scopePlugin`): what a helper
 * caller needs to come out as C's `-O2` would make it, found on the corpus (corpus/FINDINGS.md):
 * SROA, EarlyCSE and SCCP before the inliner (xxhash: XXH64's inline cost 340 → 195 once SCCP
 * has run, so it is inlined as in C), the inliner with its cleanups, and EarlyCSE after the
 * vectorizer (ck: the ring mask loaded once, not once per inlined helper). Every optimization here
 * is a function pass, so the scope holds for all of them: they run on the helpers and their Rust
 * callers only (the inliner itself is bounded by the noinline list). IPSCCP, which the corpus
 * experiments first used, is a module pass that rewrites every function (56 of regex-syntax's
 * 336), and is not needed: SCCP over the scope gives the same costs.
 */
const callerPipeline =
  "function(sroa,early-cse,sccp),cgscc(inline,function(instcombine<no-verify-fixpoint>,simplifycfg)),function(loop-vectorize,instcombine<no-verify-fixpoint>,early-cse)";
const callerPipelineNoVectorize = "function(sroa,early-cse,sccp),cgscc(inline,function(instcombine<no-verify-fixpoint>,simplifycfg)),function(early-cse)";

export interface InlineRunOptions {
  /**
   * `function:attribute` pairs added before inlining (opt's forceattrs pass): the Rust callers that
   * --null-pointer-policy=caller marks null_pointer_is_valid (docs/INLINING.md).
   */
  forceAttributes?: readonly string[];
  /** Write LLVM's inlining remarks here (YAML), for --explain. */
  remarksFile?: string;
  /** CSV of `function,noinline` lines: the Rust module's own functions (rustFunctions.ts). */
  noinlineList?: string;
  /** false for `-C no-vectorize-loops`: rustc did not vectorize, so neither does local-lto. */
  vectorizeLoops?: boolean;
  /** LLVM options given to rustc with `-C llvm-args` (e.g. `-inline-threshold=400`): opt gets them too. */
  llvmOptions?: readonly string[];
  /** `-inline-threshold` for the inliner (--inline-threshold). */
  inlineThreshold?: number;
  /**
   * local-lto's plugin, built for this LLVM: loaded by rust-lld or opt, it runs the function
   * passes only on the helpers and their Rust callers (LOCAL_LTO_PASS_SCOPE = `noinlineList`, the
   * Rust module's own functions), and the caller pipeline replaces the inliner-only one.
   */
  scopePlugin?: string;
}

/** Whether the run is scoped by the plugin (it needs the Rust function list as well). */
export function isScoped(options: InlineRunOptions): options is InlineRunOptions & { scopePlugin: string; noinlineList: string } {
  return !!options.scopePlugin && !!options.noinlineList;
}

/** The environment the scoped run needs (the plugin reads it when the pass builder is made). */
export function inlinePassEnvironment(options: InlineRunOptions): Record<string, string> | undefined {
  return isScoped(options) ? { LOCAL_LTO_PASS_SCOPE: options.noinlineList } : undefined;
}

/** The pass pipeline, with the forceattrs pass first when attributes are forced. */
export function inlinePassPipeline(options: InlineRunOptions = {}): string {
  const forcing = (options.forceAttributes?.length ?? 0) > 0 || !!options.noinlineList;
  const vectorize = options.vectorizeLoops !== false;
  const pipeline = isScoped(options) ? (vectorize ? callerPipeline : callerPipelineNoVectorize) : vectorize ? inlinePipeline : inlinePipelineNoVectorize;
  return forcing ? `forceattrs,${pipeline}` : pipeline;
}

/** The cl::opt flags that go with the pipeline (for opt directly; rust-lld takes them after -mllvm). */
export function inlinePassFlags(options: InlineRunOptions = {}): string[] {
  return [
    ...(options.forceAttributes ?? []).map((f) => `-force-attribute=${f}`),
    ...(options.noinlineList ? [`-forceattrs-csv-path=${options.noinlineList}`] : []),
    ...(options.inlineThreshold !== undefined ? [`-inline-threshold=${options.inlineThreshold}`] : []),
  ];
}

/** opt's arguments for the inline step; also used to ask LLVM for its remarks on the same module. */
export function inlineArguments(options: InlineRunOptions = {}): string[] {
  return [
    ...(isScoped(options) ? [`-load-pass-plugin=${options.scopePlugin}`] : []),
    `-passes=${inlinePassPipeline(options)}`,
    ...inlinePassFlags(options),
    ...(options.llvmOptions ?? []),
    ...(options.remarksFile ? [`-pass-remarks-output=${options.remarksFile}`, "-pass-remarks-filter=inline"] : []),
  ];
}
