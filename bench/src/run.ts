/**
 * `npm run bench`: runs the benchmark suite and writes docs/BENCHMARKS.md, its charts in
 * docs/bench/, and the raw figures in bench/results/latest.json.
 *   --quick              fewer rounds and objects (for working on the bench; figures are rougher)
 *   --only=a,b           sections to run: runtime, build, scale
 *   --keep               keep the scratch directory
 *   --out=FILE           where to write the report (default docs/BENCHMARKS.md)
 *   --from=FILE          measure nothing: write the report and charts again from saved figures
 */
import { execFileSync } from "node:child_process";
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
import { groupedBars, lines, stackedBars } from "./svg.js";
import { findTools, repoRoot } from "./tools.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag("quick");
const only = new Set((option("only") ?? "runtime,build,scale").split(","));
const reportPath = resolve(process.cwd(), option("out") ?? join(repoRoot, "docs/BENCHMARKS.md"));
const chartDir = join(repoRoot, "docs/bench");

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
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
  const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repoRoot, encoding: "utf8" }).trim() !== "";
  const commit = `${execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim()}${dirty ? "+dirty" : ""}`;
  const results: SuiteResults = { commit, command: ["node", "bench/dist/run.js", ...argv].join(" "), startedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"), durationMs: 0, argv, machine, loadAfter: [], commandVariables };
  try {
    if (only.has("runtime")) results.runtime = await runRuntime(tools, work, { rounds: quick ? 3 : 7, targetMs: quick ? 10 : 25, progress });
    if (only.has("build")) results.buildCost = await runBuildCost(tools, work, { rounds: quick ? { "regex-syntax": 1, libm: 2, startup: 3 } : { "regex-syntax": 5, libm: 5, startup: 5 }, componentRounds: quick ? 1 : 3, progress });
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
const charts: { runtime?: string; build?: string; identity?: string; scale?: string } = {};
const chartLink = (name: string) => relative(dirname(reportPath), join(chartDir, name));
const palette: Partial<Record<BuildId, string>> = { a: "#9e9e9e", b: "#1f77b4", c: "#2ca02c", d: "#ff7f0e", e: "#8c564b" };
if (results.runtime) {
  const shown = (["a", "b", "c", "d", "e"] as BuildId[]).filter((id) => results.runtime!.modes[0]!.instructions[id]);
  await writeFile(
    join(chartDir, "runtime.svg"),
    groupedBars({
      title: "Instructions per helper use in a hot loop (callgrind; lower is better)",
      subtitle: "a out of line · b local-lto · c C with static inline · d plain Rust · e kernel pipeline",
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
  const compared = results.buildCost.crates.filter((c) => c.identity.length);
  if (compared.length) {
    await writeFile(
      join(chartDir, "rust-functions.svg"),
      stackedBars({
        title: "Rust functions of each object against rustc's own object (by name, byte for byte)",
        subtitle: "one bar per object; every function of plain rustc --emit=obj, found identical, differing, or missing",
        series: [
          { name: "byte-identical", color: "#2ca02c" },
          { name: "bytes differ", color: "#ff7f0e" },
          { name: "missing", color: "#d62728" },
          { name: "extra (not in rustc's)", color: "#9e9e9e" },
        ],
        rows: compared.flatMap((c) =>
          c.identity.map((id, i) => ({
            group: i === 0 ? c.crate.title : undefined,
            label: id.label,
            values: [id.comparison.identical, id.comparison.differing, id.comparison.missing.length, id.comparison.extra.length],
          })),
        ),
        xLabel: "share of the functions in rustc's object (counts written in)",
      }),
    );
    charts.identity = chartLink("rust-functions.svg");
  }
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
        ? `met (${ratios.length - beaten.length} within 1%; beaten for ${beaten.map(([k, r]) => `${k}, ${fixed((1 - r) * 100, 1)}% fewer`).join("; ")})`
        : "met";
    verdicts.push(`(b)/(c) instructions per iteration within 1% — ${mode.config.title} ¦ ${measured} ¦ ${verdict}`);
  }
  const def = rt.modes[0]!;
  const ratio = (mode: ModeResults, k: (typeof kinds)[number]) => (mode.instructions.b?.[k] ?? NaN) / (mode.instructions.c?.[k] ?? NaN);
  const missedKinds = kinds.filter((k) => rt.modes.some((m) => parityVerdict(ratio(m, k)) === "missed"));
  // (b)'s hot loop identical to (c)'s, and (c)'s is a vector loop: the diff's lines are then (c)'s.
  const vectorKinds = kinds.filter((k) => {
    const d = def.disassembly[k].find((x) => x.build === "b");
    return d?.identical && d.diff.some((l) => /%[xy]mm/.test(l.line));
  });
  const b = def.builds.find((x) => x.id === "b");
  findings.push(
    `**Runtime: (b) matches the C build (c)${missedKinds.length ? ` except for ${missedKinds.join(", ")}` : " for every kind"}.** Instructions per iteration, default codegen: ${kinds.map((k) => `${k} (b) ${fixed(def.instructions.b![k], 2)} / (c) ${fixed(def.instructions.c![k], 2)}`).join(", ")}. local-lto's pipeline now runs the loop vectorizer once more after inlining (\`${b?.passes ?? "n/a"}\`, inlining and codegen by ${b?.backend ?? "?"}): the change the previous run measured as a proposed variant (b+) is merged, so (b) includes it` +
      (vectorKinds.length ? `, and the hot loops of ${vectorKinds.join(", ")} are now the C build's vector loops, instruction for instruction (section 2).` : ".") +
      (missedKinds.length ? ` Still missed: ${missedKinds.map((k) => `${k} (${rt.modes.map((m) => `${m.config.title}: ${fixed(m.instructions.b![k], 2)} vs ${fixed(m.instructions.c![k], 2)}`).join("; ")})`).join(", ")}; section 2 has the loops.` : ""),
  );
  const beatenKinds = kinds.filter((k) => parityVerdict(ratio(def, k)) === "beaten");
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
  const libm = bc!.crates.find((c) => c.crate.id === "libm");
  verdicts.push(
    `local-lto build ≤ 1.1× plain rustc on regex-syntax ¦ ${fixed(median(ratio), 2)}× wall [${fixed(min(ratio), 2)}–${fixed(max(ratio), 2)}], ${fixed(fastest("local-lto"), 2)}× fastest runs, ${fixed(median(cpu), 2)}× CPU; kernel pipeline ${fixed(median(kernel), 2)}× wall (${fixed(fastest("kernel"), 2)}× fastest), ThinLTO ${fixed(median(lto), 2)}× (${fixed(fastest("lto"), 2)}× fastest)${libm ? `. libm (not the target): ${fixed(median(variantRatios(libm, "local-lto", "wallMs")), 2)}× wall, ${fixed(median(variantRatios(libm, "local-lto", "cpuMs")), 2)}× CPU` : ""} ¦ ${median(ratio) <= 1.1 ? "met" : "**missed**"}`,
  );
  const llto = regex.runs["local-lto"];
  const c = componentFigures(regex);
  const oh = llto.map((r) => overheadOf(r));
  const ohMs = median(oh.map((o) => o.overheadMs));
  const share = median(oh.map((o, i) => o.overheadMs / llto[i]!.wallMs));
  const floorRatio = c.floor.cpuMs / c.plain.cpuMs;
  const floorFastest = c.fastest.floor.cpuMs / c.fastest.plain.cpuMs;
  findings.push(
    `**Build time on regex-syntax: ${fixed(median(ratio), 2)}× plain rustc in wall time, ${fixed(median(cpu), 2)}× in CPU time (target 1.1×).** The floor, with no overhead of local-lto's own: rustc to bitcode ${seconds(c.bitcode.cpuMs)} s + llvm-link ${seconds(c.link.cpuMs)} s + rust-lld (inline + codegen) ${seconds(c.rustLld.cpuMs)} s = ${seconds(c.floor.cpuMs)} s CPU, ${fixed(floorRatio, 2)}× the plain build's ${seconds(c.plain.cpuMs)} s by medians, **${fixed(floorFastest, 2)}× by the fastest run of each step** (${seconds(c.fastest.floor.cpuMs)} s against ${seconds(c.fastest.plain.cpuMs)} s; on this shared machine the fastest runs are the least disturbed by other jobs); with the opt + llc fallback ${fixed(c.floorFallback.cpuMs / c.plain.cpuMs, 2)}× by medians, ${fixed(c.fastest.floorFallback.cpuMs / c.fastest.plain.cpuMs, 2)}× by the fastest runs. ` +
      (() => {
        // The critical path of a local-lto build is compile rust → merge → inline+codegen; the rest is its own overhead.
        const stage = (name: string) => median(llto.map((r) => r.timings?.[name] ?? NaN));
        const path = stage("compile rust") + stage("merge") + stage("inline+codegen");
        if (!Number.isFinite(path)) return "";
        const rustcTimes = [...regex.runs.kernel.map((r) => r.steps[0]?.wallMs ?? NaN), ...llto.map((r) => r.timings?.["compile rust"] ?? NaN)];
        return `In the measured builds local-lto's ${seconds(median(llto.map((r) => r.wallMs)))} s split into \`compile rust\` ${seconds(stage("compile rust"))} s + \`merge\` ${seconds(stage("merge"))} s + \`inline+codegen\` ${seconds(stage("inline+codegen"))} s + its own overhead ${seconds(ohMs)} s (medians, one after the other); the same commands alone took ${seconds(c.bitcode.wallMs)} s (rustc, in the kernel pipeline's runs), ${seconds(c.link.wallMs)} s and ${seconds(c.rustLld.wallMs)} s (rustc-to-bitcode took ${seconds(min(rustcTimes))}–${seconds(max(rustcTimes))} s across this crate's kernel and local-lto builds: this shared machine's run-to-run variation; in a build, rust-lld runs beside \`read rust IR\`). `;
      })() +
      `What is left of the gap is the pipeline's shape (fastest runs, CPU): rust-lld takes ${seconds(c.fastest.rustLld.cpuMs)} s where rustc's in-process codegen of the same module costs ${seconds(c.fastest.inProcessCodegen.cpuMs)} s; with no pass at all (reading the bitcode back and codegen) rust-lld takes ${seconds(c.fastest.rustLldCodegenOnly.cpuMs)} s, so local-lto's passes cost about ${seconds(c.fastest.rustLld.cpuMs - c.fastest.rustLldCodegenOnly.cpuMs)} s (medians: ${seconds(c.rustLld.cpuMs - c.rustLldCodegenOnly.cpuMs)} s); and llvm-link reads and writes the whole module once more (${seconds(c.link.cpuMs)} s). ` +
      (Number.isFinite(c.rustLldPartitions2.wallMs)
        ? (() => {
            const p2 = regex.identity.find((i) => i.label.includes("--lto-partitions=2"))?.comparison;
            return `Splitting rust-lld's codegen in two (\`--lto-partitions=2\`, a what-if, not in local-lto) ${c.rustLldPartitions2.wallMs < 0.9 * c.rustLld.wallMs ? "helped" : "did not help"}: ${seconds(c.rustLldPartitions2.wallMs)} s against ${seconds(c.rustLld.wallMs)} s wall, ${seconds(c.rustLldPartitions2.cpuMs)} s against ${seconds(c.rustLld.cpuMs)} s CPU (it needs the second core)${p2 ? `; its object keeps ${p2.identical} of ${p2.reference} Rust functions byte-identical (against ${identityOf(regex)?.identical ?? "?"} unsplit)${p2.relocations.privatePromoted ? `, and in those ${p2.relocations.privatePromoted} relocations point at private constants that partitioning made named symbols (e.g. ${code(p2.relocations.promotedExample?.[1] ?? "?")})` : ""}${p2.relocations.otherDifferences.length ? `, ${p2.relocations.otherDifferences.length} functions with other relocation differences` : ""}` : ""}. `;
          })()
        : "") +
      (floorFastest > 1.1
        ? `So in CPU time 1.1× is out of reach for this pipeline shape: the floor alone is ${fixed(floorFastest, 2)}× by the fastest runs (${fixed(floorRatio, 2)}× by medians). In wall time the builds came to ${fixed(median(ratio), 2)}× (fastest runs ${fixed(fastest("local-lto"), 2)}×), below the CPU ratio; local-lto's own work (${fixed(median(llto.map((r) => (r.node ? r.node.cpuUserMs + r.node.cpuSystemMs : NaN))), 0)} ms of Node CPU per build) can run beside the compilers on the second core (not measured apart). Candidates to move it, not measured here: taking local-lto's own overhead out (${fixed(ohMs, 0)} ms, below), a cheaper pipeline in rust-lld (it spends about ${seconds(c.fastest.rustLld.cpuMs - c.fastest.rustLldCodegenOnly.cpuMs)} s CPU in local-lto's passes on a crate with nothing to inline), splitting codegen over the two cores (\`--lto-partitions=2\`, above), and merging without a bitcode round trip (llvm-link writes the module that rust-lld parses again).`
        : `The floor is within 1.1× (${fixed(floorFastest, 2)}× by the fastest runs, ${fixed(floorRatio, 2)}× by medians): what is missing is local-lto's own overhead (${fixed(ohMs, 0)} ms, below) and the overlap its stages lose when the machine is busy.`),
  );
  verdicts.push(`local-lto's own overhead ≤ 5% of a build (regex-syntax) ¦ ${fixed(ohMs, 0)} ms = ${fixed(share * 100, 1)}% of ${seconds(median(llto.map((r) => r.wallMs)))} s (wall − the time in which a compiler ran) ¦ ${share <= 0.05 ? "met" : "**missed**"}`);
  const startup = bc!.startup.rows;
  const startMs = (i: number) => median(startup[i]?.wallMs ?? []);
  const parts = [
    ["before the first compiler starts", median(oh.map((o) => o.beforeMs))],
    ["between compilers", median(oh.map((o) => o.betweenMs))],
    ["after the last compiler ends (what local-lto still waits for, then verify, report, exit)", median(oh.map((o) => o.afterMs))],
  ] as const;
  findings.push(
    `**local-lto's own overhead: ${fixed(ohMs, 0)} ms per build** (${fixed(share * 100, 1)}% of the wall time on regex-syntax; target 5%, ${share <= 0.05 ? "met" : "missed"}): ${parts.map(([what, v]) => `${fixed(v, 0)} ms ${what}`).join(", ")}. ` +
      `Before the first compiler: Node start-up plus loading local-lto takes ${fixed(startMs(1), 0)} ms (\`local-lto --version\`) against ${fixed(startMs(0), 0)} ms for an empty Node, and with its version cache warm local-lto still runs ${fixed(median(oh.map((o) => o.probes)), 0)} toolchain queries (${queryTools(llto)}) over ${fixed(median(oh.map((o) => o.probeSpanMs)), 0)} ms. ` +
      `Between compilers: the merge starts ${fixed(median(oh.map((o) => o.mergeWaitMs)), 0)} ms after rustc ends. ` +
      `Its Node process used ${fixed(median(llto.map((r) => (r.node ? r.node.cpuUserMs + r.node.cpuSystemMs : NaN))), 0)} ms CPU (\`read rust IR\` ${fixed(median(llto.map((r) => r.timings?.["read rust IR"] ?? NaN)), 0)} ms now runs beside rust-lld and costs no wall time unless the second core is busy).`,
  );
  const identity = regex.identity[0];
  if (identity) {
    const k = identity.comparison;
    const control = regex.identity.find((i) => i.label.startsWith("rust-lld codegen alone"));
    const controlNames = new Set(control?.differing.map((d) => d.name) ?? []);
    const fromPasses = identity.differing.filter((d) => control && !controlNames.has(d.name));
    const fallbackId = regex.identity.find((i) => i.label.includes("--codegen-backend=llc"));
    const types = Object.entries(k.relocations.typeChanges);
    findings.push(
      `**Rust code is left as rustc made it, but for ${k.differing + k.missing.length} of ${k.reference} functions (regex-syntax).** ${k.identical} of rustc's ${k.reference} functions are byte-identical in local-lto's object, ${k.differing} differ, ${k.missing.length} are missing${k.extra.length ? `, ${k.extra.length} are extra` : ""}` +
        (control ? `; rust-lld generating code from the same merged module with no optimisation pass differs from rustc in ${control.comparison.differing} functions, so ${k.differing - fromPasses.length} of the ${k.differing} are codegen` : "") +
        (fromPasses.length
          ? ` and ${fromPasses.length} (${fromPasses.map((d) => code(shortName(d.demangled))).join(", ")}) ${fromPasses.length === 1 ? "changes" : "change"} only with local-lto's passes: the \`noinline\` list stops the inliner at Rust's functions, but instcombine, simplifycfg and loop-vectorize still run over every function.`
          : ".") +
        (fallbackId ? ` The opt + llc fallback: ${fallbackId.comparison.identical} identical, ${fallbackId.comparison.differing} differing, ${fallbackId.comparison.missing.length} missing.` : "") +
        (() => {
          const llcToo = fallbackId && Object.keys(fallbackId.comparison.relocations.typeChanges).length > 0;
          const kindsOfDifference = [
            ...(types.length ? [`${types.map(([t, n]) => `${n} × ${t}`).join(", ")} (LLVM's codegen${llcToo ? ", in rust-lld as in llc," : ""} marks GOT loads relaxable where rustc does not: a linker may then turn the load into a direct address)`] : []),
            ...(k.relocations.privateRenamed ? [`${k.relocations.privateRenamed} point at private constants named differently${k.relocations.privateExample ? ` (e.g. ${code(k.relocations.privateExample[0])} in rustc's object, ${code(k.relocations.privateExample[1])} in local-lto's; the constants themselves are not compared here)` : ""}`] : []),
          ];
          return ` In the byte-identical functions every relocation sits at rustc's offset with rustc's addend and target${k.relocations.otherDifferences.length ? `, except in ${k.relocations.otherDifferences.length} functions` : ""}${kindsOfDifference.length ? `; what differs: ${kindsOfDifference.join("; ")}` : ", and has rustc's type"}`;
        })() +
        ".",
    );
  }
}
const sc = results.scale;
if (sc) {
  const perObject = sc.localLto2.totalMs / sc.built;
  const plainPer = sc.plain2.totalMs / sc.built;
  const oh = sc.localLto2.overheads;
  findings.push(
    `**Scale (${sc.built}${sc.built < sc.objects ? ` of ${sc.objects}` : ""} objects, ${sc.helperCount} helpers):** ${seconds(sc.localLto2.totalMs)} s with 2 jobs, ${fixed(perObject, 0)} ms per object against ${fixed(plainPer, 0)} ms for plain rustc; 2 jobs are ${fixed(sc.jobs.oneJobMs / sc.jobs.twoJobsMs, 2)}× faster than 1${(sc.loadAverage.before[0] ?? 0) > 2.5 ? ` (load average ${sc.loadAverage.before[0]!.toFixed(1)} when it started: other jobs held the cores too)` : ""}. For small crates local-lto's own overhead per process dominates: ${fixed(median(oh.map((o) => o.overheadMs)), 0)} ms of a median ${fixed(median(sc.localLto2.wallMs), 0)} ms build (${fixed(median(oh.map((o) => o.beforeMs)), 0)} ms before the first compiler starts, of which toolchain queries ${fixed(median(oh.map((o) => o.probeSpanMs)), 0)} ms${bc ? ` and Node start plus loading local-lto about ${fixed(median(bc.startup.rows[1]?.wallMs ?? []), 0)} ms on an idle core (section 3)` : ""}; ${fixed(median(oh.map((o) => o.betweenMs)), 0)} ms between compilers; ${fixed(median(oh.map((o) => o.afterMs)), 0)} ms after the last). Not measured here: a batch mode building many objects in one process, starting Node and querying the toolchain once per batch.`,
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

/** The tools local-lto queried in its first measured build (`rustc ×2`). */
function queryTools(runs: readonly { processes?: { tool: string; role: string }[] }[]): string {
  const counts = new Map<string, number>();
  for (const p of runs.find((r) => r.processes)?.processes ?? []) if (p.role === "probe") counts.set(p.tool, (counts.get(p.tool) ?? 0) + 1);
  return [...counts].map(([tool, n]) => (n > 1 ? `${tool} ×${n}` : tool)).join(", ") || "none";
}

function identityOf(crate: NonNullable<typeof regex>) {
  return crate.identity[0]?.comparison;
}

/** A demangled Rust name without its hash and generic noise, for prose. */
function shortName(demangled: string): string {
  return demangled.replace(/\$LT\$/g, "<").replace(/\$GT\$/g, ">").replace(/::h[0-9a-f]{16}$/, "");
}
