import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fstatSync } from "node:fs";
import { AsyncLocalStorage } from "node:async_hooks";
import { debugLog } from "../diagnostics/debugLog.js";

const debugRun = debugLog("local-lto:run");

export interface ToolCommand {
  file: string;
  args: readonly string[];
  cwd?: string;
  /** Added to (and overriding) the parent's environment. */
  env?: Record<string, string | undefined>;
  /** Bytes or text written to the child's stdin. */
  input?: string | Uint8Array;
  /** Return stdout as bytes instead of text (bitcode, objects). */
  binaryStdout?: boolean;
}

export interface ToolRun {
  command: ToolCommand;
  /** null when the process could not be started or was killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** Set when the executable could not be spawned at all (ENOENT, EACCES). */
  spawnError: string | null;
  stdout: string;
  stdoutBytes: Uint8Array;
  stderr: string;
  durationMs: number;
}

/**
 * The children started inside one build. When a stage fails while others still run (rustc
 * compiling while clang already failed), the build kills the rest and waits for them before it
 * deletes its workspace — otherwise a late writer races the cleanup.
 */
export class ProcessScope {
  private readonly live = new Set<ChildProcess>();
  private readonly exits = new Set<Promise<unknown>>();
  private aborted = false;

  track(child: ChildProcess, exited: Promise<unknown>): void {
    this.live.add(child);
    this.exits.add(exited);
    void exited.finally(() => {
      this.live.delete(child);
      this.exits.delete(exited);
    });
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  async abortAndWait(): Promise<void> {
    this.aborted = true;
    for (const child of this.live) child.kill("SIGTERM");
    await Promise.allSettled([...this.exits]);
  }
}

const scopeStorage = new AsyncLocalStorage<ProcessScope>();

/**
 * node:child_process, loaded at the first spawn rather than with this module: a repeated build's
 * Node (src/cli/replayMain.ts) spawns nothing, and the ES module import of a built-in costs it
 * about 6 ms before its proof (docs/BENCHMARKS.md §5).
 */
function childProcess(): typeof import("node:child_process") {
  return createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
}

/**
 * Runs `work` in its own process scope; on failure, stops the children it left running. When
 * `signal` aborts (SIGINT, SIGTERM, SIGHUP in the CLI), the children are stopped at once and no
 * new one starts, so the work fails fast and the caller's cleanup runs.
 */
export async function withProcessScope<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const scope = new ProcessScope();
  const onAbort = () => void scope.abortAndWait();
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await scopeStorage.run(scope, work);
  } catch (error) {
    await scope.abortAndWait();
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * The one place that starts child processes: argv arrays, explicit cwd and env, never a shell.
 * It returns what happened and never decides what is fatal; the caller does. (node:child_process
 * directly: a process-runner library cost ~0.1 s of start-up on every invocation.)
 */
export function runTool(command: ToolCommand): Promise<ToolRun> {
  const started = performance.now();
  const scope = scopeStorage.getStore();
  const finish = (fields: Pick<ToolRun, "exitCode" | "signal" | "spawnError">, out: Buffer, err: Buffer): ToolRun => {
    const durationMs = performance.now() - started;
    debugRun("%s %o -> %s in %dms", command.file, command.args, fields.exitCode ?? fields.signal ?? fields.spawnError, Math.round(durationMs));
    return {
      command,
      ...fields,
      stdout: command.binaryStdout ? "" : out.toString("utf8"),
      stdoutBytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
      stderr: err.toString("utf8"),
      durationMs,
    };
  };
  if (scope?.isAborted) {
    return Promise.resolve(finish({ exitCode: null, signal: "SIGTERM", spawnError: null }, Buffer.alloc(0), Buffer.from("not started: the build was stopped")));
  }
  return new Promise((resolve) => {
    const child = childProcess().spawn(command.file, [...command.args], {
      cwd: command.cwd,
      env: childEnvironment(command.env),
      stdio: [command.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
    let spawnError: string | null = null;
    const exited = new Promise<void>((done) => {
      child.on("error", (error: NodeJS.ErrnoException) => {
        spawnError = error.code ?? error.message;
        done();
      });
      child.on("close", () => done());
    });
    scope?.track(child, exited);
    if (command.input !== undefined) {
      child.stdin!.on("error", () => undefined); // a child that exits early closes its stdin
      child.stdin!.end(command.input);
    }
    void exited.then(() =>
      resolve(finish({ exitCode: spawnError ? null : child.exitCode, signal: child.signalCode, spawnError }, Buffer.concat(out), Buffer.concat(err))),
    );
  });
}

/** The command line as a user would type it, for messages and debug output. */
export function formatCommand(command: ToolCommand): string {
  const quote = (part: string) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, "'\\''")}'`);
  return [command.file, ...command.args].map(quote).join(" ");
}

export interface InheritedRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  spawnError: string | null;
  /** The first stop signal this process received while the child ran (rustc may end on its own after one: it stops itself on SIGINT and exits 1). */
  stoppedBy: NodeJS.Signals | null;
}

/**
 * The file descriptors of a make jobserver this process was given (`--jobserver-auth=R,W`, or
 * the older `--jobserver-fds=R,W`, in MAKEFLAGS or Cargo's CARGO_MAKEFLAGS), so that a child
 * shares its parent's job slots; a `fifo:` jobserver needs nothing passed (pure).
 */
export function jobserverFds(env: NodeJS.ProcessEnv): number[] {
  const fds = new Set<number>();
  for (const flags of [env.CARGO_MAKEFLAGS, env.MAKEFLAGS]) {
    for (const match of (flags ?? "").matchAll(/--jobserver-(?:auth|fds)=(\d+),(\d+)/g)) {
      fds.add(Number(match[1]));
      fds.add(Number(match[2]));
    }
  }
  return [...fds].filter((fd) => fd > 2 && fd < 1024).sort((a, b) => a - b);
}

/** A jobserver is a pipe: a descriptor of that number that is anything else is not the one MAKEFLAGS names (make closed it for this recipe, and the number was reused). */
function isPipeFd(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}

/**
 * The environment a child starts with: this process's, with a command's changes (a name set to
 * undefined is left out, as Node's spawn leaves it out).
 */
export function childEnvironment(changes: Record<string, string | undefined> | undefined): NodeJS.ProcessEnv {
  if (!changes) return process.env;
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries({ ...process.env, ...changes })) if (value !== undefined) env[name] = value;
  return env;
}

/**
 * Runs a command on this process's own standard input, output and error — for the rustc mode,
 * where rustc's diagnostics, JSON messages and colours must reach Cargo or the terminal exactly
 * as rustc writes them. A stop signal this process receives meanwhile is passed on to the child
 * (which usually got it from the terminal already), and the caller exits after the child.
 */
export function runInherited(command: ToolCommand): Promise<InheritedRun> {
  const started = performance.now();
  const env = childEnvironment(command.env);
  // Node gives a child only the descriptors named in stdio: the jobserver's must be named too.
  const stdio: ("inherit" | "ignore" | number)[] = ["inherit", "inherit", "inherit"];
  for (const fd of jobserverFds(env)) {
    if (!isPipeFd(fd)) continue;
    while (stdio.length < fd) stdio.push("ignore");
    stdio[fd] = fd;
  }
  return new Promise((resolve) => {
    const child = childProcess().spawn(command.file, [...command.args], { cwd: command.cwd, env, stdio });
    let stoppedBy: NodeJS.Signals | null = null;
    const forward = (signal: NodeJS.Signals) => {
      stoppedBy ??= signal;
      child.kill(signal);
    };
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const s of signals) process.on(s, forward);
    let spawnError: string | null = null;
    child.on("error", (error: NodeJS.ErrnoException) => {
      spawnError = error.code ?? error.message;
    });
    child.on("close", (code, signal) => {
      for (const s of signals) process.off(s, forward);
      debugRun("%s %o -> %s in %dms (inherited stdio)", command.file, command.args, code ?? signal ?? spawnError, Math.round(performance.now() - started));
      resolve({ exitCode: spawnError ? null : code, signal, spawnError, stoppedBy });
    });
  });
}
