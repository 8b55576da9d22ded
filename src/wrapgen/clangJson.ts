/**
 * clang's JSON AST dump (pure). With `-ast-dump-filter`, clang 22 prints one JSON object per
 * matching declaration, one after another with no separator: not one JSON document.
 */

/** A node of clang's JSON dump: every node has `kind`, most have `inner`. */
export interface AstNode {
  id?: string;
  kind: string;
  name?: string;
  type?: { qualType: string; desugaredQualType?: string; typeAliasDeclId?: string };
  inner?: AstNode[];
  [key: string]: unknown;
}

/** Splits text holding several JSON objects in a row into the parsed objects. */
export function parseConcatenatedJson(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      if (depth < 0) throw new SyntaxError(`unbalanced JSON at offset ${i}`);
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && c > 0x20) {
      throw new SyntaxError(`text outside a JSON value at offset ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new SyntaxError("the JSON text ends inside a value");
  return values;
}

export function isAstNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
}
