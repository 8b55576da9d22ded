
/**
 * The only optimisation local-lto runs: the inliner, with the cheap cleanups that turn an
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
}

/** The pass pipeline, with the forceattrs pass first when attributes are forced. */
export function inlinePassPipeline(options: InlineRunOptions = {}): string {
  const forcing = (options.forceAttributes?.length ?? 0) > 0 || !!options.noinlineList;
  const pipeline = options.vectorizeLoops === false ? inlinePipelineNoVectorize : inlinePipeline;
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
    `-passes=${inlinePassPipeline(options)}`,
    ...inlinePassFlags(options),
    ...(options.llvmOptions ?? []),
    ...(options.remarksFile ? [`-pass-remarks-output=${options.remarksFile}`, "-pass-remarks-filter=inline"] : []),
  ];
}
