import { build, HelperCallsLeftError, writeReportFile } from "../../pipeline/build.js";
import type { BuildOptions } from "../../pipeline/types.js";
import { renderReport } from "../../report/renderTable.js";
import type { Report } from "../../report/schema.js";
import { useColor } from "../errorBoundary.js";

export interface BuildCommandOptions extends BuildOptions {
  reportPath?: string;
  json?: boolean;
}

function printReport(report: Report, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report, { color: useColor(process.stdout) })}\n`);
}

export async function runBuild(options: BuildCommandOptions): Promise<number> {
  try {
    const result = await build(options);
    for (const warning of result.warnings) process.stderr.write(`${warning}\n`);
    if (options.reportPath) await writeReportFile(options.reportPath, result.report);
    printReport(result.report, options.json ?? false);
    return 0;
  } catch (error) {
    // The report of a --require-inlined failure is still what the user needs to see.
    if (error instanceof HelperCallsLeftError) {
      if (options.reportPath) await writeReportFile(options.reportPath, error.report);
      printReport(error.report, options.json ?? false);
    }
    throw error;
  }
}
