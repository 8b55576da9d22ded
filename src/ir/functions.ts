import { readAttribute, type RawAttributes } from "./attributes.js";
import { skipToType } from "./typePrefix.js";
import { SyntaxProblem } from "./errors.js";
import { Ch, groupEnd, integerEnd, isLetter, nameEnd, nameText, readAttachment, skipSpaces, splitTopLevel, stringEnd, unescapeIr, wordEnd } from "./lexer.js";
import { applyPrefixWord, isCallingConv, newLinkagePrefix, type LinkagePrefix } from "./linkage.js";
import { scanReferences } from "./references.js";
import { constantEnd, isTypeWord, typeEnd } from "./syntax.js";
import type { IrParam } from "./types.js";

export interface FunctionHeader {
  name: string;
  prefix: LinkagePrefix;
  callingConv?: string;
  returnType: string;
  params: IrParam[];
  isVarArg: boolean;
  attributes: RawAttributes;
  section?: string;
  comdat?: string;
  personality?: string;
  /** `@names` used by personality, prefix and prologue data. */
  references: string[];
  /** The `!dbg` attachment operand. */
  dbg?: string;
  /** For `define`: position just after the `{` that opens the body; -1 for `declare`. */
  bodyStart: number;
}

/** The header continues on the next line (only hand-written IR does this). */
export const INCOMPLETE = "incomplete";

/**
 * Parses a `define`/`declare` line from just after the keyword.
 * Returns {@link INCOMPLETE} when a bracket group or the body's `{` is still to come.
 */
export function parseFunctionHeader(s: string, p: number, isDefine: boolean): FunctionHeader | typeof INCOMPLETE {
  const prefix = newLinkagePrefix();
  let callingConv: string | undefined;
  let dbg: string | undefined;

  // Before the return type: linkage, visibility, cconv, return attributes and, on declarations,
  // metadata attachments (llvm-dis prints `declare !dbg !80 i64 @wcslen(…)`).
  const typeStart = skipToType(s, p, {
    stringEnd: stringAttributeEnd,
    unterminated: () => new SyntaxProblem("unterminated string in function header"),
    bang: (at) => {
      const a = readAttachment(s, at);
      if (!a) throw new SyntaxProblem("malformed metadata attachment in function header");
      if (a.kind === "dbg") dbg = a.value;
      return a.end;
    },
    word: (at, we) => {
      const word = s.slice(at, we);
      if (word === "cc") {
        const q = skipSpaces(s, we);
        callingConv = `cc ${s.slice(q, integerEnd(s, q))}`;
        return integerEnd(s, q);
      }
      if (word === "align") return integerEnd(s, skipSpaces(s, we));
      if (!applyPrefixWord(prefix, word) && isCallingConv(word)) callingConv = word;
      return we;
    },
  });
  if (typeStart < 0) return INCOMPLETE;
  const te = typeEnd(s, typeStart);
  if (te < 0) throw new SyntaxProblem("expected a return type in function header");
  const returnType = s.slice(typeStart, te);

  p = skipSpaces(s, te);
  if (s.charCodeAt(p) !== Ch.AT) throw new SyntaxProblem("expected @name after the return type in function header");
  const ne = nameEnd(s, p + 1);
  if (ne < 0) throw new SyntaxProblem("unterminated quoted function name");
  if (ne === p + 1) throw new SyntaxProblem("empty function name");
  const name = nameText(s, p + 1, ne);

  p = skipSpaces(s, ne);
  if (s.charCodeAt(p) !== Ch.LPAREN) throw new SyntaxProblem(`expected ( after @${name}`);
  const pe = groupEnd(s, p);
  if (pe < 0) return INCOMPLETE;
  const { params, isVarArg } = parseParams(s, p + 1, pe - 1);

  const header: FunctionHeader = {
    name,
    prefix,
    returnType,
    params,
    isVarArg,
    attributes: { groups: null, inline: null },
    references: [],
    bodyStart: -1,
  };
  if (callingConv !== undefined) header.callingConv = callingConv;

  // After the parameters: address significance, attributes, section, comdat, personality, …
  p = pe;
  for (;;) {
    p = skipSpaces(s, p);
    if (p >= s.length) break;
    const c = s.charCodeAt(p);
    if (c === Ch.SEMI) break;
    if (c === Ch.LBRACE) {
      if (!isDefine) throw new SyntaxProblem("a declaration has no body");
      header.bodyStart = p + 1;
      break;
    }
    if (c === Ch.BANG) {
      const a = readAttachment(s, p);
      if (!a) throw new SyntaxProblem("malformed metadata attachment in function header");
      if (a.kind === "dbg") dbg = a.value;
      p = a.end;
      continue;
    }
    if (isLetter(c)) {
      const q = headerKeyword(s, p, header);
      if (q >= 0) {
        p = q;
        continue;
      }
    }
    const r = readAttribute(s, p, header.attributes);
    if (r < 0) throw new SyntaxProblem(`unexpected text in function header: ${s.slice(p, p + 30)}`);
    p = r;
  }
  if (isDefine && header.bodyStart < 0) return INCOMPLETE;
  if (dbg !== undefined) header.dbg = dbg;
  return header;
}

/** Handles the keywords after a header's parameters; -1 when the word is an attribute instead. */
function headerKeyword(s: string, p: number, header: FunctionHeader): number {
  const we = wordEnd(s, p);
  const word = s.slice(p, we);
  switch (word) {
    case "unnamed_addr":
    case "local_unnamed_addr":
      header.prefix.unnamedAddr = word;
      return we;
    case "section":
    case "partition":
    case "gc": {
      const q = skipSpaces(s, we);
      const e = s.charCodeAt(q) === Ch.QUOTE ? stringEnd(s, q) : -1;
      if (e < 0) throw new SyntaxProblem(`expected a string after ${word}`);
      if (word === "section") header.section = unescapeIr(s.slice(q + 1, e - 1));
      return e;
    }
    case "comdat": {
      const q = skipSpaces(s, we);
      if (s.charCodeAt(q) !== Ch.LPAREN) {
        header.comdat = header.name;
        return we;
      }
      const d = skipSpaces(s, q + 1);
      const ge = groupEnd(s, q);
      if (ge < 0 || s.charCodeAt(d) !== Ch.DOLLAR) throw new SyntaxProblem("expected comdat($name)");
      header.comdat = nameText(s, d + 1, nameEnd(s, d + 1));
      return ge;
    }
    case "align": {
      // Function alignment, `align 16` (the attribute inside groups is `align=16`).
      if (s.charCodeAt(we) === Ch.EQ) return -1;
      const q = skipSpaces(s, we);
      return integerEnd(s, q);
    }
    case "addrspace": {
      const ge = groupEnd(s, we);
      if (ge < 0) throw new SyntaxProblem("expected addrspace(N)");
      return ge;
    }
    case "personality":
    case "prefix":
    case "prologue": {
      const ts = skipSpaces(s, we);
      const te = typeEnd(s, ts);
      const vs = te < 0 ? -1 : skipSpaces(s, te);
      const ve = vs < 0 ? -1 : constantEnd(s, vs);
      if (ve < 0) throw new SyntaxProblem(`expected a typed constant after ${word}`);
      scanReferences(s, vs, ve, (n) => header.references.push(n));
      if (word === "personality" && s.charCodeAt(vs) === Ch.AT) header.personality = nameText(s, vs + 1, ve);
      return ve;
    }
    default:
      return -1;
  }
}

function stringAttributeEnd(s: string, p: number): number {
  let e = stringEnd(s, p);
  if (e > 0 && s.charCodeAt(e) === Ch.EQ && s.charCodeAt(e + 1) === Ch.QUOTE) e = stringEnd(s, e + 1);
  return e;
}

/** Parameters of a header: types, attributes, and whether `...` ends the list. */
export function parseParams(s: string, start: number, end: number): { params: IrParam[]; isVarArg: boolean } {
  const params: IrParam[] = [];
  let isVarArg = false;
  for (const [a, b] of splitTopLevel(s, start, end)) {
    if (s.charCodeAt(a) === Ch.DOT && s.startsWith("...", a)) {
      isVarArg = true;
      continue;
    }
    const te = typeEnd(s, a);
    if (te < 0 || te > b) throw new SyntaxProblem(`expected a parameter type: ${s.slice(a, b)}`);
    const attributes: string[] = [];
    let p = skipSpaces(s, te);
    while (p < b) {
      const c = s.charCodeAt(p);
      if (c === Ch.PERCENT) break; // the parameter's name ends the list
      let e: number;
      if (c === Ch.QUOTE) e = stringAttributeEnd(s, p);
      else if (isLetter(c)) {
        e = wordEnd(s, p);
        if (s.charCodeAt(e) === Ch.LPAREN) e = groupEnd(s, e);
        else if (e - p === 5 && s.startsWith("align", p)) {
          const q = skipSpaces(s, e);
          const ie = integerEnd(s, q);
          if (ie > q) e = ie;
        }
      } else e = -1;
      if (e < 0 || e > b) throw new SyntaxProblem(`unexpected text in parameter: ${s.slice(a, b)}`);
      attributes.push(s.slice(p, e));
      p = skipSpaces(s, e);
    }
    params.push({ type: s.slice(a, te), attributes });
  }
  return { params, isVarArg };
}
