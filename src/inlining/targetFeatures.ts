import { escapeIrString } from "./irText.js";

/**
 * Target features as LLVM's inliner sees them, learnt from LLVM itself rather than from a table:
 * the `opt` of the toolchain in use is asked, with tiny probe modules, whether an empty function
 * with one set of target attributes can be inlined into one with another. That answer is the
 * target's own `areInlineCompatible` (x86: feature bits after its ignore list; AArch64 and most
 * others: the callee's subtarget bits a subset of the caller's), for every CPU name, tuning CPU
 * and feature string that LLVM knows — nothing here knows any CPU.
 *
 * Two kinds of probe:
 * - a *verdict*: caller target ← callee target, inlined or not (exact, cheap);
 * - a target's *feature bits*: for each feature `f` LLVM lists (`opt -mattr=help`), whether a
 *   callee with only `f` (and what `f` implies) can go into the target. Those bits are the ones
 *   the inliner compares, so a subset test on them gives LLVM's verdict (checked by
 *   test/unit/inlining-target-oracle.test.ts); they name the features in explanations and tell
 *   the reconciliation rules which features a helper would lose or gain.
 *
 * This file is pure: probe modules out, opt's remarks in. src/pipeline/reconcile/llvmFacts.ts runs
 * opt and caches the answers per tool identity.
 */
export interface TargetAttributes {
  /** `target-cpu`; absent means the target machine's default CPU. */
  cpu?: string;
  /** `tune-cpu`; absent means the CPU itself. */
  tuneCpu?: string;
  /** `target-features`, as written. */
  features?: string;
}

/** A stable key for one set of target attributes (absent and empty are different in LLVM). */
export function targetKey(t: TargetAttributes): string {
  return JSON.stringify([t.cpu ?? null, t.tuneCpu ?? null, t.features ?? null]);
}

export function sameTargetStrings(a: TargetAttributes, b: TargetAttributes): boolean {
  return targetKey(a) === targetKey(b);
}

/** The tuning CPU LLVM uses for a function (the CPU when no `tune-cpu`; the default CPU when neither). */
export function effectiveTuneCpu(t: TargetAttributes): string {
  return t.tuneCpu ?? t.cpu ?? "generic";
}

/** `t` with `other`'s tuning: a difference left between `t` and `other` is then not a tuning one. */
export function withTuningOf(t: TargetAttributes, other: TargetAttributes): TargetAttributes {
  return { ...t, tuneCpu: effectiveTuneCpu(other) };
}

export interface InlineProbePair {
  caller: TargetAttributes;
  callee: TargetAttributes;
}

function attributeText(t: TargetAttributes): string {
  const parts = ["nounwind"];
  if (t.cpu !== undefined) parts.push(`"target-cpu"="${escapeIrString(t.cpu)}"`);
  if (t.tuneCpu !== undefined) parts.push(`"tune-cpu"="${escapeIrString(t.tuneCpu)}"`);
  if (t.features !== undefined) parts.push(`"target-features"="${escapeIrString(t.features)}"`);
  return parts.join(" ");
}

/**
 * The module for a batch of verdicts: per pair, an empty callee `@e<i>` called by an empty caller
 * `@c<i>`, each with only its target attributes. An empty callee costs nothing, so LLVM inlines it
 * exactly when the attributes are compatible. Identical attribute sets share one group (and one
 * subtarget in LLVM: most of the run's time is building subtargets).
 */
export function inlineProbeModule(triple: string, pairs: readonly InlineProbePair[]): string {
  const groups = new Map<string, number>();
  const group = (t: TargetAttributes) => {
    const text = attributeText(t);
    let id = groups.get(text);
    if (id === undefined) groups.set(text, (id = groups.size));
    return id;
  };
  const lines = [`target triple = "${escapeIrString(triple)}"`];
  pairs.forEach((p, i) => {
    lines.push(`define void @e${i}() #${group(p.callee)} {\n  ret void\n}`);
    lines.push(`define void @c${i}() #${group(p.caller)} {\n  call void @e${i}()\n  ret void\n}`);
  });
  for (const [text, id] of groups) lines.push(`attributes #${id} = { ${text} }`);
  return `${lines.join("\n")}\n`;
}

/**
 * Which probes LLVM inlined, from `opt -passes=inline -pass-remarks=inline` on stderr:
 * `remark: <unknown>:0:0: 'e12' inlined into 'c12' with (cost=-30, threshold=337)` (LLVM 14–22).
 */
export function parseInlinedProbes(stderr: string, count: number): boolean[] {
  const out = new Array<boolean>(count).fill(false);
  for (const m of stderr.matchAll(/'e(\d+)' inlined into 'c(\d+)'/g)) {
    const i = Number(m[1]);
    if (i === Number(m[2]) && i < count) out[i] = true;
  }
  return out;
}

/**
 * The features `opt -mtriple=<t> -mattr=help` lists ("Available features for this target:" then
 * `  name - description` lines). Mode features (`64bit-mode`, x86's `64bit`) are fixed by the
 * triple: clearing one is a fatal error, so they are never probed.
 */
export function parseFeatureList(help: string): string[] {
  const at = help.indexOf("Available features");
  if (at < 0) return [];
  const out: string[] = [];
  for (const m of help.slice(at).matchAll(/^ {2}(\S+)\s+- /gm)) {
    const name = m[1]!;
    if (/-mode$/.test(name) || name === "64bit") continue;
    out.push(name);
  }
  return out;
}

/** The CPU names `opt -mattr=help` lists ("Available CPUs for this target:"), for documentation and tests. */
export function parseCpuList(help: string): string[] {
  const start = help.indexOf("Available CPUs");
  const end = help.indexOf("Available features");
  if (start < 0) return [];
  return [...help.slice(start, end < 0 ? undefined : end).matchAll(/^ {2}(\S+)\s+- /gm)].map((m) => m[1]!);
}

/** What the probes found for one triple: plain data, cached by the pipeline per tool identity. */
export interface TargetFacts {
  /** The features LLVM lists for the triple (for the bit probes); absent until needed. */
  features?: string[];
  /**
   * Features that are restrictions rather than capabilities (AArch64's `execute-only`): LLVM
   * inlines a callee *with* one into a caller without it, not the other way round.
   */
  inverse?: string[];
  /** Feature bits per targetKey (inverse features: present when the target has them). */
  bits: Record<string, string[]>;
  /** LLVM's verdict per `callerKey \n calleeKey`. */
  verdicts: Record<string, boolean>;
}

export function emptyTargetFacts(): TargetFacts {
  return { bits: {}, verdicts: {} };
}

export function verdictKey(caller: TargetAttributes, callee: TargetAttributes): string {
  return `${targetKey(caller)}\n${targetKey(callee)}`;
}

/** A callee with no feature at all: every listed feature cleared, on the default CPU. */
function noFeatures(features: readonly string[]): TargetAttributes {
  return { cpu: "generic", tuneCpu: "generic", features: features.map((f) => `-${f}`).join(",") };
}

function onlyFeature(features: readonly string[], f: string): TargetAttributes {
  return { cpu: "generic", tuneCpu: "generic", features: `${noFeatures(features).features},+${f}` };
}

/** One batch of probes and how to read LLVM's answers back into the facts. */
export interface ProbeBatch {
  pairs: InlineProbePair[];
  /** Records the answers (one per pair, in order) into `facts`. */
  record(facts: TargetFacts, inlined: readonly boolean[]): void;
}

/**
 * The probes that answer `verdicts` (caller ← callee pairs) and the feature bits of `bitsFor`,
 * skipping what `facts` already knows. Needs `facts.features` when bits are asked for.
 */
export function planProbes(facts: TargetFacts, verdicts: readonly InlineProbePair[], bitsFor: readonly TargetAttributes[]): ProbeBatch {
  const pairs: InlineProbePair[] = [];
  const readers: Array<(facts: TargetFacts, inlined: readonly boolean[]) => void> = [];
  const seenVerdicts = new Set<string>();
  for (const p of verdicts) {
    const key = verdictKey(p.caller, p.callee);
    if (key in facts.verdicts || seenVerdicts.has(key) || sameTargetStrings(p.caller, p.callee)) continue;
    seenVerdicts.add(key);
    const at = pairs.push(p) - 1;
    readers.push((f, inlined) => (f.verdicts[key] = inlined[at]!));
  }
  const features = facts.features ?? [];
  const wanted = new Map<string, TargetAttributes>();
  for (const t of bitsFor) if (!(targetKey(t) in facts.bits)) wanted.set(targetKey(t), t);
  if (wanted.size && features.length) {
    const none = noFeatures(features);
    const only = features.map((f) => onlyFeature(features, f));
    // Inverse features: a featureless callee does not go into a caller with only that feature.
    const inverseAt = features.map((_, i) => pairs.push({ caller: only[i]!, callee: none }) - 1);
    const perTarget = [...wanted].map(([key, t]) => ({
      key,
      noneAt: pairs.push({ caller: t, callee: none }) - 1,
      featureAt: features.map((_, i) => pairs.push({ caller: t, callee: only[i]! }) - 1),
    }));
    readers.push((f, inlined) => {
      const inverse = features.filter((_, i) => !inlined[inverseAt[i]!]);
      f.inverse = inverse;
      for (const t of perTarget) {
        const bits = features.filter((name, i) => !inverse.includes(name) && inlined[t.featureAt[i]!]);
        // With one inverse feature, the featureless callee carries exactly it: it goes into the
        // target only when the target lacks it. More than one cannot be told apart this way.
        if (inverse.length === 1 && !inlined[t.noneAt]) bits.push(inverse[0]!);
        f.bits[t.key] = bits.sort();
      }
    });
  }
  return { pairs, record: (f, inlined) => readers.forEach((read) => read(f, inlined)) };
}

/**
 * LLVM's inlining view of target attributes, from probed facts. Every answer is LLVM's own; where
 * nothing was probed yet the answer is undefined and the question is remembered (`missing()`), so
 * the pipeline can ask LLVM and run the pure rules again (src/pipeline/reconcile/llvmFacts.ts).
 * Questions whose probe failed (`tried`) stay undefined: callers then say "unknown".
 */
export class TargetModel {
  private readonly missedVerdicts = new Map<string, InlineProbePair>();
  private readonly missedBits = new Map<string, TargetAttributes>();

  constructor(
    readonly triple: string,
    readonly facts: TargetFacts,
    private readonly tried: ReadonlySet<string> = new Set(),
  ) {}

  /** Whether a callee with `callee`'s target attributes can be inlined into a caller with `caller`'s. */
  inlinable(caller: TargetAttributes, callee: TargetAttributes): boolean | undefined {
    if (sameTargetStrings(caller, callee)) return true;
    const key = verdictKey(caller, callee);
    const direct = this.facts.verdicts[key];
    if (direct !== undefined) return direct;
    if (!this.tried.has(key)) this.missedVerdicts.set(key, { caller, callee });
    return this.fromBits(caller, callee);
  }

  /** The verdict the probed bits give (exact for targets without inverse features; see the oracle test). */
  fromBits(caller: TargetAttributes, callee: TargetAttributes): boolean | undefined {
    const c = this.knownBits(caller);
    const h = this.knownBits(callee);
    if (!c || !h) return undefined;
    const inverse = new Set(this.facts.inverse ?? []);
    for (const f of h) if (!inverse.has(f) && !c.has(f)) return false;
    for (const f of inverse) if (c.has(f) && !h.has(f)) return false;
    return true;
  }

  /** The target's feature bits; asks for them (see `missing`) when not probed yet. */
  bits(t: TargetAttributes): ReadonlySet<string> | undefined {
    const known = this.knownBits(t);
    if (!known && !this.tried.has(`bits ${targetKey(t)}`)) this.missedBits.set(targetKey(t), t);
    return known;
  }

  /** The bits if already probed, without asking. */
  knownBits(t: TargetAttributes): ReadonlySet<string> | undefined {
    const list = this.facts.bits[targetKey(t)];
    return list ? new Set(list) : undefined;
  }

  /** Features in `a`'s bits and not in `b`'s, sorted; undefined while either is unknown. */
  difference(a: TargetAttributes, b: TargetAttributes): string[] | undefined {
    const x = this.bits(a);
    const y = this.bits(b);
    if (!x || !y) return undefined;
    return [...x].filter((f) => !y.has(f)).sort();
  }

  /**
   * Asks ahead for what a later question will need, so that one probe run answers them together
   * (each run of bit probes costs LLVM a subtarget per feature, about as much for one target as
   * for ten).
   */
  prefetch(bitsFor: readonly TargetAttributes[], verdicts: readonly InlineProbePair[] = []): void {
    for (const t of bitsFor) this.bits(t);
    for (const v of verdicts) this.inlinable(v.caller, v.callee);
  }

  /** The questions asked that the facts could not answer. */
  missing(): { verdicts: InlineProbePair[]; bitsFor: TargetAttributes[] } {
    return { verdicts: [...this.missedVerdicts.values()], bitsFor: [...this.missedBits.values()] };
  }
}
