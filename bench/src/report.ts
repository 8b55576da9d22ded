import type { BuildCostResults, Cost, CrateResult, Variant, VariantRun } from "./buildCost.js";
import { overheadFrom, type Overhead } from "./debugLog.js";
import { variantInfo, variants } from "./buildCost.js";
import type { MachineInfo } from "./machine.js";
import type { BuildId, Kind, ModeResults, RuntimeResults } from "./runtime.js";
import { buildInfo, kindInfo, kinds } from "./runtime.js";
import type { ScaleResults } from "./scale.js";
import { fixed, formatSpread, median, mib, min, seconds, spread } from "./stats.js";

export interface SuiteResults {
  startedAt: string;
  /** The commit measured (`git rev-parse --short HEAD`, with `+dirty` for uncommitted changes) and the command that measured it. */
  commit?: string;
  command?: string;
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

/** local-lto's own overhead in one build (bench/src/debugLog.ts explains the method). */
export function overheadOf(run: VariantRun): Overhead {
  if (!run.processes?.length) {
    const none = Number.NaN;
    return { compilersMs: none, overheadMs: none, beforeMs: none, betweenMs: none, afterMs: none, probes: none, probeSpanMs: none, mergeWaitMs: none };
  }
  return overheadFrom(run.processes, run.wallMs);
}

const none: Cost = { wallMs: Number.NaN, cpuMs: Number.NaN };
const medianCost = (values: readonly Cost[] | undefined): Cost =>
  values?.length ? { wallMs: median(values.map((v) => v.wallMs)), cpuMs: median(values.map((v) => v.cpuMs)) } : none;
const fastestCost = (values: readonly Cost[] | undefined): Cost => (values?.length ? { wallMs: min(values.map((v) => v.wallMs)), cpuMs: min(values.map((v) => v.cpuMs)) } : none);
const sumCosts = (...costs: Cost[]): Cost => ({ wallMs: costs.reduce((t, c) => t + c.wallMs, 0), cpuMs: costs.reduce((t, c) => t + c.cpuMs, 0) });

/** Medians of each compiler step of the pipelines on one crate, wall and CPU. */
export function componentFigures(result: CrateResult) {
  const plainRuns = result.runs.plain;
  const kernelRuns = result.runs.kernel;
  const plain = medianCost(plainRuns);
  const bitcode = medianCost(kernelRuns.map((r) => r.steps[0]!));
  const inProcessCodegen = medianCost(plainRuns.map((p, i) => ({ wallMs: p.wallMs - (kernelRuns[i]?.steps[0]?.wallMs ?? NaN), cpuMs: p.cpuMs - (kernelRuns[i]?.steps[0]?.cpuMs ?? NaN) })));
  const link = medianCost(kernelRuns.map((r) => r.steps[1]!));
  const kernelClang = medianCost(kernelRuns.map((r) => r.steps[2]!));
  const runs = result.components?.runs ?? {};
  const nm = medianCost(runs.nm);
  const rustLld = medianCost(runs.rustLld);
  const rustLldCodegenOnly = medianCost(runs.rustLldCodegenOnly);
  const rustLldPartitions2 = medianCost(runs.rustLldPartitions2);
  const opt = medianCost(runs.opt);
  const llc = medianCost(runs.llc);
  /** The current pipeline with nothing of local-lto's own: rustc → bitcode, llvm-link, rust-lld. */
  const floor = sumCosts(bitcode, link, rustLld);
  /** The fallback: rustc → bitcode, llvm-link, opt, llc. */
  const floorFallback = sumCosts(bitcode, link, opt, llc);
  // The same from the fastest run of each step: on this shared machine the figure least disturbed by other jobs.
  const fastestBitcode = fastestCost(kernelRuns.map((r) => r.steps[0]!));
  const fastest = {
    plain: fastestCost(plainRuns),
    inProcessCodegen: { wallMs: fastestCost(plainRuns).wallMs - fastestBitcode.wallMs, cpuMs: fastestCost(plainRuns).cpuMs - fastestBitcode.cpuMs },
    rustLld: fastestCost(runs.rustLld),
    rustLldCodegenOnly: fastestCost(runs.rustLldCodegenOnly),
    floor: sumCosts(fastestCost(kernelRuns.map((r) => r.steps[0]!)), fastestCost(kernelRuns.map((r) => r.steps[1]!)), fastestCost(runs.rustLld)),
    floorFallback: sumCosts(fastestCost(kernelRuns.map((r) => r.steps[0]!)), fastestCost(kernelRuns.map((r) => r.steps[1]!)), fastestCost(runs.opt), fastestCost(runs.llc)),
  };
  return { plain, bitcode, inProcessCodegen, link, kernelClang, nm, rustLld, rustLldCodegenOnly, rustLldPartitions2, opt, llc, floor, floorFallback, fastest };
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
  for (const id of Object.keys(buildInfo) as BuildId[]) {
    if (id !== "b") {
      out.push(`- ${buildInfo[id].title}`);
      continue;
    }
    const b = modes.map((m) => ({ mode: m.config.title, build: m.builds.find((x) => x.id === "b") }));
    const backends = [...new Set(b.map((x) => x.build?.backend ?? "?"))];
    const passes = [...new Set(b.map((x) => x.build?.passes).filter((p): p is string => !!p))];
    out.push(
      `- ${buildInfo.b.title}: inlining and codegen by ${backends.length === 1 ? `\`${backends[0]}\`` : b.map((x) => `\`${x.build?.backend ?? "?"}\` (${x.mode})`).join(", ")} (from its report), pass pipeline ${passes.map(code).join(" / ") || "n/a"} (from its \`DEBUG=local-lto:run\` log): the inliner with its cleanups, then the loop vectorizer once more.`,
    );
  }
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
    `Produced by ${code(`valgrind --tool=callgrind --callgrind-out-file=$W/runtime/<mode>/cg-<build>.%p $W/runtime/<mode>/prog-<build> callgrind ${rt.n1} ${rt.n2}`)} for each mode and build; the helper calls left in each object are from ${code("node dist/bundle/main.mjs inspect <object> --json")}.`,
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
      return [kindInfo[k].title, cell("b"), cell("d"), cell("e"), cell("f")];
    });
    out.push(table(["kind", "(b) local-lto vs (c)", "(d) plain Rust vs (c)", "(e) kernel vs (c)", "(f) LTO vs (c)"], rows, ["---", "---", "---", "---", "---"]), "");
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

const componentLabels: Record<string, string> = {
  nm: "`llvm-nm --defined-only rust.bc` (local-lto's noinline list of Rust's functions; runs beside the merge)",
  rustLld: "`rust-lld -r` with local-lto's passes and flags (its `inline+codegen`)",
  rustLldCodegenOnly: "the same with no optimisation pass (`--lto-newpm-passes=forceattrs`: bitcode read + codegen; the control below)",
  rustLldPartitions2: "the same with `--lto-partitions=2` (what-if: codegen split over two threads)",
  opt: "`opt` with local-lto's passes (the fallback's `inline`)",
  llc: "`llc` with local-lto's flags (the fallback's `codegen`)",
};

function crateSection(result: CrateResult, out: string[]): void {
  const rounds = result.runs.plain.length;
  out.push(`### ${result.crate.title} (${result.lines.toLocaleString("en-US")} lines of Rust), ${rounds} round${rounds === 1 ? "" : "s"}`, "");
  out.push("Commands (`$W` is the bench's scratch directory):", "");
  out.push(block(variants.flatMap((v) => [`# ${variantInfo[v].replace(/`/g, "")}`, ...result.commands[v]])), "");
  out.push(crateTable(result), "");

  const llto = result.runs["local-lto"];
  const c = componentFigures(result);
  const pair = (f: Cost, fast?: Cost) => [seconds(f.wallMs), seconds(f.cpuMs), fast ? seconds(fast.cpuMs) : "–"];
  const comp = result.components;
  if (comp) {
    out.push(
      `Where the time goes. The first rows come from the builds above (medians; the kernel pipeline's steps are local-lto's \`compile rust\` and \`merge\` too). The rows after them rerun local-lto's own inline and codegen commands, read from its \`DEBUG=local-lto:run\` log (the \`opt\` and \`llc\` ones from one build with \`--codegen-backend=llc\`), alone, on this crate's merged module \`$W/build-cost/${result.crate.id}-kernel-merged.bc\` (the kernel pipeline's \`llvm-link --internalize --only-needed\` output: the module local-lto's merge writes), interleaved, ${comp.rounds} round${comp.rounds === 1 ? "" : "s"}. CPU time is user + system and is much less disturbed by other jobs than wall time. Commands:`,
      "",
    );
    out.push(block(Object.values(comp.commands)), "");
  }
  const kernelStep = (i: number) => fastestCost(result.runs.kernel.map((r) => r.steps[i]!));
  const rows: (string | number)[][] = [
    ["plain `rustc --emit=obj` (optimise + codegen in one process)", ...pair(c.plain, c.fastest.plain)],
    ["`rustc --emit=llvm-bc` (optimise, write bitcode: local-lto's `compile rust`, kernel step 1)", ...pair(c.bitcode, kernelStep(0))],
    ["→ rustc's in-process codegen (the two above; medians of the per-round differences, and the difference of the fastest runs)", ...pair(c.inProcessCodegen, c.fastest.inProcessCodegen)],
    ["`llvm-link --internalize --only-needed` (local-lto's `merge`, kernel step 2)", ...pair(c.link, kernelStep(1))],
    ...Object.keys(comp?.commands ?? {}).map((id) => {
      const runs = comp?.runs[id as keyof typeof comp.runs];
      return [componentLabels[id] ?? id, ...pair(medianCost(runs), fastestCost(runs))];
    }),
    ["`clang -O2 -c merged.bc` (kernel step 3: the whole -O2 pipeline again + codegen)", ...pair(c.kernelClang, kernelStep(2))],
  ];
  out.push(table(["step", "wall s (median)", "CPU s (median)", "CPU s (fastest run)"], rows), "");

  const fallback = result.fallback?.run;
  const stageNames = [...new Set([...llto.flatMap((r) => Object.keys(localLtoStages(r))), ...Object.keys(fallback?.timings ?? {})])];
  const backend = llto[0]?.backend ?? "?";
  out.push(
    `local-lto's stages, from its report (\`timingsMs\`, wall ms). They overlap: \`compile helpers\` runs beside \`compile rust\` (helper bitcode from: ${[...new Set(llto.map((r) => r.helperOrigin ?? "?"))].join("/")} in the measured builds, from the report's \`helperBitcode\`); \`read rust IR\` starts after the merge and runs beside \`inline+codegen\`; \`safety checks\` and \`reconcile\` wait for it; a stage's time includes waiting for another's result, so the stages do not add up to the build.${result.fallback ? ` The fallback column is one build with ${code("--codegen-backend=llc")} (\`${result.fallback.command.replace(/`/g, "'")}\`), where \`codegen\` also waits for \`read rust IR\` (llc's options come from the Rust IR).` : ""}`,
    "",
  );
  out.push(
    table(
      ["stage", `default build (${backend}), median of ${llto.length}`, ...(fallback ? [`\`--codegen-backend=llc\` (${fallback.backend ?? "?"}), one build`] : [])],
      [
        ...stageNames.map((s) => [
          `\`${s}\``,
          fixed(median(llto.map((r) => localLtoStages(r)[s] ?? Number.NaN)), 0),
          ...(fallback ? [fixed(localLtoStages(fallback)[s] ?? Number.NaN, 0)] : []),
        ]),
        ["whole build (wall)", fixed(median(llto.map((r) => r.wallMs)), 0), ...(fallback ? [fixed(fallback.wallMs, 0)] : [])],
        ["whole build (CPU)", fixed(median(llto.map((r) => r.cpuMs)), 0), ...(fallback ? [fixed(fallback.cpuMs, 0)] : [])],
      ],
    ),
    "",
  );
  const floorLine = (label: string, f: Cost, fast: Cost) =>
    `${label} = ${seconds(f.cpuMs)} s CPU, **${fixed(f.cpuMs / c.plain.cpuMs, 2)}× the plain build's CPU** (${seconds(f.wallMs)} s wall, ${fixed(f.wallMs / c.plain.wallMs, 2)}×) by medians; by the fastest run of each step, the figure least disturbed by other jobs, ${seconds(fast.cpuMs)} s against ${seconds(c.fastest.plain.cpuMs)} s CPU, **${fixed(fast.cpuMs / c.fastest.plain.cpuMs, 2)}×**`;
  out.push(
    `**The floor**, with no overhead of local-lto's own: ${floorLine("rustc-to-bitcode + llvm-link + rust-lld (inline + codegen)", c.floor, c.fastest.floor)}. With the fallback: ${floorLine("rustc-to-bitcode + llvm-link + opt + llc", c.floorFallback, c.fastest.floorFallback)}. By the fastest runs, rust-lld inlines and generates code in ${seconds(c.fastest.rustLld.cpuMs)} s CPU (${seconds(c.fastest.rustLldCodegenOnly.cpuMs)} s with no pass at all: reading the bitcode and codegen) where rustc's in-process codegen of the same module costs ${seconds(c.fastest.inProcessCodegen.cpuMs)} s.` +
      (() => {
        const stage = median(llto.map((r) => localLtoStages(r)["compile rust"] ?? Number.NaN));
        return Math.abs(stage - c.bitcode.wallMs) > 0.05 * c.bitcode.wallMs
          ? ` The floor takes rustc-to-bitcode from the kernel pipeline's runs (${seconds(c.bitcode.wallMs)} s wall); the same command took ${seconds(stage)} s as local-lto's \`compile rust\` stage: run-to-run variation on this shared machine.`
          : "";
      })() +
      (Number.isFinite(c.rustLldPartitions2.wallMs)
        ? ` Splitting rust-lld's codegen in two partitions (\`--lto-partitions=2\`, two threads) takes ${seconds(c.rustLldPartitions2.wallMs)} s wall / ${seconds(c.rustLldPartitions2.cpuMs)} s CPU against ${seconds(c.rustLld.wallMs)} s / ${seconds(c.rustLld.cpuMs)} s: it ${c.rustLldPartitions2.wallMs < 0.9 * c.rustLld.wallMs ? "helped" : "did not help"} in this run.`
        : ""),
    "",
  );
}

function identitySection(bc: BuildCostResults, out: string[], svgPath: string): void {
  const crates = bc.crates.filter((c) => c.identity.length);
  if (!crates.length) return;
  out.push("### Rust functions: local-lto's object against rustc's own", "");
  out.push(
    "Does local-lto leave the Rust code as rustc made it? Each defined `FUNC` symbol of the object is compared by name with the same function in plain `rustc --emit=obj`'s object from the rounds above, byte for byte (`bench/src/elfFunctions.ts` reads both ELF files: a function's bytes are its symbol's range in its section; in a relocatable x86-64 object the relocated fields are zero in both, the addends live in the RELA entries). The relocations inside each byte-identical function are compared too: same offset, type, target and addend. The control is rust-lld with local-lto's flags but no optimisation pass, on the same merged module: what codegen alone changes. Its command:",
    "",
  );
  out.push(block(crates.map((c) => c.controlCommand).filter((x): x is string => !!x)), "");
  const rows: (string | number)[][] = [];
  for (const c of crates) {
    for (const id of c.identity) {
      const k = id.comparison;
      const types = Object.entries(k.relocations.typeChanges).map(([t, n]) => `${n} ${t}`).join(", ");
      rows.push([
        c.crate.title,
        id.label,
        k.reference,
        `**${k.identical}** (${fixed((k.identical / k.reference) * 100, 1)}%)`,
        k.differing,
        k.missing.length,
        k.extra.length,
        `${k.relocations.compared} compared; ${k.relocations.otherDifferences.length ? `**${k.relocations.otherDifferences.length} functions with other differences**` : "rustc's offsets, addends and targets except as listed"}${types ? `; type ${types}` : ""}${k.relocations.privateRenamed ? `; ${k.relocations.privateRenamed} point at private constants named differently` : ""}${k.relocations.privatePromoted ? `; ${k.relocations.privatePromoted} point at private constants made named symbols${k.relocations.promotedExample ? ` (e.g. ${code(k.relocations.promotedExample[0])} → ${code(k.relocations.promotedExample[1])})` : ""}` : ""}`,
      ]);
    }
  }
  out.push(table(["crate", "object", "functions in rustc's object", "byte-identical", "differing", "missing", "extra", "relocations in the byte-identical functions"], rows, ["---", "---", "---:", "---:", "---:", "---:", "---:", "---"]), "");
  out.push(`![Rust functions of local-lto's objects against rustc's own](${svgPath})`, "");
  for (const c of crates) {
    const main = c.identity[0]!;
    const control = c.identity.find((i) => i.label.startsWith("rust-lld codegen alone"));
    const controlNames = new Set(control?.differing.map((d) => d.name) ?? []);
    if (!main.differing.length) continue;
    out.push(`Functions whose bytes differ, ${c.crate.title}, ${main.label} against rustc (instructions: rustc → local-lto; changed lines of the instruction diff, branch targets as labels; the same with every \`(%rsp)\` offset made equal):`, "");
    out.push(
      table(
        ["function", "bytes", "instructions", "changed lines", "ignoring stack offsets", "also differs with codegen alone (control)"],
        main.differing.map((d) => [
          code(d.demangled.replace(/\$LT\$/g, "<").replace(/\$GT\$/g, ">")),
          `${d.referenceSize} → ${d.size}`,
          `${d.instructions[0]} → ${d.instructions[1]}`,
          d.changedLines,
          d.changedIgnoringStackOffsets,
          control ? (controlNames.has(d.name) ? "yes" : "**no**") : "n/a",
        ]),
        ["---", "---:", "---:", "---:", "---:", "---"],
      ),
      "",
    );
    for (const d of main.differing) {
      const lines = d.diff.filter((l, i, all) => l.op !== " " || all[i - 1]?.op !== " " || all[i + 1]?.op !== " ").map((l) => `${l.op}${l.line}`);
      const shown = lines.length > 40 ? [...lines.slice(0, 40), `… ${lines.length - 40} more lines`] : lines;
      out.push(`<details><summary>${code(d.demangled.replace(/\$LT\$/g, "<").replace(/\$GT\$/g, ">"))}: rustc (-) → local-lto (+)</summary>`, "", block(shown, "diff"), "", "</details>", "");
    }
  }
}

function overheadSection(bc: BuildCostResults, out: string[]): void {
  const overheadRows: (string | number)[][] = [];
  const head = ["", ...bc.crates.map((c) => c.crate.title)];
  const per = (f: (r: CrateResult) => string) => bc.crates.map(f);
  const llto = (r: CrateResult) => r.runs["local-lto"];
  const ms = (values: number[]) => `${fixed(median(values), 0)} ms`;
  const oh = (r: CrateResult) => llto(r).map((x) => overheadOf(x));
  overheadRows.push(["local-lto wall (median)", ...per((r) => `${seconds(median(llto(r).map((x) => x.wallMs)))} s`)]);
  overheadRows.push(["compilers running (rustc, clang, llvm-link, rust-lld or opt and llc; overlaps counted once)", ...per((r) => `${seconds(median(oh(r).map((o) => o.compilersMs)))} s`)]);
  overheadRows.push([
    "**own overhead** = wall − compilers running (median [min–max]), share of the build",
    ...per((r) => {
      const o = oh(r).map((x) => x.overheadMs);
      const share = median(llto(r).map((x, i) => o[i]! / x.wallMs));
      return `**${formatSpread(spread(o), 0, " ms")}, ${fixed(share * 100, 1)}%** (${share <= 0.05 ? "met" : "missed"})`;
    }),
  ]);
  overheadRows.push(["of which: before the first compiler starts (Node start, loading local-lto, toolchain, rustc's flags)", ...per((r) => ms(oh(r).map((o) => o.beforeMs)))]);
  overheadRows.push(["of which: between compilers (a compiler waiting for local-lto)", ...per((r) => ms(oh(r).map((o) => o.betweenMs)))]);
  overheadRows.push(["of which: after the last compiler ends (what local-lto still waits for, then verify, report, exit)", ...per((r) => ms(oh(r).map((o) => o.afterMs)))]);
  overheadRows.push(["the merge's start after rustc's end (llvm-link start − rustc end)", ...per((r) => ms(oh(r).map((o) => o.mergeWaitMs)))]);
  overheadRows.push(["toolchain queries (`--version`, `-vV`, `--print`; version cache warm): count, first start to last end", ...per((r) => `${fixed(median(oh(r).map((o) => o.probes)), 0)}, ${ms(oh(r).map((o) => o.probeSpanMs))}`)]);
  overheadRows.push(["Node bootstrap (to the first line of JS)", ...per((r) => ms(llto(r).map((x) => x.node?.bootstrapMs ?? Number.NaN)))]);
  overheadRows.push(["stage `read rust IR` (llvm-dis + parse, beside `inline+codegen`)", ...per((r) => ms(llto(r).map((x) => localLtoStages(x)["read rust IR"] ?? Number.NaN)))]);
  overheadRows.push(["stage `verify` (ELF read)", ...per((r) => ms(llto(r).map((x) => localLtoStages(x).verify ?? Number.NaN)))]);
  overheadRows.push(["local-lto's Node process: CPU (user + sys, children excluded)", ...per((r) => ms(llto(r).map((x) => (x.node ? x.node.cpuUserMs + x.node.cpuSystemMs : Number.NaN))))]);
  overheadRows.push([
    "CPU over the floor: the build's CPU − (rustc-to-bitcode + llvm-link + rust-lld, each alone)",
    ...per((r) => {
      const c = componentFigures(r);
      const extra = median(llto(r).map((x) => x.cpuMs)) - c.floor.cpuMs;
      return `${fixed(extra, 0)} ms (${fixed((extra / median(llto(r).map((x) => x.cpuMs))) * 100, 1)}% of its CPU)`;
    }),
  ]);
  overheadRows.push(["local-lto's Node process: peak RSS", ...per((r) => `${mib(median(llto(r).map((x) => x.node?.maxRssKb ?? Number.NaN)))} MiB`)]);
  out.push("### local-lto's own overhead", "");
  out.push(
    "**How it is computed.** Not as wall time minus the sum of the compiler stages: `read rust IR` runs after the merge beside `inline+codegen`, `compile helpers` beside `compile rust`, and a stage's time includes waiting for another, so stage times overlap and do not add up. Instead, local-lto's `DEBUG=local-lto:run` log gives every child process's end time and duration; the compilers among them (rustc `--emit=llvm-bc`, clang for helpers, llvm-link, rust-lld, or opt and llc) are laid on local-lto's own timeline (from the moment the bench spawned it), their intervals merged, overlaps counted once. **Own overhead = local-lto's wall time − the time in which at least one compiler ran**: time in which the build waited on local-lto alone. It splits exactly into the time before the first compiler starts, the gaps between compilers, and the time after the last one ends. Work local-lto does while a compiler runs (`read rust IR`, llvm-nm, the safety checks) costs no wall time here; on a busy 2-core machine it still competes for a core, which the CPU rows show: Node's own CPU time and memory come from a preload (`bench/src/preload/usage.ts`, via `NODE_OPTIONS=--import=…`) that writes `process.cpuUsage()` and `performance.nodeTiming` as local-lto exits, and \"CPU over the floor\" is the build's CPU (GNU time, all processes) minus the same compilers rerun alone (the table above). Before the rounds, one small build fills local-lto's caches (tool versions, helper bitcode), as any second build finds them: " +
      code(bc.warmUpCommand) +
      ". The target is ≤ 5% of the build.",
    "",
  );
  out.push(table(head, overheadRows, head.map(() => "---")), "");
  out.push("What Node start-up and loading local-lto cost (each command run " + `${bc.startup.rows[0]?.wallMs.length ?? 0} times, interleaved; median [min–max] ms):`, "");
  out.push(table(["what", "command", "wall ms"], bc.startup.rows.map((r) => [r.label, code(r.command), formatSpread(spread(r.wallMs), 0)]), ["---", "---", "---:"]), "");
}

function buildCostSection(bc: BuildCostResults, out: string[], charts: { build?: string; identity?: string }): void {
  out.push("## 3. Build cost on real crates", "");
  out.push(
    `Crates from Debian's \`librust-*-dev\` packages, built as they are (no helper calls in them: local-lto still runs its whole pipeline and finds nothing to inline). Helpers: \`${bc.helperSource.replace(/.*\/bench\//, "bench/")}\` — local-lto is given the source in each build (its helper-bitcode cache has it after the first build); the kernel pipeline and the LTO build get it precompiled once (\`helpers.bc\`, \`helpers-thin.o\`), as the kernel does. Each round runs the four builds in a rotated order; ratios are per round (median [min–max]); "fastest runs" divides the fastest run of each build, the figure least disturbed by other jobs. Peak RSS is the largest single process of the build (wait4's maxrss), not the sum of concurrent ones.`,
    "",
  );
  for (const missing of bc.missing) out.push(`- ${missing.title}: **not measured**, sources not found (${code(`apt-get install ${missing.debianPackage}`)}, in \`scripts/setup.sh\`).`, "");
  for (const result of bc.crates) crateSection(result, out);
  out.push(`![Build time relative to plain rustc](${charts.build ?? ""})`, "");
  identitySection(bc, out, charts.identity ?? "");
  overheadSection(bc, out);
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
      `. local-lto's own overhead, computed as in section 3 (wall − the time in which a compiler ran): ${fixed(median(sc.localLto2.overheads.map((o) => o.overheadMs)), 0)} ms per object (${fixed(median(sc.localLto2.overheads.map((o) => o.overheadMs / (o.overheadMs + o.compilersMs))) * 100, 0)}% of its wall time): ${fixed(median(sc.localLto2.overheads.map((o) => o.beforeMs)), 0)} ms before the first compiler starts, ${fixed(median(sc.localLto2.overheads.map((o) => o.betweenMs)), 0)} ms between compilers, ${fixed(median(sc.localLto2.overheads.map((o) => o.afterMs)), 0)} ms after the last one ends.`,
    "",
  );
  out.push(
    `- Compiling the ${sc.helperCount}-helper library to bitcode once: ${fixed(sc.helperCompile.wallMs, 0)} ms.`,
    `- Helpers given as \`.c\` instead of the precompiled \`.bc\` (${sc.source.crates} crates, one at a time, interleaved; median per build, wall / CPU ms): \`.c\` with an empty helper cache ${fixed(median(sc.source.withC.map((r) => r.wallMs)), 0)} / ${fixed(median(sc.source.withC.map((r) => r.cpuMs)), 0)}; \`.c\` with local-lto's helper-bitcode cache already filled ${fixed(median(sc.source.withCachedC.map((r) => r.wallMs)), 0)} / ${fixed(median(sc.source.withCachedC.map((r) => r.cpuMs)), 0)}; precompiled \`.bc\` ${fixed(median(sc.source.withBc.map((r) => r.wallMs)), 0)} / ${fixed(median(sc.source.withBc.map((r) => r.cpuMs)), 0)}. local-lto compiles \`.c\` helpers beside rustc, so on two cores wall time hides part of the compile; CPU time does not. (Every local-lto run here gets \`LOCAL_LTO_CACHE_DIR\` inside the scratch directory; the cold runs get a new, empty one each, so they also query every tool's version.)`,
    `- Parallel jobs on this 2-core machine, first ${sc.jobs.subset} crates: 1 job ${seconds(sc.jobs.oneJobMs)} s, 2 jobs ${seconds(sc.jobs.twoJobsMs)} s: speed-up **${fixed(sc.jobs.oneJobMs / sc.jobs.twoJobsMs, 2)}×**.`,
    "",
    `![Total build time against objects](${svgPath})`,
    "",
  );
}

export function renderReport(results: SuiteResults, charts: { runtime?: string; build?: string; identity?: string; scale?: string }, verdicts: string[], findings: string[]): string {
  const m = results.machine;
  const out: string[] = [];
  out.push("# Benchmarks", "");
  out.push(
    `Written by \`npm run bench\` (\`bench/src/run.ts\`) on ${results.startedAt}${results.commit ? ` at commit \`${results.commit}\`` : ""}; the suite took ${fixed(results.durationMs / 60000, 1)} min (${code(["node", "bench/dist/run.js", ...results.argv].join(" "))}). Raw figures: \`bench/results/latest.json\`. To run it: \`./scripts/setup.sh\`, then \`npm run bench\` (\`npm run bench -- --quick\` for a smaller, faster run while working on the bench). Commands below use ${results.commandVariables.map(([k, v]) => `\`${k}\` = ${v}`).join(", ")}; they run from the repository root.`,
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
  if (results.buildCost) buildCostSection(results.buildCost, out, charts);
  if (results.scale) scaleSection(results.scale, out, charts.scale ?? "");
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}
