/**
 * `npm run bench`: runs the benchmark suite and writes docs/BENCHMARKS.md, its charts in
 * docs/bench/, and the raw figures in bench/results/latest.json.
 *   --quick              fewer rounds and objects (for working on the bench; figures are rougher)
 *   --only=a,b           sections to run: runtime, build, scale
 *   --keep               keep the scratch directory
 *   --out=FILE           where to write the report (default docs/BENCHMARKS.md)
 *   --from=FILE          measure nothing: write the report and charts again from saved figures
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { runBuildCost, variants } from "./buildCost.js";
import { describeMachine } from "./machine.js";
import { abbreviatePath } from "./proc.js";
import { componentFigures, overheadOf, parityVerdict, renderReport, variantRatios, type SuiteResults } from "./report.js";
import { buildInfo, kindInfo, kinds, runRuntime, type BuildId, type ModeResults } from "./runtime.js";
import { runScale } from "./scale.js";
import { fixed, median, max, min, seconds } from "./stats.js";
import { groupedBars, lines } from "./svg.js";
import { findTools, repoRoot } from "./tools.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag("quick");
const only = new Set((option("only") ?? "runtime,build,scale").split(","));
const reportPath = resolve(process.cwd(), option("out") ?? join(repoRoot, "docs/BENCHMARKS.md"));
const chartDir = join(repoRoot, "docs/bench");

const started = performance.now();
const progress = (message: string) => process.stderr.write(`[${seconds(performance.now() - started).padStart(7)} s] ${message}\n`);
const from = option("from");

async function measureAll(): Promise<SuiteResults> {
  const tools = await findTools();
  const work = await mkdtemp(join(tmpdir(), "local-lto-bench-"));
  abbreviatePath(`${repoRoot}/`, "");
  abbreviatePath(work, "$W");
  if (tools.rustcNightly) abbreviatePath(tools.rustcNightly, "$NIGHTLY");
  abbreviatePath(tools.rustc, "rustc");
  abbreviatePath(process.execPath, "node");
  const commandVariables: [string, string][] = [
    ["$W", "the bench's scratch directory"],
    ...(tools.rustcNightly ? ([["$NIGHTLY", "`$(rustup which rustc --toolchain nightly)`"]] as [string, string][]) : []),
  ];
  progress(`scratch directory ${work}`);
  const machine = await describeMachine(tools);
  const results: SuiteResults = { startedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"), durationMs: 0, argv, machine, loadAfter: [], commandVariables };
  try {
    if (only.has("runtime")) results.runtime = await runRuntime(tools, work, { rounds: quick ? 3 : 7, targetMs: quick ? 10 : 25, progress });
    if (only.has("build")) results.buildCost = await runBuildCost(tools, work, { rounds: quick ? { "regex-syntax": 1, libm: 2, startup: 3 } : { "regex-syntax": 3, libm: 5, startup: 5 }, progress });
    if (only.has("scale")) {
      results.scale = await runScale(
        tools,
        work,
        quick
          ? { objects: 200, budgetMs: 40_000, helperCount: 500, jobsSubset: 4, sourceCrates: 2, progress }
          : { objects: 200, budgetMs: 180_000, helperCount: 500, jobsSubset: 8, sourceCrates: 3, progress },
      );
    }
  } finally {
    if (!flag("keep")) await rm(work, { recursive: true, force: true });
  }
  results.durationMs = performance.now() - started;
  results.loadAfter = loadavg();
  return results;
}

const results: SuiteResults = from ? (JSON.parse(await readFile(from, "utf8")) as SuiteResults) : await measureAll();

// Charts.
await mkdir(chartDir, { recursive: true });
const charts: { runtime?: string; build?: string; scale?: string } = {};
const chartLink = (name: string) => relative(dirname(reportPath), join(chartDir, name));
const palette: Partial<Record<BuildId, string>> = { a: "#9e9e9e", b: "#1f77b4", "b+": "#76b7e5", c: "#2ca02c", d: "#ff7f0e", e: "#8c564b" };
if (results.runtime) {
  const shown = (["a", "b", "b+", "c", "d", "e"] as BuildId[]).filter((id) => results.runtime!.modes[0]!.instructions[id]);
  await writeFile(
    join(chartDir, "runtime.svg"),
    groupedBars({
      title: "Instructions per helper use in a hot loop (callgrind; lower is better)",
      subtitle: "a out of line · b local-lto · b+ local-lto + loop-vectorize (proposed) · c C with static inline · d plain Rust · e kernel pipeline",
      yLabel: "instructions per iteration",
      series: shown.map((id) => ({ name: buildInfo[id].short, color: palette[id]! })),
      panels: results.runtime.modes.map((mode) => ({
        title: mode.config.title,
        groups: kinds.map((k) => (kindInfo[k].callsPerIteration > 1 ? `${k} (2 calls)` : k)),
        values: kinds.map((k) => shown.map((id) => mode.instructions[id]?.[k] ?? Number.NaN)),
      })),
      format: (v) => (Math.abs(v - Math.round(v)) < 0.01 ? String(Math.round(v)) : v.toFixed(2)),
    }),
  );
  charts.runtime = chartLink("runtime.svg");
}
if (results.buildCost && results.buildCost.crates.length) {
  const colors = { plain: "#9e9e9e", "local-lto": "#1f77b4", kernel: "#8c564b", lto: "#9467bd" } as const;
  await writeFile(
    join(chartDir, "build.svg"),
    groupedBars({
      title: "Build time relative to plain rustc --emit=obj (median of per-round ratios)",
      subtitle: "one relocatable object per crate; dashed line: local-lto's 1.1× target",
      yLabel: "× plain rustc",
      series: variants.map((v) => ({ name: v === "plain" ? "plain rustc" : v === "lto" ? "ThinLTO (linker-plugin)" : v === "kernel" ? "kernel pipeline" : "local-lto", color: colors[v] })),
      panels: (["wallMs", "cpuMs"] as const).map((key) => ({
        title: key === "wallMs" ? "wall time" : "CPU time (user + system, all processes of the build; less sensitive to other jobs)",
        groups: results.buildCost!.crates.map((c) => c.crate.title),
        values: results.buildCost!.crates.map((c) => variants.map((v) => (v === "plain" ? 1 : median(variantRatios(c, v, key))))),
      })),
      format: (v) => v.toFixed(2),
      references: [{ value: 1.1, label: "target 1.1×" }],
    }),
  );
  charts.build = chartLink("build.svg");
}
if (results.scale) {
  const sc = results.scale;
  await writeFile(
    join(chartDir, "scale.svg"),
    lines({
      title: `Time to build n objects, 2 jobs (${sc.helperCount}-helper library, compiled to bitcode once)`,
      subtitle: "each object is one small generated crate; local-lto against plain rustc --emit=obj",
      xLabel: "objects built",
      yLabel: "seconds",
      lines: [
        { name: "local-lto", color: "#1f77b4", points: [[0, 0], ...sc.localLto2.completedMs.map((ms, i) => [i + 1, ms / 1000] as [number, number])] },
        { name: "plain rustc", color: "#9e9e9e", points: [[0, 0], ...sc.plain2.completedMs.map((ms, i) => [i + 1, ms / 1000] as [number, number])] },
      ],
      formatY: (v) => `${v.toFixed(v < 10 ? 1 : 0)} s`,
    }),
  );
  charts.scale = chartLink("scale.svg");
}

// Targets and findings, from the figures.
const verdicts: string[] = [];
const findings: string[] = [];
const rt = results.runtime;
if (rt) {
  for (const mode of rt.modes) {
    const ratios = kinds.map((k) => [k, (mode.instructions.b?.[k] ?? NaN) / (mode.instructions.c?.[k] ?? NaN)] as const);
    const missed = ratios.filter(([, r]) => parityVerdict(r) === "missed");
    const beaten = ratios.filter(([, r]) => parityVerdict(r) === "beaten");
    const measured = ratios.map(([k, r]) => `${k} ${fixed(r, 3)}`).join(", ");
    const verdict = missed.length
      ? `**missed** for ${missed.map(([k, r]) => `${k} (${fixed((r - 1) * 100, 1)}% more)`).join(", ")}; met for ${ratios.length - missed.length - beaten.length}${beaten.length ? `, beaten for ${beaten.map(([k, r]) => `${k} (${fixed((1 - r) * 100, 1)}% fewer)`).join(", ")}` : ""}`
      : beaten.length
        ? `met; beaten for ${beaten.map(([k]) => k).join(", ")}`
        : "met";
    verdicts.push(`(b)/(c) instructions per iteration within 1% — ${mode.config.title} ¦ ${measured} ¦ ${verdict}`);
  }
  const def = rt.modes[0]!;
  const missedKinds = kinds.filter((k) => parityVerdict((def.instructions.b?.[k] ?? NaN) / (def.instructions.c?.[k] ?? NaN)) === "missed");
  if (missedKinds.length) {
    const fixedByProposal = missedKinds.filter((k) => parityVerdict((def.instructions["b+"]?.[k] ?? NaN) / (def.instructions.c?.[k] ?? NaN)) !== "missed");
    const regex = results.buildCost?.crates.find((c) => c.crate.id === "regex-syntax");
    const w = regex?.whatIf;
    const cost = w ? median(w.proposed.map((r) => r.cpuMs)) - median(w.current.map((r) => r.cpuMs)) : NaN;
    const plainMs = regex ? median(regex.runs.plain.map((r) => r.wallMs)) : NaN;
    findings.push(
      `**No vectorization after inlining.** ${missedKinds.map((k) => `${k}: (b) ${fixed(def.instructions.b![k], 2)} against (c) ${fixed(def.instructions.c![k], 2)} instructions per iteration`).join("; ")}. rustc ran its loop vectorizer while the helper was still an opaque call; local-lto's pipeline (inline, instcombine, simplifycfg) inlines the body but never revisits the loop, so the loop stays scalar where clang's, plain Rust's and the kernel pipeline's are vectorized (section 2 shows the loops). ` +
        (fixedByProposal.length
          ? `Appending \`function(loop-vectorize,instcombine<no-verify-fixpoint>)\` to the opt pipeline (build b+) gives ${fixedByProposal.map((k) => `${k} ${fixed(def.instructions["b+"]![k], 2)}`).join(", ")}: the C figures.` +
            (Number.isFinite(cost) ? ` On regex-syntax it costs ${fixed(cost, 0)} ms more CPU in opt (${fixed((cost / plainMs) * 100, 1)}% of a plain build). **Recommended change** (src/pipeline/inline/inlineHelpers.ts, \`inlinePipeline\`).` : "")
          : "The proposed extra passes (b+) did not close the gap in this run."),
    );
  }
  const beatenKinds = kinds.filter((k) => parityVerdict((def.instructions.b?.[k] ?? NaN) / (def.instructions.c?.[k] ?? NaN)) === "beaten");
  for (const k of beatenKinds) {
    const ratios = def.wallNs.b?.[k]?.map((v, i) => v / (def.wallNs.c?.[k]?.[i] ?? NaN)) ?? [];
    findings.push(
      `**${k}: local-lto's loop is shorter than clang's.** (b) ${fixed(def.instructions.b![k], 2)} against (c) ${fixed(def.instructions.c![k], 2)} instructions per iteration: clang -O2 unrolled the outer pass loop and its inner-loop copies carry an extra register move; rustc's loop, with the helper inlined into it afterwards, has none. Wall time b/c: median ${fixed(median(ratios), 2)} [${fixed(min(ratios), 2)}–${fixed(max(ratios), 2)}].`,
    );
  }
  const callCost = (mode: ModeResults) => kinds.map((k) => ((mode.instructions.a?.[k] ?? NaN) - (mode.instructions.b?.[k] ?? NaN)) / kindInfo[k].callsPerIteration);
  const hardened = rt.modes.find((m) => m.config.id === "hardened");
  findings.push(
    `**What a helper call costs.** Out of line, each helper call costs ${fixed(min(callCost(def)), 1)}–${fixed(max(callCost(def)), 1)} instructions more than the inlined helper with default codegen` +
      (hardened ? ` and ${fixed(min(callCost(hardened)), 1)}–${fixed(max(callCost(hardened)), 1)} with call hardening (landing pad, return thunk)` : "") +
      `, plus, for the array kinds, the vectorization a call prevents. In wall time the out-of-line build (a) is ${kinds.map((k) => `${k} ${fixed(median(def.wallNs.a?.[k]?.map((v, i) => v / (def.wallNs.b?.[k]?.[i] ?? NaN)) ?? []), 2)}×`).join(", ")} the local-lto build (default codegen, median of per-round ratios)` +
      (hardened ? `, and ${kinds.map((k) => `${k} ${fixed(median(hardened.wallNs.a?.[k]?.map((v, i) => v / (hardened.wallNs.b?.[k]?.[i] ?? NaN)) ?? []), 2)}×`).join(", ")} with call hardening.` : "."),
  );
}
const bc = results.buildCost;
const regex = bc?.crates.find((c) => c.crate.id === "regex-syntax");
if (regex) {
  const ratio = variantRatios(regex, "local-lto", "wallMs");
  const cpu = variantRatios(regex, "local-lto", "cpuMs");
  const kernel = variantRatios(regex, "kernel", "wallMs");
  const lto = variantRatios(regex, "lto", "wallMs");
  const fastest = (v: "local-lto" | "kernel" | "lto") => min(regex.runs[v].map((r) => r.wallMs)) / min(regex.runs.plain.map((r) => r.wallMs));
  verdicts.push(
    `local-lto build ≤ 1.1× plain rustc on regex-syntax ¦ ${fixed(median(ratio), 2)}× wall [${fixed(min(ratio), 2)}–${fixed(max(ratio), 2)}], ${fixed(fastest("local-lto"), 2)}× fastest runs, ${fixed(median(cpu), 2)}× CPU; kernel pipeline ${fixed(median(kernel), 2)}× wall (${fixed(fastest("kernel"), 2)}× fastest), ThinLTO ${fixed(median(lto), 2)}× (${fixed(fastest("lto"), 2)}× fastest) ¦ ${median(ratio) <= 1.1 ? "met" : "**missed**"}`,
  );
  const llto = regex.runs["local-lto"];
  const c = componentFigures(regex);
  findings.push(
    `**Build time on regex-syntax: ${fixed(median(ratio), 2)}× plain rustc in wall time, ${fixed(median(cpu), 2)}× in CPU time (target 1.1×).** The floor, with no overhead of local-lto's own: rustc to bitcode ${seconds(c.bitcode.cpuMs)} s + llvm-link ${seconds(c.link.cpuMs)} s + opt ${seconds(c.opt.cpuMs)} s + llc ${seconds(c.llc.cpuMs)} s = ${seconds(c.floor.cpuMs)} s CPU, ${fixed(c.floor.cpuMs / c.plain.cpuMs, 2)}× the plain build's ${seconds(c.plain.cpuMs)} s. ` +
      `The largest part of the gap is codegen: llc takes ${seconds(c.llc.cpuMs)} s CPU for the module that rustc's in-process codegen handles in ${seconds(c.inProcessCodegen.cpuMs)} s (plain \`--emit=obj\` minus \`--emit=llvm-bc\`). llc must parse the bitcode back first, and it is Debian's LLVM (a shared libLLVM) where rustc's is its own build, which the Rust project optimises with PGO and BOLT; that part is an inference, not measured here. llvm-link and opt each read and write the whole module once more. ` +
      (regex.whatIf?.split.length
        ? `Splitting codegen over the two cores ${median(regex.whatIf.split) < 0.9 * median(regex.whatIf.llc.map((r) => r.wallMs)) ? "helped in this run" : "did not help"}: llc ${seconds(median(regex.whatIf.llc.map((r) => r.wallMs)))} s against llvm-split + 2 × llc + ld.lld -r ${seconds(median(regex.whatIf.split))} s wall (it needs an idle second core, which this machine rarely has). `
        : "") +
      (c.floor.cpuMs / c.plain.cpuMs > 1.1
        ? `So 1.1× is out of reach for this pipeline shape on this machine: the floor alone is above it. What could move it: codegen without a bitcode round trip (merge, inline and codegen in one process), a faster LLVM build for llc, and taking local-lto's own overhead (below) out.`
        : `The floor is within 1.1×: what is missing is local-lto's own overhead (below) and the overlap its stages lose when the machine is busy.`),
  );
  const oh = llto.map((r) => overheadOf(r));
  const share = median(oh.map((o, i) => o.overheadMs / llto[i]!.wallMs));
  verdicts.push(`local-lto's own overhead ≤ 5% of a build (regex-syntax) ¦ ${fixed(median(oh.map((o) => o.overheadMs)), 0)} ms = ${fixed(share * 100, 1)}% of ${seconds(median(llto.map((r) => r.wallMs)))} s ¦ ${share <= 0.05 ? "met" : "**missed**"}`);
  const probe = llto.find((r) => r.probe)?.probe;
  const startup = bc!.startup.rows;
  const startMs = (i: number) => median(startup[i]?.wallMs ?? []);
  findings.push(
    `**local-lto's own overhead: ${fixed(median(oh.map((o) => o.overheadMs)), 0)} ms per build** (${fixed(share * 100, 1)}% of the wall time on regex-syntax; its Node process alone used ${fixed(median(llto.map((r) => (r.node ? r.node.cpuUserMs + r.node.cpuSystemMs : NaN))), 0)} ms CPU, ${fixed(median(llto.map((r) => (r.node ? (r.node.cpuUserMs + r.node.cpuSystemMs) / r.cpuMs : NaN))) * 100, 1)}% of the build's CPU). Parts of it: ` +
      (probe ? `probing the toolchain runs ${probe.count} \`--version\` processes (every candidate path of every tool, ld.lld and llvm-objcopy included, though inline mode needs neither) over ${fixed(median(llto.map((r) => r.probe?.spanMs ?? NaN)), 0)} ms; ` : "") +
      (() => {
        const wait = median(llto.map((r) => r.mergeWaitMs ?? NaN));
        const read = median(llto.map((r) => r.timings?.["read rust IR"] ?? NaN));
        if (!Number.isFinite(wait)) return "";
        return wait > 0.5 * read
          ? `the merge starts ${fixed(wait, 0)} ms after rustc finishes: it waits for the safety checks and the reconciliation, which wait for the whole Rust IR to be disassembled and parsed (\`read rust IR\`, ${fixed(read, 0)} ms), a read that used to run beside the merge and inline; `
          : `the merge starts ${fixed(wait, 0)} ms after rustc finishes (\`read rust IR\`, ${fixed(read, 0)} ms, runs beside it); `;
      })() +
      `Node start-up plus loading local-lto's modules takes ${fixed(startMs(1), 0)} ms against ${fixed(startMs(0), 0)} ms for an empty Node (importing execa alone: ${fixed(startMs(2) - startMs(0), 0)} ms, zod ${fixed(startMs(3) - startMs(0), 0)} ms). Recommended: let the merge and inline run while the Rust-side checks read the IR (only the reconciliation has to precede the merge, and only when it changes a helper), or read just the declarations and attributes those checks need instead of the whole module; probe only the tools the mode needs and stop at the first candidate whose version fits (and cache probes by path and mtime); spawn with node:child_process instead of execa, and load zod only where a report is validated.`,
  );
}
const sc = results.scale;
if (sc) {
  const perObject = sc.localLto2.totalMs / sc.built;
  const plainPer = sc.plain2.totalMs / sc.built;
  findings.push(
    `**Scale (${sc.built}${sc.built < sc.objects ? ` of ${sc.objects}` : ""} objects, ${sc.helperCount} helpers):** ${seconds(sc.localLto2.totalMs)} s with 2 jobs, ${fixed(perObject, 0)} ms per object against ${fixed(plainPer, 0)} ms for plain rustc; 2 jobs are ${fixed(sc.jobs.oneJobMs / sc.jobs.twoJobsMs, 2)}× faster than 1${(sc.loadAverage.before[0] ?? 0) > 2.5 ? ` (load average ${sc.loadAverage.before[0]!.toFixed(1)} when it started: other jobs held the cores too)` : ""}. For small crates local-lto's fixed cost per process (Node start, module loading, toolchain probes, reading the 500-helper module) dominates: a batch mode building many objects in one process, probing once and reading the helper module once, would remove most of the difference.`,
  );
}

// Sections other tools own (e.g. the real-kernel figures of scripts/kernel-helpers-check.sh)
// sit between preserved markers; a bench run keeps them as they are.
const previous = await readFile(reportPath, "utf8").catch(() => "");
const preserved = previous.match(/<!-- preserved:[\s\S]*?<!-- \/preserved -->\n?/g) ?? [];
const report = [renderReport(results, charts, verdicts, findings).trimEnd(), ...preserved].join("\n\n");
await mkdir(dirname(reportPath), { recursive: true });
await writeFile(reportPath, `${report.trimEnd()}\n`);
if (!from) {
  await mkdir(join(repoRoot, "bench/results"), { recursive: true });
  await writeFile(join(repoRoot, "bench/results/latest.json"), `${JSON.stringify(results, null, 1)}\n`);
}
progress(`wrote ${relative(repoRoot, reportPath)} and docs/bench/*.svg${from ? ` from ${from}` : `, bench/results/latest.json; the suite took ${fixed(results.durationMs / 60000, 1)} min`}`);
