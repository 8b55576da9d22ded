import { LocalLtoError } from "../../diagnostics/errors.js";
import { writeReportFile } from "../../pipeline/build.js";
import { inspectObject, type InspectOptions } from "../../inspect/inspectObject.js";
import { gateVerdict } from "../../verify/gate.js";
import { renderReport } from "../../report/renderTable.js";
import { useColor } from "../errorBoundary.js";

export async function runInspect(options: InspectOptions): Promise<number> {
  const report = await inspectObject(options);
  if (options.reportPath) await writeReportFile(options.reportPath, report);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report, { color: useColor(process.stdout) })}\n`);
  if (options.requireInlined) {
    const gate = gateVerdict(report);
    if (!gate.pass) throw new LocalLtoError(gate.failure);
  }
  return 0;
}
