/**
 * Running Cargo on a copy of test/fixtures/cargo-workspace, with and without local-lto (shared by
 * cargo.test.ts and sccache.test.ts). Builds run asynchronously: a blocked test worker misses
 * vitest's own messages.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { readElf } from "../../src/elf/index.js";
import { readObjectFacts } from "../../src/verify/objectFacts.js";
import { repoRoot } from "../support/toolchain.js";

const fixture = join(repoRoot, "test/fixtures/cargo-workspace");
const launcher = join(repoRoot, "bin/local-lto");

/** The wrappers the -sys crate exports: every helper the executable must neither call nor define. */
export const helperNames = [...readFileSync(join(fixture, "ck-sys/extern.c"), "utf8").matchAll(/\b(\w+__extern)\(/g), ...readFileSync(join(fixture, "ck-sys/fixture_extern.c"), "utf8").matchAll(/\b(\w+__extern)\(/g)].map((m) => m[1]!);

/** Environment without any wrapper or profile setting the caller's shell may have. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The suite's idle time is kept: a proof server started by a Cargo test would otherwise outlive the run by minutes.
  for (const key of Object.keys(env)) if (/^(RUSTC_WRAPPER|RUSTC_WORKSPACE_WRAPPER|CARGO_PROFILE_|CARGO_BUILD_|CARGO_INCREMENTAL|RUSTFLAGS|LOCAL_LTO_(?!PLUGIN_DIR|CACHE_DIR|SERVER_IDLE_SECONDS))/.test(key)) delete env[key];
  return { ...env, CARGO_TERM_COLOR: "never", ...extra };
}

export function copyWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "llto-cargo-"));
  cpSync(fixture, dir, { recursive: true, filter: (src) => !/\/(target|Cargo\.lock)$/.test(src) });
  return dir;
}

export interface CargoRun {
  status: number | null;
  stderr: string;
  /** compiler-artifact messages: target name → fresh. */
  artifacts: Map<string, boolean>;
}

function parseArtifacts(stdout: string): Map<string, boolean> {
  const artifacts = new Map<string, boolean>();
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line) as { reason?: string; target?: { name: string; kind: string[] }; fresh?: boolean };
    if (message.reason === "compiler-artifact" && message.target && !message.target.kind.includes("custom-build")) artifacts.set(message.target.name, message.fresh!);
  }
  return artifacts;
}

/** A command's exit status and output, without blocking the test worker. */
export function runAsync(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** `local-lto cargo build --release` in its own process group (for a stop sent to the group, as Ctrl-C does); `exited` resolves with its exit code and stderr. */
export function startCargoBuild(dir: string) {
  const child = spawn(launcher, ["cargo", "build", "--release"], { cwd: dir, env: cleanEnv(), detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stderr })));
  return { pid: child.pid!, exited };
}

/** `cargo build` (plain), or `local-lto cargo build` (withLocalLto). */
export async function cargoBuild(dir: string, options: { withLocalLto: boolean; profile?: "release" | "dev"; env?: Record<string, string> }): Promise<CargoRun> {
  const args = ["build", ...(options.profile === "dev" ? [] : ["--release"]), "--message-format=json-render-diagnostics"];
  const run = options.withLocalLto ? await runAsync(launcher, ["cargo", ...args], { cwd: dir, env: cleanEnv(options.env) }) : await runAsync("cargo", args, { cwd: dir, env: cleanEnv(options.env) });
  return { status: run.status, stderr: run.stderr, artifacts: parseArtifacts(run.stdout) };
}

export function rebuilt(run: CargoRun): string[] {
  return [...run.artifacts].filter(([, fresh]) => !fresh).map(([name]) => name).sort();
}

export async function runProgram(dir: string, profile = "release"): Promise<string> {
  const run = await runAsync(join(dir, "target", profile, "hot-loop"), ["20000"], {});
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

/** The proof on the linked executable, for every helper the wrappers define. */
export function executableFacts(dir: string, profile = "release") {
  const elf = readElf(new Uint8Array(readFileSync(join(dir, "target", profile, "hot-loop"))));
  return readObjectFacts(elf, helperNames).helpers;
}

/** What fixture_mix (include/fixture_config.h) gives for the program's sum, with multiplier `k`. */
export function expectedMix(output: string, k: number): number {
  const sum = BigInt(`0x${/iterations: ([0-9a-f]{16})/.exec(output)![1]}`);
  return Number((((sum & 0xffffffffn) * BigInt(k)) + 1n) & 0xffffffffn);
}

