import { parseAttributeList } from "./attributes.js";
import { BodyBuilder, BodyContext } from "./body.js";
import { CallSyntaxError, IrParseError, SyntaxProblem } from "./errors.js";
import { INCOMPLETE, parseFunctionHeader } from "./functions.js";
import { GLOBAL_INCOMPLETE, parseGlobalLine } from "./globals.js";
import { Ch, groupEnd, integerEnd, isDigit, isLetter, nameEnd, nameText, openDepth, skipSpaces, splitTopLevel, stringEnd, unescapeIr, wordEnd } from "./lexer.js";
import { effectiveDsoLocal } from "./linkage.js";
import { LineReader, rejectNonText } from "./lines.js";
import { MetadataTable } from "./metadata.js";
import { resolveModule, type PendingFunction, type PendingGlobal } from "./resolve.js";
import type { IrFunction, IrGlobal, IrModule } from "./types.js";

/** How many lines one construct may span before the reader gives up looking for its end. */
const MAX_JOINED_LINES = 10_000;

const COMDAT_KINDS = new Set(["any", "exactmatch", "largest", "nodeduplicate", "samesize"]);


/**
 * Parses the text of an LLVM module (llvm-dis output or hand-written IR). Pure: no I/O.
 * Throws {@link IrParseError} when the text is not LLVM IR or a construct the reader relies on
 * (function headers, calls, globals, attribute groups) is malformed; skips constructs it does
 * not need.
 */
export function parseModule(text: string): IrModule {
  rejectNonText(text);
  return new ModuleReader(text).read();
}

class ModuleReader {
  private readonly module: IrModule = {
    functions: new Map(),
    globals: new Map(),
    aliases: new Map(),
    ifuncs: new Map(),
    comdats: new Map(),
    attributeGroups: new Map(),
    moduleFlags: [],
    namedMetadata: new Map(),
    moduleAsm: [],
    usedGlobals: [],
    compilerUsedGlobals: [],
    globalCtors: [],
    globalDtors: [],
  };
  private readonly metadata: MetadataTable;
  private readonly reader: LineReader;
  private readonly functions: PendingFunction[] = [];
  private readonly globals: PendingGlobal[] = [];
  private readonly namedMetadataOperands = new Map<string, string[]>();
  private readonly symbols = new Set<string>();
  private readonly bodies = new BodyContext();
  private sawEntity = false;
  /** Offset in the text of the current top-level line (after its indentation). */
  private lineOffset = 0;

  constructor(text: string) {
    this.reader = new LineReader(text);
    this.metadata = new MetadataTable(text);
  }

  read(): IrModule {
    const reader = this.reader;
    const text = reader.text;
    for (;;) {
      const pos = reader.pos;
      if (text.charCodeAt(pos) === Ch.BANG && isDigit(text.charCodeAt(pos + 1)) && this.numberedMetadata(pos)) continue;
      const s = reader.next();
      if (s === null) break;
      try {
        this.topLevel(s, reader.line);
      } catch (e) {
        if (e instanceof SyntaxProblem) throw new IrParseError(reader.line, e.message);
        throw e;
      }
    }
    if (!this.sawEntity) throw new IrParseError(1, "no LLVM IR in the text (only comments or blank lines)");
    resolveModule({
      module: this.module,
      metadata: this.metadata,
      functions: this.functions,
      globals: this.globals,
      namedMetadataOperands: this.namedMetadataOperands,
      signatures: this.bodies.scratch.signatures,
      empty: this.bodies.empty,
    });
    return this.module;
  }

  private fail(line: number, reason: string): never {
    throw new IrParseError(line, reason);
  }

  /** Joins the current line with the following ones (for constructs that span lines). */
  private joinNext(s: string, startLine: number, what: string): string {
    const next = this.reader.line - startLine < MAX_JOINED_LINES ? this.reader.next() : null;
    if (next === null) this.fail(startLine, `${what} is not terminated`);
    return `${s} ${next}`;
  }

  private topLevel(s: string, lineNo: number): void {
    const p = skipSpaces(s, 0);
    if (p >= s.length) return;
    const c = s.charCodeAt(p);
    if (c === 59 /* ; */) return;
    this.lineOffset = this.reader.start + p;
    if (p > 0) s = s.slice(p);
    switch (c) {
      case 64 /* @ */:
        this.sawEntity = true;
        return this.global(s, lineNo);
      case Ch.BANG:
        this.sawEntity = true;
        return this.metadataLine(s, lineNo);
      case Ch.DOLLAR:
        this.sawEntity = true;
        return this.comdat(s, lineNo);
      case 37 /* % */:
      case 94 /* ^ */:
        // Type definitions and summary entries: not needed; skip any continuation lines.
        this.sawEntity = true;
        this.skipContinuation(s, lineNo);
        return;
    }
    if (!isLetter(c)) {
      this.fail(lineNo, this.sawEntity ? `unexpected text at top level: ${preview(s)}` : `not LLVM IR text: ${preview(s)}`);
    }
    const we = wordEnd(s, 0);
    const word = s.slice(0, we);
    switch (word) {
      case "define":
      case "declare":
        this.sawEntity = true;
        return this.function(s, we, word === "define", lineNo);
      case "attributes":
        this.sawEntity = true;
        return this.attributeGroup(s, lineNo);
      case "source_filename":
        this.sawEntity = true;
        this.module.sourceFilename = this.assignedString(s, we, lineNo);
        return;
      case "target": {
        this.sawEntity = true;
        const q = skipSpaces(s, we);
        const ke = wordEnd(s, q);
        const key = s.slice(q, ke);
        const value = this.assignedString(s, ke, lineNo);
        if (key === "triple") this.module.triple = value;
        else if (key === "datalayout") this.module.dataLayout = value;
        return;
      }
      case "module": {
        this.sawEntity = true;
        const q = skipSpaces(s, we);
        if (!s.startsWith("asm", q)) return;
        const a = skipSpaces(s, q + 3);
        const e = s.charCodeAt(a) === Ch.QUOTE ? stringEnd(s, a) : -1;
        if (e < 0) this.fail(lineNo, "expected a string after module asm");
        this.module.moduleAsm.push(unescapeIr(s.slice(a + 1, e - 1)));
        return;
      }
      case "uselistorder":
      case "uselistorder_bb":
      case "deplibs":
        this.sawEntity = true;
        this.skipContinuation(s, lineNo);
        return;
      default:
        // An entity this reader does not know (a newer LLVM's): skip it, but only once the text
        // has shown it is IR at all.
        if (!this.sawEntity) this.fail(lineNo, `not LLVM IR text: ${preview(s)}`);
        this.skipContinuation(s, lineNo);
    }
  }

  private skipContinuation(s: string, lineNo: number): void {
    while (openDepth(s, 0) > 0) s = this.joinNext(s, lineNo, "a bracket");
  }

  /** `key = "value"` → value. */
  private assignedString(s: string, p: number, lineNo: number): string {
    const q = skipSpaces(s, p);
    const v = s.charCodeAt(q) === Ch.EQ ? skipSpaces(s, q + 1) : -1;
    const e = v >= 0 && s.charCodeAt(v) === Ch.QUOTE ? stringEnd(s, v) : -1;
    if (e < 0) this.fail(lineNo, `expected = "…": ${preview(s)}`);
    return unescapeIr(s.slice(v + 1, e - 1));
  }

  private define(name: string, lineNo: number): void {
    if (this.symbols.has(name)) this.fail(lineNo, `redefinition of @${name}`);
    this.symbols.add(name);
  }

  private comdat(s: string, lineNo: number): void {
    const ne = nameEnd(s, 1);
    if (ne <= 1) this.fail(lineNo, "malformed comdat name");
    const name = nameText(s, 1, ne);
    const q = skipSpaces(s, ne);
    const k = s.charCodeAt(q) === Ch.EQ ? skipSpaces(s, q + 1) : -1;
    if (k < 0 || !s.startsWith("comdat", k)) this.fail(lineNo, `expected = comdat after $${name}`);
    const ks = skipSpaces(s, k + 6);
    const kind = s.slice(ks, wordEnd(s, ks));
    if (!COMDAT_KINDS.has(kind)) this.fail(lineNo, `unknown comdat kind "${kind}" for $${name}`);
    this.module.comdats.set(name, kind);
  }

  private attributeGroup(s: string, lineNo: number): void {
    const h = skipSpaces(s, 10);
    const ie = s.charCodeAt(h) === Ch.HASH ? integerEnd(s, h + 1) : -1;
    if (ie <= h + 1) this.fail(lineNo, "expected attributes #N = { … }");
    const id = Number(s.slice(h + 1, ie));
    const q = skipSpaces(s, ie);
    let b = s.charCodeAt(q) === Ch.EQ ? skipSpaces(s, q + 1) : -1;
    if (b < 0 || s.charCodeAt(b) !== Ch.LBRACE) this.fail(lineNo, `expected = { after attributes #${id}`);
    let e = groupEnd(s, b);
    while (e < 0) {
      s = this.joinNext(s, lineNo, `attributes #${id}`);
      e = groupEnd(s, b);
    }
    const attrs = parseAttributeList(s, b + 1, e - 1);
    if (!attrs) this.fail(lineNo, `malformed attribute in attributes #${id}`);
    this.module.attributeGroups.set(id, attrs);
  }

  /**
   * `!N = …` read in place, without making a string of the line: a module has tens of thousands
   * of these and needs a few. False when the line needs the general path.
   */
  private numberedMetadata(pos: number): boolean {
    const text = this.reader.text;
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const next = end + 1;
    if (text.charCodeAt(end - 1) === 13) end--;
    const last = text.charCodeAt(end - 1);
    if (last === 44 /* , */ || last === 40 /* ( */ || last === Ch.LBRACE) return false;
    let id = 0;
    let q = pos + 1;
    for (let c = text.charCodeAt(q); c >= 48 && c <= 57; c = text.charCodeAt(++q)) id = id * 10 + (c - 48);
    if (!text.startsWith(" = ", q)) return false;
    this.metadata.setRange(id, q + 3, end);
    this.sawEntity = true;
    this.reader.skipTo(next);
    return true;
  }

  private metadataLine(s: string, lineNo: number): void {
    // llvm-dis ends every metadata line with a closing bracket or a string; anything open at the
    // end is hand-written text spanning lines.
    const last = s.charCodeAt(s.length - 1);
    let joined = false;
    if (last === 44 /* , */ || last === 40 /* ( */ || last === Ch.LBRACE) {
      while (openDepth(s, 0) > 0) {
        s = this.joinNext(s, lineNo, "a metadata node");
        joined = true;
      }
    }
    const ne = nameEnd(s, 1);
    if (ne <= 1) this.fail(lineNo, "malformed metadata name");
    const q = skipSpaces(s, ne);
    if (s.charCodeAt(q) !== Ch.EQ) this.fail(lineNo, "expected = after the metadata name");
    const v = skipSpaces(s, q + 1);
    if (isDigit(s.charCodeAt(1))) {
      // Kept as a range of the text: most nodes are never looked at.
      const id = Number(s.slice(1, ne));
      if (joined) this.metadata.set(id, s.slice(v));
      else this.metadata.setRange(id, this.lineOffset + v, this.lineOffset + s.length);
      return;
    }
    // Named metadata: `!llvm.ident = !{!3}`.
    const name = nameText(s, 1, ne);
    const e = s.charCodeAt(v) === Ch.BANG && s.charCodeAt(v + 1) === Ch.LBRACE ? groupEnd(s, v + 1) : -1;
    if (e < 0) this.fail(lineNo, `expected !{…} for named metadata !${name}`);
    this.namedMetadataOperands.set(
      name,
      splitTopLevel(s, v + 2, e - 1).map(([a, b]) => s.slice(a, b)),
    );
  }

  private global(s: string, lineNo: number): void {
    let parsed = parseGlobalLine(s, false);
    while (parsed === GLOBAL_INCOMPLETE) {
      s = this.joinNext(s, lineNo, "a global definition");
      parsed = parseGlobalLine(s, true);
    }
    this.define(parsed.name, lineNo);
    const { prefix } = parsed;
    if (parsed.kind !== "global") {
      if (parsed.kind === "alias") {
        this.module.aliases.set(parsed.name, {
          name: parsed.name,
          linkage: prefix.linkage,
          visibility: prefix.visibility,
          aliasee: parsed.target,
          references: parsed.references,
          textLine: lineNo,
        });
      } else {
        this.module.ifuncs.set(parsed.name, {
          name: parsed.name,
          linkage: prefix.linkage,
          resolver: parsed.target,
          references: parsed.references,
          textLine: lineNo,
        });
      }
      return;
    }
    const g: IrGlobal = {
      name: parsed.name,
      linkage: prefix.linkage,
      visibility: prefix.visibility,
      dsoLocal: effectiveDsoLocal(prefix),
      isConstant: parsed.isConstant,
      hasInitializer: parsed.hasInitializer,
      externallyInitialized: parsed.externallyInitialized,
      isSpecial: parsed.name.startsWith("llvm."),
      references: parsed.references,
      textLine: lineNo,
    };
    if (prefix.threadLocal !== undefined) g.threadLocal = prefix.threadLocal;
    if (prefix.unnamedAddr !== undefined) g.unnamedAddr = prefix.unnamedAddr;
    if (parsed.section !== undefined) g.section = parsed.section;
    if (parsed.comdat !== undefined) g.comdat = parsed.comdat;
    this.module.globals.set(g.name, g);
    if (parsed.dbg !== undefined || g.isSpecial) this.globals.push({ global: g, line: parsed, text: s });
  }

  private function(s: string, keywordEnd: number, isDefine: boolean, lineNo: number): void {
    let header = parseFunctionHeader(s, keywordEnd, isDefine);
    while (header === INCOMPLETE) {
      s = this.joinNext(s, lineNo, isDefine ? "a function header (no `{`)" : "a function declaration");
      header = parseFunctionHeader(s, keywordEnd, isDefine);
    }
    this.define(header.name, lineNo);
    const fn: IrFunction = {
      name: header.name,
      isDeclaration: !isDefine,
      linkage: header.prefix.linkage,
      visibility: header.prefix.visibility,
      dsoLocal: effectiveDsoLocal(header.prefix),
      returnType: header.returnType,
      params: header.params,
      isVarArg: header.isVarArg,
      attributes: this.bodies.empty,
      callSites: [],
      instructionCount: 0,
      references: header.references,
      textLine: lineNo,
    };
    if (header.prefix.unnamedAddr !== undefined) fn.unnamedAddr = header.prefix.unnamedAddr;
    if (header.callingConv !== undefined) fn.callingConv = header.callingConv;
    if (header.section !== undefined) fn.section = header.section;
    if (header.comdat !== undefined) fn.comdat = header.comdat;
    if (header.personality !== undefined) fn.personality = header.personality;
    this.module.functions.set(fn.name, fn);
    const pending: PendingFunction = { fn, header, body: null };
    this.functions.push(pending);
    if (isDefine) pending.body = this.body(header.name, s.slice(header.bodyStart), lineNo);
  }

  /** Reads a body up to its closing `}`; `rest` is what followed the `{` on the header line. */
  private body(name: string, rest: string, headerLine: number): BodyBuilder {
    const b = new BodyBuilder(name, this.bodies);
    // Hand-written one-liners: `define void @f() { ret void }`.
    const r = rest.trim();
    if (r !== "") {
      const closes = r.endsWith("}");
      const inner = closes ? r.slice(0, -1) : r;
      if (b.line(inner, headerLine) === "more") this.fail(headerLine, "instruction is not terminated");
      if (closes) return b;
    }
    const reader = this.reader;
    for (let s = reader.next(); s !== null; s = reader.next()) {
      const lineNo = reader.line;
      if (s.startsWith("define ") || s.startsWith("declare ")) {
        this.fail(headerLine, `the body of @${name} has no closing }`);
      }
      let status: "ok" | "end" | "more";
      try {
        status = b.line(s, lineNo);
        while (status === "more") {
          s = this.joinNext(s, lineNo, "an instruction");
          status = b.line(s, lineNo);
        }
      } catch (e) {
        if (e instanceof CallSyntaxError) this.fail(lineNo, `malformed call: ${e.message}`);
        throw e;
      }
      if (status === "end") return b;
    }
    return this.fail(headerLine, `the body of @${name} has no closing }`);
  }
}

function preview(s: string): string {
  const t = s.trim();
  return JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
}
