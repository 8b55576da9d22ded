/**
 * Running bin/local-lto as a user or a parent tool does, for the tests of repeated builds
 * (test/e2e/replay.test.ts, test/e2e/proof-server.test.ts): with the launcher's trace on, in a
 * test's directory and cache.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./toolchain.js";

export const launcher = join(repoRoot, "bin/local-lto");

export interface Run {
  code: number | null;
  stdout: string;
  /** stderr without the launcher's trace lines. */
  stderr: string;
  /** What the launcher decided: "replay", or "node <why>". */
  decision: string;
  /** The proof client's trace (native/proof-client.c): "connected", "start", "fallback <why>", …. */
  proofServer: string[];
}

/** The user's environment without what would change the launcher's decisions, and the trace on. */
export function launchEnvironment(cache: string, env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = { ...process.env };
  delete inherited.DEBUG;
  delete inherited.LOCAL_LTO_NO_REPLAY;
  delete inherited.LOCAL_LTO_NO_SERVER;
  return { ...inherited, LOCAL_LTO_CACHE_DIR: cache, LOCAL_LTO_LAUNCHER_TRACE: "1", ...env };
}

export function parseRun(status: number | null, stdout: string, stderr: string): Run {
  return {
    code: status,
    stdout,
    stderr: stderr.replace(/^local-lto launcher: .*\n/gm, ""),
    decision: /local-lto launcher: build (.*)/.exec(stderr)?.[1] ?? "",
    proofServer: [...stderr.matchAll(/^local-lto launcher: proof-server (.*)$/gm)].map((m) => m[1]!),
  };
}

/** The launcher in `dir`, with `cache` as local-lto's cache and `defaults` in its environment (each run's env may replace them). */
export function launcherIn(dir: string, cache: string, defaults: Record<string, string> = {}) {
  return {
    launch(args: readonly string[], env: Record<string, string> = {}): Run {
      const r = spawnSync(launcher, args, { cwd: dir, env: launchEnvironment(cache, { ...defaults, ...env }), encoding: "utf8" });
      return parseRun(r.status, r.stdout, r.stderr);
    },
    /** In the background, as a terminal or a parent tool runs it; `exited` resolves with its exit code. */
    start(args: readonly string[], env: Record<string, string> = {}, options: { detached?: boolean } = {}) {
      const child = spawn(launcher, args, { cwd: dir, env: launchEnvironment(cache, { ...defaults, ...env }), detached: options.detached ?? false, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      return { child, exited, stderr: () => stderr, run: async () => parseRun(await exited, stdout, stderr) };
    },
  };
}

/** Live processes whose command line mentions `text`. */
export function processesMentioning(text: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid,stat,args"], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.includes(text) && !/ Z/.test(line.slice(0, 14)));
}

/** Until the launcher's rustc has started (its staging directory exists), then `settleMs` longer. */
export async function rustcRunning(cache: string, settleMs: number): Promise<void> {
  for (let i = 0; i < 200 && !readdirSync(join(cache, "build-launch")).some((f) => f.startsWith("run.")); i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, settleMs));
}

/** Waits until `ok()` holds, checking every 50 ms; throws naming `what` after `ms`. */
export async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  for (const started = Date.now(); !ok(); ) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The socket of the bundle's server in the cache directory `cache` (the client names it). */
export const socketIn = (cache: string) => readdirSync(cache).find((f) => /^proof-.*\.sock$/.test(f));

/** The pid of the server of the cache directory `cache`, from its working directory. */
export function serverPid(cache: string): number | undefined {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("proofServer.mjs")) continue;
      if (readlinkSync(`/proc/${pid}/cwd`) === cache) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * Waits until the server of `cache` listens, and returns its pid: its socket is in place and its
 * `.start` file gone (a server killed before it removes that file keeps the next 30 s of builds
 * from starting another, as it should: the test must not kill one that early).
 */
export async function listeningServer(cache: string): Promise<number> {
  await until("the server listens", () => socketIn(cache) !== undefined && !readdirSync(cache).some((f) => f.endsWith(".start")) && serverPid(cache) !== undefined);
  return serverPid(cache)!;
}
