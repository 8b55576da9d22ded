import { BuildInterruptedError, HelperCallsLeftError, type BuildResult } from "../../pipeline/finishBuild.js";
import type { BuildOptions } from "../../pipeline/types.js";
import { renderReport } from "../../report/renderTable.js";
import type { Report } from "../../report/schema.js";
import { useColor, type OutputSink } from "../errorBoundary.js";
import { exitCodeForSignal } from "../../process/signals.js";

/**
 * What `local-lto build` prints and exits with, for a build (./build.ts) and for its replay
 * (src/cli/replayMain.ts, which must not load the build's modes).
 */
export interface BuildCommandOptions extends BuildOptions {
  json?: boolean;
}

/** A command's standard streams and the environment that decides their colours. */
export interface CommandOutput {
  stdout: OutputSink;
  stderr: OutputSink;
  env: NodeJS.ProcessEnv;
}

/** The process's own streams (a proof server's request brings its client's). */
export const processOutput: CommandOutput = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** stdout carries what was asked for: the JSON report with `--report -` or `--json`, else the table (then on stderr with `--report -`). */
function printReport(report: Report, options: BuildCommandOptions, out: CommandOutput): void {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (options.reportPath === "-") {
    out.stdout.write(json);
    if (!options.json) out.stderr.write(`${renderReport(report, { color: useColor(out.stderr, out.env) })}\n`);
    return;
  }
  out.stdout.write(options.json ? json : `${renderReport(report, { color: useColor(out.stdout, out.env) })}\n`);
}

/** A finished build: its compiler warnings on stderr, its report; exit code 0. */
export function printBuildResult(result: BuildResult, options: BuildCommandOptions, out: CommandOutput = processOutput): number {
  for (const warning of result.warnings) out.stderr.write(`${warning}\n`);
  printReport(result.report, options, out);
  return 0;
}

/** A failed build: a signal's exit code, or the error for the error boundary (after the report of a --require-inlined failure). */
export function buildFailureExit(error: unknown, options: BuildCommandOptions, out: CommandOutput = processOutput): number {
  if (error instanceof BuildInterruptedError) {
    out.stderr.write(`local-lto: stopped by ${error.signal}; no output was changed\n`);
    return exitCodeForSignal(error.signal);
  }
  // The report of a --require-inlined failure is still what the user needs to see (build() wrote --report).
  if (error instanceof HelperCallsLeftError) printReport(error.report, options, out);
  throw error;
}
