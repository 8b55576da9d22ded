import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseDebugLog, retarget, type ChildProcess, type DebugLogFacts, type LoggedCommand } from "./debugLog.js";
import { compareObjects, type ObjectIdentity } from "./identity.js";
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
  /** From local-lto's debug log: every child process, ms from local-lto's start. */
  processes?: ChildProcess[];
  /** Who inlined and generated code (local-lto's report): `rust-lld` or `opt + llc`. */
  backend?: string;
  /** Where the helper bitcode came from (local-lto's report): `compiled`, `cache`… */
  helperOrigin?: string;
}

export interface Cost {
  wallMs: number;
  cpuMs: number;
}

/** local-lto's own inline and codegen commands, rerun alone on the crate's merged module. */
export const componentIds = ["nm", "rustLld", "rustLldCodegenOnly", "rustLldPartitions2", "opt", "llc"] as const;
export type ComponentId = (typeof componentIds)[number];

export interface ComponentResult {
  /** The exact commands, for the report. */
  commands: Partial<Record<ComponentId, string>>;
  runs: Partial<Record<ComponentId, Cost[]>>;
  rounds: number;
}

export interface CrateResult {
  crate: CrateSpec;
  lines: number;
  commands: Record<Variant, string[]>;
  runs: Record<Variant, VariantRun[]>;
  /** One build with `--codegen-backend=llc` (opt + llc), for its stages and its object. */
  fallback?: { command: string; run: VariantRun };
  components?: ComponentResult;
  /** rust-lld with local-lto's flags but no optimisation pass (forceattrs only): what codegen alone changes (also timed, in components). */
  controlCommand?: string;
  /** Per-function comparisons with rustc's own object: local-lto, its fallback, the codegen-only control. */
  identity: ObjectIdentity[];
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
  /** The build run once before the measurements to fill local-lto's caches. */
  warmUpCommand: string;
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

/** Function names `llvm-nm --defined-only` lists (types t/T/w/W), as local-lto's noinline CSV. */
export function noinlineCsv(nmOutput: string): string {
  const lines: string[] = [];
  for (const line of nmOutput.split("\n")) {
    const match = line.match(/^\S*\s+([tTwW])\s+(.+)$/);
    if (match && !match[2]!.includes(",")) lines.push(`${match[2]!},noinline`);
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

interface Step {
  file: string;
  args: string[];
  options?: RunOptions;
}

export interface BuildCostOptions {
  rounds: Record<string, number>;
  /** Rounds of the component reruns (rust-lld, opt, llc alone). */
  componentRounds: number;
  progress: (message: string) => void;
}

/** Runs local-lto's build steps and reads its JSON report, debug log and usage file. */
async function measureLocalLto(step: Step, dir: string, usageFile: string): Promise<{ run: VariantRun; log: DebugLogFacts }> {
  await rm(usageFile, { force: true });
  const measured: VariantRun = await measureSteps([step], dir);
  const only = measured.steps[0]!;
  const report = JSON.parse(only.stdout) as { timingsMs?: Record<string, number>; toolchain?: Record<string, unknown>; helperBitcode?: { origin?: string }[] };
  measured.timings = report.timingsMs;
  measured.helperOrigin = report.helperBitcode?.map((h) => h.origin ?? "?").join(", ");
  measured.backend = report.toolchain && "rust-lld" in report.toolchain ? "rust-lld" : "opt + llc";
  if (existsSync(usageFile)) measured.node = JSON.parse(await readFile(usageFile, "utf8")) as NodeUsage;
  const log = parseDebugLog(only.stderr, only.startedAtMs);
  measured.processes = log.processes;
  return { run: measured, log };
}

/** Strips what the saved figures need not keep (the processes' output). */
function slim(run: VariantRun): VariantRun {
  for (const s of run.steps) {
    s.stdout = "";
    s.stderr = "";
  }
  return run;
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
  const cacheDir = join(dir, "local-lto-cache");
  const localLtoEnv = (usageFile: string) => ({ DEBUG: "local-lto:run", DEBUG_COLORS: "0", NODE_OPTIONS: `--import=${preload}`, LOCAL_LTO_BENCH_USAGE: usageFile, LOCAL_LTO_CACHE_DIR: cacheDir });
  const helperArgs = ["--helpers", helpersC, `--cc-arg=-I${runtimeSources}`];

  // local-lto caches tool versions and helper bitcode across builds; a user's second build finds
  // them filled. One small build fills them so that every measured build starts the same way.
  const warmUp = [localLtoCli, "build", join(runtimeSources, "bench_helpers.rs"), ...helperArgs, "--rustc-arg=-O", "--rustc-arg=--edition=2021", "-o", join(dir, "warm-up.o")];
  await mustRun(tools.node, warmUp, { env: { LOCAL_LTO_CACHE_DIR: cacheDir } });

  const results: CrateResult[] = [];
  const missing: CrateSpec[] = [];
  for (const crate of crates) {
    if (!existsSync(crate.source)) {
      missing.push(crate);
      continue;
    }
    const out = (name: string) => join(dir, `${crate.id}-${name}`);
    const usageFile = out("node-usage.json");
    const localLtoArgs = (object: string, extra: string[] = []) => [localLtoCli, "build", crate.source, ...helperArgs, ...crate.rustFlags.map((f) => `--rustc-arg=${f}`), ...extra, "--json", "-o", object];
    const steps: Record<Variant, Step[]> = {
      plain: [{ file: tools.rustc, args: [...crate.rustFlags, "--emit=obj", "-o", out("plain.o"), crate.source] }],
      "local-lto": [{ file: tools.node, args: localLtoArgs(out("local-lto.o")), options: { env: localLtoEnv(usageFile) } }],
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
    let rustLld: LoggedCommand | undefined;
    for (let round = 0; round < rounds; round++) {
      for (const variant of rotate(variants, round)) {
        options.progress(`build cost: ${crate.title}, round ${round + 1}/${rounds}, ${variant}`);
        if (variant === "local-lto") {
          const measured = await measureLocalLto(steps[variant][0]!, dir, usageFile);
          rustLld ??= measured.log.rustLld;
          runs[variant].push(slim(measured.run));
        } else {
          runs[variant].push(slim(await measureSteps(steps[variant], dir)));
        }
      }
    }
    const commands = Object.fromEntries(variants.map((v) => [v, steps[v].map((s) => formatCommand(s.file === tools.node ? "node" : s.file, s.args))])) as Record<Variant, string[]>;
    const result: CrateResult = { crate, lines: await countLines(dirname(crate.source)), commands, runs, identity: [] };

    // The fallback backend, once: its stages, its opt and llc command lines, its object.
    options.progress(`build cost: ${crate.title}, local-lto with --codegen-backend=llc`);
    const fallbackStep: Step = { file: tools.node, args: localLtoArgs(out("local-lto-llc.o"), ["--codegen-backend=llc"]), options: { env: localLtoEnv(usageFile) } };
    let fallbackLog: DebugLogFacts | undefined;
    try {
      const measured = await measureLocalLto(fallbackStep, dir, usageFile);
      fallbackLog = measured.log;
      result.fallback = { command: formatCommand("node", fallbackStep.args), run: slim(measured.run) };
    } catch (error) {
      options.progress(`build cost: the fallback build failed, left out: ${String(error).split("\n")[0]}`);
    }

    // local-lto's own inline + codegen commands, alone, on the same merged module as the kernel pipeline's.
    options.progress(`build cost: ${crate.title}, local-lto's inline and codegen steps alone`);
    result.components = await rerunComponents(tools, crate.id, out, rustLld, fallbackLog, options.componentRounds, dir);
    result.controlCommand = result.components.commands.rustLldCodegenOnly;

    // Is the Rust code left as rustc made it? Each function of each object against rustc's own.
    options.progress(`build cost: ${crate.title}, per-function comparison with rustc's object`);
    const plainObject = out("plain.o");
    const backend = runs["local-lto"][0]?.backend ?? "?";
    result.identity.push(await compareObjects(tools, `local-lto (${backend})`, plainObject, out("local-lto.o")));
    if (result.fallback) result.identity.push(await compareObjects(tools, "local-lto --codegen-backend=llc (opt + llc)", plainObject, out("local-lto-llc.o")));
    if (result.controlCommand) result.identity.push(await compareObjects(tools, "rust-lld codegen alone (no optimisation pass)", plainObject, out("control.o")));
    if (result.components?.runs.rustLldPartitions2?.length) result.identity.push(await compareObjects(tools, "rust-lld --lto-partitions=2 (what-if)", plainObject, out("component-p2.o")));

    results.push(result);
    for (const name of await readdir(dir)) if (name.startsWith(`${crate.id}-`) && /\.(bc|csv)$/.test(name)) await rm(join(dir, name));
  }
  return {
    crates: results,
    missing,
    rounds: options.rounds,
    startup: await measureStartup(tools, options.rounds.startup ?? 5),
    helperSource: helpersC,
    warmUpCommand: formatCommand("node", warmUp),
  };
}

/**
 * local-lto's inline and codegen steps, read from its debug log, rerun alone on the merged module
 * (`llvm-link --internalize --only-needed`, as local-lto's merge), interleaved: llvm-nm for the
 * noinline list, rust-lld (inline + codegen), rust-lld with no optimisation pass (the control),
 * rust-lld splitting codegen in two partitions (on regex-syntax), and the fallback's opt and llc.
 */
async function rerunComponents(
  tools: BenchTools,
  crateId: string,
  out: (name: string) => string,
  rustLld: LoggedCommand | undefined,
  fallback: { opt?: LoggedCommand; llc?: LoggedCommand } | undefined,
  rounds: number,
  dir: string,
): Promise<ComponentResult> {
  const merged = out("kernel-merged.bc");
  const csv = out("rust-functions.csv");
  const nmArgs = ["--defined-only", out("kernel-rust.bc")];
  await writeFile(csv, noinlineCsv((await mustRun(tools.llvmNm, nmArgs)).stdout));
  const files = { "merged.bc": merged, "rust-functions.csv": csv, "object.o": out("component.o"), "inlined.bc": out("inlined.bc") };
  const commands: Partial<Record<ComponentId, { file: string; args: string[] }>> = { nm: { file: tools.llvmNm, args: nmArgs } };
  if (rustLld) {
    commands.rustLld = { file: rustLld.file, args: retarget(rustLld.args, files) };
    // The control: the same command with no optimisation pass (forceattrs only): bitcode read and codegen alone.
    const noPasses = rustLld.args.map((a) => (a.startsWith("--lto-newpm-passes=") ? "--lto-newpm-passes=forceattrs" : a));
    commands.rustLldCodegenOnly = { file: rustLld.file, args: retarget(noPasses, { ...files, "object.o": out("control.o") }) };
    if (crateId === "regex-syntax") commands.rustLldPartitions2 = { file: rustLld.file, args: [...retarget(rustLld.args, { ...files, "object.o": out("component-p2.o") }), "--lto-partitions=2"] };
  }
  if (fallback?.opt && fallback.llc) {
    commands.opt = { file: fallback.opt.file, args: retarget(fallback.opt.args, files) };
    commands.llc = { file: fallback.llc.file, args: retarget(fallback.llc.args, { ...files, "object.o": out("component-llc.o") }) };
    await mustRun(commands.opt.file, commands.opt.args); // llc's input
  }
  const ids = componentIds.filter((id) => commands[id]);
  const runs: Partial<Record<ComponentId, Cost[]>> = Object.fromEntries(ids.map((id) => [id, []]));
  for (let round = 0; round < rounds; round++) {
    for (const id of rotate(ids, round)) {
      const m = await measure(commands[id]!.file, commands[id]!.args, dir);
      runs[id]!.push({ wallMs: m.wallMs, cpuMs: m.cpuMs });
    }
  }
  return { commands: Object.fromEntries(ids.map((id) => [id, formatCommand(commands[id]!.file, commands[id]!.args)])), runs, rounds };
}

/** What local-lto pays before it runs any compiler: Node itself, and loading its modules. */
async function measureStartup(tools: BenchTools, rounds: number): Promise<StartupResult> {
  const rows = [
    { label: "`node -e 0` (Node start)", file: tools.node, args: ["-e", "0"] },
    { label: "`local-lto --version` (Node start + loading local-lto's modules)", file: tools.node, args: [localLtoCli, "--version"] },
  ];
  const wall = rows.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, row] of rows.entries()) wall[i]!.push((await run(row.file, row.args, { cwd: repoRoot })).wallMs);
  }
  return { rows: rows.map((row, i) => ({ label: row.label, command: formatCommand("node", row.args), wallMs: wall[i]! })) };
}
