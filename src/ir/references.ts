import { Ch, groupEnd, isLetter, isNameChar, nameEnd, nameText, skipSpaces, stringEnd, wordEnd } from "./lexer.js";

/** What {@link scanReferences} found. */
export interface ScanResult {
  /** Where the scan stopped. */
  end: number;
  /** Brackets still open at the end of the text: the construct continues on the next line. */
  openDepth: number;
}

/**
 * Collects every `@name` used as a value in `s[p, end)`: operands, constant expressions,
 * initializers. Not collected, because LLVM does not count them as uses of the value:
 * - metadata (`!{ptr @f}`, `!DIExpression(…)`, `!"…"`) and `metadata …` call arguments;
 * - the function operand of `blockaddress(@f, %bb)`, which names a block, not the address of `@f`.
 * Stops at a `;` comment, or at a comma outside brackets when `stopAtComma` is set.
 */
export function scanReferences(
  s: string,
  p: number,
  end: number,
  out: (name: string) => void,
  stopAtComma = false,
): ScanResult {
  let depth = 0;
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c === Ch.AT) {
      const e = nameEnd(s, p + 1);
      if (e < 0) return { end, openDepth: depth };
      if (e > p + 1) out(nameText(s, p + 1, e));
      p = e;
      continue;
    }
    if (c === Ch.QUOTE) {
      const e = stringEnd(s, p);
      if (e < 0) return { end, openDepth: depth };
      p = e;
      continue;
    }
    if (c === Ch.PERCENT || c === Ch.DOLLAR) {
      const e = nameEnd(s, p + 1);
      p = e < 0 ? end : Math.max(e, p + 1);
      continue;
    }
    if (c === Ch.BANG) {
      p = skipMetadata(s, p, end);
      continue;
    }
    if (isLetter(c)) {
      const we = wordEnd(s, p);
      const len = we - p;
      if (len === 12 && s.startsWith("blockaddress", p)) {
        // Skip `(@f`: the block operand that follows is a local label, never a reference.
        let q = skipSpaces(s, we);
        if (s.charCodeAt(q) === Ch.LPAREN) {
          depth++;
          q = skipSpaces(s, q + 1);
          if (s.charCodeAt(q) === Ch.AT) {
            const e = nameEnd(s, q + 1);
            q = e < 0 ? end : e;
          }
        }
        p = q;
        continue;
      }
      if (len === 8 && s.startsWith("metadata", p)) {
        p = skipToOperandEnd(s, we, end);
        continue;
      }
      p = we;
      continue;
    }
    if (c === Ch.LPAREN || c === Ch.LBRACKET || c === Ch.LBRACE || c === Ch.LT) depth++;
    else if (c === Ch.RPAREN || c === Ch.RBRACKET || c === Ch.RBRACE || c === Ch.GT) depth--;
    else if (c === Ch.COMMA && stopAtComma && depth === 0) return { end: p, openDepth: 0 };
    else if (c === Ch.SEMI) return { end: p, openDepth: depth };
    p++;
  }
  return { end: p, openDepth: depth };
}

/** Skips a metadata operand starting with `!`: `!12`, `!dbg`, `!"s"`, `!{…}`, `!DIKind(…)`. */
function skipMetadata(s: string, p: number, end: number): number {
  let q = p + 1;
  const c = s.charCodeAt(q);
  if (c === Ch.QUOTE) {
    const e = stringEnd(s, q);
    return e < 0 ? end : e;
  }
  if (c === Ch.LBRACE) {
    const e = groupEnd(s, q);
    return e < 0 ? end : e;
  }
  while (isNameChar(s.charCodeAt(q))) q++;
  if (s.charCodeAt(q) === Ch.LPAREN) {
    const e = groupEnd(s, q);
    return e < 0 ? end : e;
  }
  return q;
}

/** After the word `metadata` in an argument list: skips the operand up to its `,` or `)`. */
function skipToOperandEnd(s: string, p: number, end: number): number {
  let depth = 0;
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c === Ch.QUOTE) {
      const e = stringEnd(s, p);
      if (e < 0) return end;
      p = e;
      continue;
    }
    if (c === Ch.LPAREN || c === Ch.LBRACKET || c === Ch.LBRACE || c === Ch.LT) depth++;
    else if (c === Ch.RPAREN || c === Ch.RBRACKET || c === Ch.RBRACE || c === Ch.GT) {
      if (depth === 0) return p;
      depth--;
    } else if (c === Ch.COMMA && depth === 0) return p;
    else if (c === Ch.SEMI) return p;
    p++;
  }
  return p;
}
