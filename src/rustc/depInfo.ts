/**
 * rustc's dep-info file (`--emit=dep-info`), a Makefile fragment: one rule per output
 * (`out: src/lib.rs src/a.rs`), then an empty rule per source so make survives a deleted file,
 * then `# env-dep:` comments. Cargo reads only the FIRST rule's prerequisites (cargo
 * src/cargo/core/compiler/fingerprint/dep_info.rs, parse_rustc_dep_info); make reads every rule.
 * So extra prerequisites go into every rule. Pure.
 */

/** rustc escapes only spaces in dep-info paths (rustc_interface escape_dep_filename); so do we, so Cargo reads them back. */
export function escapeDepPath(path: string): string {
  return path.replace(/ /g, "\\ ");
}

/** The index of the `:` that ends a rule's targets (followed by a space or the line's end, not escaped), or -1. */
function ruleColon(line: string): number {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\") {
      i++;
      continue;
    }
    if (line[i] === ":" && (i + 1 === line.length || line[i + 1] === " ")) return i;
  }
  return -1;
}

/** Whitespace-separated words, `\ ` kept inside a word (as Cargo and make read them). */
function words(text: string): string[] {
  return text.match(/(?:\\.|[^\s\\])+/g) ?? [];
}

/**
 * `text` with `dependencies` added to every rule that has prerequisites, and an empty rule for
 * each one that was not mentioned yet. Dependencies already listed are not repeated, so adding
 * twice changes nothing.
 */
export function addDepInfoDependencies(text: string, dependencies: readonly string[]): string {
  const escaped = [...new Set(dependencies.map(escapeDepPath))];
  if (escaped.length === 0) return text;
  const lines = text.split("\n");
  const mentioned = new Set<string>();
  for (const line of lines) {
    if (line.startsWith("#")) continue;
    const colon = ruleColon(line);
    if (colon < 0) continue;
    for (const word of words(line.slice(0, colon))) mentioned.add(word);
    for (const word of words(line.slice(colon + 1))) mentioned.add(word);
  }
  const out = lines.map((line) => {
    if (line.startsWith("#")) return line;
    const colon = ruleColon(line);
    if (colon < 0 || words(line.slice(colon + 1)).length === 0) return line;
    const present = new Set(words(line.slice(colon + 1)));
    const extra = escaped.filter((d) => !present.has(d));
    return extra.length ? `${line} ${extra.join(" ")}` : line;
  });
  const phony = escaped.filter((d) => !mentioned.has(d)).map((d) => `${d}:`);
  if (phony.length === 0) return out.join("\n");
  // The empty rules go after rustc's own (before its `# env-dep:` comments, if any).
  const firstComment = out.findIndex((l) => l.startsWith("#"));
  const at = firstComment < 0 ? out.length - (out[out.length - 1] === "" ? 1 : 0) : firstComment;
  const before = out.slice(0, at);
  while (before.length && before[before.length - 1] === "") before.pop();
  const after = out.slice(at);
  return [...before, ...phony, ...(after.length && after[0] !== "" ? [""] : []), ...after].join("\n");
}

/** The prerequisites of the first rule: what Cargo takes from the file. Pure. */
export function firstRuleDependencies(text: string): string[] {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const colon = ruleColon(line);
    if (colon >= 0) return words(line.slice(colon + 1)).map((w) => w.replace(/\\ /g, " "));
  }
  return [];
}
