import { Ch, groupEnd, integerEnd, isDigit, isLetter, skipSpaces, stringEnd, unescapeIr, wordEnd } from "./lexer.js";
import type { IrAttributes } from "./types.js";

export function emptyAttributes(): IrAttributes {
  return { flags: new Set(), values: new Map() };
}

/** Attributes as written at one place: group references plus inline attributes. */
export interface RawAttributes {
  groups: number[] | null;
  inline: IrAttributes | null;
}

/**
 * Reads one attribute at `p` into `into` and returns the position after it, or -1 when `p` does
 * not start an attribute (the caller then decides what the token is).
 *
 * Forms: `#N`; `"key"="value"`; `"key"`; `word`; `word(args)`; `word=value` (alignstack=16 in
 * groups); `align N` (outside groups). `align` on a function header is alignment, not an
 * attribute: callers that know better handle it before calling this.
 */
export function readAttribute(s: string, p: number, into: RawAttributes): number {
  const c = s.charCodeAt(p);
  if (c === Ch.HASH) {
    const e = integerEnd(s, p + 1);
    if (e === p + 1) return -1;
    (into.groups ??= []).push(Number(s.slice(p + 1, e)));
    return e;
  }
  if (c === Ch.QUOTE) {
    const ke = stringEnd(s, p);
    if (ke < 0) return -1;
    const key = unescapeIr(s.slice(p + 1, ke - 1));
    const attrs = (into.inline ??= emptyAttributes());
    if (s.charCodeAt(ke) === Ch.EQ && s.charCodeAt(ke + 1) === Ch.QUOTE) {
      const ve = stringEnd(s, ke + 1);
      if (ve < 0) return -1;
      attrs.values.set(key, unescapeIr(s.slice(ke + 2, ve - 1)));
      return ve;
    }
    attrs.values.set(key, "");
    return ke;
  }
  if (!isLetter(c)) return -1;
  const we = wordEnd(s, p);
  const word = s.slice(p, we);
  const attrs = (into.inline ??= emptyAttributes());
  const next = s.charCodeAt(we);
  if (next === Ch.LPAREN) {
    const ge = groupEnd(s, we);
    if (ge < 0) return -1;
    attrs.values.set(word, s.slice(we + 1, ge - 1).trim());
    return ge;
  }
  if (next === Ch.EQ) {
    const vs = we + 1;
    let ve: number;
    if (s.charCodeAt(vs) === Ch.QUOTE) {
      ve = stringEnd(s, vs);
      if (ve < 0) return -1;
      attrs.values.set(word, unescapeIr(s.slice(vs + 1, ve - 1)));
    } else {
      ve = wordEnd(s, vs);
      attrs.values.set(word, s.slice(vs, ve));
    }
    return ve;
  }
  if (word === "align") {
    const q = skipSpaces(s, we);
    if (isDigit(s.charCodeAt(q))) {
      const e = integerEnd(s, q);
      attrs.values.set(word, s.slice(q, e));
      return e;
    }
  }
  attrs.flags.add(word);
  return we;
}

/**
 * Parses the body of `attributes #N = { … }` (the text between the braces).
 * Returns null when something in it is not an attribute.
 */
export function parseAttributeList(s: string, start: number, end: number): IrAttributes | null {
  const raw: RawAttributes = { groups: null, inline: null };
  let p = skipSpaces(s, start);
  while (p < end) {
    const q = readAttribute(s, p, raw);
    if (q < 0 || q > end) return null;
    p = skipSpaces(s, q);
  }
  return raw.inline ?? emptyAttributes();
}

export function mergeAttributes(target: IrAttributes, source: IrAttributes): void {
  for (const f of source.flags) target.flags.add(f);
  for (const [k, v] of source.values) target.values.set(k, v);
}

/**
 * Resolves group references: a lone group is shared as is (many call sites name the same group),
 * anything else gets its own merged object. Inline attributes win over group ones.
 */
export function resolveAttributes(
  raw: RawAttributes,
  groups: Map<number, IrAttributes>,
  empty: IrAttributes,
  onMissingGroup: (id: number) => never,
): IrAttributes {
  const { groups: refs, inline } = raw;
  if (refs === null) return inline ?? empty;
  if (refs.length === 1 && inline === null) {
    const g = groups.get(refs[0]!);
    if (!g) return onMissingGroup(refs[0]!);
    return g;
  }
  const merged = emptyAttributes();
  for (const id of refs) {
    const g = groups.get(id);
    if (!g) return onMissingGroup(id);
    mergeAttributes(merged, g);
  }
  if (inline) mergeAttributes(merged, inline);
  return merged;
}

/** True when the attribute is present as a flag or with a value (`uwtable` and `uwtable(sync)`). */
export function hasAttribute(attrs: IrAttributes, name: string): boolean {
  return attrs.flags.has(name) || attrs.values.has(name);
}
