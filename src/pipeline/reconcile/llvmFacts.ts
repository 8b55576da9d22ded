import { writeFileAtomically } from "../../files/writeAtomically.js";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { debugLog } from "../../diagnostics/debugLog.js";
import type { IrFunction } from "../../ir/types.js";
import { IntrinsicFacts, intrinsicProbeModule, readSelection } from "../../inlining/intrinsicNeeds.js";
import {
  emptyTargetFacts,
  inlineProbeModule,
  parseFeatureList,
  parseInlinedProbes,
  planProbes,
  targetKey,
  TargetModel,
  verdictKey,
  type InlineProbePair,
  type TargetAttributes,
  type TargetFacts,
} from "../../inlining/targetFeatures.js";
import { runTool } from "../../process/run.js";
import type { Toolchain } from "../../toolchain/resolveToolchain.js";
import { defaultCacheDir } from "../../toolchain/cacheDir.js";
import { sha256Hex } from "../../files/contentHash.js";
import { processMemo } from "../../process/processMemo.js";

const debug = debugLog("local-lto:llvm-facts");

/**
 * What local-lto asks LLVM about targets (targetFeatures.ts, intrinsicNeeds.ts), remembered per
 * tool identity: the answers depend only on the `opt`/`llc` executables (path, inode, size, mtime)
 * and the triple, so they are cached across builds in `<cache dir>/llvm-facts/` (the helper cache's
 * directory: `--cache-dir`, LOCAL_LTO_CACHE_DIR, else $XDG_CACHE_HOME/local-lto; not written when
 * LOCAL_LTO_NO_TOOL_CACHE is set). A first build with new targets pays one `opt` run for the
 * verdicts (tens of ms) and, when a call is refused, one for the feature bits (about 1 s: LLVM
 * builds a subtarget per feature it lists); later builds read the file.
 */
interface StoredFacts {
  version: 1;
  opt: string;
  llc?: string;
  triple: string;
  targets: TargetFacts;
  intrinsics: Record<string, boolean>;
}

export interface FactsTools {
  opt: string;
  /** Absent when no llc was found: intrinsic questions then stay unanswered. */
  llc?: string;
}

/** The LLVM tools to ask, from the build's toolchain (opt is required by inline mode anyway). */
export function factsTools(toolchain: Toolchain): FactsTools | undefined {
  const opt = toolchain.tools.opt;
  const llc = toolchain.tools.llc;
  if (opt.verdict !== "ok" || !opt.path) return undefined;
  return { opt: opt.path, llc: llc.verdict === "ok" ? llc.path : undefined };
}

async function identity(path: string | undefined): Promise<string> {
  if (!path) return "none";
  try {
    const info = await stat(path);
    return `${path}:${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return `${path}:missing`;
  }
}

/** One triple's facts for one pair of tools: loaded once per process, saved when something was learnt. */
class FactsStore implements FactsData {
  readonly tried = new Set<string>();
  private dirty = false;
  constructor(
    readonly file: string | undefined,
    readonly data: StoredFacts,
  ) {}

  markDirty(): void {
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty || !this.file) return;
    this.dirty = false;
    try {
      await writeFileAtomically(this.file, JSON.stringify(this.data), { makeDirectory: true });
    } catch (error) {
      // Best effort: an unwritable cache only costs the probes next time.
      debug("cannot write %s: %s", this.file, (error as Error).message);
    }
  }
}

const stores = processMemo<string, Promise<FactsStore>>();

async function openStore(tools: FactsTools, triple: string, cacheDir: string | undefined): Promise<FactsStore> {
  const [opt, llc] = await Promise.all([identity(tools.opt), identity(tools.llc)]);
  const id = sha256Hex(`${opt}\n${llc}\n${triple}`).slice(0, 32);
  const persistent = !process.env.LOCAL_LTO_NO_TOOL_CACHE;
  const file = persistent ? join(cacheDir ?? defaultCacheDir(), "llvm-facts", `${id}.json`) : undefined;
  const memoryKey = `${file ?? "memory"}\n${id}`;
  let store = stores.get(memoryKey);
  if (!store) {
    store = (async () => {
      const fresh: StoredFacts = { version: 1, opt, llc, triple, targets: emptyTargetFacts(), intrinsics: {} };
      if (!file) return new FactsStore(undefined, fresh);
      try {
        const loaded = JSON.parse(await readFile(file, "utf8")) as StoredFacts;
        if (loaded.version === 1 && loaded.opt === opt && loaded.llc === llc && loaded.triple === triple) return new FactsStore(file, loaded);
      } catch {
        // absent or unreadable: start afresh
      }
      return new FactsStore(file, fresh);
    })();
    stores.set(memoryKey, store);
  }
  return store;
}

export interface FactsContext {
  tools: FactsTools | undefined;
  triple: string;
  cacheDir?: string;
  /** A fresh path for a probe module. */
  scratchFile(name: string): string;
  /** Functions by name, for intrinsic declarations. */
  declarationOf(name: string): IrFunction | undefined;
}

/**
 * Runs pure rules that may ask LLVM questions (`compute` gets a TargetModel and IntrinsicFacts that
 * record what they could not answer), asks LLVM those questions, and runs the rules again until
 * everything they asked is answered (or could not be: a failed probe is not retried, and the rules
 * then say "unknown"). Each round is one opt run and a few llc runs; with a warm cache, none.
 */
export async function withLlvmFacts<T>(ctx: FactsContext, compute: (targets: TargetModel, intrinsics: IntrinsicFacts) => T): Promise<T> {
  if (!ctx.tools) {
    return compute(new TargetModel(ctx.triple, emptyTargetFacts()), new IntrinsicFacts({}, () => undefined));
  }
  const store = await openStore(ctx.tools, ctx.triple, ctx.cacheDir);
  try {
    return await answerQuestions(ctx, store, compute);
  } finally {
    await store.save();
  }
}

/** What answerQuestions works on: the facts (mutated as LLVM answers) and the questions that failed. */
export interface FactsData {
  readonly data: { targets: TargetFacts; intrinsics: Record<string, boolean> };
  readonly tried: Set<string>;
  markDirty(): void;
}

/** The loop of withLlvmFacts over given facts (tests record their facts with it). */
export async function answerQuestions<T>(ctx: FactsContext, store: FactsData, compute: (targets: TargetModel, intrinsics: IntrinsicFacts) => T): Promise<T> {
  for (let round = 0; ; round++) {
    const targets = new TargetModel(ctx.triple, store.data.targets, store.tried);
    const intrinsics = new IntrinsicFacts(store.data.intrinsics, ctx.declarationOf, store.tried);
    const result = compute(targets, intrinsics);
    const asked = targets.missing();
    const selections = intrinsics.missing();
    if ((asked.verdicts.length === 0 && asked.bitsFor.length === 0 && selections.length === 0) || round >= 6 || !ctx.tools) return result;
    await Promise.all([askTargets(ctx, store, asked.verdicts, asked.bitsFor), askSelections(ctx, store, selections)]);
  }
}

async function askTargets(ctx: FactsContext, store: FactsData, verdicts: InlineProbePair[], bitsFor: TargetAttributes[]): Promise<void> {
  if (verdicts.length === 0 && bitsFor.length === 0) return;
  const facts = store.data.targets;
  const opt = ctx.tools!.opt;
  const giveUp = (why: string) => {
    debug("target probe failed: %s", why);
    for (const v of verdicts) store.tried.add(verdictKey(v.caller, v.callee));
    for (const t of bitsFor) store.tried.add(`bits ${targetKey(t)}`);
  };
  if (bitsFor.length && !facts.features) {
    const help = await runTool({ file: opt, args: [`-mtriple=${ctx.triple}`, "-mattr=help"], input: "" });
    const features = parseFeatureList(`${help.stdout}\n${help.stderr}`);
    if (features.length === 0) {
      for (const t of bitsFor) store.tried.add(`bits ${targetKey(t)}`);
      bitsFor = [];
      debug("opt -mattr=help listed no features for %s", ctx.triple);
    } else {
      facts.features = features;
      store.markDirty();
    }
  }
  let batch = planProbes(facts, verdicts, bitsFor);
  if (batch.pairs.length === 0) return;
  let run = await runInlineProbes(ctx, batch.pairs);
  if (run.exitCode !== 0) {
    // Some target attributes are a fatal error for LLVM (a 32-bit CPU on a 64-bit triple): find
    // them, leave their questions unanswered, and ask the rest again.
    const fatal = new Set(await fatalTargets(ctx, distinctTargets(batch.pairs)));
    debug("target probe failed (%s); fatal target attributes: %o", lastLines(run.stderr), [...fatal]);
    if (fatal.size === 0) return giveUp(lastLines(run.stderr));
    for (const v of verdicts) if (fatal.has(targetKey(v.caller)) || fatal.has(targetKey(v.callee))) store.tried.add(verdictKey(v.caller, v.callee));
    for (const t of bitsFor) if (fatal.has(targetKey(t))) store.tried.add(`bits ${targetKey(t)}`);
    verdicts = verdicts.filter((v) => !fatal.has(targetKey(v.caller)) && !fatal.has(targetKey(v.callee)));
    bitsFor = bitsFor.filter((t) => !fatal.has(targetKey(t)));
    batch = planProbes(facts, verdicts, bitsFor);
    if (batch.pairs.length === 0) return;
    run = await runInlineProbes(ctx, batch.pairs);
    if (run.exitCode !== 0) return giveUp(lastLines(run.stderr));
  }
  batch.record(facts, parseInlinedProbes(run.stderr, batch.pairs.length));
  // A question the batch did not answer (a bits question without a feature list) is not retried.
  for (const v of verdicts) if (!(verdictKey(v.caller, v.callee) in facts.verdicts)) store.tried.add(verdictKey(v.caller, v.callee));
  for (const t of bitsFor) if (!(targetKey(t) in facts.bits)) store.tried.add(`bits ${targetKey(t)}`);
  store.markDirty();
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ");
}

async function runInlineProbes(ctx: FactsContext, pairs: InlineProbePair[]) {
  const file = ctx.scratchFile("target-probe.ll");
  await writeFile(file, inlineProbeModule(ctx.triple, pairs));
  const run = await runTool({ file: ctx.tools!.opt, args: ["-passes=inline", "-pass-remarks=inline", "-disable-output", file] });
  debug("%d target probe(s) for %s: exit %s, %d ms", pairs.length, ctx.triple, run.exitCode, Math.round(run.durationMs));
  return run;
}

function distinctTargets(pairs: readonly InlineProbePair[]): TargetAttributes[] {
  const out = new Map<string, TargetAttributes>();
  for (const p of pairs) for (const t of [p.caller, p.callee]) out.set(targetKey(t), t);
  return [...out.values()];
}

/** The targets whose subtarget LLVM cannot build, by halving (each test: every target inlined into itself). */
async function fatalTargets(ctx: FactsContext, targets: TargetAttributes[]): Promise<string[]> {
  const run = await runInlineProbes(ctx, targets.map((t) => ({ caller: t, callee: t })));
  if (run.exitCode === 0) return [];
  if (targets.length === 1) return [targetKey(targets[0]!)];
  const half = Math.ceil(targets.length / 2);
  return [...(await fatalTargets(ctx, targets.slice(0, half))), ...(await fatalTargets(ctx, targets.slice(half)))];
}

async function askSelections(ctx: FactsContext, store: FactsData, asked: ReturnType<IntrinsicFacts["missing"]>): Promise<void> {
  const llc = ctx.tools!.llc;
  await Promise.all(
    asked.map(async ({ key, call, declaration, target }) => {
      const text = llc ? intrinsicProbeModule(ctx.triple, declaration, call, target) : undefined;
      if (!text) {
        store.tried.add(key);
        return;
      }
      const file = ctx.scratchFile("intrinsic-probe.ll");
      await writeFile(file, text);
      // A refusal is LLVM's fatal "Cannot select": no symbolized stack dump (seconds per crash).
      const run = await runTool({ file: llc!, args: ["-O2", "-filetype=obj", "-o", "/dev/null", file], env: { LLVM_DISABLE_SYMBOLIZATION: "1" } });
      const result = readSelection(run.exitCode, run.stderr);
      debug("%s for %s: %s", call.name, targetKey(target), result.selects === undefined ? `unknown (${result.message})` : result.selects);
      if (result.selects === undefined) store.tried.add(key);
      else {
        store.data.intrinsics[key] = result.selects;
        store.markDirty();
      }
    }),
  );
}
