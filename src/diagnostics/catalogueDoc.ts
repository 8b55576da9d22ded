import { diagnosticCatalogue } from "./catalogue.js";
import { exitCodes } from "./exitCodes.js";

/** docs/EXIT-CODES.md's code table, from the catalogue (pure): `npm run docs` writes it, a test checks it. */
export function renderCodeTable(): string {
  const rows = Object.entries(diagnosticCatalogue)
    .map(([code, entry]) => ({ code, exit: exitCodes[entry.exit], cause: entry.cause }))
    .sort((a, b) => a.exit - b.exit);
  return ["| code | exit | cause |", "|---|---:|---|", ...rows.map((r) => `| \`${r.code}\` | ${r.exit} | ${r.cause} |`)].join("\n");
}

/** Replaces the text between `<!-- name:begin … -->` and `<!-- name:end -->` (pure). */
export function replaceGenerated(doc: string, name: string, content: string): string {
  const from = doc.indexOf(`<!-- ${name}:begin`);
  const beginEnd = from < 0 ? -1 : doc.indexOf("-->", from) + 3;
  const to = doc.indexOf(`<!-- ${name}:end -->`);
  if (from < 0 || to < beginEnd) throw new Error(`the markers for ${name} are missing`);
  return `${doc.slice(0, beginEnd)}\n${content}\n${doc.slice(to)}`;
}
