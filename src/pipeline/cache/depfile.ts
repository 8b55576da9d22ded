/**
 * Reads the Makefile rule clang writes with `-MD -MF <file>`: the files a compile read (the
 * source and every header it included). Pure. Make's escapes as clang writes them
 * (clang/lib/Frontend/DependencyFile.cpp): `\ ` for a space, `\#`, `$$` for `$`.
 */
export function parseDepfile(text: string): string[] {
  const joined = text.replace(/\\\r?\n/g, " ");
  const deps: string[] = [];
  for (const line of joined.split(/\r?\n/)) {
    const colon = findRuleColon(line);
    if (colon < 0) continue;
    for (const token of splitEscaped(line.slice(colon + 1))) if (!deps.includes(token)) deps.push(token);
  }
  return deps;
}

/** The `:` that ends the target list: followed by whitespace or the end of the line, not escaped. */
function findRuleColon(line: string): number {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\") {
      i++;
      continue;
    }
    if (line[i] === ":" && (i + 1 === line.length || line[i + 1] === " " || line[i + 1] === "\t")) return i;
  }
  return -1;
}

function splitEscaped(text: string): string[] {
  const tokens: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && (text[i + 1] === " " || text[i + 1] === "#" || text[i + 1] === "\\")) {
      current += text[++i];
    } else if (c === "$" && text[i + 1] === "$") {
      current += "$";
      i++;
    } else if (c === " " || c === "\t") {
      if (current) tokens.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}
