/**
 * Character-level scanning of one line of LLVM IR text. Every function takes the text and a
 * position and returns a position, so callers walk a line once without building token arrays:
 * the reader runs over multi-megabyte modules in a tool's hot path.
 *
 * Strings and quoted names never contain a raw `"`: LLVM writes it as `\22`, so the end of a
 * string is always the next quote.
 */

export const Ch = {
  TAB: 9,
  SPACE: 32,
  BANG: 33,
  QUOTE: 34,
  HASH: 35,
  DOLLAR: 36,
  PERCENT: 37,
  LPAREN: 40,
  RPAREN: 41,
  STAR: 42,
  COMMA: 44,
  MINUS: 45,
  DOT: 46,
  DIGIT_0: 48,
  DIGIT_9: 57,
  COLON: 58,
  SEMI: 59,
  LT: 60,
  EQ: 61,
  GT: 62,
  AT: 64,
  LBRACKET: 91,
  BACKSLASH: 92,
  RBRACKET: 93,
  CARET: 94,
  UNDERSCORE: 95,
  LBRACE: 123,
  RBRACE: 125,
} as const;

export function isDigit(c: number): boolean {
  return c >= Ch.DIGIT_0 && c <= Ch.DIGIT_9;
}

export function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === Ch.UNDERSCORE;
}

/** Characters of an unquoted `@name`, `%name`, `$name`, `!name` or label: [-a-zA-Z$._0-9]. */
export function isNameChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= Ch.DIGIT_0 && c <= Ch.DIGIT_9) ||
    c === Ch.UNDERSCORE ||
    c === Ch.DOT ||
    c === Ch.MINUS ||
    c === Ch.DOLLAR
  );
}

/** Characters of a keyword: keywords never contain `-` or `$`, which start values and names. */
export function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= Ch.DIGIT_0 && c <= Ch.DIGIT_9) || c === Ch.UNDERSCORE || c === Ch.DOT;
}

export function skipSpaces(s: string, p: number): number {
  let c = s.charCodeAt(p);
  while (c === Ch.SPACE || c === Ch.TAB || c === 13) c = s.charCodeAt(++p);
  return p;
}

// Sticky regular expressions rather than charCodeAt loops: the reader mostly runs once per
// process, before V8 optimizes its loops, and the regular expression engine is native code.
const WORD = /[A-Za-z0-9_.]*/y;
const BARE_NAME = /[-A-Za-z0-9_.$]*/y;

export function wordEnd(s: string, p: number): number {
  if (p >= s.length) return p;
  WORD.lastIndex = p;
  WORD.test(s);
  return WORD.lastIndex;
}

/** Position after the closing quote of the string whose opening quote is at `p`, or -1. */
export function stringEnd(s: string, p: number): number {
  const q = s.indexOf('"', p + 1);
  return q < 0 ? -1 : q + 1;
}

/** Position after a name whose first character (after the sigil) is at `p`: quoted or bare. */
export function nameEnd(s: string, p: number): number {
  if (s.charCodeAt(p) === Ch.QUOTE) return stringEnd(s, p);
  if (p >= s.length) return p;
  BARE_NAME.lastIndex = p;
  BARE_NAME.test(s);
  return BARE_NAME.lastIndex;
}

/** The name at `p` (after the sigil), unquoted and unescaped; `end` from {@link nameEnd}. */
export function nameText(s: string, p: number, end: number): string {
  if (s.charCodeAt(p) === Ch.QUOTE) return unescapeIr(s.slice(p + 1, end - 1));
  return s.slice(p, end);
}

function isHex(c: number): boolean {
  return (c >= Ch.DIGIT_0 && c <= Ch.DIGIT_9) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

const utf8 = new TextDecoder("utf-8");
const utf8Encoder = new TextEncoder();

/**
 * Decodes LLVM's string escapes: `\XX` is a byte, `\\` a backslash. The bytes are UTF-8 (LLVM
 * escapes every byte ≥ 0x80 of a name), so they are decoded as UTF-8.
 */
export function unescapeIr(raw: string): string {
  if (raw.indexOf("\\") < 0) return raw;
  const bytes: number[] = [];
  let nonAscii = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === Ch.BACKSLASH) {
      const a = raw.charCodeAt(i + 1);
      if (a === Ch.BACKSLASH) {
        bytes.push(Ch.BACKSLASH);
        i++;
        continue;
      }
      const b = raw.charCodeAt(i + 2);
      if (isHex(a) && isHex(b)) {
        const v = parseInt(raw.slice(i + 1, i + 3), 16);
        if (v >= 0x80) nonAscii = true;
        bytes.push(v);
        i += 2;
        continue;
      }
      bytes.push(c);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      nonAscii = true;
      for (const b of utf8Encoder.encode(raw[i]!)) bytes.push(b);
    }
  }
  if (!nonAscii) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode(...bytes.slice(i, i + 4096));
    return out;
  }
  return utf8.decode(Uint8Array.from(bytes));
}

/**
 * One walk over brackets from `p`, skipping strings: with `untilClosed`, the position after the
 * group opened at `p` (or -1 when the line ends first); without, the depth at the end of the line
 * (`;` comments skipped; -1 for an unterminated string). All four kinds — `(`, `[`, `{`, `<` —
 * nest in one counter: in IR text they are always balanced.
 */
function scanBrackets(s: string, p: number, untilClosed: boolean): number {
  let depth = 0;
  const n = s.length;
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c === Ch.QUOTE) {
      p = stringEnd(s, p);
      if (p < 0) return -1;
      continue;
    }
    if (!untilClosed && c === Ch.SEMI) break;
    if (c === Ch.LPAREN || c === Ch.LBRACKET || c === Ch.LBRACE || c === Ch.LT) depth++;
    else if (c === Ch.RPAREN || c === Ch.RBRACKET || c === Ch.RBRACE || c === Ch.GT) {
      if (--depth === 0 && untilClosed) return p + 1;
    }
    p++;
  }
  return untilClosed ? -1 : depth;
}

/** Position after the bracket group opened at `p`, or -1 when the line ends first. */
export function groupEnd(s: string, p: number): number {
  return scanBrackets(s, p, true);
}

/** Bracket depth at the end of `s` from `p`; positive: the construct continues on the next line. */
export function openDepth(s: string, p: number): number {
  return scanBrackets(s, p, false);
}

/** Splits `s[start, end)` at commas outside brackets and strings: [start, end) pairs, trimmed. */
export function splitTopLevel(s: string, start: number, end: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let partStart = start;
  let p = start;
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c === Ch.QUOTE) {
      const q = stringEnd(s, p);
      if (q < 0 || q > end) break;
      p = q;
      continue;
    }
    if (c === Ch.LPAREN || c === Ch.LBRACKET || c === Ch.LBRACE || c === Ch.LT) depth++;
    else if (c === Ch.RPAREN || c === Ch.RBRACKET || c === Ch.RBRACE || c === Ch.GT) depth--;
    else if (c === Ch.COMMA && depth === 0) {
      pushTrimmed(s, parts, partStart, p);
      partStart = p + 1;
    }
    p++;
  }
  pushTrimmed(s, parts, partStart, end);
  return parts;
}

function pushTrimmed(s: string, parts: Array<[number, number]>, a: number, b: number): void {
  a = skipSpaces(s, a);
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  if (b > a) parts.push([a, b]);
}

export function isSpace(c: number): boolean {
  return c === Ch.SPACE || c === Ch.TAB || c === 13;
}

/** Position after a decimal integer (optionally negative) at `p`; `p` when there is none. */
export function integerEnd(s: string, p: number): number {
  let q = p;
  if (s.charCodeAt(q) === Ch.MINUS) q++;
  const digitsStart = q;
  while (isDigit(s.charCodeAt(q))) q++;
  return q === digitsStart ? p : q;
}

/** A metadata attachment `!kind !N` (or `!kind !{…}` / `!kind !DIKind(…)`). */
export interface Attachment {
  kind: string;
  /** The operand as written: `!12`, `!DILocation(…)`. */
  value: string;
  end: number;
}

/** Reads the attachment whose `!` is at `p`; null when the text there is not one. */
export function readAttachment(s: string, p: number): Attachment | null {
  const ke = nameEnd(s, p + 1);
  if (ke <= p + 1) return null;
  const kind = nameText(s, p + 1, ke);
  const v = skipSpaces(s, ke);
  if (s.charCodeAt(v) !== Ch.BANG) return null;
  let e = v + 1;
  if (s.charCodeAt(e) === Ch.LBRACE) e = groupEnd(s, e);
  else {
    while (isNameChar(s.charCodeAt(e))) e++;
    if (s.charCodeAt(e) === Ch.LPAREN) e = groupEnd(s, e);
  }
  if (e < 0) return null;
  return { kind, value: s.slice(v, e), end: e };
}
