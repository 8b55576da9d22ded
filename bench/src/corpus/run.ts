/**
 * The corpus runner: for each library in corpus/, the four builds (builds.ts), their output
 * checked against the manifest, instructions per iteration under callgrind, the calls local-lto
 * left with its reasons, LLVM's missed-inline remarks under full -O2, and whether the Rust
 * functions that call no helper stayed byte-identical to rustc's. Writes corpus/results.json and
 * corpus/RESULTS.md.
 *   npm run build && tsc -p bench/tsconfig.json && node bench/dist/corpus/run.js [lib…] [--keep] [--mode=plugin] [--render]
 * Also writes section 7 of docs/BENCHMARKS.md and docs/bench/corpus.svg from both paths' results
 * (`--render`: only that, from the saved results).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compareFunctions, readElfFunctions, type ElfFunction } from "../elfFunctions.js";
import { abbreviatePath, run } from "../proc.js";
import { findTools, repoRoot, type BenchTools } from "../tools.js";
import {
  buildFullO2,
  buildIdealC,
  buildOutOfLine,
  buildWithLocalLto,
  entryFlags,
  inspectCalls,
  runProgram,
  type BuildId,
  type LocalLtoReport,
} from "./builds.js";
import { corpusDir, listEntries, readEntry, type CorpusEntry } from "./manifest.js";
import { measureProgram, type IterationCost } from "./measure.js";
import { renderResults } from "./report.js";
import { corpusBlock, corpusChart } from "./benchmarksBlock.js";
import type { CorpusResults, EntryResults, HelperFreeIdentity } from "./results.js";
export type { CorpusResults, EntryResults, HelperFreeIdentity } from "./results.js";



function relocationTarget(relocation: string): string {
  return (relocation.split(" ")[2] ?? "").replace(/[+-]\d+$/, "");
}

/** The functions of rustc's object that reference no helper, compared by bytes with local-lto's object (pure). */
export function helperFreeIdentity(reference: readonly ElfFunction[], other: readonly ElfFunction[], helperNames: ReadonlySet<string>): HelperFreeIdentity {
  const helperFree = reference.filter((fn) => !fn.relocations.some((r) => helperNames.has(relocationTarget(r))));
  const comparison = compareFunctions(helperFree, other);
  return { compared: helperFree.map((fn) => fn.name), identical: comparison.identical, differing: comparison.differing.map((d) => d.name), missing: comparison.missing };
}

/** The wrapper symbols a bindings file links to (its `#[link_name]`s): written by our generator. */
export function linkNames(bindingsRs: string): string[] {
  return [...bindingsRs.matchAll(/#\[link_name = "([^"]+)"\]/g)].map((m) => m[1]!);
}

export async function measureEntry(tools: BenchTools, entry: CorpusEntry, work: string, progress: (message: string) => void, mode: readonly string[] = []): Promise<EntryResults> {
  if (!tools.valgrind) throw new Error("valgrind not found: apt-get install valgrind");
  const dir = join(work, entry.name);
  await mkdir(dir, { recursive: true });
  const flags = await entryFlags(entry);
  const wrappers = linkNames(await readFile(entry.files.bindingsRs, "utf8"));
  progress(`${entry.name}: building`);
  const a = await buildOutOfLine(tools, entry, flags, dir);
  const b = await buildWithLocalLto(tools, entry, flags, dir, mode);
  const c = await buildIdealC(tools, entry, flags, dir);
  const d = await buildFullO2(tools, entry, flags, dir, wrappers);
  const programs: Record<BuildId, string> = { a: a.program, b: b.program, c: c.program, d: d.program };
  const ids: BuildId[] = ["a", "b", "c", "d"];
  const outputs = {} as EntryResults["outputs"];
  const instructions = {} as EntryResults["instructions"];
  for (const id of ids) {
    const text = await runProgram(programs[id], entry.manifest.iterations.check);
    outputs[id] = { text, expected: text === entry.manifest.expectedOutput };
    progress(`${entry.name}: callgrind (${id})`);
    instructions[id] = await measureProgram(tools.valgrind, programs[id], entry.manifest.iterations.measure);
  }
  const identity = helperFreeIdentity(readElfFunctions(new Uint8Array(await readFile(a.rustObject))), readElfFunctions(new Uint8Array(await readFile(b.object))), new Set(wrappers));
  return {
    name: entry.name,
    description: entry.manifest.description,
    pkgConfig: entry.manifest.pkgConfig,
    cflags: flags.cflags,
    libs: flags.libs,
    commands: { a: a.commands, b: b.commands, c: c.commands, d: d.commands },
    outputs,
    instructions,
    localLto: {
      defaultHelpers: b.defaultReport.helpers.length,
      defaultSummary: b.defaultReport.summary,
      defaultCallsReallyLeft: (await inspectCalls(tools, b.defaultObject, wrappers)).reduce((sum, c) => sum + c.callsLeft, 0),
      selection: b.selection,
      report: b.report,
      stdout: b.stdout,
    },
    fullO2: { callsLeft: await inspectCalls(tools, d.object, b.report.helpers.map((h) => h.name)), missedRemarks: d.missedRemarks },
    identity,
  };
}

/** Section 7 of docs/BENCHMARKS.md and its chart, from both paths' saved results. */
async function writeBenchmarksBlock(): Promise<void> {
  const read = (name: string) => readFile(join(corpusDir, name), "utf8").then((text) => JSON.parse(text) as CorpusResults, () => undefined);
  const [link, plugin] = await Promise.all([read("results.json"), read("results.plugin.json")]);
  if (!link) return;
  const docPath = join(repoRoot, "docs/BENCHMARKS.md");
  await mkdir(join(repoRoot, "docs/bench"), { recursive: true });
  await writeFile(join(repoRoot, "docs/bench/corpus.svg"), corpusChart(link, plugin));
  const { replaceGenerated } = (await import(join(repoRoot, "dist/diagnostics/catalogueDoc.js"))) as { replaceGenerated(doc: string, name: string, content: string): string };
  await writeFile(docPath, replaceGenerated(await readFile(docPath, "utf8"), "corpus", corpusBlock(link, plugin, "bench/corpus.svg")));
}

async function main(): Promise<void> {
  if (process.argv.includes("--render")) {
    await writeBenchmarksBlock();
    return;
  }
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith("--"));
  // --mode=plugin: build (b) on the plugin path, written apart (results.plugin.json, RESULTS.plugin.md).
  const plugin = args.includes("--mode=plugin");
  const modeArgs = plugin ? ["--mode", "plugin", "--rustc-bootstrap"] : [];
  const suffix = plugin ? ".plugin" : "";
  const started = performance.now();
  const progress = (message: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
  const tools = await findTools();
  const work = await mkdtemp(join(tmpdir(), "local-lto-corpus-"));
  abbreviatePath(`${repoRoot}/`, "");
  abbreviatePath(work, "$W");
  abbreviatePath(tools.rustc, "rustc");
  abbreviatePath(process.execPath, "node");
  const version = async (file: string) => (await run(file, ["--version"])).stdout.split("\n")[0]!.trim();
  const results: CorpusResults = {
    startedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    ...(plugin ? { mode: "plugin" as const } : {}),
    machine: { rustc: await version(tools.rustc), clang: await version(tools.clang), valgrind: tools.valgrind ? await version(tools.valgrind) : "none" },
    entries: [],
  };
  try {
    for (const name of names.length > 0 ? names : listEntries()) results.entries.push(await measureEntry(tools, readEntry(name), work, progress, modeArgs));
  } finally {
    if (!args.includes("--keep")) await rm(work, { recursive: true, force: true });
    else progress(`kept ${work}`);
  }
  if (names.length > 0) {
    // Measuring some libraries keeps the others' saved figures.
    const saved = await readFile(join(corpusDir, `results${suffix}.json`), "utf8").then((text) => JSON.parse(text) as CorpusResults, () => undefined);
    const fresh = new Set(results.entries.map((e) => e.name));
    results.entries = [...(saved?.entries ?? []).filter((e) => !fresh.has(e.name)), ...results.entries].sort((x, y) => x.name.localeCompare(y.name));
  }
  await writeFile(join(corpusDir, `results${suffix}.json`), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(corpusDir, `RESULTS${suffix}.md`), renderResults(results));
  progress(`wrote corpus/results${suffix}.json and corpus/RESULTS${suffix}.md`);
  await writeBenchmarksBlock();
  progress("wrote section 7 of docs/BENCHMARKS.md and docs/bench/corpus.svg");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
