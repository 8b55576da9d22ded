/**
 * Build cost of `local-lto build` against plain `rustc --emit=obj` with the same flags (issue 12):
 * the plugin path and the link path side by side, in paired runs (plain and local-lto alternate,
 * so the machine's load hits both alike), on
 *   - regex-syntax 0.6.27 (51 kLOC, calls no helper) with the kernel's -Ccodegen-units=1, and with
 *     rustc's default codegen units;
 *   - the runtime bench's helper-calling crate (bench/runtime/bench_helpers.rs: hot loops over
 *     kernel-style helpers), with rustc's defaults;
 *   - the bundled example (a small crate): the absolute overhead in milliseconds.
 * Writes bench/results/fast-path.json and the "fast path" block of docs/BENCHMARKS.md, issue 12's
 * targets first (`--render` writes the block again from the results file alone).
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node bench/dist/fastPath.js [--pairs=5] [--render]
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crates } from "./buildCost.js";
import { measure, type Measured } from "./proc.js";
import { fixed, spread, type Spread } from "./stats.js";
import { benchDir, repoRoot } from "./tools.js";

const argv = process.argv.slice(2);
const pairs = Number(argv.find((a) => a.startsWith("--pairs="))?.slice(8) ?? 5);

interface Case {
  id: string;
  title: string;
  source: string;
  rustFlags: string[];
  helpers: string[];
  ccArgs: string[];
}

const example = join(repoRoot, "examples/kernel-style");
const runtime = join(repoRoot, "bench/runtime");
const regex = crates.find((c) => c.id === "regex-syntax")!;
const cases: Case[] = [
  { id: "regex-cgu1", title: "regex-syntax, -Ccodegen-units=1 (the kernel's setting)", source: regex.source, rustFlags: [...regex.rustFlags, "-Ccodegen-units=1"], helpers: [join(example, "helpers.c")], ccArgs: [] },
  { id: "regex-default", title: "regex-syntax, rustc's default codegen units", source: regex.source, rustFlags: regex.rustFlags, helpers: [join(example, "helpers.c")], ccArgs: [] },
  { id: "hot-loops", title: "bench_helpers.rs (helpers called in hot loops), rustc's defaults", source: join(runtime, "bench_helpers.rs"), rustFlags: ["-O", "--edition=2021", "--crate-type=lib"], helpers: [join(runtime, "helpers.c")], ccArgs: [] },
  { id: "small", title: "the bundled example (a small crate)", source: join(example, "lib.rs"), rustFlags: ["-O", "--crate-type=lib"], helpers: [join(example, "helpers.c")], ccArgs: [] },
];

type PathId = "plugin" | "replay" | "inline";

interface PathResult {
  path: PathId;
  wallRatio: Spread;
  cpuRatio: Spread;
  /** local-lto minus plain rustc, per pair, in ms. */
  wallOverheadMs: Spread;
  command: string;
}

interface CaseResult {
  id: string;
  title: string;
  plainCommand: string;
  plainWallMs: Spread;
  paths: PathResult[];
}

function quote(parts: readonly string[]): string {
  return parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`)).join(" ");
}

/**
 * Every path runs what a user runs, `bin/local-lto build` (the launcher). plugin: a new output each
 * run, so every build is a first one (no entry: Node first); replay: the same command repeated
 * (one output, as a Makefile rebuilds it), which starts rustc itself from the entry the first
 * build left (src/pipeline/plugin/replayEntry.ts); inline: the link path, a new output each run.
 */
async function measurePath(c: Case, path: PathId, work: string, plainRuns: Measured[]): Promise<PathResult> {
  const mode = path === "inline" ? "inline" : "plugin";
  const output = (n: number) => join(work, path === "replay" ? `${c.id}-replay.o` : `${c.id}-${path}-${n}.o`);
  const args = (n: number) => ["build", c.source, ...c.helpers.flatMap((h) => ["--helpers", h]), ...c.rustFlags.map((f) => `--rustc-arg=${f}`), "-o", output(n), "--mode", mode, ...(mode === "plugin" ? ["--rustc-bootstrap"] : [])];
  const launcher = join(repoRoot, "bin/local-lto");
  const run = (n: number) => measure(launcher, args(n), work);
  const plain = (n: number) => [...c.rustFlags, "--emit=obj", "-o", join(work, `${c.id}-plain-${n}.o`), c.source];
  // Warm the helper cache and the page cache for both sides first (and leave the replay's entry).
  await run(-1);
  await measure("rustc", plain(-1), work);
  const wall: number[] = [];
  const cpu: number[] = [];
  const over: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which side runs first, so a trend in the machine's load favours neither.
    const ours = i % 2 === 0 ? await run(i) : undefined;
    const theirs = await measure("rustc", plain(i), work);
    const ours2 = ours ?? (await run(i));
    plainRuns.push(theirs);
    wall.push(ours2.wallMs / theirs.wallMs);
    cpu.push(ours2.cpuMs / theirs.cpuMs);
    over.push(ours2.wallMs - theirs.wallMs);
  }
  return { path, wallRatio: spread(wall), cpuRatio: spread(cpu), wallOverheadMs: spread(over), command: quote(["bin/local-lto", ...args(0)]).replaceAll(work, "$W").replaceAll(repoRoot + "/", "") };
}

interface FastPathRecord {
  commit: string;
  rustc: string;
  pairs: number;
  command: string;
  measuredAt: string;
  results: CaseResult[];
}

/** Measures every case and writes bench/results/fast-path.json. */
async function measureAll(): Promise<FastPathRecord> {
  const work = await mkdtemp(join(tmpdir(), "local-lto-fast-path-"));
  const results: CaseResult[] = [];
  try {
    for (const c of cases) {
      process.stderr.write(`fast path: ${c.title}\n`);
      const plainRuns: Measured[] = [];
      const paths = [await measurePath(c, "plugin", work, plainRuns), await measurePath(c, "replay", work, plainRuns), await measurePath(c, "inline", work, plainRuns)];
      results.push({ id: c.id, title: c.title, plainCommand: quote(["rustc", ...c.rustFlags, "--emit=obj", "-o", "$W/out.o", c.source]), plainWallMs: spread(plainRuns.map((r) => r.wallMs)), paths });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
  const rustc = execFileSync("rustc", ["-V"], { encoding: "utf8" }).trim();
  const record = { commit, rustc, pairs, command: `node bench/dist/fastPath.js --pairs=${pairs}`, measuredAt: new Date().toISOString(), results };
  await mkdir(join(benchDir, "results"), { recursive: true });
  await writeFile(join(benchDir, "results/fast-path.json"), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

// `--render`: the block again from the results file alone (after a change to what it says).
const record: FastPathRecord = argv.includes("--render") ? (JSON.parse(await readFile(join(benchDir, "results/fast-path.json"), "utf8")) as FastPathRecord) : await measureAll();
const { commit, rustc, results } = record;

/**
 * Issue 12's targets, read from the medians: ≤ 1.05× plain rustc in wall and CPU time on
 * regex-syntax in both settings and on the hot-loop crate, and a small crate ≤ +50 ms — for a
 * first build (Node first) and a repeat (the launcher starts rustc) apart.
 */
function targetRows(): string[] {
  const find = (id: string, path: PathId) => results.find((c) => c.id === id)?.paths.find((p) => p.path === path);
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const rows: string[] = [];
  for (const [id, label] of [["regex-cgu1", "regex-syntax, -Ccodegen-units=1"], ["regex-default", "regex-syntax, default codegen units"], ["hot-loops", "the hot-loop crate"]] as const) {
    for (const [path, what] of [["replay", "repeat"], ["plugin", "first build"]] as const) {
      const p = find(id, path);
      if (!p) continue;
      rows.push(`| ≤ 1.05× plain rustc, wall and CPU — ${label}, ${what} | wall ×${r(p.wallRatio)}, CPU ×${r(p.cpuRatio)} | ${verdict(p.wallRatio.median <= 1.05 && p.cpuRatio.median <= 1.05)} |`);
    }
  }
  for (const [path, what] of [["replay", "repeat"], ["plugin", "first build"]] as const) {
    const p = find("small", path);
    if (p) rows.push(`| a small crate ≤ +50 ms over plain rustc — ${what} | +${ms(p.wallOverheadMs)} ms | ${verdict(p.wallOverheadMs.median <= 50)} |`);
  }
  return rows;
}

const r = (s: Spread) => `${fixed(s.median, 3)} [${fixed(s.min, 3)}–${fixed(s.max, 3)}]`;
const ms = (s: Spread) => `${fixed(s.median, 0)} [${fixed(s.min, 0)}–${fixed(s.max, 0)}]`;
const lines = [
  "Issue 12's targets on the plugin path (medians [min–max] of the table below; the link path's ratios are in the table too):",
  "",
  "| target | measured | verdict |",
  "|---|---|---|",
  ...targetRows(),
  "",
  `Measured at commit \`${commit}\` with ${rustc}, ${record.pairs} paired runs per row (plain rustc and local-lto alternating), by \`${record.command}\`. Ratios are local-lto over plain \`rustc --emit=obj\` with the same flags: median [min–max]. The plugin path uses \`--rustc-bootstrap\` on this stable rustc: every row runs \`bin/local-lto build\` (the launcher, as a user does): \`plugin\` is a first build (Node starts first, every run a new output), \`replay\` the same command repeated (rustc starts from the entry the first build left, Node beside it for the proof); the link path is \`--mode inline\` (rust-lld), every run a new output.`,
  "",
  "| crate, setting | path | wall ratio | CPU ratio | wall overhead, ms | plain rustc wall, ms |",
  "|---|---|---:|---:|---:|---:|",
  ...results.flatMap((c) => c.paths.map((p) => `| ${c.title} | ${p.path} | ${r(p.wallRatio)} | ${r(p.cpuRatio)} | ${ms(p.wallOverheadMs)} | ${ms(c.plainWallMs)} |`)),
  "",
  "Commands (`$W` is a scratch directory):",
  "",
  ...results.flatMap((c) => [`- ${c.title}: \`${c.plainCommand}\``, ...c.paths.map((p) => `  - ${p.path}: \`${p.command}\``)]),
];
const docPath = join(repoRoot, "docs/BENCHMARKS.md");
const { replaceGenerated } = (await import(join(repoRoot, "dist/diagnostics/catalogueDoc.js"))) as { replaceGenerated(doc: string, name: string, content: string): string };
await writeFile(docPath, replaceGenerated(await readFile(docPath, "utf8"), "fast-path", lines.join("\n")));
process.stderr.write(`${lines.join("\n")}\n`);
