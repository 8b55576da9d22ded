import { Ch, groupEnd, isLetter, nameEnd, nameText, readAttachment, skipSpaces, splitTopLevel, stringEnd, unescapeIr, wordEnd } from "./lexer.js";
import { applyPrefixWord, newLinkagePrefix, type LinkagePrefix } from "./linkage.js";
import { scanReferences } from "./references.js";
import { SyntaxProblem } from "./errors.js";
import { typeEnd } from "./syntax.js";

export interface GlobalVariableLine {
  kind: "global";
  name: string;
  prefix: LinkagePrefix;
  isConstant: boolean;
  externallyInitialized: boolean;
  hasInitializer: boolean;
  /** [start, end) of the initializer in the line, when there is one. */
  initializer?: [number, number];
  references: string[];
  section?: string;
  comdat?: string;
  dbg?: string;
}

export interface AliasLine {
  kind: "alias" | "ifunc";
  name: string;
  prefix: LinkagePrefix;
  /** The target when it is a plain `@name`. */
  target: string | null;
  references: string[];
}

/** The line continues on the next one: a bracket is still open. */
export const GLOBAL_INCOMPLETE = "incomplete";

/**
 * Parses `@name = …` (a global variable, alias or ifunc). `joined`: the text was put together
 * from several lines, so it is not in llvm-dis's layout.
 */
export function parseGlobalLine(s: string, joined: boolean): GlobalVariableLine | AliasLine | typeof GLOBAL_INCOMPLETE {
  const ne = nameEnd(s, 1);
  if (ne < 0) throw new SyntaxProblem("unterminated quoted global name");
  if (ne === 1) throw new SyntaxProblem("empty global name");
  const name = nameText(s, 1, ne);
  let p = skipSpaces(s, ne);
  if (s.charCodeAt(p) !== 61) throw new SyntaxProblem(`expected = after @${name}`);

  const prefix = newLinkagePrefix();
  let externallyInitialized = false;
  let kind: string | undefined;
  p++;
  while (kind === undefined) {
    p = skipSpaces(s, p);
    if (!isLetter(s.charCodeAt(p))) throw new SyntaxProblem(`expected global, constant or alias in the definition of @${name}`);
    const we = wordEnd(s, p);
    if (s.charCodeAt(we) === Ch.LPAREN) {
      // thread_local(initialexec) is kept; addrspace(N) and unknown words with arguments are not.
      const ge = groupEnd(s, we);
      if (ge < 0) return GLOBAL_INCOMPLETE;
      if (we - p === 12 && s.startsWith("thread_local", p)) applyPrefixWord(prefix, s.slice(p, ge));
      p = ge;
      continue;
    }
    // Compared in place, by length first: a crate has thousands of these lines.
    const len = we - p;
    if (len === 8 && s.startsWith("constant", p)) kind = "constant";
    else if (len === 6 && s.startsWith("global", p)) kind = "global";
    else if (len === 7 && s.startsWith("private", p)) prefix.linkage = "private";
    else if (len === 12 && s.startsWith("unnamed_addr", p)) prefix.unnamedAddr = "unnamed_addr";
    else if (len === 5 && s.startsWith("alias", p)) kind = "alias";
    else if (len === 5 && s.startsWith("ifunc", p)) kind = "ifunc";
    else if (len === 22 && s.startsWith("externally_initialized", p)) externallyInitialized = true;
    else applyPrefixWord(prefix, s.slice(p, we));
    p = we;
  }

  const ts = skipSpaces(s, p);
  let te = typeEnd(s, ts);
  if (te < 0) throw new SyntaxProblem(`expected a type in the definition of @${name}`);
  p = skipSpaces(s, te);
  if ((kind === "alias" || kind === "ifunc") && s.charCodeAt(p) === Ch.LPAREN) {
    // `alias i32 (i32), ptr @f`: the value type of an alias to a function is a function type.
    te = groupEnd(s, p);
    if (te < 0) return GLOBAL_INCOMPLETE;
    p = skipSpaces(s, te);
  }

  if (kind === "alias" || kind === "ifunc") {
    if (s.charCodeAt(p) !== Ch.COMMA) throw new SyntaxProblem(`expected , after the type of ${kind} @${name}`);
    const vs = skipSpaces(s, p + 1);
    const vte = typeEnd(s, vs);
    const v = vte < 0 ? vs : skipSpaces(s, vte);
    const references: string[] = [];
    const scan = scanReferences(s, v, s.length, (n) => references.push(n), true);
    if (scan.openDepth > 0) return GLOBAL_INCOMPLETE;
    let target: string | null = null;
    if (s.charCodeAt(v) === Ch.AT) {
      const e = nameEnd(s, v + 1);
      if (skipSpaces(s, e) === scan.end || s.charCodeAt(skipSpaces(s, e)) === Ch.COMMA) target = nameText(s, v + 1, e);
    }
    return { kind, name, prefix, target, references };
  }

  const line: GlobalVariableLine = {
    kind: "global",
    name,
    prefix,
    isConstant: kind === "constant",
    externallyInitialized,
    hasInitializer: false,
    references: [],
  };
  const c = s.charCodeAt(p);
  if (p < s.length && c !== Ch.COMMA && c !== Ch.BANG && c !== 59 && c !== 35) {
    let end = joined ? -1 : printedInitializerEnd(s, p);
    if (end >= 0) {
      if (s.indexOf("@", p) >= 0) initializerReferences(s, p, end, line.references);
    } else {
      const scan = scanReferences(s, p, s.length, (n) => line.references.push(n), true);
      if (scan.openDepth > 0) return GLOBAL_INCOMPLETE;
      end = scan.end;
    }
    line.hasInitializer = true;
    line.initializer = [p, end];
    p = end;
  }
  readGlobalTail(s, p, line);
  return line;
}

/** What may follow an initializer, in the order llvm-dis prints it (AsmWriter::printGlobal). */
const GLOBAL_TAIL = /, (?:section "|partition "|code_model "|no_sanitize_|sanitize_|comdat|align \d|!)/g;

/**
 * End of the initializer at `p` in a line as llvm-dis prints it, found with native searches: the
 * first tail item outside strings. The initializers of a Rust crate's tables run to hundreds of
 * kilobytes, and walking them a character at a time is the slow part of reading globals.
 * -1 when the line may continue on the next one (hand-written text): the caller scans instead.
 */
function printedInitializerEnd(s: string, p: number): number {
  if (hasComment(s, p)) return -1;
  let end = s.length;
  let from = p; // outside any string
  GLOBAL_TAIL.lastIndex = p;
  for (let m = GLOBAL_TAIL.exec(s); m !== null; m = GLOBAL_TAIL.exec(s)) {
    const close = stringContaining(s, from, m.index);
    if (close < 0) {
      end = m.index;
      break;
    }
    from = close;
    GLOBAL_TAIL.lastIndex = close;
  }
  // A bracketed initializer must end with its closing bracket, or the line is not all of it.
  let last = end - 1;
  while (last > p && (s.charCodeAt(last) === 32 || s.charCodeAt(last) === 9)) last--;
  const open = s.charCodeAt(p);
  const close = s.charCodeAt(last);
  if (open === 91 /* [ */ && close !== 93) return -1;
  if (open === Ch.LBRACE && close !== 125) return -1;
  if (open === 60 /* < */ && close !== 62) return -1;
  if (close === 91 || close === Ch.LBRACE || close === Ch.LPAREN || close === 60 || close === Ch.COMMA) return -1;
  return end;
}

/** A `;` outside strings: a comment, which llvm-dis never prints after a global. */
function hasComment(s: string, p: number): boolean {
  for (let semi = s.indexOf(";", p); semi >= 0; semi = s.indexOf(";", p)) {
    const close = stringContaining(s, p, semi);
    if (close < 0) return true;
    p = close;
  }
  return false;
}

/** When `at` is inside a string that starts at or after `from`: the position after it; else -1. */
function stringContaining(s: string, from: number, at: number): number {
  let quote = s.indexOf('"', from);
  while (quote >= 0 && quote < at) {
    const close = s.indexOf('"', quote + 1);
    if (close < 0) return s.length;
    if (close > at) return close + 1;
    quote = s.indexOf('"', close + 1);
  }
  return -1;
}

/**
 * The `@names` of an initializer, found by jumping from `@` to `@` and over strings with native
 * searches. Initializers hold no metadata; the function of a `blockaddress` is not a use.
 */
function initializerReferences(s: string, p: number, end: number, out: string[]): void {
  let q = p;
  while (q < end) {
    const at = s.indexOf("@", q);
    if (at < 0 || at >= end) return;
    const close = stringContaining(s, q, at);
    if (close >= 0) {
      q = close;
      continue;
    }
    const e = nameEnd(s, at + 1);
    if (e < 0) return;
    if (e > at + 1 && !isBlockaddressFunction(s, at)) out.push(nameText(s, at + 1, e));
    q = e;
  }
}

/** True when the `@` at `at` is the first operand of `blockaddress(`. */
function isBlockaddressFunction(s: string, at: number): boolean {
  let q = at - 1;
  while (q >= 0 && (s.charCodeAt(q) === 32 || s.charCodeAt(q) === 9)) q--;
  if (s.charCodeAt(q) !== Ch.LPAREN) return false;
  q--;
  while (q >= 0 && (s.charCodeAt(q) === 32 || s.charCodeAt(q) === 9)) q--;
  return q >= 11 && s.startsWith("blockaddress", q - 11);
}

/** Position of the next comma outside brackets and strings, or the end of the line. */
function nextTopLevelComma(s: string, p: number): number {
  const n = s.length;
  let depth = 0;
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c === Ch.QUOTE) {
      const q = s.indexOf('"', p + 1);
      if (q < 0) return n;
      p = q + 1;
      continue;
    }
    if (c === Ch.LPAREN || c === 91 || c === Ch.LBRACE || c === 60) depth++;
    else if (c === 41 || c === 93 || c === 125 || c === 62) depth--;
    else if (c === Ch.COMMA && depth === 0) return p;
    p++;
  }
  return n;
}

/** `, section "x", comdat($c), align 8, !dbg !0` and friends after the initializer. */
function readGlobalTail(s: string, p: number, line: GlobalVariableLine): void {
  const n = s.length;
  while (p < n) {
    p = skipSpaces(s, p);
    const c = s.charCodeAt(p);
    if (c === Ch.COMMA) {
      p++;
      continue;
    }
    if (c === Ch.BANG) {
      const att = readAttachment(s, p);
      if (!att) return;
      if (att.kind === "dbg" && line.dbg === undefined) line.dbg = att.value;
      p = att.end;
      continue;
    }
    if (!isLetter(c)) {
      // `#N` attribute groups, or anything newer: skip to the next item.
      const e = nextTopLevelComma(s, p);
      p = e > p ? e : p + 1;
      continue;
    }
    const we = wordEnd(s, p);
    if (we - p === 7 && s.startsWith("section", p)) {
      const q = skipSpaces(s, we);
      const e = s.charCodeAt(q) === Ch.QUOTE ? stringEnd(s, q) : -1;
      if (e < 0) throw new SyntaxProblem(`expected a string after section in the definition of @${line.name}`);
      line.section = unescapeIr(s.slice(q + 1, e - 1));
      p = e;
    } else if (we - p === 6 && s.startsWith("comdat", p)) {
      const q = skipSpaces(s, we);
      if (s.charCodeAt(q) === Ch.LPAREN) {
        const d = skipSpaces(s, q + 1);
        if (s.charCodeAt(d) !== Ch.DOLLAR) throw new SyntaxProblem(`expected comdat($name) in the definition of @${line.name}`);
        const de = nameEnd(s, d + 1);
        line.comdat = nameText(s, d + 1, de);
        p = groupEnd(s, q);
        if (p < 0) p = n;
      } else {
        line.comdat = line.name;
        p = we;
      }
    } else {
      // align 8, partition "x", code_model "large", no_sanitize_address, …
      const e = nextTopLevelComma(s, we);
      p = e > we ? e : we;
    }
  }
}

/**
 * Members of `@llvm.used`/`@llvm.compiler.used`: every `@name` of the initializer.
 * Members of `@llvm.global_ctors`/`dtors`: the function (second field) of each `{ i32, ptr, ptr }`.
 */
export function structorFunctions(s: string, initializer: [number, number]): string[] {
  const out: string[] = [];
  const [start, end] = initializer;
  const open = s.indexOf("[", start);
  if (open < 0 || open >= end) return out; // zeroinitializer
  const close = groupEnd(s, open);
  for (const [a, b] of splitTopLevel(s, open + 1, close < 0 ? end : close - 1)) {
    const te = typeEnd(s, a);
    const brace = te < 0 ? -1 : skipSpaces(s, te);
    if (brace < 0 || brace >= b || s.charCodeAt(brace) !== Ch.LBRACE) continue;
    const be = groupEnd(s, brace);
    const fields = splitTopLevel(s, brace + 1, be < 0 ? b : be - 1);
    const field = fields[1];
    if (!field) continue;
    scanReferences(s, field[0], field[1], (n) => out.push(n));
  }
  return out;
}
