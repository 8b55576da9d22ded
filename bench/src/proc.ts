import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

/** One child process, as the benchmark ran it. */
export interface RunResult {
  file: string;
  args: string[];
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, measured here. */
  wallMs: number;
  /** When it was spawned (Date.now(), ms since the epoch): lines up with a child's debug-log timestamps. */
  startedAtMs: number;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** Spawns argv (never a shell string) and collects its output; never throws for a failing exit. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const startedAtMs = Date.now();
    const child = spawn(file, [...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (exitCode, signal) => {
      resolvePromise({
        file,
        args: [...args],
        exitCode,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        wallMs: performance.now() - started,
        startedAtMs,
      });
    });
  });
}

export class CommandFailed extends Error {
  constructor(readonly result: RunResult) {
    super(`${formatCommand(result.file, result.args)} exited with ${result.exitCode ?? result.signal}\n${tail(result.stderr || result.stdout, 40)}`);
  }
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Runs and throws when the command fails: every step of a build must succeed. */
export async function mustRun(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(file, args, options);
  if (result.exitCode !== 0) throw new CommandFailed(result);
  return result;
}

/** A run with its resource use: CPU time and peak resident memory of the process tree. */
export interface Measured extends RunResult {
  /** user + system time of the process and the children it waited for. */
  cpuMs: number;
  /**
   * Peak resident set size in KiB as wait4() reports it: the largest single process of the
   * tree (Linux folds each reaped child's peak into its parent's), not the sum of concurrent ones.
   */
  maxRssKb: number;
}

export const gnuTime = "/usr/bin/time";
export const haveGnuTime = existsSync(gnuTime);

/**
 * User and system CPU, in ms, that every running proof server (src/cli/proofServerMain.ts) has
 * used so far. A server works for a build outside the build's process tree, where GNU time does
 * not see it: measure() adds what it used during the build.
 */
export async function proofServerCpuMs(): Promise<number> {
  let ticks = 0;
  for (const pid of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.includes("proofServer.mjs")) continue;
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks * (1000 / clockTicksPerSecond());
}

let clockTicks: number | undefined;
function clockTicksPerSecond(): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return clockTicks;
}

/**
 * Runs under GNU time for CPU and peak memory; wall time is still measured here. The CPU includes
 * what proof servers used meanwhile (proofServerCpuMs).
 */
export async function measure(file: string, args: readonly string[], scratch: string, options: RunOptions = {}): Promise<Measured> {
  const server = await proofServerCpuMs();
  const measured = await measureTree(file, args, scratch, options);
  return { ...measured, cpuMs: measured.cpuMs + ((await proofServerCpuMs()) - server) };
}

async function measureTree(file: string, args: readonly string[], scratch: string, options: RunOptions = {}): Promise<Measured> {
  if (!haveGnuTime) {
    const result = await run(file, args, options);
    if (result.exitCode !== 0) throw new CommandFailed(result);
    return { ...result, cpuMs: Number.NaN, maxRssKb: Number.NaN };
  }
  const usageFile = join(scratch, `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const result = await run(gnuTime, ["-f", "%U %S %M", "-o", usageFile, file, ...args], options);
  const usage = existsSync(usageFile) ? await readFile(usageFile, "utf8") : "";
  await rm(usageFile, { force: true });
  const inner = { ...result, file, args: [...args] };
  if (result.exitCode !== 0) throw new CommandFailed(inner);
  const [user, sys, rss] = usage.trim().split("\n").pop()!.split(/\s+/).map(Number);
  return { ...inner, cpuMs: ((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000, maxRssKb: rss ?? Number.NaN };
}

/** Several commands run one after another and counted as one build. */
export interface StepsMeasured {
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  steps: Measured[];
}

export async function measureSteps(steps: readonly { file: string; args: readonly string[]; options?: RunOptions }[], scratch: string): Promise<StepsMeasured> {
  const done: Measured[] = [];
  for (const step of steps) done.push(await measure(step.file, step.args, scratch, step.options));
  return {
    wallMs: done.reduce((sum, s) => sum + s.wallMs, 0),
    cpuMs: done.reduce((sum, s) => sum + s.cpuMs, 0),
    maxRssKb: Math.max(...done.map((s) => s.maxRssKb)),
    steps: done,
  };
}

/** Paths shortened for the report: the same command reads the same on every machine. */
const abbreviations: [string, string][] = [];
export function abbreviatePath(prefix: string, name: string): void {
  abbreviations.push([prefix, name]);
  abbreviations.sort((a, b) => b[0].length - a[0].length);
}

function shorten(part: string): string {
  let text = part;
  for (const [prefix, name] of abbreviations) text = text.split(prefix).join(name);
  return text;
}

/** The command line as a user would type it in a POSIX shell. */
export function formatCommand(file: string, args: readonly string[]): string {
  const quote = (part: string) => (/^[\w@%+=:,./$-]+$/.test(part) ? part : `'${part.replace(/'/g, "'\\''")}'`);
  return [file, ...args].map((p) => quote(shorten(p))).join(" ");
}

/**
 * Runs tasks with at most `jobs` at a time; returns each task's start and end (ms from the pool's
 * start). With a deadline (a performance.now() time), no task starts after it: `done` says how
 * many tasks ran (always a prefix of the list).
 */
export async function runPool<T>(
  tasks: readonly (() => Promise<T>)[],
  jobs: number,
  deadline = Number.POSITIVE_INFINITY,
): Promise<{ results: T[]; startMs: number[]; endMs: number[]; totalMs: number; done: number }> {
  const started = performance.now();
  const results: T[] = new Array(tasks.length);
  const startMs: number[] = new Array(tasks.length).fill(0);
  const endMs: number[] = new Array(tasks.length).fill(0);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && performance.now() < deadline) {
      const index = next++;
      startMs[index] = performance.now() - started;
      results[index] = await tasks[index]!();
      endMs[index] = performance.now() - started;
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return { results: results.slice(0, next), startMs: startMs.slice(0, next), endMs: endMs.slice(0, next), totalMs: performance.now() - started, done: next };
}
