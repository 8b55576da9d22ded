/**
 * Small scanners over single lines of llvm-dis output, for the rule engine's look at helper bodies
 * and for rewriting attributes. They only need to be right for what llvm-dis prints: one
 * instruction per line (switch cases on their own lines), strings in double quotes with `\XX`
 * escapes, balanced brackets.
 */

/** The line with the contents of every `"…"` replaced by spaces (same length), and any `;` comment cut. */
export function maskStrings(line: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString) {
      if (c === '"') {
        inString = false;
        out += c;
      } else out += " ";
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    if (c === ";") break;
    out += c;
  }
  return out;
}

/** Position after the bracket group that opens at `open` (`(`, `[`, `{`, `<`), or -1. Strings are skipped. */
export function bracketEnd(line: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < line.length; i++) {
    const c = line[i]!;
    if (inString) {
      if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "(" || c === "[" || c === "{" || c === "<") depth++;
    else if (c === ")" || c === "]" || c === "}" || c === ">") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** `\XX` and `\\` escapes as LLVM writes them inside quoted strings. */
export function escapeIrString(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\" || code < 0x20 || code > 0x7e) {
      for (const byte of new TextEncoder().encode(ch)) out += `\\${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    } else out += ch;
  }
  return out;
}

