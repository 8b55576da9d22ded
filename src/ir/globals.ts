import {
  C_AT,
  C_BANG,
  C_COMMA,
  C_DOLLAR,
  C_LBRACE,
  C_LPAREN,
  C_QUOTE,
  groupEnd,
  isLetter,
  nameEnd,
  nameText,
  readAttachment,
  skipSpaces,
  splitTopLevel,
  stringEnd,
  topLevelEnd,
  unescapeIr,
  wordEnd,
} from "./lexer.js";
import { applyPrefixWord, newLinkagePrefix, type LinkagePrefix } from "./linkage.js";
import { scanReferences } from "./references.js";
import { SyntaxProblem } from "./functions.js";
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

/** Parses `@name = …` (a global variable, alias or ifunc). */
export function parseGlobalLine(s: string): GlobalVariableLine | AliasLine | typeof GLOBAL_INCOMPLETE {
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
    if (s.charCodeAt(we) === C_LPAREN) {
      // thread_local(initialexec) is kept; addrspace(N) and unknown words with arguments are not.
      const ge = groupEnd(s, we);
      if (ge < 0) return GLOBAL_INCOMPLETE;
      if (we - p === 12 && s.startsWith("thread_local", p)) applyPrefixWord(prefix, s.slice(p, ge));
      p = ge;
      continue;
    }
    const word = s.slice(p, we);
    p = we;
    if (word === "global" || word === "constant" || word === "alias" || word === "ifunc") kind = word;
    else if (word === "externally_initialized") externallyInitialized = true;
    else applyPrefixWord(prefix, word);
  }

  const ts = skipSpaces(s, p);
  let te = typeEnd(s, ts);
  if (te < 0) throw new SyntaxProblem(`expected a type in the definition of @${name}`);
  p = skipSpaces(s, te);
  if ((kind === "alias" || kind === "ifunc") && s.charCodeAt(p) === C_LPAREN) {
    // `alias i32 (i32), ptr @f`: the value type of an alias to a function is a function type.
    te = groupEnd(s, p);
    if (te < 0) return GLOBAL_INCOMPLETE;
    p = skipSpaces(s, te);
  }

  if (kind === "alias" || kind === "ifunc") {
    if (s.charCodeAt(p) !== C_COMMA) throw new SyntaxProblem(`expected , after the type of ${kind} @${name}`);
    const vs = skipSpaces(s, p + 1);
    const vte = typeEnd(s, vs);
    const v = vte < 0 ? vs : skipSpaces(s, vte);
    const references: string[] = [];
    const scan = scanReferences(s, v, s.length, (n) => references.push(n), true);
    if (scan.openDepth > 0) return GLOBAL_INCOMPLETE;
    let target: string | null = null;
    if (s.charCodeAt(v) === C_AT) {
      const e = nameEnd(s, v + 1);
      if (skipSpaces(s, e) === scan.end || s.charCodeAt(skipSpaces(s, e)) === C_COMMA) target = nameText(s, v + 1, e);
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
  if (p < s.length && c !== C_COMMA && c !== C_BANG && c !== 59 && c !== 35) {
    const scan =
      s.indexOf("@", p) < 0
        ? topLevelEnd(s, p, true)
        : scanReferences(s, p, s.length, (n) => line.references.push(n), true);
    if (scan.openDepth > 0) return GLOBAL_INCOMPLETE;
    line.hasInitializer = true;
    line.initializer = [p, scan.end];
    p = scan.end;
  }
  readGlobalTail(s, p, line);
  return line;
}

/** `, section "x", comdat($c), align 8, !dbg !0` and friends after the initializer. */
function readGlobalTail(s: string, p: number, line: GlobalVariableLine): void {
  for (const [a, b] of splitTopLevel(s, p, s.length)) {
    const c = s.charCodeAt(a);
    if (c === C_BANG) {
      // `!dbg !0` attachments may follow each other without commas in hand-written text.
      let q = a;
      while (q < b && s.charCodeAt(q) === C_BANG) {
        const att = readAttachment(s, q);
        if (!att) break;
        if (att.kind === "dbg" && line.dbg === undefined) line.dbg = att.value;
        q = skipSpaces(s, att.end);
      }
      continue;
    }
    if (!isLetter(c)) continue;
    const we = wordEnd(s, a);
    const word = s.slice(a, we);
    if (word === "section") {
      const q = skipSpaces(s, we);
      const e = s.charCodeAt(q) === C_QUOTE ? stringEnd(s, q) : -1;
      if (e < 0) throw new SyntaxProblem(`expected a string after section in the definition of @${line.name}`);
      line.section = unescapeIr(s.slice(q + 1, e - 1));
    } else if (word === "comdat") {
      const q = skipSpaces(s, we);
      if (s.charCodeAt(q) === C_LPAREN) {
        const d = skipSpaces(s, q + 1);
        if (s.charCodeAt(d) !== C_DOLLAR) throw new SyntaxProblem(`expected comdat($name) in the definition of @${line.name}`);
        line.comdat = nameText(s, d + 1, nameEnd(s, d + 1));
      } else {
        line.comdat = line.name;
      }
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
    if (brace < 0 || brace >= b || s.charCodeAt(brace) !== C_LBRACE) continue;
    const be = groupEnd(s, brace);
    const fields = splitTopLevel(s, brace + 1, be < 0 ? b : be - 1);
    const field = fields[1];
    if (!field) continue;
    scanReferences(s, field[0], field[1], (n) => out.push(n));
  }
  return out;
}
