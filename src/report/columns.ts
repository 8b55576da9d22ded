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

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Columns a terminal gives the text: escapes take none, wide characters two. */
export function visibleWidth(text: string): number {
  // Names, numbers and most paths: one column a character (the loop below took ~2 ms of a
  // repeated build's report, after rustc ends).
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const char of stripVTControlCharacters(text)) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x300 && code < 0x370) || code === 0x200b) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

/** East Asian Wide and Fullwidth ranges (Unicode UAX #11), the blocks a path or name can hold. */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60],
  [0xffe0, 0xffe6], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x3fffd],
];

function isWide(code: number): boolean {
  return WIDE_RANGES.some(([low, high]) => code >= low && code <= high);
}
