import { writeReportFile } from "../../pipeline/build.js";
import { inspectObject, type InspectOptions } from "../../inspect/inspectObject.js";
import { renderReport } from "../../report/renderTable.js";
import { useColor } from "../errorBoundary.js";

export async function runInspect(options: InspectOptions): Promise<number> {
  const report = await inspectObject(options);
  if (options.reportPath) await writeReportFile(options.reportPath, report);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report, { color: useColor(process.stdout) })}\n`);
  if (options.requireInlined && report.summary.callsLeft > 0) {
    process.stderr.write(`error[LLTO_CALLS_LEFT]: ${report.summary.callsLeft} helper call(s) left in ${options.object}\n`);
    return 10;
  }
  return 0;
}
