/**
 * local-lto's `DEBUG=local-lto:run` log, read back (pure): every child process it ran, with its
 * start and end, and what that says about local-lto's own overhead.
 *
 *   2026-11-25T16:24:33.130Z local-lto:run /usr/bin/llc [ '-O3', … ] -> 0 in 370ms
 *
 * The timestamp is written when the child exits; its start is that minus the duration.
 */

/** `compiler`: a step of the compile pipeline itself; `probe`: a version query; `own`: a tool local-lto runs for its own checks (llvm-dis, llvm-nm). */
export type ChildRole = "compiler" | "probe" | "own";

export interface ChildProcess {
  /** Short name: `rustc`, `llvm-link`, `rust-lld`, `opt`, `llc`, `clang`, `llvm-dis`, `llvm-nm`… */
  tool: string;
  role: ChildRole;
  /** ms from the start of the local-lto process (as the bench spawned it). */
  startMs: number;
  endMs: number;
}

export interface DebugLogFacts {
  processes: ChildProcess[];
  /** The inline and codegen commands, as local-lto ran them. */
  rustLld?: LoggedCommand;
  opt?: LoggedCommand;
  llc?: LoggedCommand;
}

export interface LoggedCommand {
  file: string;
  args: string[];
}

function classify(tool: string, args: readonly string[]): ChildRole {
  if (args.includes("--version") || args.includes("-vV") || args.includes("--print")) return "probe";
  if (tool === "llvm-dis" || tool === "llvm-nm") return "own";
  if (tool === "rustc" || tool === "clang" || tool === "llvm-link" || tool === "rust-lld" || tool === "opt" || tool === "llc") return "compiler";
  return "own";
}

/** Parses the log; `startedAtMs` is when the bench spawned local-lto (Date.now()). */
export function parseDebugLog(stderr: string, startedAtMs: number): DebugLogFacts {
  const facts: DebugLogFacts = { processes: [] };
  for (const line of stderr.split("\n")) {
    const match = line.match(/^(\d{4}-\d\d-\d\dT[\d:.]+Z) local-lto:run (\S+) \[(.*)\] -> \S+ in (\d+)ms/);
    if (!match) continue;
    const end = Date.parse(match[1]!) - startedAtMs;
    const duration = Number(match[4]);
    const args = [...match[3]!.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\'/g, "'"));
    const tool = match[2]!.split("/").pop()!.replace(/-\d+$/, "");
    const role = classify(tool, args);
    facts.processes.push({ tool, role, startMs: end - duration, endMs: end });
    if (role !== "compiler") continue;
    const command = { file: match[2]!, args };
    if (tool === "rust-lld") facts.rustLld = command;
    if (tool === "opt" && args.some((a) => a.startsWith("-passes="))) facts.opt = command;
    if (tool === "llc" && args.includes("-filetype=obj")) facts.llc = command;
  }
  facts.processes.sort((a, b) => a.startMs - b.startMs);
  return facts;
}

/** Total length of the union of intervals (overlaps counted once). */
export function unionMs(intervals: readonly { startMs: number; endMs: number }[]): number {
  const sorted = [...intervals].sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let start = Number.NEGATIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const i of sorted) {
    if (i.startMs > end) {
      if (end > start) total += end - start;
      start = i.startMs;
      end = i.endMs;
    } else {
      end = Math.max(end, i.endMs);
    }
  }
  if (end > start) total += end - start;
  return total;
}

export interface Overhead {
  /** Wall time during which at least one compiler of the pipeline ran. */
  compilersMs: number;
  /** The rest of local-lto's wall time: nothing but local-lto itself (and its own tools) was running. */
  overheadMs: number;
  /** Parts of the overhead: before the first compiler started, between compilers, after the last ended. */
  beforeMs: number;
  betweenMs: number;
  afterMs: number;
  /** Version probes: how many, first start to last end. */
  probes: number;
  probeSpanMs: number;
  /** The merge (llvm-link) start minus rustc's end. */
  mergeWaitMs: number;
}

/**
 * local-lto's own overhead in one build: its wall time minus the wall time during which any
 * compiler of the pipeline ran (rustc, clang, llvm-link, rust-lld or opt and llc). Stages that
 * overlap a compiler (`read rust IR` beside rust-lld, `compile helpers` beside rustc) cost
 * nothing here; what remains is time in which the build waited on local-lto alone.
 */
export function overheadFrom(processes: readonly ChildProcess[], wallMs: number): Overhead {
  const clip = (ms: number) => Math.min(Math.max(ms, 0), wallMs);
  const compilers = processes.filter((p) => p.role === "compiler").map((p) => ({ startMs: clip(p.startMs), endMs: clip(p.endMs) }));
  const compilersMs = unionMs(compilers);
  const overheadMs = wallMs - compilersMs;
  const beforeMs = compilers.length ? Math.min(...compilers.map((c) => c.startMs)) : overheadMs;
  const afterMs = compilers.length ? wallMs - Math.max(...compilers.map((c) => c.endMs)) : 0;
  const probes = processes.filter((p) => p.role === "probe");
  const rustc = processes.find((p) => p.tool === "rustc" && p.role === "compiler");
  const merge = processes.filter((p) => p.tool === "llvm-link").pop();
  return {
    compilersMs,
    overheadMs,
    beforeMs,
    betweenMs: overheadMs - beforeMs - afterMs,
    afterMs,
    probes: probes.length,
    probeSpanMs: probes.length ? Math.max(...probes.map((p) => p.endMs)) - Math.min(...probes.map((p) => p.startMs)) : 0,
    mergeWaitMs: rustc && merge ? merge.startMs - rustc.endMs : Number.NaN,
  };
}

/**
 * A command line from local-lto's log, pointed at other files: each path argument (alone or after
 * `flag=`) whose file name is a key of `files` becomes that value.
 */
export function retarget(args: readonly string[], files: Record<string, string>): string[] {
  return args.map((arg) =>
    arg.replace(/^(.*=)?(\/.*\/)([^/]+)$/, (whole, flag: string | undefined, _dir: string, base: string) => (files[base] !== undefined ? `${flag ?? ""}${files[base]}` : whole)),
  );
}
