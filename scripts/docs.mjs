// Regenerates the documentation generated from code: docs/EXIT-CODES.md's code table (from the
// diagnostics catalogue) and docs/REPORT.md's JSON Schema (from the zod schema). `npm run docs`.
import { readFileSync, writeFileSync } from "node:fs";
import { renderCodeTable, replaceGenerated } from "../dist/diagnostics/catalogueDoc.js";
import { renderReportJsonSchema } from "../dist/report/jsonSchema.js";

const root = new URL("../", import.meta.url);
const write = (path, name, content) => {
  const file = new URL(path, root);
  writeFileSync(file, replaceGenerated(readFileSync(file, "utf8"), name, content));
};
write("docs/EXIT-CODES.md", "codes", renderCodeTable());
write("docs/REPORT.md", "schema", renderReportJsonSchema());
console.error("docs: EXIT-CODES.md and REPORT.md regenerated");
