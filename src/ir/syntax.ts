import { Ch, groupEnd, integerEnd, isDigit, isNameChar, isLetter, isSpace, nameEnd, skipSpaces, stringEnd, wordEnd } from "./lexer.js";

/**
 * True when `s[p, end)` is a word that starts a type: `i32`, `ptr`, `void`, `target`, … Decided on
 * the characters in place: this runs for every word before a call's type, and slicing each one
 * would make garbage.
 */
export function isTypeWord(s: string, p: number, end: number): boolean {
  const len = end - p;
  switch (s.charCodeAt(p)) {
    case 105: {
      // i1, i32, i128
      if (len < 2) return false;
      for (let q = p + 1; q < end; q++) if (!isDigit(s.charCodeAt(q))) return false;
      return true;
    }
    case 112: // p
      return (len === 3 && s.startsWith("ptr", p)) || (len === 9 && s.startsWith("ppc_fp128", p));
    case 118: // v
      return len === 4 && s.startsWith("void", p);
    case 102: // f
      return len === 5 && (s.startsWith("float", p) || s.startsWith("fp128", p));
    case 100: // d
      return len === 6 && s.startsWith("double", p);
    case 104: // h
      return len === 4 && s.startsWith("half", p);
    case 98: // b
      return len === 6 && s.startsWith("bfloat", p);
    case 120: // x
      return (len === 8 && s.startsWith("x86_fp80", p)) || (len === 7 && (s.startsWith("x86_amx", p) || s.startsWith("x86_mmx", p)));
    case 108: // l
      return len === 5 && s.startsWith("label", p);
    case 109: // m
      return len === 8 && s.startsWith("metadata", p);
    case 116: // t
      return (len === 5 && s.startsWith("token", p)) || (len === 6 && s.startsWith("target", p));
    case 111: // o
      return len === 6 && s.startsWith("opaque", p);
    default:
      return false;
  }
}

/**
 * Position after the type starting at `p`, or -1 when no type starts there. A function type's
 * parameter list is not included: callers that accept one check for `(` themselves.
 */
export function typeEnd(s: string, p: number): number {
  const c = s.charCodeAt(p);
  let q: number;
  if (c === Ch.PERCENT) {
    q = nameEnd(s, p + 1);
    if (q <= p + 1) return -1;
  } else if (c === Ch.LBRACE || c === Ch.LBRACKET || c === Ch.LT) {
    q = groupEnd(s, p);
    if (q < 0) return -1;
  } else if (isLetter(c)) {
    const we = wordEnd(s, p);
    if (!isTypeWord(s, p, we)) return -1;
    q = we;
    const len = we - p;
    if (len === 3 && s.startsWith("ptr", p)) {
      // `ptr addrspace(N)` is one type.
      const r = skipSpaces(s, q);
      if (s.startsWith("addrspace(", r)) {
        const g = groupEnd(s, r + 9);
        if (g > 0) q = g;
      }
    } else if (len === 6 && s.startsWith("target", p)) {
      const r = skipSpaces(s, q);
      if (s.charCodeAt(r) === Ch.LPAREN) {
        const g = groupEnd(s, r);
        if (g > 0) q = g;
      }
    }
  } else {
    return -1;
  }
  // Typed pointers (`i8*`) predate LLVM 17; accept the stars so old text still splits correctly.
  while (s.charCodeAt(q) === Ch.STAR) q++;
  return q;
}

/**
 * A type text with whitespace outside quoted names removed, so that two spellings of one type
 * compare equal: `{ i32, ptr }` and `{i32,ptr}`.
 */
export function normalizeType(t: string): string {
  let hasSpace = false;
  for (let i = 0; i < t.length; i++) {
    if (isSpace(t.charCodeAt(i))) {
      hasSpace = true;
      break;
    }
  }
  if (!hasSpace) return t;
  let out = "";
  let i = 0;
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if (c === Ch.QUOTE) {
      const e = stringEnd(t, i);
      const end = e < 0 ? t.length : e;
      out += t.slice(i, end);
      i = end;
      continue;
    }
    if (!isSpace(c)) out += t[i];
    i++;
  }
  return out;
}

/** Words that start a constant expression whose operands follow (after optional flag words). */
const CONSTANT_EXPRESSION_WORDS = new Set([
  "getelementptr",
  "bitcast",
  "ptrtoint",
  "inttoptr",
  "addrspacecast",
  "trunc",
  "zext",
  "sext",
  "add",
  "sub",
  "mul",
  "xor",
  "shl",
  "icmp",
  "select",
  "extractelement",
  "insertelement",
  "shufflevector",
  "dso_local_equivalent",
  "no_cfi",
  "blockaddress",
  "ptrauth",
]);

/**
 * Position after the constant operand at `p` (no type): `@f`, `%x`, `null`, `42`, `c"…"`,
 * `{ … }`, `getelementptr inbounds (…)`, `dso_local_equivalent @f`. -1 when none is there.
 */
export function constantEnd(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c === Ch.AT || c === Ch.PERCENT) {
    const e = nameEnd(s, p + 1);
    return e <= p + 1 ? -1 : e;
  }
  if (c === Ch.LBRACE || c === Ch.LBRACKET || c === Ch.LT || c === Ch.LPAREN) return groupEnd(s, p);
  if (c === Ch.QUOTE) return stringEnd(s, p);
  if (c === Ch.BANG) {
    let q = p + 1;
    if (s.charCodeAt(q) === Ch.QUOTE) return stringEnd(s, q);
    if (s.charCodeAt(q) === Ch.LBRACE) return groupEnd(s, q);
    while (isNameChar(s.charCodeAt(q))) q++;
    return s.charCodeAt(q) === Ch.LPAREN ? groupEnd(s, q) : q;
  }
  if (isLetter(c)) {
    let q = wordEnd(s, p);
    if (q - p === 1 && c === 99 /* c"…" */ && s.charCodeAt(q) === Ch.QUOTE) return stringEnd(s, q);
    if (!CONSTANT_EXPRESSION_WORDS.has(s.slice(p, q))) return q;
    for (;;) {
      const r = skipSpaces(s, q);
      const d = s.charCodeAt(r);
      if (d === Ch.LPAREN) return groupEnd(s, r);
      if (d === Ch.AT) return nameEnd(s, r + 1);
      if (!isLetter(d)) return q;
      q = wordEnd(s, r);
    }
  }
  // Numbers: integers, decimal and hexadecimal floats.
  let q = integerEnd(s, p);
  if (q === p && s.charCodeAt(p) !== 48) return -1;
  while (isNameChar(s.charCodeAt(q)) || s.charCodeAt(q) === 43 /* + */) q++;
  return q;
}
