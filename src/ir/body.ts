import { CALL_INCOMPLETE, CallScratch, parseCall, type CallKind } from "./calls.js";
import { Ch, isNameChar, isWordChar, nameEnd, openDepth, skipSpaces, stringEnd, wordEnd } from "./lexer.js";
import { emptyAttributes, type RawAttributes } from "./attributes.js";
import { metadataId } from "./metadata.js";
import { scanReferences } from "./references.js";
import type { IrAttributes, IrCallSite } from "./types.js";

/** Shared by the bodies of one module. */
export class BodyContext {
  readonly scratch = new CallScratch();
  readonly empty: IrAttributes = emptyAttributes();
}

type Tail = "tail" | "musttail" | "notail";

/** A function body being read. */
export class BodyBuilder {
  instructionCount = 0;
  /** The call sites, complete but for what needs the whole module (callee, attributes, line). */
  readonly sites: IrCallSite[] = [];
  /** Per site: the `@name` operand, interned call type (-1: any), attribute group (-1: none). */
  readonly calleeNames: (string | null)[] = [];
  readonly signatures: number[] = [];
  readonly attributeGroups: number[] = [];
  /** Per site with more than one group or inline attributes. */
  rawAttributes: Map<number, RawAttributes> | null = null;
  /** Per site: `!dbg` node number (-1: none); inline locations by site index. */
  readonly dbgIds: number[] = [];
  inlineDbg: Map<number, string> | null = null;
  private refs: Set<string> | null = null;
  /** Brackets still open in the case list of a `switch` (llvm-dis puts one case per line). */
  private caseListDepth = 0;
  readonly addReference = (name: string): void => {
    (this.refs ??= new Set()).add(name);
  };

  constructor(
    readonly name: string,
    private readonly context: BodyContext,
  ) {}

  references(): string[] {
    return this.refs === null ? [] : [...this.refs];
  }

  /**
   * Reads one line of the body. Returns "end" at the closing `}`, "more" when the instruction
   * continues on the next line (the caller joins the lines and calls again), else "ok".
   */
  line(s: string, textLine: number): "ok" | "end" | "more" {
    // The hot path of the whole reader: most lines are plain instructions, so classify them with
    // as few character visits as possible and leave the scanning to native indexOf.
    let p = 0;
    let c = s.charCodeAt(0);
    while (c === Ch.SPACE || c === Ch.TAB) c = s.charCodeAt(++p);
    const n = s.length;
    if (p >= n || c === Ch.SEMI || c === 13) return "ok";
    if (c === Ch.RBRACE) {
      const q = skipSpaces(s, p + 1);
      if (q >= n || s.charCodeAt(q) === Ch.SEMI) return "end";
    }
    if (this.caseListDepth > 0) {
      this.caseListDepth += openDepth(s, p);
      this.scan(s, p);
      return "ok";
    }
    // Debug records (#dbg_value, #dbg_declare, …) are not instructions since LLVM 19.
    if (c === Ch.HASH) return "ok";

    if (c === Ch.PERCENT) {
      // `%name = opcode …`; an unquoted name cannot contain a space, so the ` = ` is the first.
      let e = s.indexOf(" = ", p) + 1;
      if (e <= 0 || s.charCodeAt(p + 1) === Ch.QUOTE || s.indexOf(" ", p) !== e - 1) {
        // Quoted names, or no space before the `=`: the slow way.
        e = nameEnd(s, p + 1);
        if (e > 0) e = skipSpaces(s, e);
      }
      if (e > 0 && s.charCodeAt(e) === Ch.EQ) p = skipSpaces(s, e + 1);
    } else if (c === Ch.QUOTE) {
      const e = stringEnd(s, p);
      if (e > 0 && s.charCodeAt(e) === Ch.COLON) return "ok";
    } else if (isNameChar(c)) {
      // A label (`bb3:`, `12:`): only lines with a colon can be one.
      const colon = s.indexOf(":", p);
      if (colon > 0 && labelEnd(s, p) === colon) return "ok";
    }

    const op = classifyOpcode(s, p);
    if (op === OP_CONTINUATION) {
      // invoke/callbr destinations and landingpad clauses on their own lines
      this.scan(s, p);
      return "ok";
    }
    if (op === OP_CALL) return this.call(s, p + 4, "call", undefined, textLine);
    if (op === OP_INVOKE) return this.call(s, p + 6, "invoke", undefined, textLine);
    if (op === OP_CALLBR) return this.call(s, p + 6, "callbr", undefined, textLine);
    if (op === OP_TAIL_PREFIX) {
      const we = wordEnd(s, p);
      const q = skipSpaces(s, we);
      if (s.startsWith("call", q) && !isWordChar(s.charCodeAt(q + 4))) {
        return this.call(s, q + 4, "call", s.slice(p, we) as Tail, textLine);
      }
    } else if (op === OP_SWITCH) {
      this.caseListDepth = Math.max(0, openDepth(s, p));
    }
    this.instructionCount++;
    this.scan(s, p);
    return "ok";
  }

  private call(s: string, p: number, kind: CallKind, tail: Tail | undefined, textLine: number): "ok" | "more" {
    const call = this.context.scratch;
    call.reset(kind);
    if (parseCall(s, p, call, this.addReference) === CALL_INCOMPLETE) return "more";
    this.instructionCount++;
    const index = this.sites.length;
    const name = call.calleeName;
    const site: IrCallSite = {
      caller: this.name,
      callee: null,
      isIndirect: false,
      isInlineAsm: call.isInlineAsm,
      calleeOperand: call.calleeOperand,
      callType: call.callType,
      kind,
      attributes: this.context.empty,
      isIntrinsic: name !== null && name.startsWith("llvm."),
      textLine,
    };
    if (tail !== undefined) site.tail = tail;
    if (call.callingConv !== undefined) site.callingConv = call.callingConv;
    this.sites.push(site);
    this.calleeNames.push(name);
    this.signatures.push(call.signature);
    const { groups, inline } = call.attributes;
    if (inline === null && (groups === null || groups.length === 1)) {
      this.attributeGroups.push(groups === null ? -1 : groups[0]!);
    } else {
      this.attributeGroups.push(-1);
      (this.rawAttributes ??= new Map()).set(index, { groups, inline });
    }
    const dbg = call.dbg;
    let dbgId = -1;
    if (dbg !== undefined) {
      dbgId = metadataId(dbg) ?? -1;
      if (dbgId < 0) (this.inlineDbg ??= new Map()).set(index, dbg);
    }
    this.dbgIds.push(dbgId);
    return "ok";
  }

  private scan(s: string, p: number): void {
    const at = s.indexOf("@", p);
    if (at >= 0) scanReferences(s, p, s.length, this.addReference);
  }
}

const OP_OTHER = 0;
const OP_CALL = 1;
const OP_INVOKE = 2;
const OP_CALLBR = 3;
const OP_TAIL_PREFIX = 4;
const OP_SWITCH = 5;
const OP_CONTINUATION = 6;

function isWord(s: string, p: number, word: string): boolean {
  return s.startsWith(word, p) && !isWordChar(s.charCodeAt(p + word.length));
}

/** The opcode at `p`, by its first letter and a startsWith: no slicing on the hot path. */
function classifyOpcode(s: string, p: number): number {
  switch (s.charCodeAt(p)) {
    case 99: // c
      if (isWord(s, p, "call")) return OP_CALL;
      if (isWord(s, p, "callbr")) return OP_CALLBR;
      if (isWord(s, p, "cleanup") || isWord(s, p, "catch")) return OP_CONTINUATION;
      return OP_OTHER;
    case 116: // t
      if (isWord(s, p, "tail")) return OP_TAIL_PREFIX;
      if (isWord(s, p, "to")) return OP_CONTINUATION;
      return OP_OTHER;
    case 105: // i
      return isWord(s, p, "invoke") ? OP_INVOKE : OP_OTHER;
    case 109: // m
      return isWord(s, p, "musttail") ? OP_TAIL_PREFIX : OP_OTHER;
    case 110: // n
      return isWord(s, p, "notail") ? OP_TAIL_PREFIX : OP_OTHER;
    case 115: // s
      return isWord(s, p, "switch") ? OP_SWITCH : OP_OTHER;
    case 117: // u
      // `uselistorder` directives (llvm-dis -preserve-ll-uselistorder) are not instructions.
      return isWord(s, p, "unwind") || isWord(s, p, "uselistorder") ? OP_CONTINUATION : OP_OTHER;
    case 102: // f
      return isWord(s, p, "filter") ? OP_CONTINUATION : OP_OTHER;
    default:
      return OP_OTHER;
  }
}

function labelEnd(s: string, p: number): number {
  while (isNameChar(s.charCodeAt(p))) p++;
  return p;
}
