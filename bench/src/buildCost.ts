import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { formatCommand, measure, measureSteps, mustRun, run, type RunOptions, type StepsMeasured } from "./proc.js";
import { rotate } from "./stats.js";
import { benchDir, localLtoCli, repoRoot, type BenchTools } from "./tools.js";

export interface CrateSpec {
  id: string;
  title: string;
  debianPackage: string;
  source: string;
  rustFlags: string[];
}

const registry = "/usr/share/cargo/registry";

export const crates: CrateSpec[] = [
  {
    id: "regex-syntax",
    title: "regex-syntax 0.6.27",
    debianPackage: "librust-regex-syntax-dev",
    source: `${registry}/regex-syntax-0.6.27/src/lib.rs`,
    rustFlags: [
      "--edition=2018",
      "--crate-type=lib",
      "--crate-name=regex_syntax",
      "-O",
      "--cap-lints=allow",
      ...["default", "unicode", "unicode-age", "unicode-bool", "unicode-case", "unicode-gencat", "unicode-perl", "unicode-script", "unicode-segment"].map((f) => `--cfg=feature="${f}"`),
    ],
  },
  {
    id: "libm",
    title: "libm 0.2.1",
    debianPackage: "librust-libm-dev",
    source: `${registry}/libm-0.2.1/src/lib.rs`,
    rustFlags: ["--edition=2018", "--crate-type=lib", "--crate-name=libm", "-O", "--cap-lints=allow"],
  },
];

export const variants = ["plain", "local-lto", "kernel", "lto"] as const;
export type Variant = (typeof variants)[number];

export const variantInfo: Record<Variant, string> = {
  plain: "plain `rustc --emit=obj`",
  "local-lto": "`local-lto build`",
  kernel: "kernel pipeline (rustc bitcode → llvm-link → `clang -O2`)",
  lto: "cross-language ThinLTO (`-Clinker-plugin-lto`, `ld.lld -r`)",
};

/** What the preload (bench/src/preload/usage.ts) writes as local-lto's Node process exits. */
export interface NodeUsage {
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssKb: number;
  bootstrapMs: number;
  exitMs: number;
}

export interface VariantRun extends StepsMeasured {
  /** local-lto's report.timingsMs. */
  timings?: Record<string, number>;
  node?: NodeUsage;
  /** From local-lto's debug log: how long the toolchain probes took, first start to last end. */
  probe?: { count: number; spanMs: number };
  /** From local-lto's debug log: the opt and llc command lines it ran. */
  optArgs?: string[];
  llcArgs?: string[];
  /** From the debug log: how long after rustc finished the merge (llvm-link) started. */
  mergeWaitMs?: number;
}

export interface CrateResult {
  crate: CrateSpec;
  lines: number;
  commands: Record<Variant, string[]>;
  runs: Record<Variant, VariantRun[]>;
  whatIf?: WhatIfResult;
}

export interface WhatIfResult {
  currentPasses: string;
  proposedPasses: string;
  current: { wallMs: number; cpuMs: number }[];
  proposed: { wallMs: number; cpuMs: number }[];
  objectBytes: { current: number; proposed: number };
  /** local-lto's llc on the inlined module (its codegen step, alone). */
  llc: { wallMs: number; cpuMs: number }[];
  /** llvm-split -j2 + two concurrent llc + ld.lld -r on the same module (wall ms). */
  split: number[];
}

export interface StartupResult {
  rows: { label: string; command: string; wallMs: number[] }[];
}

export interface BuildCostResults {
  crates: CrateResult[];
  missing: CrateSpec[];
  rounds: Record<string, number>;
  startup: StartupResult;
  helperSource: string;
}

async function countLines(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await countLines(path);
    else if (entry.name.endsWith(".rs")) total += (await readFile(path, "utf8")).split("\n").length - 1;
  }
  return total;
}

/** `2026-11-25T16:24:33.130Z local-lto:run /usr/bin/llc [ '--version' ] -> 0 in 370ms` */
export function parseDebugLog(stderr: string): { probe?: { count: number; spanMs: number }; optArgs?: string[]; llcArgs?: string[]; mergeWaitMs?: number } {
  const probes: { start: number; end: number }[] = [];
  let optArgs: string[] | undefined;
  let llcArgs: string[] | undefined;
  let rustcEnd: number | undefined;
  let mergeStart: number | undefined;
  for (const line of stderr.split("\n")) {
    const match = line.match(/^(\d{4}-\d\d-\d\dT[\d:.]+Z) local-lto:run (\S+) \[(.*)\] -> \S+ in (\d+)ms/);
    if (!match) continue;
    const end = Date.parse(match[1]!);
    const duration = Number(match[4]);
    const args = [...match[3]!.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\'/g, "'"));
    if (args.length === 1 && (args[0] === "--version" || args[0] === "-vV")) probes.push({ start: end - duration, end });
    if (/\/opt$/.test(match[2]!) && args.some((a) => a.startsWith("-passes=") && a.includes("inline"))) optArgs = args;
    if (/\/llc$/.test(match[2]!) && args.includes("-filetype=obj")) llcArgs = args;
    if (/rustc$/.test(match[2]!) && args.includes("--emit=llvm-bc")) rustcEnd = end;
    if (/\/llvm-link$/.test(match[2]!) && args.includes("--internalize")) mergeStart = end - duration;
  }
  const probe = probes.length ? { count: probes.length, spanMs: Math.max(...probes.map((p) => p.end)) - Math.min(...probes.map((p) => p.start)) } : undefined;
  const mergeWaitMs = rustcEnd !== undefined && mergeStart !== undefined ? mergeStart - rustcEnd : undefined;
  return { probe, optArgs, llcArgs, mergeWaitMs };
}

interface Step {
  file: string;
  args: string[];
  options?: RunOptions;
}

export interface BuildCostOptions {
  rounds: Record<string, number>;
  progress: (message: string) => void;
}

export async function runBuildCost(tools: BenchTools, work: string, options: BuildCostOptions): Promise<BuildCostResults> {
  const dir = join(work, "build-cost");
  await mkdir(dir, { recursive: true });
  const runtimeSources = join(benchDir, "runtime");
  const helpersC = join(runtimeSources, "helpers.c");
  // The kernel compiles its helpers to bitcode once per build of the tree; so do the other pipelines here.
  const helpersBc = join(dir, "helpers.bc");
  const helpersThin = join(dir, "helpers-thin.o");
  await mustRun(tools.clang, ["-O2", `-I${runtimeSources}`, "--target=x86_64-unknown-linux-gnu", "-c", "-emit-llvm", helpersC, "-o", helpersBc]);
  await mustRun(tools.clang, ["-O2", `-I${runtimeSources}`, "-flto=thin", "-c", helpersC, "-o", helpersThin]);
  const preload = pathToFileURL(join(benchDir, "dist/preload/usage.js")).href;

  const results: CrateResult[] = [];
  const missing: CrateSpec[] = [];
  for (const crate of crates) {
    if (!existsSync(crate.source)) {
      missing.push(crate);
      continue;
    }
    const out = (name: string) => join(dir, `${crate.id}-${name}`);
    const usageFile = out("node-usage.json");
    const steps: Record<Variant, Step[]> = {
      plain: [{ file: tools.rustc, args: [...crate.rustFlags, "--emit=obj", "-o", out("plain.o"), crate.source] }],
      "local-lto": [
        {
          file: tools.node,
          args: [localLtoCli, "build", crate.source, "--helpers", helpersC, `--cc-arg=-I${runtimeSources}`, ...crate.rustFlags.map((f) => `--rustc-arg=${f}`), "--json", "-o", out("local-lto.o")],
          options: { env: { DEBUG: "local-lto:run", DEBUG_COLORS: "0", NODE_OPTIONS: `--import=${preload}`, LOCAL_LTO_BENCH_USAGE: usageFile, LOCAL_LTO_CACHE_DIR: join(dir, "helper-cache") } },
        },
      ],
      kernel: [
        { file: tools.rustc, args: [...crate.rustFlags, "--emit=llvm-bc", "-o", out("kernel-rust.bc"), crate.source] },
        { file: tools.llvmLink, args: ["--internalize", "--only-needed", out("kernel-rust.bc"), helpersBc, "-o", out("kernel-merged.bc")] },
        { file: tools.clang, args: ["-O2", "-Wno-override-module", "-c", out("kernel-merged.bc"), "-o", out("kernel.o")] },
      ],
      lto: [
        { file: tools.rustc, args: [...crate.rustFlags, "-Clinker-plugin-lto", "--emit=obj", "-o", out("lto-rust.o"), crate.source] },
        { file: tools.ldLld, args: ["-r", out("lto-rust.o"), helpersThin, "-o", out("lto.o")] },
      ],
    };
    const runs = Object.fromEntries(variants.map((v) => [v, [] as VariantRun[]])) as Record<Variant, VariantRun[]>;
    const rounds = options.rounds[crate.id] ?? 3;
    for (let round = 0; round < rounds; round++) {
      for (const variant of rotate(variants, round)) {
        options.progress(`build cost: ${crate.title}, round ${round + 1}/${rounds}, ${variant}`);
        const measured: VariantRun = await measureSteps(steps[variant], dir);
        if (variant === "local-lto") {
          const step = measured.steps[0]!;
          measured.timings = (JSON.parse(step.stdout) as { timingsMs?: Record<string, number> }).timingsMs;
          if (existsSync(usageFile)) measured.node = JSON.parse(await readFile(usageFile, "utf8")) as NodeUsage;
          Object.assign(measured, parseDebugLog(step.stderr));
        }
        for (const s of measured.steps) {
          s.stdout = "";
          s.stderr = "";
        }
        runs[variant].push(measured);
      }
    }
    const commands = Object.fromEntries(variants.map((v) => [v, steps[v].map((s) => formatCommand(s.file === tools.node ? "node" : s.file, s.args))])) as Record<Variant, string[]>;
    const result: CrateResult = { crate, lines: await countLines(dirname(crate.source)), commands, runs };
    const optArgs = runs["local-lto"].find((r) => r.optArgs)?.optArgs;
    if (optArgs) {
      options.progress(`build cost: ${crate.title}, opt pipeline what-if`);
      result.whatIf = await optWhatIf(tools, optArgs, out("kernel-merged.bc"), dir, runs["local-lto"].find((r) => r.llcArgs)?.llcArgs, crate.id === "regex-syntax");
    }
    results.push(result);
    for (const name of await readdir(dir)) if (name.startsWith(`${crate.id}-`) && name.endsWith(".bc")) await rm(join(dir, name));
  }
  return { crates: results, missing, rounds: options.rounds, startup: await measureStartup(tools, options.rounds.startup ?? 5), helperSource: helpersC };
}

/**
 * The cost of the proposed pipeline change on a real crate: local-lto's own opt pipeline (read
 * from its debug log) against the same pipeline followed by loop-vectorize + instcombine, on
 * the merged module, interleaved.
 */
async function optWhatIf(tools: BenchTools, optArgs: string[], merged: string, dir: string, llcArgs: string[] | undefined, tryParallelCodegen: boolean): Promise<WhatIfResult> {
  const currentPasses = optArgs.find((a) => a.startsWith("-passes="))!.slice("-passes=".length);
  const proposedPasses = `${currentPasses},function(loop-vectorize,instcombine<no-verify-fixpoint>)`;
  const current: { wallMs: number; cpuMs: number }[] = [];
  const proposed: { wallMs: number; cpuMs: number }[] = [];
  for (let round = 0; round < 3; round++) {
    for (const [passes, into] of rotate([[currentPasses, current], [proposedPasses, proposed]] as const, round)) {
      const m = await measure(tools.opt, ["--disable-verify", `-passes=${passes}`, merged, "-o", join(dir, "what-if.bc")], dir);
      into.push({ wallMs: m.wallMs, cpuMs: m.cpuMs });
    }
  }
  const objectBytes = { current: Number.NaN, proposed: Number.NaN };
  const llc: WhatIfResult["llc"] = [];
  const splitMs: number[] = [];
  if (llcArgs) {
    const llcFlags = llcArgs.filter((a, i) => !(a === "-o" || llcArgs[i - 1] === "-o") && !a.endsWith(".bc"));
    for (const [passes, key] of [[proposedPasses, "proposed"], [currentPasses, "current"]] as const) {
      await mustRun(tools.opt, ["--disable-verify", `-passes=${passes}`, merged, "-o", join(dir, "what-if.bc")]);
      await mustRun(tools.llc, [...llcFlags, join(dir, "what-if.bc"), "-o", join(dir, "what-if.o")]);
      objectBytes[key] = (await readFile(join(dir, "what-if.o"))).length;
    }
    // Codegen alone, and parallel codegen on two cores: split the module in two, codegen both at once, join.
    const llvmSplit = join(tools.llvmBin, "llvm-split");
    const inlined = join(dir, "what-if.bc");
    const single = async () => {
      const m = await measure(tools.llc, [...llcFlags, inlined, "-o", join(dir, "single.o")], dir);
      llc.push({ wallMs: m.wallMs, cpuMs: m.cpuMs });
    };
    const split = async () => {
      const started = performance.now();
      await mustRun(llvmSplit, ["-j=2", "-o", join(dir, "split"), inlined]);
      await Promise.all([0, 1].map((i) => mustRun(tools.llc, [...llcFlags, join(dir, `split${i}`), "-o", join(dir, `split${i}.o`)])));
      await mustRun(tools.ldLld, ["-r", join(dir, "split0.o"), join(dir, "split1.o"), "-o", join(dir, "split.o")]);
      splitMs.push(performance.now() - started);
    };
    const steps = tryParallelCodegen && existsSync(llvmSplit) ? [single, split] : [single];
    for (let round = 0; round < 2; round++) for (const step of rotate(steps, round)) await step();
  }
  return { currentPasses, proposedPasses, current, proposed, objectBytes, llc, split: splitMs };
}

/** What local-lto pays before it runs any compiler: Node itself, and loading its modules. */
async function measureStartup(tools: BenchTools, rounds: number): Promise<StartupResult> {
  const rows = [
    { label: "`node -e 0` (Node start)", file: tools.node, args: ["-e", "0"] },
    { label: "`local-lto --version` (Node start + loading local-lto's modules)", file: tools.node, args: [localLtoCli, "--version"] },
    { label: "import `execa`", file: tools.node, args: ["--input-type=module", "-e", 'await import("execa")'] },
    { label: "import `zod`", file: tools.node, args: ["--input-type=module", "-e", 'await import("zod")'] },
    { label: "import `commander`", file: tools.node, args: ["--input-type=module", "-e", 'await import("commander")'] },
  ];
  const wall = rows.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, row] of rows.entries()) wall[i]!.push((await run(row.file, row.args, { cwd: repoRoot })).wallMs);
  }
  return { rows: rows.map((row, i) => ({ label: row.label, command: formatCommand("node", row.args), wallMs: wall[i]! })) };
}
