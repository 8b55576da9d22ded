/**
 * Appending to the build's report (`<target-dir>/local-lto/report.jsonl`, buildReport.ts), without
 * loading the schema library: every rustc run the rustc mode handles writes one line.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";

/** bin/local-lto writes this id too, in its own short lines. */
export const runLineSchemaId = "local-lto/rustc-run/1";

export function reportPath(stateDir: string): string {
  return join(stateDir, "report.jsonl");
}

/** One line (a `RunLine`, buildReport.ts, typed by the caller), appended with one write (O_APPEND: lines from parallel rustc runs never interleave). */
export async function appendRunLine<Line extends { schema: typeof runLineSchemaId }>(stateDir: string, line: Line): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await appendFile(reportPath(stateDir), `${JSON.stringify(line)}\n`);
}
