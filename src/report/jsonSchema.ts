import { z } from "zod";
import { reportSchema } from "./schema.js";

/** docs/REPORT.md's JSON Schema block, generated from the zod schema (zod 4's `toJSONSchema`). */
export function renderReportJsonSchema(): string {
  return ["```json", JSON.stringify(z.toJSONSchema(reportSchema), null, 2), "```"].join("\n");
}
