import { Ch, groupEnd, integerEnd, isDigit, skipSpaces, splitTopLevel, stringEnd, unescapeIr, wordEnd } from "./lexer.js";
import type { IrDebugLocation, IrModuleFlag } from "./types.js";

/**
 * Numbered metadata nodes (`!N = …`), kept as text and parsed only when asked: a debug build's IR
 * has hundreds of thousands of nodes and the reader needs a handful of fields from a few kinds.
 */
export class MetadataTable {
  /** Where node N is in the text (start, end), so that no string is made until it is needed. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Nodes written over several lines, joined. */
  private readonly joined = new Map<number, string>();
  private readonly fileCache = new Map<number, { file: string; directory?: string } | null>();

  constructor(private readonly text: string) {}

  setRange(id: number, start: number, end: number): void {
    this.starts[id] = start;
    this.ends[id] = end;
  }

  set(id: number, text: string): void {
    this.joined.set(id, text);
  }

  get(id: number): string | undefined {
    const start = this.starts[id];
    if (start !== undefined) return this.text.slice(start, this.ends[id]);
    return this.joined.get(id);
  }

  /** The node a metadata operand refers to: `!12` → text of node 12; an inline node as is. */
  deref(operand: string): string | undefined {
    const t = operand.trim();
    if (t.charCodeAt(0) === Ch.BANG && isDigit(t.charCodeAt(1))) return this.get(Number(t.slice(1)));
    return t;
  }

  /** `line:` of a DILocation, given the attachment operand (`!12` or `!DILocation(…)`). */
  locationLine(operand: string): number | undefined {
    const text = this.deref(operand);
    if (text === undefined) return undefined;
    if (text.startsWith("!DILocation(line: ")) {
      // How llvm-dis prints nearly all of them.
      const e = integerEnd(text, 18);
      if (e > 18) return Number(text.slice(18, e));
    }
    if (!isKind(text, "DILocation")) return undefined;
    const line = specializedField(text, "line");
    return line === undefined ? 0 : Number(line);
  }

  /** file and line of a DISubprogram attachment. */
  subprogramLocation(operand: string): IrDebugLocation | undefined {
    const text = this.deref(operand);
    if (text === undefined || !isKind(text, "DISubprogram")) return undefined;
    return this.located(text);
  }

  /** file and line of a global's DIGlobalVariableExpression (or DIGlobalVariable) attachment. */
  globalVariableLocation(operand: string): IrDebugLocation | undefined {
    let text = this.deref(operand);
    if (text === undefined) return undefined;
    if (isKind(text, "DIGlobalVariableExpression")) {
      const v = specializedField(text, "var");
      text = v === undefined ? undefined : this.deref(v);
      if (text === undefined) return undefined;
    }
    if (!isKind(text, "DIGlobalVariable")) return undefined;
    return this.located(text);
  }

  private located(text: string): IrDebugLocation | undefined {
    const fileRef = specializedField(text, "file");
    if (fileRef === undefined) return undefined;
    const file = this.file(fileRef);
    if (!file) return undefined;
    const line = specializedField(text, "line");
    return { ...file, line: line === undefined ? 0 : Number(line) };
  }

  private file(operand: string): { file: string; directory?: string } | null {
    const t = operand.trim();
    const id = t.charCodeAt(0) === Ch.BANG && isDigit(t.charCodeAt(1)) ? Number(t.slice(1)) : -1;
    if (id >= 0) {
      const cached = this.fileCache.get(id);
      if (cached !== undefined) return cached;
    }
    const text = this.deref(t);
    let result: { file: string; directory?: string } | null = null;
    if (text !== undefined && isKind(text, "DIFile")) {
      const name = specializedField(text, "filename");
      const dir = specializedField(text, "directory");
      if (name !== undefined) {
        result = { file: mdStringValue(name) };
        const d = dir === undefined ? "" : mdStringValue(dir);
        if (d !== "") result.directory = d;
      }
    }
    if (id >= 0) this.fileCache.set(id, result);
    return result;
  }

  /** `!{i32 7, !"Dwarf Version", i32 5}` → {behavior: 7, key, value: "i32 5"}. */
  moduleFlag(operand: string): IrModuleFlag | undefined {
    const text = this.deref(operand);
    if (text === undefined) return undefined;
    const elems = tupleElements(text);
    if (!elems || elems.length < 3) return undefined;
    const [b, k, v] = elems as [string, string, string];
    const bm = /^i\d+\s+(-?\d+)$/.exec(b);
    if (!bm || !k.startsWith('!"')) return undefined;
    return { behavior: Number(bm[1]), key: mdStringValue(k.slice(1)), value: v };
  }

  /**
   * Operands of a named metadata resolved for reading: a tuple of strings gives its strings, any
   * other node its text.
   */
  resolveNamedOperands(operands: string[]): string[] {
    const out: string[] = [];
    for (const op of operands) {
      const text = this.deref(op);
      if (text === undefined) {
        out.push(op);
        continue;
      }
      const elems = tupleElements(text);
      if (elems && elems.length > 0 && elems.every((e) => e.startsWith('!"'))) {
        for (const e of elems) out.push(mdStringValue(e.slice(1)));
      } else {
        out.push(text);
      }
    }
    return out;
  }
}

function isKind(text: string, kind: string): boolean {
  let p = 0;
  if (text.startsWith("distinct ", p)) p = skipSpaces(text, 9);
  return text.charCodeAt(p) === Ch.BANG && text.startsWith(kind, p + 1) && text.charCodeAt(p + 1 + kind.length) === Ch.LPAREN;
}

/** The raw value of field `name` in `!DIKind(a: 1, name: value, …)`, or undefined. */
export function specializedField(text: string, name: string): string | undefined {
  const open = text.indexOf("(");
  if (open < 0) return undefined;
  const close = groupEnd(text, open);
  const end = close < 0 ? text.length : close - 1;
  let p = open + 1;
  while (p < end) {
    p = skipSpaces(text, p);
    const ke = wordEnd(text, p);
    if (ke === p) return undefined;
    let q = skipSpaces(text, ke);
    if (text.charCodeAt(q) !== Ch.COLON) return undefined;
    q = skipSpaces(text, q + 1);
    // The value ends at the next comma outside brackets and strings.
    let v = q;
    let depth = 0;
    while (v < end) {
      const c = text.charCodeAt(v);
      if (c === Ch.QUOTE) {
        const s = stringEnd(text, v);
        if (s < 0) return undefined;
        v = s;
        continue;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) depth--;
      else if (c === 44 && depth === 0) break;
      v++;
    }
    if (ke - p === name.length && text.startsWith(name, p)) return text.slice(q, v).trim();
    p = v + 1;
  }
  return undefined;
}

/** `"text"` → text (unescaped); also accepts `!"text"`. */
export function mdStringValue(raw: string): string {
  let t = raw.trim();
  if (t.charCodeAt(0) === Ch.BANG) t = t.slice(1);
  if (t.charCodeAt(0) !== Ch.QUOTE) return t;
  const e = stringEnd(t, 0);
  return unescapeIr(t.slice(1, e < 0 ? t.length : e - 1));
}

/** Elements of a metadata tuple `!{a, b}` (optionally `distinct`), or null for other nodes. */
export function tupleElements(text: string): string[] | null {
  let p = 0;
  if (text.startsWith("distinct ")) p = skipSpaces(text, 9);
  if (text.charCodeAt(p) !== Ch.BANG || text.charCodeAt(p + 1) !== Ch.LBRACE) return null;
  const e = groupEnd(text, p + 1);
  if (e < 0) return null;
  return splitTopLevel(text, p + 2, e - 1).map(([a, b]) => text.slice(a, b));
}

/** `!12` → 12 when the operand is a numbered node reference. */
export function metadataId(operand: string): number | undefined {
  const t = operand.trim();
  if (t.charCodeAt(0) !== Ch.BANG) return undefined;
  const e = integerEnd(t, 1);
  return e > 1 && e === t.length ? Number(t.slice(1)) : undefined;
}
