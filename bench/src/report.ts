import type { BuildCostResults, CrateResult, Variant, VariantRun } from "./buildCost.js";
import { variantInfo, variants } from "./buildCost.js";
import type { MachineInfo } from "./machine.js";
import type { BuildId, Kind, ModeResults, RuntimeResults } from "./runtime.js";
import { buildInfo, kindInfo, kinds } from "./runtime.js";
import type { ScaleResults } from "./scale.js";
import { fixed, formatSpread, median, mib, min, seconds, spread } from "./stats.js";

export interface SuiteResults {
  startedAt: string;
  durationMs: number;
  argv: string[];
  machine: MachineInfo;
  loadAfter: number[];
  runtime?: RuntimeResults;
  buildCost?: BuildCostResults;
  scale?: ScaleResults;
  commandVariables: [string, string][];
}

const tableRow = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
const table = (head: string[], rows: (string | number)[][], align?: string[]) =>
  [tableRow(head), tableRow(align ?? head.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(tableRow)].join("\n");
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const block = (lines: string[], lang = "sh") => ["```" + lang, ...lines, "```"].join("\n");

/** (b)/(c) verdict against the 1% target. */
export function parityVerdict(ratio: number): "met" | "beaten" | "missed" {
  if (ratio > 1.01) return "missed";
  if (ratio < 0.99) return "beaten";
  return "met";
}

function instructionsOf(mode: ModeResults, build: BuildId, kind: Kind): number {
  return mode.instructions[build]?.[kind] ?? Number.NaN;
}

/** Ratios of two builds' wall times, round by round (each round ran both within seconds). */
function wallRatios(mode: ModeResults, top: BuildId, bottom: BuildId, kind: Kind): number[] {
  const a = mode.wallNs[top]?.[kind] ?? [];
  const b = mode.wallNs[bottom]?.[kind] ?? [];
  return a.map((v, i) => v / (b[i] ?? Number.NaN));
}

function localLtoStages(run: VariantRun): Record<string, number> {
  return run.timings ?? {};
}

const compilerStages = ["compile rust", "merge", "inline", "codegen"];

/** local-lto's own overhead in one run: its wall time minus the compilers on its critical path. */
export function overheadOf(run: VariantRun): { criticalMs: number; overheadMs: number } {
  const stages = localLtoStages(run);
  const criticalMs = compilerStages.reduce((sum, s) => sum + (stages[s] ?? 0), 0);
  return { criticalMs, overheadMs: run.wallMs - criticalMs };
}

interface Cost {
  wallMs: number;
  cpuMs: number;
}

/** Medians of each compiler step of the pipelines on one crate, wall and CPU. */
export function componentFigures(result: CrateResult): {
  plain: Cost;
  bitcode: Cost;
  inProcessCodegen: Cost;
  link: Cost;
  opt: Cost;
  optProposed: Cost;
  llc: Cost;
  kernelClang: Cost;
  floor: Cost;
} {
  const med = (values: Cost[]): Cost => ({ wallMs: median(values.map((v) => v.wallMs)), cpuMs: median(values.map((v) => v.cpuMs)) });
  const plainRuns = result.runs.plain;
  const kernelRuns = result.runs.kernel;
  const plain = med(plainRuns);
  const bitcode = med(kernelRuns.map((r) => r.steps[0]!));
  const inProcessCodegen = med(plainRuns.map((p, i) => ({ wallMs: p.wallMs - (kernelRuns[i]?.steps[0]?.wallMs ?? NaN), cpuMs: p.cpuMs - (kernelRuns[i]?.steps[0]?.cpuMs ?? NaN) })));
  const link = med(kernelRuns.map((r) => r.steps[1]!));
  const none = { wallMs: Number.NaN, cpuMs: Number.NaN };
  const opt = result.whatIf ? med(result.whatIf.current) : none;
  const optProposed = result.whatIf ? med(result.whatIf.proposed) : none;
  const llc = result.whatIf?.llc.length ? med(result.whatIf.llc) : none;
  const kernelClang = med(kernelRuns.map((r) => r.steps[2]!));
  const floor = { wallMs: bitcode.wallMs + link.wallMs + opt.wallMs + llc.wallMs, cpuMs: bitcode.cpuMs + link.cpuMs + opt.cpuMs + llc.cpuMs };
  return { plain, bitcode, inProcessCodegen, link, opt, optProposed, llc, kernelClang, floor };
}

export function variantRatios(result: CrateResult, variant: Variant, key: "wallMs" | "cpuMs"): number[] {
  const plain = result.runs.plain;
  return result.runs[variant].map((r, i) => r[key] / (plain[i]?.[key] ?? Number.NaN));
}

function runtimeSection(rt: RuntimeResults, out: string[], svgPath: string): void {
  const modes = rt.modes;
  const def = modes.find((m) => m.config.id === "default")!;
  out.push("## 1. Runtime per helper call", "");
  out.push(
    "Each program runs one kind of helper in a hot loop. One *iteration* is one use of the helper: one `refcount_inc`, one `IS_ERR` on an array element, one `list_is_head` per list node, one `test_bit`, or one `spin_lock` + `spin_unlock` pair (two calls). The array kinds walk 1024 elements per pass. Sources: `bench/runtime/` (`kinds.h` has the static inline functions, `helpers.c` their exported `rust_helper_*` wrappers, `bench.c` the C loops, `bench_helpers.rs` the Rust loops calling the wrappers, `bench_plain.rs` the plain-Rust loops, `main.c` the driver). Every build is checked to compute the same results (`prog check`).",
    "",
    "**Method.** Instructions are counted with callgrind client requests in the driver: for each kind it zeroes the counters, runs the loop for N1 = " +
      `${rt.n1} iterations, dumps, runs it for N2 = ${rt.n2} iterations, dumps again. Instructions per iteration = (Ir(N2) − Ir(N1)) / (N2 − N1): the call into the loop, its set-up and the client request itself cancel out. Callgrind counts are exact and repeatable (the same binary gives the same count on a loaded machine). Wall time is measured by the driver around the loop (clock_gettime, after a warm-up run of N/16), with N chosen so the C build runs about ${rt.targetMs} ms; all builds and kinds are interleaved, ${rt.rounds} rounds, each round in a rotated order, and ratios are taken within a round.`,
    "",
  );
  if (!modes.some((m) => m.config.id === "hardened")) {
    out.push("**The call-hardening mode was skipped: no nightly rustc was found** (`rustup which rustc --toolchain nightly`); rustc's hardening options are `-Z` options.", "");
  }
  out.push("### Builds and the flags each side got", "");
  const flagRows: string[][] = [];
  for (const mode of modes) {
    const c = mode.config;
    flagRows.push([
      c.title,
      `${code(c.rustc === modes[0]!.config.rustc ? "rustc" : "rustc +nightly")} ${c.rustFlags.map(code).join(" ")}`,
      `${code("clang")} ${c.cFlags.map(code).join(" ")}`,
      c.linkFlags.length ? c.linkFlags.map(code).join(" ") : "(defaults: PIE)",
    ]);
  }
  out.push(table(["mode", "Rust side (a, b, d, e, f)", "C side (helpers in a, b, e, f; the loops in c)", "link"], flagRows, ["---", "---", "---", "---"]), "");
  out.push(
    "The hardened mode uses the x86-64 kernel's call-hardening options on both sides: return thunks, retpoline external thunks with the CS prefix, IBT landing pads (`endbr64`), 16-byte patchable entries and alignment, no jump tables, and the static relocation model (direct calls, as in the kernel). The thunks are in `bench/runtime/thunks.S`; the return thunk is a plain `ret`, so hardened calls here pay the extra jump and landing pad, not a microcode mitigation — a lower bound for a kernel. rustc's `-Z` options need nightly; `-Cunsafe-allow-abi-mismatch` is needed because the prebuilt `core` was built without them (the benchmark objects call nothing in `core`).",
    "",
  );
  out.push("Builds (each links the same `main.o`):", "");
  for (const id of Object.keys(buildInfo) as BuildId[]) out.push(`- ${buildInfo[id].title}`);
  out.push("");
  const cmdLines: string[] = [];
  for (const mode of modes) {
    cmdLines.push(`# ${mode.config.title}`);
    for (const b of mode.builds) {
      cmdLines.push(`# build ${b.id}`);
      cmdLines.push(...b.commands);
    }
  }
  out.push("<details><summary>Exact build commands</summary>", "", block(cmdLines), "", "</details>", "");

  out.push("### Instructions per iteration (callgrind)", "");
  out.push(
    `Produced by ${code(`valgrind --tool=callgrind --callgrind-out-file=$W/runtime/<mode>/cg-<build>.%p $W/runtime/<mode>/prog-<build> callgrind ${rt.n1} ${rt.n2}`)} for each mode and build; the helper calls left in each object are from ${code("node dist/cli/main.js inspect <object> --json")}.`,
    "",
  );
  for (const mode of modes) {
    out.push(`**${mode.config.title}**`, "");
    const ids = mode.builds.map((b) => b.id);
    const rows = kinds.map((k) => {
      const b = instructionsOf(mode, "b", k);
      const c = instructionsOf(mode, "c", k);
      const a = instructionsOf(mode, "a", k);
      return [
        `${kindInfo[k].title} (${kindInfo[k].helpers})`,
        ...ids.map((id) => fixed(instructionsOf(mode, id, k), 2)),
        `${fixed(b / c, 3)} (${parityVerdict(b / c)})`,
        fixed((a - b) / kindInfo[k].callsPerIteration, 2),
      ];
    });
    rows.push(["helper calls left in the object", ...ids.map((id) => String(mode.builds.find((b) => b.id === id)!.callsLeft ?? "–")), "", ""]);
    rows.push(["helper symbols exported (for a: by the helper object)", ...ids.map((id) => String(mode.builds.find((b) => b.id === id)!.globalHelpers ?? "–")), "", ""]);
    out.push(table(["kind", ...ids.map((id) => `(${id})`), "(b)/(c)", "a − b per call"], rows), "");
  }
  out.push(
    "(b)/(c) is the target (within 1%): *met* within 1%, *beaten* when local-lto's loop runs fewer instructions than clang's, *missed* otherwise. \"a − b per call\" is what one out-of-line helper call costs over the inlined helper, in instructions.",
    "",
    `![Instructions per iteration, per helper kind and build](${svgPath})`,
    "",
  );

  out.push("### Wall time (noisy: other jobs share this 2-core machine)", "");
  out.push(
    `Produced by ${code("$W/runtime/<mode>/prog-<build> time <kind> <N>")}, interleaved over all builds and kinds, ${rt.rounds} rounds. N per kind: ${kinds.map((k) => `${k} ${rt.wallIterations[k]}`).join(", ")}. Cells: median ns per iteration [min–max]; ratios: median [min–max] of the per-round ratios.`,
    "",
  );
  for (const mode of modes) {
    out.push(`**${mode.config.title}**`, "");
    const ids = mode.builds.map((b) => b.id);
    const rows = kinds.map((k) => [
      kindInfo[k].title,
      ...ids.map((id) => formatSpread(spread(mode.wallNs[id]?.[k] ?? []), 2)),
      formatSpread(spread(wallRatios(mode, "b", "a", k)), 2),
      formatSpread(spread(wallRatios(mode, "b", "c", k)), 2),
    ]);
    out.push(table(["kind", ...ids.map((id) => `(${id}) ns`), "b/a", "b/c"], rows), "");
  }

  out.push("## 2. Machine code: is local-lto's hot loop the C loop?", "");
  out.push(
    `Produced by ${code("/usr/lib/llvm-22/bin/llvm-objdump -d --no-show-raw-insn --disassemble-symbols=bench_<kind> <object>")} on the object of each build. The hot loop is the function's largest innermost loop without a call (the vector body when the loop was vectorized; the scalar remainder never runs because the arrays hold 1024 elements). Addresses are dropped, branch targets become offsets in the loop, padding nops are dropped. Diffs: \`-\` lines are (c), the C build; \`+\` lines are (b).`,
    "",
  );
  for (const mode of modes) {
    out.push(`**${mode.config.title}**`, "");
    const rows = kinds.map((k) => {
      const cmp = (id: BuildId) => mode.disassembly[k].find((d) => d.build === id);
      const cell = (id: BuildId) => {
        const d = cmp(id);
        if (!d) return "–";
        if (d.identical) return d.wholeFunctionIdentical ? "identical (whole function too)" : "identical";
        if (d.sameUpToRegisters) return "same up to register names";
        return `differs (${d.loopLines} vs ${d.idealLines} instructions)`;
      };
      return [kindInfo[k].title, cell("b"), cell("b+"), cell("d"), cell("e"), cell("f")];
    });
    out.push(table(["kind", "(b) local-lto vs (c)", "(b+) proposed vs (c)", "(d) plain Rust vs (c)", "(e) kernel vs (c)", "(f) LTO vs (c)"], rows, ["---", "---", "---", "---", "---", "---"]), "");
  }
  for (const k of kinds) {
    const d = def.disassembly[k].find((x) => x.build === "b");
    if (!d || d.identical) continue;
    const lines = d.diff.map((l) => `${l.op}${l.line}`);
    const shown = lines.length > 40 ? [...lines.slice(0, 40), `… ${lines.length - 40} more lines`] : lines;
    out.push(`<details><summary>${kindInfo[k].title}: hot loop of (c) → (b), default codegen</summary>`, "", block(shown, "diff"), "", "</details>", "");
  }
}

function crateTable(result: CrateResult): string {
  const rows = variants.map((v) => {
    const runs = result.runs[v];
    return [
      variantInfo[v],
      formatSpread(spread(runs.map((r) => r.wallMs / 1000)), 2),
      v === "plain" ? "1" : formatSpread(spread(variantRatios(result, v, "wallMs")), 2),
      v === "plain" ? "1" : fixed(min(runs.map((r) => r.wallMs)) / min(result.runs.plain.map((r) => r.wallMs)), 2),
      formatSpread(spread(runs.map((r) => r.cpuMs / 1000)), 2),
      v === "plain" ? "1" : fixed(median(variantRatios(result, v, "cpuMs")), 2),
      mib(median(runs.map((r) => r.maxRssKb))),
    ];
  });
  return table(["build", "wall s", "× plain (wall)", "× plain (fastest runs)", "CPU s", "× plain (CPU)", "peak RSS MiB"], rows);
}

function buildCostSection(bc: BuildCostResults, out: string[], svgPath: string): void {
  out.push("## 3. Build cost on real crates", "");
  out.push(
    `Crates from Debian's \`librust-*-dev\` packages, built as they are (no helper calls in them: local-lto still runs its whole pipeline and finds nothing to inline). Helpers: \`${bc.helperSource.replace(/.*\/bench\//, "bench/")}\` — local-lto compiles it in each build (in parallel with rustc, as a user would run it); the kernel pipeline and the LTO build get it precompiled once (\`helpers.bc\`, \`helpers-thin.o\`), as the kernel does. Each round runs the four builds in a rotated order; ratios are per round (median [min–max]); "fastest runs" divides the fastest run of each build, the figure least disturbed by other jobs. Peak RSS is the largest single process of the build (wait4's maxrss), not the sum of concurrent ones.`,
    "",
  );
  for (const missing of bc.missing) out.push(`- ${missing.title}: **not measured**, sources not found (${code(`apt-get install ${missing.debianPackage}`)}, in \`scripts/setup.sh\`).`, "");
  for (const result of bc.crates) {
    const rounds = result.runs.plain.length;
    out.push(`### ${result.crate.title} (${result.lines.toLocaleString("en-US")} lines of Rust), ${rounds} round${rounds === 1 ? "" : "s"}`, "");
    out.push("Commands (`$W` is the bench's scratch directory):", "");
    out.push(block(variants.flatMap((v) => [`# ${variantInfo[v].replace(/`/g, "")}`, ...result.commands[v]])), "");
    out.push(crateTable(result), "");
    const llto = result.runs["local-lto"];
    const stageNames = [...new Set(llto.flatMap((r) => Object.keys(localLtoStages(r))))];
    const c = componentFigures(result);
    const pair = (f: { wallMs: number; cpuMs: number }) => [seconds(f.wallMs), seconds(f.cpuMs)];
    const rows: (string | number)[][] = [
      ["plain `rustc --emit=obj` (optimise + codegen in one process)", ...pair(c.plain)],
      ["`rustc --emit=llvm-bc` (optimise, write bitcode: local-lto's `compile rust`, kernel step 1)", ...pair(c.bitcode)],
      ["→ rustc's in-process codegen (the two above, paired by round)", ...pair(c.inProcessCodegen)],
      ["`llvm-link --internalize --only-needed` (local-lto's `merge`, kernel step 2)", ...pair(c.link)],
      ["`opt` with local-lto's inline pipeline (its `inline`)", ...pair(c.opt)],
      ["`opt` with the proposed pipeline (+ loop-vectorize, instcombine)", ...pair(c.optProposed)],
      ["`llc` with local-lto's flags (its `codegen`)", ...pair(c.llc)],
      ["`clang -O2 -c merged.bc` (kernel step 3: the whole -O2 pipeline again + codegen)", ...pair(c.kernelClang)],
      ...stageNames.map((s) => [`local-lto stage \`${s}\` (wall, from its report)`, seconds(median(llto.map((r) => localLtoStages(r)[s] ?? Number.NaN))), "–"]),
    ];
    out.push(
      `Where the time goes (medians; the opt and llc rows rerun local-lto's own commands, read from its debug log, on this crate's merged module; local-lto's stages overlap — \`compile helpers\` runs beside \`compile rust\`, \`read rust IR\` beside \`merge\` and \`inline\` — and a stage's time includes any wait for another's result, e.g. \`safety checks\` starts with the helpers and waits for the Rust IR). CPU time is user + system and is much less disturbed by other jobs than wall time:`,
      "",
    );
    out.push(table(["step", "wall s", "CPU s"], rows), "");
    out.push(
      `With no overhead at all, local-lto's compilers take rustc-to-bitcode + llvm-link + opt + llc = ${seconds(c.floor.cpuMs)} s CPU, **${fixed(c.floor.cpuMs / c.plain.cpuMs, 2)}× the plain build's CPU** (${seconds(c.floor.wallMs)} s wall, ${fixed(c.floor.wallMs / c.plain.wallMs, 2)}×): llc alone costs ${seconds(c.llc.cpuMs)} s CPU where rustc's in-process codegen of the same module costs ${seconds(c.inProcessCodegen.cpuMs)} s.`,
      "",
    );
    if (result.whatIf) {
      const w = result.whatIf;
      const cur = median(w.current.map((r) => r.cpuMs));
      const prop = median(w.proposed.map((r) => r.cpuMs));
      out.push(
        ...(w.split.length
          ? [
              `Parallel codegen on two cores, same inlined module: local-lto's single \`llc\` ${formatSpread(spread(w.llc.map((v) => v.wallMs / 1000)), 2)} s against \`llvm-split -j=2\` + two concurrent \`llc\` + \`ld.lld -r\` ${formatSpread(spread(w.split.map((v) => v / 1000)), 2)} s (wall, ${w.split.length} interleaved rounds).`,
              "",
            ]
          : []),
        `Proposed pipeline change, measured on this crate's merged module (${code(`opt --disable-verify -passes=<pipeline> $W/${result.crate.id}-kernel-merged.bc`)}, 3 interleaved rounds): local-lto's pipeline ${code(w.currentPasses)} takes ${seconds(median(w.current.map((r) => r.wallMs)))} s wall / ${seconds(cur)} s CPU; with ${code(",function(loop-vectorize,instcombine<no-verify-fixpoint>)")} appended it takes ${seconds(median(w.proposed.map((r) => r.wallMs)))} s wall / ${seconds(prop)} s CPU (+${fixed(prop - cur, 0)} ms CPU, ${fixed(((prop - cur) / median(result.runs.plain.map((r) => r.wallMs))) * 100, 1)}% of a plain build). Object size after llc: ${w.objectBytes.current} → ${w.objectBytes.proposed} bytes.`,
        "",
      );
    }
  }
  const overheadRows: (string | number)[][] = [];
  const head = ["", ...bc.crates.map((c) => c.crate.title)];
  const per = (f: (r: CrateResult) => string) => bc.crates.map(f);
  const llto = (r: CrateResult) => r.runs["local-lto"];
  overheadRows.push(["local-lto wall (median)", ...per((r) => `${seconds(median(llto(r).map((x) => x.wallMs)))} s`)]);
  overheadRows.push(["compilers on the critical path: `compile rust` + `merge` + `inline` + `codegen`", ...per((r) => `${seconds(median(llto(r).map((x) => overheadOf(x).criticalMs)))} s`)]);
  overheadRows.push([
    "**own overhead** = wall − critical path (median [min–max]), share of the build",
    ...per((r) => {
      const o = llto(r).map((x) => overheadOf(x).overheadMs);
      const share = median(llto(r).map((x) => overheadOf(x).overheadMs / x.wallMs));
      return `**${formatSpread(spread(o), 0, " ms")}, ${fixed(share * 100, 1)}%** (${share <= 0.05 ? "met" : "missed"})`;
    }),
  ]);
  overheadRows.push(["of which: toolchain probes (processes, first start to last end)", ...per((r) => {
    const probes = llto(r).map((x) => x.probe).filter((p): p is NonNullable<typeof p> => !!p);
    return probes.length ? `${probes[0]!.count} × \`--version\`, ${fixed(median(probes.map((p) => p.spanMs)), 0)} ms` : "n/a (no debug log)";
  })]);
  overheadRows.push([
    "of which: the merge waiting after rustc finished (debug-log timestamps: llvm-link's start minus rustc's end)",
    ...per((r) => `${fixed(median(llto(r).map((x) => x.mergeWaitMs ?? Number.NaN)), 0)} ms`),
  ]);
  overheadRows.push(["Node bootstrap (to the first line of JS)", ...per((r) => `${fixed(median(llto(r).map((x) => x.node?.bootstrapMs ?? Number.NaN)), 0)} ms`)]);
  overheadRows.push(["stage `read rust IR` (llvm-dis + parse; beside merge and inline)", ...per((r) => `${fixed(median(llto(r).map((x) => localLtoStages(x)["read rust IR"] ?? Number.NaN)), 0)} ms`)]);
  overheadRows.push(["stage `verify` (ELF read)", ...per((r) => `${fixed(median(llto(r).map((x) => localLtoStages(x).verify ?? Number.NaN)), 0)} ms`)]);
  overheadRows.push(["local-lto's Node process: CPU (user + sys, children excluded)", ...per((r) => `${fixed(median(llto(r).map((x) => (x.node ? x.node.cpuUserMs + x.node.cpuSystemMs : Number.NaN))), 0)} ms`)]);
  overheadRows.push(["local-lto's Node process: peak RSS", ...per((r) => `${mib(median(llto(r).map((x) => x.node?.maxRssKb ?? Number.NaN)))} MiB`)]);
  out.push("### local-lto's own overhead", "");
  out.push(
    "Its wall time minus the time of the compilers it ran on the critical path. Node's own CPU time, peak memory and bootstrap time come from a preload (`bench/src/preload/usage.ts`, via `NODE_OPTIONS=--import=…`) that writes `process.cpuUsage()` and `performance.nodeTiming` as local-lto exits; the probes from its `DEBUG=local-lto:run` log. The target is ≤ 5% of the build.",
    "",
  );
  out.push(table(head, overheadRows, head.map((_, i) => (i ? "---" : "---"))), "");
  out.push("What Node start-up and module loading cost (each command run " + `${bc.startup.rows[0]?.wallMs.length ?? 0} times, interleaved; median [min–max] ms):`, "");
  out.push(table(["what", "command", "wall ms"], bc.startup.rows.map((r) => [r.label, code(r.command), formatSpread(spread(r.wallMs), 0)]), ["---", "---", "---:"]), "");
  out.push(`![Build time relative to plain rustc](${svgPath})`, "");
}

function scaleSection(sc: ScaleResults, out: string[], svgPath: string): void {
  out.push("## 4. Scale: many objects × many helpers", "");
  if (sc.built < sc.objects) {
    out.push(
      `**${sc.built} of the ${sc.objects} generated objects were built**: the section stops starting local-lto builds after ${fixed((sc.budgetMs * 0.55) / 1000, 0)} s so the suite stays within its time on a busy machine (load average ${sc.loadAverage.before.map((l) => l.toFixed(1)).join(" ")} before, ${sc.loadAverage.after.map((l) => l.toFixed(1)).join(" ")} after). The figures below are for the objects built.`,
      "",
    );
  }
  out.push(
    `${sc.objects} generated crates (\`$W/scale/crateNNN.rs\`, ${sc.functionsPerCrate} functions each with ${sc.callsPerFunction} helper calls in a loop, about ${fixed(sc.localLto2.helpersPerCrate, 0)} distinct helpers per crate) against one generated library of ${sc.helperCount} helpers (\`$W/scale/helpers.c\`, five shapes like section 1). The helper library is **compiled to bitcode once** and passed to every build as \`helpers.bc\`, so these figures do not depend on local-lto's own helper-bitcode cache (for \`.c\` helpers); the last list below compares the three ways. Builds run in a small worker pool in the bench runner, each a separate \`local-lto build\` process. Helper calls left over all ${sc.built} objects built: **${sc.localLto2.callsLeft}**.`,
    "",
  );
  out.push("Commands:", "", block(["# once:", sc.commands.helpersBc, "# per crate, local-lto:", sc.commands.localLto, "# per crate, plain rustc (the Rust half of an out-of-line build):", sc.commands.plain]), "");
  const checkpoints = [...new Set([Math.round(sc.built / 8), Math.round(sc.built / 4), Math.round(sc.built / 2), sc.built])].filter((n) => n > 0);
  const rows = checkpoints.map((n) => {
    const l = sc.localLto2.completedMs[n - 1] ?? Number.NaN;
    const p = sc.plain2.completedMs[n - 1] ?? Number.NaN;
    return [n, seconds(l), seconds(p), fixed(l / p, 2), fixed(l / n, 0)];
  });
  out.push(`Total time against objects, 2 jobs (the time at which the n-th object was done):`, "");
  out.push(table(["objects", "local-lto s", "plain rustc s", "× plain", "local-lto ms per object"], rows), "");
  const stageNames = [...new Set(sc.localLto2.stages.flatMap((t) => Object.keys(t)))];
  out.push(
    `Where one small object's build goes (median over the ${sc.built} builds, ms; stages overlap as in section 3): process wall ${fixed(median(sc.localLto2.wallMs), 0)}, ` +
      stageNames.map((s) => `\`${s}\` ${fixed(median(sc.localLto2.stages.map((t) => t[s] ?? Number.NaN)), 0)}`).join(", ") +
      `; the rest is Node start-up, module loading and toolchain probing (section 3).`,
    "",
  );
  out.push(
    `- Compiling the ${sc.helperCount}-helper library to bitcode once: ${fixed(sc.helperCompile.wallMs, 0)} ms.`,
    `- Helpers given as \`.c\` instead of the precompiled \`.bc\` (${sc.source.crates} crates, one at a time, interleaved; median per build, wall / CPU ms): \`.c\` with an empty helper cache ${fixed(median(sc.source.withC.map((r) => r.wallMs)), 0)} / ${fixed(median(sc.source.withC.map((r) => r.cpuMs)), 0)}; \`.c\` with local-lto's helper-bitcode cache already filled ${fixed(median(sc.source.withCachedC.map((r) => r.wallMs)), 0)} / ${fixed(median(sc.source.withCachedC.map((r) => r.cpuMs)), 0)}; precompiled \`.bc\` ${fixed(median(sc.source.withBc.map((r) => r.wallMs)), 0)} / ${fixed(median(sc.source.withBc.map((r) => r.cpuMs)), 0)}. local-lto compiles \`.c\` helpers beside rustc, so on two cores wall time hides part of the compile; CPU time does not. (Every local-lto run here gets \`LOCAL_LTO_CACHE_DIR\` inside the scratch directory; the cold runs get a new, empty one each.)`,
    `- Parallel jobs on this 2-core machine, first ${sc.jobs.subset} crates: 1 job ${seconds(sc.jobs.oneJobMs)} s, 2 jobs ${seconds(sc.jobs.twoJobsMs)} s: speed-up **${fixed(sc.jobs.oneJobMs / sc.jobs.twoJobsMs, 2)}×**.`,
    "",
    `![Total build time against objects](${svgPath})`,
    "",
  );
}

export function renderReport(results: SuiteResults, charts: { runtime?: string; build?: string; scale?: string }, verdicts: string[], findings: string[]): string {
  const m = results.machine;
  const out: string[] = [];
  out.push("# Benchmarks", "");
  out.push(
    `Written by \`npm run bench\` (\`bench/src/run.ts\`) on ${results.startedAt}; the suite took ${fixed(results.durationMs / 60000, 1)} min (${code(["node", "bench/dist/run.js", ...results.argv].join(" "))}). Raw figures: \`bench/results/latest.json\`. To run it: \`./scripts/setup.sh\`, then \`npm run bench\` (\`npm run bench -- --quick\` for a smaller, faster run while working on the bench). Commands below use ${results.commandVariables.map(([k, v]) => `\`${k}\` = ${v}`).join(", ")}; they run from the repository root.`,
    "",
  );
  out.push("## Targets", "", table(["target", "measured", "verdict"], verdicts.map((v) => v.split(" ¦ ")), ["---", "---", "---"]), "");
  if (findings.length) out.push("## What limits the figures, and what to change", "", ...findings.map((f) => `- ${f}`), "");
  out.push("## Machine", "");
  out.push(
    table(
      ["", ""],
      [
        ["CPU", `${m.cpu}, ${m.cores} cores`],
        ["memory", `${m.memoryGiB} GiB`],
        ["system", `${m.os}, Linux ${m.kernel}`],
        ["load average at start / end", `${m.loadAverage.map((l) => l.toFixed(2)).join(" ")} / ${results.loadAfter.map((l) => l.toFixed(2)).join(" ")} (other jobs share this machine)`],
        ...m.versions,
      ],
      ["---", "---"],
    ),
    "",
  );
  if (results.runtime) runtimeSection(results.runtime, out, charts.runtime ?? "");
  if (results.buildCost) buildCostSection(results.buildCost, out, charts.build ?? "");
  if (results.scale) scaleSection(results.scale, out, charts.scale ?? "");
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}
