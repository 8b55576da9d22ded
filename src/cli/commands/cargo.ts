/**
 * `local-lto cargo <cargo args…>`: Cargo with local-lto as its workspace wrapper, then the build's
 * summary; and `local-lto report [target-dir]`.
 */
import { packagePath } from "../../packageRoot.js";
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { LocalLtoError } from "../../diagnostics/errors.js";
import { runTool } from "../../process/run.js";
import { compactRunLines, latestPerUnit, readRunLines, renderBuildSummary } from "../../rustc/buildReport.js";
import { findExecutable } from "../../toolchain/findExecutable.js";
import { useColor } from "../errorBoundary.js";
import { exitCodeForSignal } from "../../process/signals.js";

/** The launcher Cargo runs (bin/local-lto): it runs rustc directly where Node is not needed. */
export const launcherPath = packagePath("bin/local-lto");

/** Cargo's target directory for the workspace in `cwd` (`cargo metadata`), honouring `--target-dir` in `args`. */
async function cargoTargetDir(cargo: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const at = args.findIndex((a) => a === "--target-dir" || a.startsWith("--target-dir="));
  if (at >= 0) return resolve(cwd, args[at]!.includes("=") ? args[at]!.slice("--target-dir=".length) : (args[at + 1] ?? "."));
  const manifest = args.findIndex((a) => a === "--manifest-path" || a.startsWith("--manifest-path="));
  const manifestArgs = manifest >= 0 ? (args[manifest]!.includes("=") ? [args[manifest]!] : [args[manifest]!, args[manifest + 1] ?? ""]) : [];
  const run = await runTool({ file: cargo, args: ["metadata", "--format-version=1", "--no-deps", ...manifestArgs], cwd, env });
  if (run.exitCode !== 0) return undefined;
  try {
    return (JSON.parse(run.stdout) as { target_directory?: string }).target_directory;
  } catch {
    return undefined;
  }
}

export async function runCargoCommand(args: readonly string[]): Promise<number> {
  const env = process.env;
  const cargo = env.CARGO && existsSync(env.CARGO) ? env.CARGO : findExecutable("cargo", env.PATH);
  if (!cargo) throw new LocalLtoError({ code: "LLTO_TOOL_MISSING", message: "cargo was not found on PATH", fix: "install Rust with rustup, or put cargo on PATH" });
  const cwd = process.cwd();
  const targetDir = await cargoTargetDir(cargo, args, cwd, env);
  const stateDir = targetDir ? resolve(targetDir, "local-lto") : undefined;
  if (stateDir) await compactRunLines(stateDir);
  const buildId = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const child = spawn(cargo, [...args], {
    cwd,
    stdio: "inherit",
    env: {
      ...env,
      RUSTC_WORKSPACE_WRAPPER: launcherPath,
      LOCAL_LTO_BUILD_ID: buildId,
      // sccache (as RUSTC_WRAPPER) recognizes a workspace wrapper only when CARGO is set, and Cargo
      // does not set it for its first `rustc -vV` (rust-lang/cargo#16805): set it for Cargo.
      CARGO: cargo,
    },
  });
  let stoppedBy: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    child.kill(signal);
  };
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, forward);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on("close", (c, s) => done([c, s])));
  // Cargo ends its compiles on a stop and may exit with a code of its own: the stop is what happened.
  if (signal || stoppedBy) {
    process.stderr.write(`local-lto: stopped by ${stoppedBy ?? signal}\n`);
    return exitCodeForSignal((stoppedBy ?? signal)!);
  }
  if (stateDir) {
    const lines = (await readRunLines(stateDir)).filter((l) => l.build === buildId);
    const text = lines.length
      ? renderBuildSummary(latestPerUnit(lines), { color: useColor(process.stderr), heading: "local-lto" })
      : code === 0
        ? "local-lto: no crate compiled by local-lto in this build (everything was fresh, or no configuration applies: see docs/INTEGRATION.md)"
        : `local-lto: cargo failed (exit ${code ?? "?"}) before local-lto finished compiling any crate: the errors above say why`;
    process.stderr.write(`${text}\n`);
  }
  return code ?? 1;
}

export interface ReportCommandOptions {
  targetDir?: string;
  json?: boolean;
}

/** `local-lto report [target-dir]`: every crate's latest state in that target directory. */
export async function runReportCommand(options: ReportCommandOptions): Promise<number> {
  const cwd = process.cwd();
  const cargo = findExecutable("cargo", process.env.PATH);
  const targetDir = options.targetDir ? resolve(cwd, options.targetDir) : ((cargo ? await cargoTargetDir(cargo, [], cwd, process.env) : undefined) ?? resolve(cwd, "target"));
  const lines = latestPerUnit(await readRunLines(resolve(targetDir, "local-lto")));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
    return 0;
  }
  if (lines.length === 0) {
    process.stdout.write(`local-lto: no report in ${resolve(targetDir, "local-lto")} (build with local-lto cargo build, or RUSTC_WORKSPACE_WRAPPER=local-lto)\n`);
    return 0;
  }
  process.stdout.write(`${renderBuildSummary(lines, { color: useColor(process.stdout), heading: `local-lto (${targetDir})` })}\n`);
  return 0;
}
