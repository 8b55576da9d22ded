import { BuildInterruptedError, HelperCallsLeftError, type BuildResult } from "../../pipeline/finishBuild.js";
import type { BuildOptions } from "../../pipeline/types.js";
import { renderReport } from "../../report/renderTable.js";
import type { Report } from "../../report/schema.js";
import { useColor } from "../errorBoundary.js";
import { exitCodeForSignal } from "../../process/signals.js";

/**
 * What `local-lto build` prints and exits with, for a build (./build.ts) and for its replay
 * (src/cli/replayMain.ts, which must not load the build's modes).
 */
export interface BuildCommandOptions extends BuildOptions {
  json?: boolean;
}

/** stdout carries what was asked for: the JSON report with `--report -` or `--json`, else the table (then on stderr with `--report -`). */
function printReport(report: Report, options: BuildCommandOptions): void {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (options.reportPath === "-") {
    process.stdout.write(json);
    if (!options.json) process.stderr.write(`${renderReport(report, { color: useColor(process.stderr) })}\n`);
    return;
  }
  process.stdout.write(options.json ? json : `${renderReport(report, { color: useColor(process.stdout) })}\n`);
}

/** A finished build: its compiler warnings on stderr, its report; exit code 0. */
export function printBuildResult(result: BuildResult, options: BuildCommandOptions): number {
  for (const warning of result.warnings) process.stderr.write(`${warning}\n`);
  printReport(result.report, options);
  return 0;
}

/** A failed build: a signal's exit code, or the error for the error boundary (after the report of a --require-inlined failure). */
export function buildFailureExit(error: unknown, options: BuildCommandOptions): number {
  if (error instanceof BuildInterruptedError) {
    process.stderr.write(`local-lto: stopped by ${error.signal}; no output was changed\n`);
    return exitCodeForSignal(error.signal);
  }
  // The report of a --require-inlined failure is still what the user needs to see (build() wrote --report).
  if (error instanceof HelperCallsLeftError) printReport(error.report, options);
  throw error;
}
