import {
  C_AT,
  C_BANG,
  C_COMMA,
  C_DOLLAR,
  C_GT,
  C_LBRACE,
  C_LBRACKET,
  C_LPAREN,
  C_LT,
  C_PERCENT,
  C_QUOTE,
  C_RBRACE,
  C_RBRACKET,
  C_RPAREN,
  C_SEMI,
  groupEnd,
  isLetter,
  isNameChar,
  nameEnd,
  nameText,
  skipSpaces,
  stringEnd,
  wordEnd,
} from "./lexer.js";

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
    if (c === C_AT) {
      const e = nameEnd(s, p + 1);
      if (e < 0) return { end, openDepth: depth };
      if (e > p + 1) out(nameText(s, p + 1, e));
      p = e;
      continue;
    }
    if (c === C_QUOTE) {
      const e = stringEnd(s, p);
      if (e < 0) return { end, openDepth: depth };
      p = e;
      continue;
    }
    if (c === C_PERCENT || c === C_DOLLAR) {
      const e = nameEnd(s, p + 1);
      p = e < 0 ? end : Math.max(e, p + 1);
      continue;
    }
    if (c === C_BANG) {
      p = skipMetadata(s, p, end);
      continue;
    }
    if (isLetter(c)) {
      const we = wordEnd(s, p);
      const len = we - p;
      if (len === 12 && s.startsWith("blockaddress", p)) {
        // Skip `(@f`: the block operand that follows is a local label, never a reference.
        let q = skipSpaces(s, we);
        if (s.charCodeAt(q) === C_LPAREN) {
          depth++;
          q = skipSpaces(s, q + 1);
          if (s.charCodeAt(q) === C_AT) {
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
    if (c === C_LPAREN || c === C_LBRACKET || c === C_LBRACE || c === C_LT) depth++;
    else if (c === C_RPAREN || c === C_RBRACKET || c === C_RBRACE || c === C_GT) depth--;
    else if (c === C_COMMA && stopAtComma && depth === 0) return { end: p, openDepth: 0 };
    else if (c === C_SEMI) return { end: p, openDepth: depth };
    p++;
  }
  return { end: p, openDepth: depth };
}

/** Skips a metadata operand starting with `!`: `!12`, `!dbg`, `!"s"`, `!{…}`, `!DIKind(…)`. */
function skipMetadata(s: string, p: number, end: number): number {
  let q = p + 1;
  const c = s.charCodeAt(q);
  if (c === C_QUOTE) {
    const e = stringEnd(s, q);
    return e < 0 ? end : e;
  }
  if (c === C_LBRACE) {
    const e = groupEnd(s, q);
    return e < 0 ? end : e;
  }
  while (isNameChar(s.charCodeAt(q))) q++;
  if (s.charCodeAt(q) === C_LPAREN) {
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
    if (c === C_QUOTE) {
      const e = stringEnd(s, p);
      if (e < 0) return end;
      p = e;
      continue;
    }
    if (c === C_LPAREN || c === C_LBRACKET || c === C_LBRACE || c === C_LT) depth++;
    else if (c === C_RPAREN || c === C_RBRACKET || c === C_RBRACE || c === C_GT) {
      if (depth === 0) return p;
      depth--;
    } else if (c === C_COMMA && depth === 0) return p;
    else if (c === C_SEMI) return p;
    p++;
  }
  return p;
}
