/**
 * x86 target features as LLVM 22's inliner compares them (X86TTIImpl::areInlineCompatible): each
 * function's feature bits are computed from its `target-cpu`, `tune-cpu` and `target-features`
 * attributes the way the X86 subtarget does, a list of features that cannot matter is masked out,
 * and the callee's bits must equal the caller's or be a subset of them.
 *
 * The tables were written from llvm/lib/Target/X86/X86.td and X86TargetTransformInfo.h and are
 * checked against the installed LLVM by test/unit/inlining-x86-oracle.test.ts, which asks `opt`
 * itself (a caller and a callee per feature pair; inlined or not) for every feature `llc -mattr=help`
 * lists and every CPU named here. Pure data and functions, no I/O.
 */

/** Direct implications: enabling the key enables these too (and what they imply). */
const implies: Record<string, readonly string[]> = {
  sse2: ["sse"],
  sse3: ["sse2"],
  ssse3: ["sse3"],
  "sse4.1": ["ssse3"],
  "sse4.2": ["sse4.1"],
  sse4a: ["sse3"],
  avx: ["sse4.2"],
  avx2: ["avx"],
  fma: ["avx"],
  f16c: ["avx"],
  fma4: ["avx", "sse4a"],
  xop: ["fma4"],
  avx512f: ["avx2", "fma", "f16c"],
  avx512cd: ["avx512f"],
  avx512dq: ["avx512f"],
  avx512bw: ["avx512f"],
  avx512vl: ["avx512f"],
  avx512ifma: ["avx512f"],
  avx512vnni: ["avx512f"],
  avx512vpopcntdq: ["avx512f"],
  avx512vp2intersect: ["avx512f"],
  avx512vbmi: ["avx512bw"],
  avx512vbmi2: ["avx512bw"],
  avx512bf16: ["avx512bw"],
  avx512bitalg: ["avx512bw"],
  avx512fp16: ["avx512bw"],
  "avx10.1": [
    "avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl", "avx512ifma", "avx512vbmi", "avx512vbmi2",
    "avx512vnni", "avx512bf16", "avx512bitalg", "avx512vpopcntdq", "avx512fp16",
  ],
  "avx10.1-512": ["avx10.1"],
  "avx10.2": ["avx10.1"],
  "avx10.2-512": ["avx10.2"],
  avxifma: ["avx2"],
  avxneconvert: ["avx2"],
  avxvnni: ["avx2"],
  avxvnniint8: ["avx2"],
  avxvnniint16: ["avx2"],
  sha512: ["avx2"],
  sm3: ["avx"],
  sm4: ["avx2"],
  aes: ["sse2"],
  pclmul: ["sse2"],
  gfni: ["sse2"],
  sha: ["sse2"],
  kl: ["sse2"],
  widekl: ["kl"],
  vaes: ["aes", "avx2"],
  vpclmulqdq: ["avx", "pclmul"],
  cx16: ["cx8"],
  xsaveopt: ["xsave"],
  xsavec: ["xsave"],
  xsaves: ["xsave"],
  "amx-int8": ["amx-tile"],
  "amx-bf16": ["amx-tile"],
  "amx-fp16": ["amx-tile"],
  "amx-complex": ["amx-tile"],
  "amx-fp8": ["amx-tile"],
  "amx-tf32": ["amx-tile"],
  "amx-movrs": ["amx-tile"],
  "amx-avx512": ["amx-tile"],
  retpoline: ["retpoline-indirect-calls", "retpoline-indirect-branches"],
  "retpoline-external-thunk": ["retpoline-indirect-calls"],
  seses: ["lvi-cfi"],
};

/**
 * X86TTIImpl's InlineFeatureIgnoreList: features with no intrinsic or ABI effect (64-bit capability,
 * NOPL, CX16, LAHF/SAHF, unaligned SSE memory operands) and most tuning flags.
 */
export const x86IgnoredFeatures: ReadonlySet<string> = new Set([
  "64bit", "nopl", "cx16", "sahf", "sse-unaligned-mem",
  "fast-11bytenop", "fast-15bytenop", "fast-bextr", "fast-hops", "fast-lzcnt", "fast-scalar-fsqrt",
  "fast-shld-rotate", "fast-scalar-shift-masks", "fast-vector-shift-masks", "fast-variable-crosslane-shuffle",
  "fast-variable-perlane-shuffle", "fast-vector-fsqrt", "lea-sp", "lea-uses-ag", "false-deps-lzcnt-tzcnt",
  "branchfusion", "macrofusion", "pad-short-functions", "false-deps-popcnt", "false-deps-mulc", "false-deps-perm",
  "false-deps-range", "false-deps-getmant", "false-deps-mullq", "slow-3ops-lea", "idivl-to-divb", "idivq-to-divl",
  "slow-incdec", "slow-lea", "slow-pmaddwd", "slow-pmulld", "slow-shld", "slow-two-mem-ops", "slow-unaligned-mem-16",
  "prefer-mask-registers", "vzeroupper", "use-slm-arith-costs", "use-glm-div-sqrt-costs", "no-bypass-delay",
  "no-bypass-delay-mov", "no-bypass-delay-shuffle", "no-bypass-delay-blend", "faster-shift-than-shuffle",
  "tuning-fast-imm-vector-shift", "fast-dpwssd", "fast-gather", "slow-unaligned-mem-32", "allow-light-256-bit",
  "prefer-128-bit", "prefer-256-bit",
]);

/**
 * Tuning flags that are NOT on the ignore list: a `tune-cpu` difference that sets one of them makes
 * LLVM refuse to inline although no instruction changes.
 */
export const x86TuningFeatures: ReadonlySet<string> = new Set([
  "fast-imm16", "fast-movbe", "sbb-dep-breaking", "prefer-movmsk-over-vtest", "slow-pmullq",
  "fast-7bytenop", "prefer-legacy-setcc", "prefer-no-gather", "prefer-no-scatter",
]);

/**
 * Features that only choose between equivalent instruction sequences (tuning, and ERMSB/FSRM,
 * which LLVM models as CPU features but only make `rep movs` preferred): never a semantic change.
 */
export const x86PerformanceOnlyFeatures: ReadonlySet<string> = new Set([...x86TuningFeatures, "ermsb", "fsrm"]);

interface CpuEntry {
  /** Instruction-set features (before implications). */
  isa: readonly string[];
  /** Non-ignored tuning features this CPU sets when it is the tuning CPU. */
  tuning: readonly string[];
}

const v1 = ["x87", "cx8", "cmov", "mmx", "sse2", "fxsr", "nopl", "64bit"];
const v2 = [...v1, "cx16", "sahf", "crc32", "popcnt", "sse4.2"];
const v3 = [...v2, "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe", "xsave"];
const v4 = [...v3, "avx512bw", "avx512cd", "avx512dq", "avx512vl"];
const haswell = [...v3, "pclmul", "rdrnd", "fsgsbase", "invpcid", "xsaveopt", "ermsb"];
const skylake = [...haswell, "adx", "aes", "clflushopt", "prfchw", "rdseed", "xsavec", "xsaves"];
const skylakeAvx512 = [...skylake, "avx512bw", "avx512cd", "avx512dq", "avx512vl", "clwb", "pku"];
const icelakeServer = [
  ...skylakeAvx512, "avx512bitalg", "avx512ifma", "avx512vbmi", "avx512vbmi2", "avx512vnni", "avx512vpopcntdq",
  "gfni", "pconfig", "rdpid", "sha", "vaes", "vpclmulqdq", "wbnoinvd", "fsrm",
];
const sapphireRapids = [
  ...icelakeServer, "amx-bf16", "amx-int8", "avx512bf16", "avx512fp16", "avxvnni",
  "cldemote", "enqcmd", "movdir64b", "movdiri", "ptwrite", "serialize", "shstk", "tsxldtrk", "uintr", "waitpkg",
];
const alderlake = [
  ...v3, "adx", "aes", "avxvnni", "clflushopt", "clwb", "fsgsbase", "gfni", "hreset", "invpcid", "kl", "movdir64b",
  "movdiri", "pclmul", "pconfig", "pku", "prfchw", "ptwrite", "rdpid", "rdrnd", "rdseed", "serialize", "sha", "shstk",
  "vaes", "vpclmulqdq", "waitpkg", "widekl", "xsavec", "xsaveopt", "xsaves",
];
const znver3 = [
  ...v3, "adx", "aes", "clflushopt", "clwb", "clzero", "fsgsbase", "invpcid", "mwaitx", "pclmul", "pku", "prfchw",
  "rdpid", "rdpru", "rdrnd", "rdseed", "sha", "sse4a", "vaes", "vpclmulqdq", "wbnoinvd", "xsavec", "xsaveopt", "xsaves",
  "fsrm",
];
const znver4 = [
  ...znver3, "avx512bf16", "avx512bitalg", "avx512bw", "avx512cd", "avx512dq", "avx512ifma", "avx512vbmi",
  "avx512vbmi2", "avx512vl", "avx512vnni", "avx512vpopcntdq", "gfni", "shstk",
];

/**
 * The CPUs local-lto knows: the x86-64 psABI levels (what rustc and clang use by default), LLVM's
 * `generic`, and common `-march`/`-Ctarget-cpu=native` results. Other CPUs make the model answer
 * "unknown", and nothing is reconciled for them.
 */
const cpus: Record<string, CpuEntry> = {
  generic: { isa: ["x87", "cx8", "64bit"], tuning: [] },
  "x86-64": { isa: v1, tuning: [] },
  "x86-64-v2": { isa: v2, tuning: [] },
  "x86-64-v3": { isa: v3, tuning: [] },
  "x86-64-v4": { isa: v4, tuning: [] },
  haswell: { isa: haswell, tuning: [] },
  skylake: { isa: skylake, tuning: [] },
  "skylake-avx512": { isa: skylakeAvx512, tuning: [] },
  "icelake-server": { isa: icelakeServer, tuning: ["slow-pmullq"] },
  sapphirerapids: { isa: sapphireRapids, tuning: ["slow-pmullq"] },
  alderlake: { isa: alderlake, tuning: ["prefer-movmsk-over-vtest", "slow-pmullq"] },
  znver3: { isa: znver3, tuning: ["fast-imm16", "fast-movbe", "sbb-dep-breaking"] },
  znver4: { isa: znver4, tuning: ["fast-imm16", "fast-movbe", "sbb-dep-breaking"] },
};

export function knownX86Cpus(): string[] {
  return Object.keys(cpus);
}

const closureCache = new Map<string, ReadonlySet<string>>();

/** The feature and everything it implies, transitively. */
export function impliedClosure(feature: string): ReadonlySet<string> {
  let done = closureCache.get(feature);
  if (done) return done;
  const out = new Set<string>();
  const stack = [feature];
  while (stack.length) {
    const f = stack.pop()!;
    if (out.has(f)) continue;
    out.add(f);
    for (const g of implies[f] ?? []) stack.push(g);
  }
  closureCache.set(feature, out);
  return out;
}

/** Features that imply `feature` (transitively), which `-feature` turns off with it. */
function impliersOf(feature: string): string[] {
  return Object.keys(implies).filter((f) => f !== feature && impliedClosure(f).has(feature));
}

export interface X86TargetAttributes {
  /** `target-cpu`; absent means LLVM's default for the target machine (generic). */
  cpu?: string;
  /** `tune-cpu`; absent means the CPU itself, except `x86-64`, which LLVM tunes as `generic`. */
  tuneCpu?: string;
  /** `target-features`, as written. */
  features?: string;
}

export type X86FeatureBits =
  | { known: true; bits: ReadonlySet<string> }
  | { known: false; unknownCpu: string };

/**
 * The feature bits LLVM's x86 subtarget gives a function, after masking the inliner's ignore list.
 * In 64-bit mode the subtarget prepends `+sse2` to the feature string (X86_MC::ParseX86Triple),
 * then applies the function's features in order: `+f` sets f and what it implies, `-f` clears f
 * and every feature that implies it.
 */
export function x86FeatureBits(attrs: X86TargetAttributes, is64Bit = true): X86FeatureBits {
  const cpu = attrs.cpu || "generic";
  const tune = attrs.tuneCpu || (cpu === "x86-64" ? "generic" : cpu);
  const cpuEntry = cpus[cpu];
  const tuneEntry = cpus[tune];
  if (!cpuEntry) return { known: false, unknownCpu: cpu };
  if (!tuneEntry) return { known: false, unknownCpu: tune };
  const bits = new Set<string>();
  for (const f of cpuEntry.isa) for (const g of impliedClosure(f)) bits.add(g);
  for (const f of tuneEntry.tuning) bits.add(f);
  const apply = (sign: "+" | "-", f: string) => {
    if (sign === "+") for (const g of impliedClosure(f)) bits.add(g);
    else {
      bits.delete(f);
      for (const g of impliersOf(f)) bits.delete(g);
    }
  };
  if (is64Bit) apply("+", "sse2");
  for (const raw of (attrs.features ?? "").split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const sign = entry[0] === "-" ? "-" : "+";
    apply(sign, entry[0] === "+" || entry[0] === "-" ? entry.slice(1) : entry);
  }
  for (const f of x86IgnoredFeatures) bits.delete(f);
  return { known: true, bits };
}

/** The features the CPU gives by itself (no feature string), for explanations. */
export function x86CpuFeatures(cpu: string, is64Bit = true): ReadonlySet<string> | undefined {
  const result = x86FeatureBits({ cpu }, is64Bit);
  return result.known ? result.bits : undefined;
}
