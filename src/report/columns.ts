import { stripVTControlCharacters } from "node:util";

/**
 * Plain aligned columns: the terminal views (a build's report, `doctor`, the Cargo summary) are
 * greppable tables with no borders, no wrapping and no spans. Written here rather than with
 * cli-table3 (used before): loading it and its first render cost about 20 ms of CPU and 11 ms
 * after rustc ends in every build, which is what a repeated build's wall time is made of
 * (docs/BENCHMARKS.md §5); this is a padding loop.
 */
export type Align = "left" | "right";

/**
 * The head and the rows, each cell padded to its column's widest cell; two spaces between
 * columns, no trailing spaces. Colour escapes do not count towards a cell's width; an east Asian
 * wide character counts two, as a terminal draws it.
 */
export function formatColumns(head: readonly string[], rows: readonly (readonly string[])[], aligns: readonly Align[] = []): string {
  const all = [head, ...rows];
  const widths = head.map((_, column) => Math.max(...all.map((row) => visibleWidth(row[column] ?? ""))));
  const lines = all.map((row) =>
    head
      .map((_, column) => {
        const cell = row[column] ?? "";
        const pad = " ".repeat(widths[column]! - visibleWidth(cell));
        return aligns[column] === "right" ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd(),
  );
  return lines.join("\n");
}

/** Columns a terminal gives the text: escapes take none, wide characters two. */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const char of stripVTControlCharacters(text)) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x300 && code < 0x370) || code === 0x200b) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

/** East Asian Wide and Fullwidth ranges (Unicode UAX #11), the blocks a path or name can hold. */
function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}
