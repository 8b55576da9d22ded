/**
 * Build cost of `local-lto build` against plain `rustc --emit=obj` with the same flags (issue 12):
 * the plugin path and the link path side by side, in paired runs (plain and local-lto alternate,
 * so the machine's load hits both alike), on
 *   - regex-syntax 0.6.27 (51 kLOC, calls no helper) with the kernel's -Ccodegen-units=1, and with
 *     rustc's default codegen units;
 *   - the runtime bench's helper-calling crate (bench/runtime/bench_helpers.rs: hot loops over
 *     kernel-style helpers), with rustc's defaults;
 *   - the bundled example (a small crate): the absolute overhead in milliseconds.
 * Writes bench/results/fast-path.json and the "fast path" block of docs/BENCHMARKS.md (with
 * `--nightly`: fast-path-nightly.json and its own block), issue 12's
 * targets first (`--render` writes the block again from the results file alone).
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node bench/dist/fastPath.js [--pairs=5] [--render] [--instructions-only]
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crates } from "./buildCost.js";
import { measure, type Measured } from "./proc.js";
import { fixed, spread, type Spread } from "./stats.js";
import { benchDir, repoRoot } from "./tools.js";

const argv = process.argv.slice(2);
const pairs = Number(argv.find((a) => a.startsWith("--pairs="))?.slice(8) ?? 5);
/**
 * `--nightly`: every row with rustup's nightly rustc on both sides (its own binary, not rustup's
 * proxy), which loads the plugin with no RUSTC_BOOTSTRAP and no mangling pin, as stable does from
 * 1.97 on (docs/PLUGIN.md): the plugin path's own cost, without what this machine's stable 1.95
 * adds. Its results and block are apart from stable's (fast-path-nightly).
 */
const nightly = argv.includes("--nightly");
const rustcFile = nightly ? execFileSync("rustup", ["which", "rustc", "--toolchain", "nightly"], { encoding: "utf8" }).trim() : "rustc";
const block = nightly ? "fast-path-nightly" : "fast-path";
const resultsFile = join(benchDir, `results/${block}.json`);

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

type PathId = "plugin" | "plugin-node" | "replay" | "replay-node" | "inline";

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
 * build left (src/pipeline/plugin/replayEntry.ts), and the proof after it in the proof server (whose
 * CPU for each build is counted in that build's); replay-node: the same without the server
 * (LOCAL_LTO_NO_SERVER=1: Node starts beside rustc); inline: the link path, a new output each run.
 */
/** The rustc local-lto is told to use: nightly's by path; stable's opt-in to RUSTC_BOOTSTRAP for the plugin path. */
function rustcChoice(mode: "plugin" | "inline"): string[] {
  if (nightly) return [`--rustc=${rustcFile}`];
  return mode === "plugin" ? ["--rustc-bootstrap"] : [];
}

/** Until the proof server of local-lto's cache directory listens (its socket in place, its start file gone); 10 s at most. */
async function serverListening(): Promise<void> {
  const cache = process.env.LOCAL_LTO_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? "", ".cache"), "local-lto");
  for (let waited = 0; waited < 10_000; waited += 100) {
    const files = await readdir(cache).catch(() => [] as string[]);
    if (files.some((f) => /^proof-.*\.sock$/.test(f)) && !files.some((f) => f.endsWith(".start"))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write("fast path: no proof server listens; first builds run in Node\n");
}

async function measurePath(c: Case, path: PathId, work: string, plainRuns: Measured[]): Promise<PathResult> {
  const mode = path === "inline" ? "inline" : "plugin";
  const repeat = path === "replay" || path === "replay-node";
  const output = (n: number) => join(work, repeat ? `${c.id}-${path}.o` : `${c.id}-${path}-${n}.o`);
  const args = (n: number) => ["build", c.source, ...c.helpers.flatMap((h) => ["--helpers", h]), ...c.rustFlags.map((f) => `--rustc-arg=${f}`), "-o", output(n), "--mode", mode, ...rustcChoice(mode)];
  const launcher = join(repoRoot, "bin/local-lto");
  // replay-node, plugin-node: without the proof server (LOCAL_LTO_NO_SERVER): Node starts beside
  // rustc for a repeat, and first for a first build.
  const noServer = path === "replay-node" || path === "plugin-node";
  const options = noServer ? { env: { LOCAL_LTO_NO_SERVER: "1" } } : {};
  // measure() counts the proof server's CPU during each build in the build's.
  const run = (n: number) => measure(launcher, args(n), work, options);
  const plain = (n: number) => [...c.rustFlags, "--emit=obj", "-o", join(work, `${c.id}-plain-${n}.o`), c.source];
  // Warm the helper cache and the page cache for both sides first (and leave the replay's entry);
  // a repeat's first run starts the proof server (and builds with Node meanwhile).
  await run(-1);
  if (path === "replay") await run(-1);
  // A first build prepared by the server needs one listening (the warm-up's build started it).
  if (path === "plugin") await serverListening();
  await measure(rustcFile, plain(-1), work);
  const wall: number[] = [];
  const cpu: number[] = [];
  const over: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which side runs first, so a trend in the machine's load favours neither.
    const ours = i % 2 === 0 ? await run(i) : undefined;
    const theirs = await measure(rustcFile, plain(i), work);
    const ours2 = ours ?? (await run(i));
    plainRuns.push(theirs);
    wall.push(ours2.wallMs / theirs.wallMs);
    cpu.push(ours2.cpuMs / theirs.cpuMs);
    over.push(ours2.wallMs - theirs.wallMs);
  }
  return { path, wallRatio: spread(wall), cpuRatio: spread(cpu), wallOverheadMs: spread(over), command: quote([...(noServer ? ["LOCAL_LTO_NO_SERVER=1"] : []), "bin/local-lto", ...args(0)]).replaceAll(work, "$W").replaceAll(repoRoot + "/", "") };
}

/**
 * The hot-loop crate by instruction count (callgrind, repeatable whatever the machine's load):
 * what its repeat costs, process by process, beside plain rustc on the same crate and on the same
 * loops written in plain Rust (bench/runtime/bench_plain.rs). rustc with the plugin compiles the
 * helpers' bodies into the loops and optimizes them there; the plain-Rust loops are what rustc
 * costs for that code when it is Rust.
 */
interface HotLoopInstructions {
  plainRustc: number;
  plainRustLoops: number;
  repeat: { rustc: number; node: number; launcher: number; total: number };
  nodeEmpty: number;
}

interface FastPathRecord {
  commit: string;
  hotLoopInstructions?: HotLoopInstructions;
  rustc: string;
  pairs: number;
  command: string;
  measuredAt: string;
  results: CaseResult[];
}

/** `totals:` of each callgrind file in `dir`, with the command it counted. */
async function callgrindTotals(dir: string): Promise<{ cmd: string; total: number }[]> {
  const out: { cmd: string; total: number }[] = [];
  for (const name of await readdir(dir)) {
    const text = await readFile(join(dir, name), "utf8");
    const total = text.match(/^(?:totals|summary): (\d+)/m)?.[1];
    if (total) out.push({ cmd: text.match(/^cmd: (.*)$/m)?.[1] ?? "", total: Number(total) });
  }
  return out;
}

async function instructionsOf(work: string, tag: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ cmd: string; total: number }[]> {
  const dir = join(work, `callgrind-${tag}`);
  await mkdir(dir, { recursive: true });
  execFileSync("valgrind", ["--tool=callgrind", "--trace-children=yes", "--smc-check=all-non-file", `--callgrind-out-file=${dir}/cg.%p`, file, ...args], { cwd: work, env, stdio: "ignore" });
  return callgrindTotals(dir);
}

async function measureHotLoopInstructions(work: string): Promise<HotLoopInstructions> {
  const c = cases.find((x) => x.id === "hot-loops")!;
  const plainArgs = (source: string, out: string) => [...c.rustFlags, "--emit=obj", "-o", join(work, out), source];
  const sum = (rows: { total: number }[]) => rows.reduce((a, r) => a + r.total, 0);
  const plainRustc = sum(await instructionsOf(work, "plain", rustcFile, plainArgs(c.source, "hot-plain.o")));
  const plainRustLoops = sum(await instructionsOf(work, "plain-loops", rustcFile, plainArgs(join(runtime, "bench_plain.rs"), "hot-plain-loops.o")));
  const launcher = join(repoRoot, "bin/local-lto");
  const args = ["build", c.source, ...c.helpers.flatMap((h) => ["--helpers", h]), ...c.rustFlags.map((f) => `--rustc-arg=${f}`), "-o", join(work, "hot-callgrind.o"), "--mode", "plugin", ...rustcChoice("plugin")];
  const isNode = (cmd: string) => /(^|\/)node /.test(cmd);
  const isRustc = (cmd: string) => /\/rustc /.test(cmd) || cmd.startsWith("rustc ");
  // The first build leaves the entry. Under valgrind the environment differs (LD_PRELOAD), which an
  // entry that bypasses rustup's proxy checks: a first counted run may build through Node and
  // leave an entry for valgrind's environment. The first counted run that was a repeat is kept.
  // Counted without the proof server (its Node outlives the run, outside callgrind's process tree):
  // these counts are the replay-node rows'.
  const noServer = { ...process.env, LOCAL_LTO_NO_SERVER: "1" };
  execFileSync(launcher, args, { cwd: work, stdio: "ignore", env: noServer });
  let rows: { cmd: string; total: number }[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    rows = await instructionsOf(work, `repeat-${attempt}`, launcher, args, noServer);
    if (rows.some((r) => isNode(r.cmd) && r.cmd.includes("replayMain"))) break;
    rows = [];
  }
  if (rows.length === 0) throw new Error("no counted build was a repeat (no replayMain in three runs)");
  const node = sum(rows.filter((r) => isNode(r.cmd)));
  const rustc = sum(rows.filter((r) => isRustc(r.cmd)));
  const total = sum(rows);
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // as the launcher starts Node
  const nodeEmpty = sum(await instructionsOf(work, "node-empty", process.execPath, ["-e", "0"], env));
  return { plainRustc, plainRustLoops, repeat: { rustc, node, launcher: total - node - rustc, total }, nodeEmpty };
}

/** Measures every case and writes bench/results/fast-path.json (fast-path-nightly.json). */
async function measureAll(): Promise<FastPathRecord> {
  const work = await mkdtemp(join(tmpdir(), "local-lto-fast-path-"));
  const results: CaseResult[] = [];
  let hotLoopInstructions: HotLoopInstructions | undefined;
  try {
    for (const c of cases) {
      process.stderr.write(`fast path: ${c.title}\n`);
      const plainRuns: Measured[] = [];
      const paths = [await measurePath(c, "plugin", work, plainRuns), await measurePath(c, "plugin-node", work, plainRuns), await measurePath(c, "replay", work, plainRuns), await measurePath(c, "replay-node", work, plainRuns), await measurePath(c, "inline", work, plainRuns)];
      results.push({ id: c.id, title: c.title, plainCommand: quote([nightly ? "$NIGHTLY" : "rustc", ...c.rustFlags, "--emit=obj", "-o", "$W/out.o", c.source]), plainWallMs: spread(plainRuns.map((r) => r.wallMs)), paths });
    }
    process.stderr.write("fast path: the hot-loop crate's instructions (callgrind)\n");
    hotLoopInstructions = await measureHotLoopInstructions(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
  const rustc = execFileSync(rustcFile, ["-V"], { encoding: "utf8" }).trim();
  const record = { commit, rustc, pairs, command: `node bench/dist/fastPath.js --pairs=${pairs}${nightly ? " --nightly" : ""}`, measuredAt: new Date().toISOString(), results, ...(hotLoopInstructions ? { hotLoopInstructions } : {}) };
  await mkdir(join(benchDir, "results"), { recursive: true });
  await writeFile(resultsFile, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

// `--render`: the block again from the results file alone (after a change to what it says).
// `--instructions-only`: the hot-loop crate's instruction counts alone, added to the results file.
const record: FastPathRecord = argv.includes("--render")
  ? (JSON.parse(await readFile(resultsFile, "utf8")) as FastPathRecord)
  : argv.includes("--instructions-only")
    ? await measureInstructionsOnly()
    : await measureAll();

async function measureInstructionsOnly(): Promise<FastPathRecord> {
  const path = resultsFile;
  const previous = JSON.parse(await readFile(path, "utf8")) as FastPathRecord;
  const work = await mkdtemp(join(tmpdir(), "local-lto-fast-path-"));
  try {
    const updated = { ...previous, hotLoopInstructions: await measureHotLoopInstructions(work) };
    await writeFile(path, `${JSON.stringify(updated, null, 2)}\n`);
    return updated;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
const { commit, rustc, results } = record;

/**
 * Issue 12's targets, read from the medians: ≤ 1.05× plain rustc in wall and CPU time on
 * regex-syntax in both settings and on the hot-loop crate, and a small crate ≤ +50 ms — for a
 * first build (prepared by the proof server) and a repeat (the launcher starts rustc) apart.
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

/** The hot-loop crate's instruction counts, or nothing for a results file from before they were measured. */
function hotLoopLines(h: HotLoopInstructions | undefined): string[] {
  if (!h) return [];
  const m = (n: number) => `${(n / 1e6).toFixed(1)} M`;
  const x = (a: number, b: number) => `×${(a / b).toFixed(2)}`;
  return [
    `The hot-loop crate by instruction count (\`valgrind --tool=callgrind --trace-children=yes\`, one run each; repeatable on a loaded machine): plain rustc ${m(h.plainRustc)}; local-lto's repeat ${m(h.repeat.total)} (${x(h.repeat.total, h.plainRustc)}) = rustc with the plugin ${m(h.repeat.rustc)} (${x(h.repeat.rustc, h.plainRustc)}) + Node ${m(h.repeat.node)} (without the proof server, as the replay-node rows; an empty \`node -e 0\` is ${m(h.nodeEmpty)}) + the launcher's shells and \`mkdir\` ${m(h.repeat.launcher)}. The same loops written in plain Rust (\`bench/runtime/bench_plain.rs\`, no helper) cost plain rustc ${m(h.plainRustLoops)}: rustc with the plugin compiles the helpers' bodies into the loops and optimizes them there, which is ${x(h.repeat.rustc, h.plainRustLoops)} what rustc spends on that code when it is Rust. On a crate this small, what is left over plain rustc is that compile and Node's start.`,
    "",
  ];
}

const r = (s: Spread) => `${fixed(s.median, 3)} [${fixed(s.min, 3)}–${fixed(s.max, 3)}]`;
const ms = (s: Spread) => `${fixed(s.median, 0)} [${fixed(s.min, 0)}–${fixed(s.max, 0)}]`;
const lines = [
  `Issue 12's targets on the plugin path${nightly ? ", nightly rustc on both sides" : ""} (medians [min–max] of the table below; the link path's ratios are in the table too):`,
  "",
  "| target | measured | verdict |",
  "|---|---|---|",
  ...targetRows(),
  "",
  `Measured at commit \`${commit}\` with ${rustc}, ${record.pairs} paired runs per row (plain rustc and local-lto alternating), by \`${record.command}\`. Ratios are local-lto over plain \`rustc --emit=obj\` with the same flags: median [min–max]. ${nightly ? "Nightly loads the plugin with no RUSTC_BOOTSTRAP and no mangling pin (as stable does from 1.97 on); local-lto is given it with `--rustc`, and plain rustc is the same binary" : "The plugin path uses `--rustc-bootstrap` on this stable rustc (and pins its legacy mangling back)"}: every row runs \`bin/local-lto build\` (the launcher, as a user does): \`plugin\` is a first build (every run a new output: the proof server prepares its entry, and the launcher repeats it at once), \`plugin-node\` the same without the server (\`LOCAL_LTO_NO_SERVER=1\`: Node starts first and builds), \`replay\` the same command repeated (rustc starts from the entry the first build left; the proof, report and outputs in the proof server), \`replay-node\` the same without the server (Node starts beside rustc for them); the proof server's CPU during each build is added to that build's; the link path is \`--mode inline\` (rust-lld), every run a new output.`,
  "",
  "| crate, setting | path | wall ratio | CPU ratio | wall overhead, ms | plain rustc wall, ms |",
  "|---|---|---:|---:|---:|---:|",
  ...results.flatMap((c) => c.paths.map((p) => `| ${c.title} | ${p.path} | ${r(p.wallRatio)} | ${r(p.cpuRatio)} | ${ms(p.wallOverheadMs)} | ${ms(c.plainWallMs)} |`)),
  "",
  ...hotLoopLines(record.hotLoopInstructions),
  "Commands (`$W` is a scratch directory):",
  "",
  ...results.flatMap((c) => [`- ${c.title}: \`${c.plainCommand}\``, ...c.paths.map((p) => `  - ${p.path}: \`${p.command}\``)]),
];
const docPath = join(repoRoot, "docs/BENCHMARKS.md");
const { replaceGenerated } = (await import(join(repoRoot, "dist/diagnostics/catalogueDoc.js"))) as { replaceGenerated(doc: string, name: string, content: string): string };
await writeFile(docPath, replaceGenerated(await readFile(docPath, "utf8"), block, lines.join("\n")));
process.stderr.write(`${lines.join("\n")}\n`);
