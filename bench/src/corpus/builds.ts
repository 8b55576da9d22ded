/**
 * The four builds of a corpus program, as a user would run them, with the library's pkg-config
 * flags and no local-lto option beyond the helper file (and what is unavoidable today: the
 * flags split into one --cc-arg each, and --all-helpers because the default prefix selects none
 * of bindgen's `__extern` wrappers):
 *   (a) out of line: `rustc --emit=obj` + the wrappers compiled by clang, linked;
 *   (b) `local-lto build` (the built CLI);
 *   (c) ideal C: the same loop in C (ideal.c) against the library's headers;
 *   (d) full -O2 over the same merged bitcode: `llvm-link --internalize --only-needed rust.bc
 *       extern.bc`, `opt -O2`, `llc`.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { corpusDir, entryCFlags, pkgConfig, type CorpusEntry } from "./manifest.js";
import { formatCommand, mustRun, run, type RunResult } from "../proc.js";
import { localLtoCli, type BenchTools } from "../tools.js";

export type BuildId = "a" | "b" | "c" | "d";

export const buildTitles: Record<BuildId, string> = {
  a: "(a) out of line: rustc object + clang-compiled extern.c",
  b: "(b) local-lto build",
  c: "(c) ideal C (ideal.c)",
  d: "(d) llvm-link --internalize --only-needed + opt -O2 + llc",
};

/** rustc's flags for every Rust build (local-lto passes them with --rustc-arg). */
export const rustFlags = ["-O", "--edition=2021"];
/** The triple rustc compiles for on this host; clang compiles the wrappers for it too, as local-lto does. */
export const rustTriple = "x86_64-unknown-linux-gnu";
export const driverC = join(corpusDir, "driver.c");

export class CommandLog {
  readonly commands: string[] = [];
  async run(file: string, args: readonly string[], cwd?: string): Promise<RunResult> {
    this.commands.push(formatCommand(file, args));
    return mustRun(file, args, { cwd });
  }
}

/** A local-lto report, reduced to what the corpus records. */
export interface LocalLtoReport {
  helpers: {
    name: string;
    callSitesBefore: number | null;
    callsLeft: number;
    symbol: string;
    reasons?: { caller: string; category: string; reason: string; fix?: string; llvmRemark?: string; llvmAgrees?: boolean }[];
  }[];
  summary: { helpers: number; callSitesBefore: number | null; callsLeft: number; globalHelperSymbols: number; allInlined: boolean };
  reconciliation?: string[];
  notes?: string[];
}

export interface EntryFlags {
  cflags: string[];
  libs: string[];
}

export async function entryFlags(entry: CorpusEntry): Promise<EntryFlags> {
  return { cflags: await entryCFlags(entry), libs: await pkgConfig(entry.manifest.pkgConfig, "--libs") };
}

/** local-lto's argv for an entry: the crate, the helper file, the flags split one per option, and `extra`. */
export function localLtoArgs(entry: CorpusEntry, flags: EntryFlags, output: string, extra: readonly string[]): string[] {
  return [
    localLtoCli,
    "build",
    entry.files.mainRs,
    "--helpers",
    entry.files.externC,
    "-o",
    output,
    ...rustFlags.map((f) => `--rustc-arg=${f}`),
    ...flags.cflags.map((f) => `--cc-arg=${f}`),
    ...extra,
  ];
}

export async function linkProgram(log: CommandLog, tools: BenchTools, objects: readonly string[], flags: EntryFlags, program: string): Promise<string> {
  await log.run(tools.clang, ["-O2", driverC, ...objects, ...flags.libs, "-o", program]);
  return program;
}

export async function buildOutOfLine(tools: BenchTools, entry: CorpusEntry, flags: EntryFlags, dir: string) {
  const log = new CommandLog();
  await log.run(tools.rustc, [...rustFlags, "--crate-type=lib", "--emit=obj", "-o", join(dir, "a-rust.o"), entry.files.mainRs]);
  await log.run(tools.clang, ["-O2", ...flags.cflags, "-c", entry.files.externC, "-o", join(dir, "a-extern.o")]);
  const program = await linkProgram(log, tools, [join(dir, "a-rust.o"), join(dir, "a-extern.o")], flags, join(dir, "a"));
  return { program, rustObject: join(dir, "a-rust.o"), commands: log.commands };
}

export interface LocalLtoBuild {
  program: string;
  object: string;
  commands: string[];
  /** What the default options selected (the report of a build with no helper option). */
  defaultReport: LocalLtoReport;
  /** The object of that build (inspect it with the wrapper names: the calls really left). */
  defaultObject: string;
  /** The option the build needed to select the wrappers, if any. */
  selection: string[];
  report: LocalLtoReport;
  /** The table and the `why:` lines local-lto printed. */
  stdout: string;
}

/**
 * (b). First with no helper option, to record what the default selects; when that is nothing,
 * again with --all-helpers (every function the helper file defines is a helper), with --explain.
 */
/** `mode`: the arguments that choose local-lto's path (none: its default, auto). */
export async function buildWithLocalLto(tools: BenchTools, entry: CorpusEntry, flags: EntryFlags, dir: string, mode: readonly string[] = []): Promise<LocalLtoBuild> {
  const log = new CommandLog();
  const defaultBuild = await log.run(tools.node, localLtoArgs(entry, flags, join(dir, "b-default.o"), ["--json", ...mode]));
  const defaultReport = JSON.parse(defaultBuild.stdout) as LocalLtoReport;
  const selection = defaultReport.helpers.length === 0 ? ["--all-helpers"] : [];
  const object = join(dir, "b.o");
  const reportPath = join(dir, "b-report.json");
  const built = await log.run(tools.node, localLtoArgs(entry, flags, object, [...selection, "--explain", "--report", reportPath, ...mode]));
  const report = JSON.parse(await readFile(reportPath, "utf8")) as LocalLtoReport;
  const program = await linkProgram(log, tools, [object], flags, join(dir, "b"));
  return { program, object, commands: log.commands, defaultReport, defaultObject: join(dir, "b-default.o"), selection, report, stdout: built.stdout };
}

export async function buildIdealC(tools: BenchTools, entry: CorpusEntry, flags: EntryFlags, dir: string) {
  const log = new CommandLog();
  await log.run(tools.clang, ["-O2", ...flags.cflags, "-c", entry.files.idealC, "-o", join(dir, "c.o")]);
  const program = await linkProgram(log, tools, [join(dir, "c.o")], flags, join(dir, "c"));
  return { program, commands: log.commands };
}

/** LLVM's own "not inlined" remarks from `opt -O2 -pass-remarks-missed=inline`, those about a wrapper. */
export function missedInlineRemarks(stderr: string, wrapperNames: readonly string[]): string[] {
  return stderr
    .split("\n")
    .filter((line) => /remark:/.test(line) && wrapperNames.some((name) => line.includes(`'${name}'`)))
    .map((line) => line.replace(/^.*?remark: /, "").trim());
}

export async function buildFullO2(tools: BenchTools, entry: CorpusEntry, flags: EntryFlags, dir: string, wrapperNames: readonly string[]) {
  const log = new CommandLog();
  const out = (name: string) => join(dir, name);
  await log.run(tools.rustc, [...rustFlags, "--crate-type=lib", "--emit=llvm-bc", "-o", out("d-rust.bc"), entry.files.mainRs]);
  await log.run(tools.clang, ["-c", "-emit-llvm", "-O2", `--target=${rustTriple}`, ...flags.cflags, "-o", out("d-extern.bc"), entry.files.externC]);
  await log.run(tools.llvmLink, ["--internalize", "--only-needed", out("d-rust.bc"), out("d-extern.bc"), "-o", out("d-merged.bc")]);
  const optimized = await log.run(tools.opt, ["-O2", "-pass-remarks-missed=inline", out("d-merged.bc"), "-o", out("d-opt.bc")]);
  // -O3 for codegen as rustc -O uses; relocation model and sections as rustc's object has them.
  await log.run(tools.llc, ["-O3", "-relocation-model=pic", "-function-sections", "-data-sections", "-filetype=obj", out("d-opt.bc"), "-o", out("d.o")]);
  const program = await linkProgram(log, tools, [out("d.o")], flags, out("d"));
  return { program, object: out("d.o"), commands: log.commands, missedRemarks: missedInlineRemarks(optimized.stderr, wrapperNames) };
}

/** Helper calls left in any object, by `local-lto inspect --helper <name>…`. */
export async function inspectCalls(tools: BenchTools, object: string, helperNames: readonly string[]): Promise<{ name: string; callsLeft: number }[]> {
  if (helperNames.length === 0) return [];
  const result = await run(tools.node, [localLtoCli, "inspect", object, "--json", ...helperNames.flatMap((name) => ["--helper", name])]);
  const report = JSON.parse(result.stdout) as LocalLtoReport;
  return report.helpers.map((h) => ({ name: h.name, callsLeft: h.callsLeft }));
}

/** Runs a program with an iteration count; its stdout. */
export async function runProgram(program: string, iterations: number): Promise<string> {
  return (await mustRun(program, [String(iterations)])).stdout;
}
