/**
 * What the rustc mode costs in a Cargo build (docs/INTEGRATION.md, "How fast"), on a generated
 * workspace: a -sys crate whose build.rs compiles C helpers with `cc`, N library crates of which
 * K call helpers, and a binary using them all (offline: Debian's crate sources).
 *
 *  1. `cargo build --release` from clean, plain against `local-lto cargo build --release`
 *     (RUSTC_WORKSPACE_WRAPPER=bin/local-lto), pairs taken in turn;
 *  2. the no-change rebuild, plain against local-lto;
 *  3. the same workspace where no crate calls a helper, configured (every crate through the
 *     launcher's plugin fast path) and unconfigured (the launcher runs rustc directly);
 *  4. per rustc invocation: one library crate compiled by plain rustc against the launcher —
 *     without a configuration (exec), and with one (rustc with the plugin, no Node).
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node bench/dist/cargoCost.js [--pairs=3] [--crates=50] [--calling=10] [--invocations=20]
 *
 * Writes bench/results/cargo-cost.json, prints a summary, and writes its own block of
 * docs/BENCHMARKS.md (section 6; `--render` rewrites the block from the results file alone).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gnuTime, haveGnuTime, measure, mustRun, run, type Measured } from "./proc.js";
import { fixed, formatSpread, spread, type Spread } from "./stats.js";
import { benchDir, repoRoot } from "./tools.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const pairs = option("pairs", 3);
const crateCount = option("crates", 50);
const calling = option("calling", 10);
const invocations = option("invocations", 20);
/** `--only=no-calls,unconfigured`: run those workspaces only (the others' figures are kept from the last results file). */
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const runs = (name: string) => !only || only.includes(name);
const launcher = join(repoRoot, "bin/local-lto");
const helperCount = 12;

/** Every environment variable that would change a build from outside: none of the caller's. */
function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) if (/^(RUSTC_WRAPPER|RUSTC_WORKSPACE_WRAPPER|CARGO_PROFILE_|CARGO_BUILD_|CARGO_INCREMENTAL|RUSTFLAGS|CARGO_TARGET_DIR|LOCAL_LTO_(?!PLUGIN_DIR|CACHE_DIR))/.test(key)) env[key] = undefined;
  return { ...env, CARGO_TERM_COLOR: "never", ...extra };
}

function helpersC(): string {
  const lines = ["/* Generated: static inline functions and their exported wrappers, as bindgen --wrap-static-fns writes them. */", "#include <stdint.h>", ""];
  for (let i = 0; i < helperCount; i++) {
    lines.push(`static inline uint32_t mix${i}(uint32_t x) { x ^= x >> ${13 + (i % 5)}; x *= 0x${(0x7feb352d + i * 0x1000193).toString(16)}u; x ^= x >> 15; return x + ${i}u; }`);
    lines.push(`uint32_t mix${i}__extern(uint32_t x) { return mix${i}(x); }`, "");
  }
  return lines.join("\n");
}

function sysLib(): string {
  const decls = Array.from({ length: helperCount }, (_, i) => `    #[link_name = "mix${i}__extern"]\n    pub fn mix${i}(x: u32) -> u32;`);
  return `#![no_std]\nextern "C" {\n${decls.join("\n")}\n}\n`;
}

/** One library crate: some ordinary Rust (types, generics, formatting), and helper calls when `calls`. */
function crateLib(index: number, calls: boolean, deps: number[]): string {
  const parts: string[] = ["use std::collections::BTreeMap;", "use std::fmt::Write;", ""];
  for (const d of deps) parts.push(`pub use c${String(d).padStart(2, "0")} as dep${d};`);
  parts.push(
    "#[derive(Debug, Clone, PartialEq, Default)]",
    `pub struct Record${index} { pub id: u64, pub name: String, pub tags: Vec<String>, pub score: f64 }`,
    "",
    `impl Record${index} {`,
    `    pub fn new(id: u64) -> Self { Record${index} { id, name: format!("r{id}"), tags: vec![format!("t{}", id % 7)], score: id as f64 * 0.5 } }`,
    "    pub fn describe(&self) -> String { let mut s = String::new(); write!(s, \"{}:{}:{:?}:{:.2}\", self.id, self.name, self.tags, self.score).unwrap(); s }",
    "}",
    "",
    "pub fn group<T: Clone, K: Fn(&T) -> u64>(items: &[T], key: K) -> BTreeMap<u64, Vec<T>> {",
    "    let mut map: BTreeMap<u64, Vec<T>> = BTreeMap::new();",
    "    for item in items { map.entry(key(item)).or_default().push(item.clone()); }",
    "    map",
    "}",
    "",
    `pub fn checksum${index}(n: u64) -> u64 {`,
    `    let records: Vec<Record${index}> = (0..n).map(Record${index}::new).collect();`,
    "    let groups = group(&records.iter().map(|r| r.id).collect::<Vec<_>>(), |id| id % 13);",
    "    let mut sum = groups.values().map(|v| v.iter().sum::<u64>()).fold(0u64, |a, b| a.rotate_left(7) ^ b);",
    "    for r in &records { sum = sum.wrapping_add(r.describe().len() as u64); }",
    ...deps.map((d) => `    sum ^= dep${d}::checksum${d}(n / 2);`),
    ...(calls ? [`    for i in 0..n as u32 { sum = sum.wrapping_add(unsafe { sys::mix${index % helperCount}(i) ^ sys::mix${(index + 1) % helperCount}(i) } as u64); }`] : []),
    "    sum",
    "}",
    "",
  );
  return parts.join("\n");
}

interface Workspace {
  dir: string;
  /** Crate names of the library crates that call helpers. */
  callers: string[];
}

/** The generated workspace: `calling` of `crateCount` crates call helpers; with or without local-lto.toml. */
async function generate(root: string, name: string, callingCrates: number, configured: boolean): Promise<Workspace> {
  const dir = join(root, name);
  await mkdir(join(dir, ".cargo"), { recursive: true });
  await writeFile(join(dir, ".cargo/config.toml"), '[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n\n[net]\noffline = true\n');
  const members = ["sys", "app", ...Array.from({ length: crateCount }, (_, i) => `c${String(i).padStart(2, "0")}`)];
  await writeFile(join(dir, "Cargo.toml"), `[workspace]\nmembers = [${members.map((m) => `"${m}"`).join(", ")}]\nresolver = "2"\n`);
  if (configured) await writeFile(join(dir, "local-lto.toml"), 'helpers = ["sys/helpers.c"]\nhelper-suffix = "__extern"\nrequire-inlined = true\n');
  await mkdir(join(dir, "sys/src"), { recursive: true });
  await writeFile(join(dir, "sys/Cargo.toml"), '[package]\nname = "sys"\nversion = "0.1.0"\nedition = "2021"\n\n[build-dependencies]\ncc = "1"\n');
  await writeFile(join(dir, "sys/build.rs"), 'fn main() {\n    cc::Build::new().file("helpers.c").compile("bench_helpers");\n    println!("cargo:rerun-if-changed=helpers.c");\n}\n');
  await writeFile(join(dir, "sys/helpers.c"), helpersC());
  await writeFile(join(dir, "sys/src/lib.rs"), sysLib());
  const callers: string[] = [];
  // Callers spread over the crates; each crate depends on up to two earlier ones (a DAG Cargo can build in parallel).
  const step = callingCrates > 0 ? crateCount / callingCrates : Infinity;
  for (let i = 0; i < crateCount; i++) {
    const name = `c${String(i).padStart(2, "0")}`;
    const calls = callingCrates > 0 && Math.floor(i % step) === 0 && callers.length < callingCrates;
    if (calls) callers.push(name);
    const deps = [i - 1, Math.floor(i / 3)].filter((d, k, all) => d >= 0 && d < i && all.indexOf(d) === k && i % 4 !== 0);
    await mkdir(join(dir, name, "src"), { recursive: true });
    const depLines = [...deps.map((d) => `c${String(d).padStart(2, "0")} = { path = "../c${String(d).padStart(2, "0")}" }`), ...(calls ? ['sys = { path = "../sys" }'] : [])];
    await writeFile(join(dir, name, "Cargo.toml"), `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${depLines.join("\n")}\n`);
    await writeFile(join(dir, name, "src/lib.rs"), crateLib(i, calls, deps));
  }
  await mkdir(join(dir, "app/src"), { recursive: true });
  const crates = Array.from({ length: crateCount }, (_, i) => `c${String(i).padStart(2, "0")}`);
  await writeFile(join(dir, "app/Cargo.toml"), `[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${crates.map((c) => `${c} = { path = "../${c}" }`).join("\n")}\n`);
  await writeFile(join(dir, "app/src/main.rs"), `fn main() {\n    let mut sum = 0u64;\n${crates.map((c, i) => `    sum ^= ${c}::checksum${i}(200);`).join("\n")}\n    println!("{sum:016x}");\n}\n`);
  return { dir, callers };
}

interface Pair {
  plain: Measured;
  llto: Measured;
}

function ratios(list: readonly Pair[]): { wall: Spread; cpu: Spread; plainWallMs: Spread; lltoWallMs: Spread } {
  return {
    wall: spread(list.map((p) => p.llto.wallMs / p.plain.wallMs)),
    cpu: spread(list.map((p) => p.llto.cpuMs / p.plain.cpuMs)),
    plainWallMs: spread(list.map((p) => p.plain.wallMs)),
    lltoWallMs: spread(list.map((p) => p.llto.wallMs)),
  };
}

const cargoArgs = ["build", "--release", "-q"];

/** Clean builds, plain then local-lto in turn, each in its own target directory. */
async function cleanBuilds(ws: Workspace, scratch: string, label: string): Promise<Pair[]> {
  const plainTarget = join(scratch, `${label}-target-plain`);
  const lltoTarget = join(scratch, `${label}-target-llto`);
  const result: Pair[] = [];
  for (let i = 0; i <= pairs; i++) {
    await rm(plainTarget, { recursive: true, force: true });
    const plain = await measure("cargo", cargoArgs, scratch, { cwd: ws.dir, env: cleanEnv({ CARGO_TARGET_DIR: plainTarget }) });
    await rm(lltoTarget, { recursive: true, force: true });
    const llto = await measure("cargo", cargoArgs, scratch, { cwd: ws.dir, env: cleanEnv({ CARGO_TARGET_DIR: lltoTarget, RUSTC_WORKSPACE_WRAPPER: launcher }) });
    if (i > 0) result.push({ plain, llto }); // the first pair warms the caches (and prepares nothing that is kept: target/ is removed)
    process.stderr.write(`  ${label} clean pair ${i}: plain ${fixed(plain.wallMs / 1000, 2)} s, local-lto ${fixed(llto.wallMs / 1000, 2)} s\n`);
  }
  // Both programs print the same.
  const a = await mustRun(join(plainTarget, "release/app"), [], {});
  const b = await mustRun(join(lltoTarget, "release/app"), [], {});
  if (a.stdout !== b.stdout) throw new Error(`${label}: the programs differ: ${a.stdout} / ${b.stdout}`);
  return result;
}

/** No-change rebuilds in the target directories the clean builds left. */
async function noChangeBuilds(ws: Workspace, scratch: string, label: string): Promise<Pair[]> {
  const result: Pair[] = [];
  for (let i = 0; i <= pairs; i++) {
    const plain = await measure("cargo", cargoArgs, scratch, { cwd: ws.dir, env: cleanEnv({ CARGO_TARGET_DIR: join(scratch, `${label}-target-plain`) }) });
    const llto = await measure("cargo", cargoArgs, scratch, { cwd: ws.dir, env: cleanEnv({ CARGO_TARGET_DIR: join(scratch, `${label}-target-llto`), RUSTC_WORKSPACE_WRAPPER: launcher }) });
    if (i > 0) result.push({ plain, llto });
  }
  return result;
}

/** Node's part of a clean local-lto build: how many times it started, and its CPU time. */
interface NodeShare {
  runs: number;
  nodeCpuMs: number;
  buildCpuMs: number;
}

/**
 * One more clean build of the helper workspace with every Node the launcher starts timed (GNU time
 * around node, through LOCAL_LTO_NODE): the proofs of the crates whose units linked helpers and the
 * binary's check, the part of local-lto's cost that is not rustc's.
 */
async function nodeShare(ws: Workspace, scratch: string): Promise<NodeShare | undefined> {
  if (!haveGnuTime) return undefined;
  const times = join(scratch, "node-times.txt");
  const wrapper = join(scratch, "timed-node.sh");
  await writeFile(wrapper, `#!/bin/sh\nexec ${gnuTime} -a -o '${times}' -f '%U %S' node "$@"\n`);
  await chmod(wrapper, 0o755);
  await rm(times, { force: true });
  const target = join(scratch, "node-share-target");
  // As in the measured pairs, the launcher's entry for this target directory exists (a first build left it).
  const env = cleanEnv({ CARGO_TARGET_DIR: target, RUSTC_WORKSPACE_WRAPPER: launcher });
  await mustRun("cargo", cargoArgs, { cwd: ws.dir, env });
  await rm(target, { recursive: true, force: true });
  // Without the proof server: each proof's Node is started, and timed, by the launcher.
  const build = await measure("cargo", cargoArgs, scratch, { cwd: ws.dir, env: { ...env, LOCAL_LTO_NODE: wrapper, LOCAL_LTO_NO_SERVER: "1" } });
  const lines = existsSync(times) ? (await readFile(times, "utf8")).trim().split("\n").filter((l) => /^[\d.]+ [\d.]+$/.test(l)) : [];
  const nodeCpuMs = lines.reduce((sum, l) => sum + l.split(" ").map(Number).reduce((a, b) => a + b, 0) * 1000, 0);
  return { runs: lines.length, nodeCpuMs, buildCpuMs: build.cpuMs };
}

interface Invocation {
  case: string;
  command: string;
  plainMs: Spread;
  lltoMs: Spread;
  /** local-lto minus plain, per pair. */
  extraMs: Spread;
  ratio: Spread;
}

/** One library crate's rustc command, plain and through the launcher, in turn. */
async function perInvocation(ws: Workspace, scratch: string, label: string, crate: string): Promise<Invocation> {
  const target = join(scratch, `${label}-target-llto`);
  const deps = join(target, "release/deps");
  const rustc = (await mustRun("rustc", ["--print", "sysroot"])).stdout.trim() + "/bin/rustc";
  const externs = (await readdir(deps)).filter((f) => /^libc\d\d-[0-9a-f]+\.rlib$/.test(f) && !f.startsWith(`lib${crate}-`));
  const out = join(scratch, `${label}-out`);
  await mkdir(out, { recursive: true });
  const rustcArgs = [
    "--crate-name", crate, "--edition=2021", join(ws.dir, crate, "src/lib.rs"), "--crate-type", "lib", "--emit=dep-info,metadata,link",
    "-C", "opt-level=3", "-C", "embed-bitcode=no", "-C", "metadata=bench", "-C", "extra-filename=-bench", "--out-dir", out, "-L", `dependency=${deps}`,
    ...externs.flatMap((f) => ["--extern", `${f.slice(3, 6)}=${join(deps, f)}`]),
  ];
  // A first run through the launcher makes its entry (Node prepares nothing new: the set exists).
  const env = cleanEnv({});
  await mustRun(launcher, [rustc, ...rustcArgs], { cwd: ws.dir, env });
  const plain: number[] = [];
  const llto: number[] = [];
  for (let i = 0; i <= invocations; i++) {
    const a = await measure(rustc, rustcArgs, scratch, { cwd: ws.dir, env });
    const b = await measure(launcher, [rustc, ...rustcArgs], scratch, { cwd: ws.dir, env });
    if (i > 0) {
      plain.push(a.wallMs);
      llto.push(b.wallMs);
    }
  }
  return {
    case: label,
    command: `bin/local-lto rustc --crate-name ${crate} … (Cargo's release flags) vs rustc …`,
    plainMs: spread(plain),
    lltoMs: spread(llto),
    extraMs: spread(llto.map((t, i) => t - plain[i]!)),
    ratio: spread(llto.map((t, i) => t / plain[i]!)),
  };
}

type CargoCostResult = {
  commit?: string;
  generated: string;
  workspace: { crates: number; calling: number; helpers: number };
  pairs: Record<string, number>;
  cleanBuild: Record<"withHelpers" | "noCalls" | "unconfigured", ReturnType<typeof ratios>>;
  noChangeRebuild: { withHelpers: ReturnType<typeof ratios> };
  perInvocation: Invocation[];
  nodeShare?: NodeShare;
  report: string;
};

function nodeShareLine(share: NodeShare, calling: number): string {
  return `Node's part without the proof server, in one more clean build of the helper workspace with each Node the launcher starts timed (\`LOCAL_LTO_NO_SERVER=1\`, \`LOCAL_LTO_NODE\` = GNU time around node): ${share.runs} runs (the proof of each crate whose units linked helpers — ${calling} here — and the binary's check), ${fixed(share.nodeCpuMs / 1000, 2)} s CPU = ${fixed((100 * share.nodeCpuMs) / share.buildCpuMs, 1)}% of that build's ${fixed(share.buildCpuMs / 1000, 2)} s.`;
}

/** The block of docs/BENCHMARKS.md this bench owns (`<!-- cargo-cost:begin … -->`). */
async function writeDocBlock(result: CargoCostResult): Promise<void> {
  const row = (name: string, r: ReturnType<typeof ratios>, pairCount: number | undefined) =>
    `| ${name} | ${pairCount ?? "?"} | ×${formatSpread(r.wall, 3)} | ×${formatSpread(r.cpu, 3)} | ${fixed(r.plainWallMs.median / 1000, 2)} s → ${fixed(r.lltoWallMs.median / 1000, 2)} s |`;
  const lines = [
    `Measured${result.commit ? ` at commit \`${result.commit}\`` : ""} on ${result.generated.slice(0, 10)} by \`node bench/dist/cargoCost.js --pairs=${result.pairs["with-helpers"] ?? "?"}\` (after \`npm run build && npx tsc -p bench/tsconfig.json\`): a generated workspace of ${result.workspace.crates} library crates (${result.workspace.calling} of them call helpers), a -sys crate whose build.rs compiles ${result.workspace.helpers} helpers with \`cc\`, and a binary using every crate. \`cargo build --release\` from an empty target directory, plain and with \`RUSTC_WORKSPACE_WRAPPER=bin/local-lto\` in turn, one warm-up pair first; ratios local-lto/plain per pair, median [min–max]; bench/results/cargo-cost.json. What the figures are made of: [INTEGRATION.md](INTEGRATION.md#how-fast).`,
    "",
    "| build | pairs | wall | CPU | median wall, plain → local-lto |",
    "|---|---:|---|---|---|",
    row(`clean, ${result.workspace.calling} of ${result.workspace.crates} crates call helpers`, result.cleanBuild.withHelpers, result.pairs["with-helpers"]),
    row("no-change rebuild of the same", result.noChangeRebuild.withHelpers, result.pairs["with-helpers"]),
    row("clean, no crate calls a helper, configured", result.cleanBuild.noCalls, result.pairs["no-calls"]),
    row("clean, no configuration", result.cleanBuild.unconfigured, result.pairs["unconfigured"]),
    "",
    "Per rustc invocation (one library crate, Cargo's release flags):",
    "",
    ...result.perInvocation.map((p) => `- ${p.case}: plain ${formatSpread(p.plainMs, 0, " ms")}, local-lto ${formatSpread(p.lltoMs, 0, " ms")}: +${formatSpread(p.extraMs, 1, " ms")} (×${formatSpread(p.ratio, 3)})`),
    ...(result.nodeShare ? ["", nodeShareLine(result.nodeShare, result.workspace.calling)] : []),
  ];
  const docPath = join(repoRoot, "docs/BENCHMARKS.md");
  const { replaceGenerated } = (await import(join(repoRoot, "dist/diagnostics/catalogueDoc.js"))) as { replaceGenerated(doc: string, name: string, content: string): string };
  await writeFile(docPath, replaceGenerated(await readFile(docPath, "utf8"), "cargo-cost", lines.join("\n")));
}

async function main(): Promise<void> {
  if (args.includes("--render")) {
    await writeDocBlock(JSON.parse(await readFile(join(benchDir, "results/cargo-cost.json"), "utf8")) as CargoCostResult);
    return;
  }
  if (!existsSync(launcher) || !existsSync(join(repoRoot, "dist/cli/rustcMain.js"))) throw new Error("run npm run build first");
  const scratch = await mkdtemp(join(tmpdir(), "llto-cargo-cost-"));
  process.stderr.write(`cargo-cost: ${crateCount} crates (${calling} calling helpers), ${pairs} pairs, in ${scratch}\n`);
  const withHelpers = await generate(scratch, "with-helpers", calling, true);
  const noCalls = await generate(scratch, "no-calls", 0, true);
  const unconfigured = await generate(scratch, "unconfigured", 0, false);
  const resultsFile = join(benchDir, "results/cargo-cost.json");
  const previous = only && existsSync(resultsFile) ? (JSON.parse(await readFile(resultsFile, "utf8")) as Record<string, any>) : undefined;

  const helpersClean = runs("with-helpers") ? ratios(await cleanBuilds(withHelpers, scratch, "with-helpers")) : previous?.cleanBuild?.withHelpers;
  const helpersNoChange = runs("with-helpers") ? ratios(await noChangeBuilds(withHelpers, scratch, "with-helpers")) : previous?.noChangeRebuild?.withHelpers;
  const share = runs("with-helpers") ? await nodeShare(withHelpers, scratch) : previous?.nodeShare;
  const noCallsClean = runs("no-calls") ? ratios(await cleanBuilds(noCalls, scratch, "no-calls")) : previous?.cleanBuild?.noCalls;
  const unconfiguredClean = runs("unconfigured") ? ratios(await cleanBuilds(unconfigured, scratch, "unconfigured")) : previous?.cleanBuild?.unconfigured;
  const perCrate: Invocation[] =
    runs("no-calls") && runs("unconfigured") ? [await perInvocation(unconfigured, scratch, "unconfigured", "c05"), await perInvocation(noCalls, scratch, "no-calls", "c05")] : (previous?.perInvocation ?? []);

  // What local-lto reported for the helper workspace.
  const report = runs("with-helpers") ? (await run(launcher, ["report", join(scratch, "with-helpers-target-llto")], { cwd: withHelpers.dir, env: cleanEnv({}) })).stdout.trim() : (previous?.report ?? "");

  const result = {
    commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim(),
    generated: new Date().toISOString(),
    workspace: { crates: crateCount, calling, callers: withHelpers.callers, helpers: helperCount },
    /** Pairs per workspace (each after one warm-up pair). */
    pairs: Object.fromEntries(["with-helpers", "no-calls", "unconfigured"].map((w) => [w, runs(w) ? pairs : (typeof previous?.pairs === "object" ? previous.pairs[w] : previous?.pairs)])),
    commands: {
      plain: "cargo build --release -q (CARGO_TARGET_DIR=<plain>)",
      localLto: "RUSTC_WORKSPACE_WRAPPER=bin/local-lto cargo build --release -q (CARGO_TARGET_DIR=<local-lto>)",
      bench: "node bench/dist/cargoCost.js",
    },
    cleanBuild: { withHelpers: helpersClean, noCalls: noCallsClean, unconfigured: unconfiguredClean },
    noChangeRebuild: { withHelpers: helpersNoChange },
    perInvocation: perCrate,
    ...(share ? { nodeShare: share } : {}),
    report,
  };
  await mkdir(join(benchDir, "results"), { recursive: true });
  await writeFile(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
  await writeDocBlock(result as CargoCostResult);
  const line = (name: string, r: ReturnType<typeof ratios>) =>
    `${name.padEnd(44)} wall ×${formatSpread(r.wall, 3)}  cpu ×${formatSpread(r.cpu, 3)}  (medians: plain ${fixed(r.plainWallMs.median / 1000, 2)} s, local-lto ${fixed(r.lltoWallMs.median / 1000, 2)} s)`;
  process.stdout.write(
    [
      `cargo build --release, ${crateCount} crates + a -sys crate + a binary:`,
      line(`clean, ${calling} crates call helpers`, result.cleanBuild.withHelpers),
      line("no-change rebuild, same workspace", result.noChangeRebuild.withHelpers),
      line("clean, no crate calls a helper (configured)", result.cleanBuild.noCalls),
      line("clean, no configuration", result.cleanBuild.unconfigured),
      "per rustc invocation (one library crate, Cargo's release flags):",
      ...(share ? [nodeShareLine(share, calling)] : []),
      ...perCrate.map((p) => `  ${p.case.padEnd(14)} plain ${formatSpread(p.plainMs, 0, " ms")}, local-lto ${formatSpread(p.lltoMs, 0, " ms")}: +${formatSpread(p.extraMs, 1, " ms")} (×${formatSpread(p.ratio, 3)})`),
      "",
      result.report,
      "",
    ].join("\n"),
  );
  if (!args.includes("--keep")) await rm(scratch, { recursive: true, force: true });
}

await main();
