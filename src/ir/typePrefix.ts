import { Ch, groupEnd, isLetter, skipSpaces, wordEnd } from "./lexer.js";
import { isTypeWord } from "./syntax.js";

/** What a caller of `skipToType` does at the words and marks its construct allows before the type. */
export interface TypePrefixHooks {
  /** End of a quoted attribute starting at `p` (-1: unterminated). */
  stringEnd(s: string, p: number): number;
  /** Thrown for an unterminated string. */
  unterminated(): Error;
  /** A word at [p, end) that is not a type and has no `(…)` argument: returns where to go on. */
  word(p: number, end: number): number;
  /** `!` at `p` (a metadata attachment), where the construct allows one: returns where to go on. */
  bang?(p: number): number;
}

/**
 * Walks the words before a type — linkage, calling convention, return attributes, fast-math flags,
 * `align N`, `range(…)`, string attributes — as function headers and calls both start, and returns
 * where the type starts: -1 when the line ends first (the construct continues on the next line).
 */
export function skipToType(s: string, p: number, hooks: TypePrefixHooks): number {
  while (p < s.length) {
    p = skipSpaces(s, p);
    const c = s.charCodeAt(p);
    if (c === 33 && hooks.bang) {
      p = hooks.bang(p);
      continue;
    }
    if (c === Ch.QUOTE) {
      const e = hooks.stringEnd(s, p);
      if (e < 0) throw hooks.unterminated();
      p = e;
      continue;
    }
    if (!isLetter(c)) return p < s.length ? p : -1;
    const we = wordEnd(s, p);
    if (isTypeWord(s, p, we)) return p;
    if (s.charCodeAt(we) === Ch.LPAREN) {
      // range(i32 0, 2), dereferenceable(8), addrspace(1)
      const ge = groupEnd(s, we);
      if (ge < 0) return -1;
      p = ge;
      continue;
    }
    p = hooks.word(p, we);
  }
  return -1;
}
