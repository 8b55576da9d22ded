import { readAttribute, type RawAttributes } from "./attributes.js";
import { skipToType } from "./typePrefix.js";
import { CallSyntaxError } from "./errors.js";
import { Ch, groupEnd, integerEnd, isLetter, nameEnd, nameText, isSpace, readAttachment, skipSpaces, splitTopLevel, stringEnd, wordEnd } from "./lexer.js";
import { isCallingConv } from "./linkage.js";
import { scanReferences } from "./references.js";
import { Signatures, type SignatureNode } from "./signatures.js";
import { constantEnd, isTypeWord, typeEnd } from "./syntax.js";

export type CallKind = "call" | "invoke" | "callbr";

/**
 * A call instruction as written. One object is reused for every call of a body: what outlives
 * the line is copied out by the caller (allocation that survives is what costs the garbage
 * collector, and a crate has tens of thousands of calls).
 */
export class CallScratch {
  kind: CallKind = "call";
  callingConv: string | undefined = undefined;
  callType = "";
  /** The call's function type, interned in {@link signatures}; -1 matches any callee. */
  signature = -1;
  calleeOperand = "";
  /** The name when the callee operand is `@name`. */
  calleeName: string | null = null;
  isInlineAsm = false;
  readonly attributes: RawAttributes = { groups: null, inline: null };
  readonly signatures = new Signatures();
  /** The `!dbg` attachment operand as written. */
  dbg: string | undefined = undefined;

  reset(kind: CallKind): void {
    this.kind = kind;
    this.callingConv = undefined;
    this.calleeName = null;
    this.isInlineAsm = false;
    this.attributes.groups = null;
    this.attributes.inline = null;
    this.dbg = undefined;
    this.signature = -1;
  }
}

/** The instruction continues on the next line. */
export const CALL_INCOMPLETE = "incomplete";

/**
 * Parses a call/invoke/callbr from just after its keyword. `onReference` receives every `@name`
 * used other than as the callee.
 */
export function parseCall(
  s: string,
  p: number,
  call: CallScratch,
  onReference: (name: string) => void,
): boolean | typeof CALL_INCOMPLETE {

  // Fast-math flags, calling convention, return attributes, addrspace: everything before the type.
  const typeStart = skipToType(s, p, {
    stringEnd: (text, at) => {
      const e = stringEnd(text, at);
      return e > 0 && text.charCodeAt(e) === 61 ? stringEnd(text, e + 1) : e;
    },
    unterminated: () => new CallSyntaxError("unterminated string"),
    // Return attributes and fast-math flags are skipped without making strings of them.
    word: (at, we) => {
      const len = we - at;
      if (len === 2 && s.startsWith("cc", at)) {
        const q = skipSpaces(s, we);
        const end = integerEnd(s, q);
        call.callingConv = `cc ${s.slice(q, end)}`;
        return end;
      }
      if (len === 5 && s.startsWith("align", at)) return integerEnd(s, skipSpaces(s, we));
      const underscore = s.indexOf("_", at);
      if ((s.charCodeAt(we - 1) === 99 && s.charCodeAt(we - 2) === 99) || (underscore >= 0 && underscore < we)) {
        const word = s.slice(at, we);
        if (isCallingConv(word)) call.callingConv = word;
      }
      return we;
    },
  });
  if (typeStart < 0) return CALL_INCOMPLETE;
  let te = typeEnd(s, typeStart);
  if (te < 0) throw new CallSyntaxError("expected a type");
  p = skipSpaces(s, te);
  let fnParams = -1;
  if (s.charCodeAt(p) === Ch.LPAREN) {
    // `i32 (ptr, ...) @printf(…)`: a function type, needed for varargs callees.
    fnParams = p;
    te = groupEnd(s, p);
    if (te < 0) return CALL_INCOMPLETE;
    p = skipSpaces(s, te);
  }
  const callType = s.slice(typeStart, te);
  call.callType = callType;

  // The callee operand.
  let calleeName: string | null = null;
  const c = s.charCodeAt(p);
  if (c === Ch.AT || c === Ch.PERCENT) {
    const e = nameEnd(s, p + 1);
    if (e <= p + 1) throw new CallSyntaxError("malformed callee name");
    if (s.charCodeAt(p + 1) === Ch.QUOTE) {
      const name = nameText(s, p + 1, e);
      call.calleeOperand = (c === Ch.AT ? "@" : "%") + name;
      if (c === Ch.AT) calleeName = name;
    } else {
      call.calleeOperand = s.slice(p, e);
      if (c === Ch.AT) calleeName = s.slice(p + 1, e);
    }
    call.calleeName = calleeName;
    p = e;
  } else if (isLetter(c) && s.startsWith("asm", p) && !isLetter(s.charCodeAt(p + 3))) {
    call.isInlineAsm = true;
    call.calleeOperand = "asm";
    p = inlineAsmEnd(s, p + 3);
    if (p < 0) throw new CallSyntaxError("malformed inline asm");
  } else {
    const e = constantEnd(s, p);
    if (e < 0) throw new CallSyntaxError("expected a callee");
    call.calleeOperand = s.slice(p, wordEnd(s, p)) || s.slice(p, e);
    scanReferences(s, p, e, onReference);
    p = e;
  }

  p = skipSpaces(s, p);
  if (s.charCodeAt(p) !== Ch.LPAREN) throw new CallSyntaxError("expected ( after the callee");
  // Intrinsic signatures are checked by LLVM's verifier: their calls always match the declaration.
  const signatures = call.signatures;
  const wantTypes = fnParams < 0 && !(calleeName !== null && calleeName.startsWith("llvm."));
  const args = readArguments(s, p, wantTypes ? signatures.start(callType) : null, signatures, onReference);
  if (args < 0) return CALL_INCOMPLETE;
  const argsEnd = args;
  if (fnParams >= 0) call.signature = functionTypeSignature(s, typeStart, fnParams, signatures);
  else if (wantTypes) call.signature = signatures.id(argumentNode!);

  // Function attributes, operand bundles, then `to label …` (invoke, callbr) or `, !dbg !N`.
  p = argsEnd;
  while (p < s.length) {
    p = skipSpaces(s, p);
    const d = s.charCodeAt(p);
    if (d === Ch.LBRACKET) {
      const e = groupEnd(s, p);
      if (e < 0) return CALL_INCOMPLETE;
      scanReferences(s, p, e, onReference);
      p = e;
      continue;
    }
    if (d === Ch.COMMA) {
      readAttachments(s, p, call);
      break;
    }
    if (d === Ch.SEMI || p >= s.length) break;
    if (d === 116 /* t */ && s.startsWith("to", p) && !isLetter(s.charCodeAt(p + 2))) break;
    const e = readAttribute(s, p, call.attributes);
    if (e < 0) throw new CallSyntaxError(`unexpected text after the arguments: ${s.slice(p, p + 30)}`);
    p = e;
  }
  return true;
}

/** Skips `sideeffect inteldialect "asm", "constraints"` after the word `asm`. */
function inlineAsmEnd(s: string, p: number): number {
  for (;;) {
    p = skipSpaces(s, p);
    if (!isLetter(s.charCodeAt(p))) break;
    p = wordEnd(s, p);
  }
  if (s.charCodeAt(p) !== Ch.QUOTE) return -1;
  p = stringEnd(s, p);
  if (p < 0) return -1;
  p = skipSpaces(s, p);
  if (s.charCodeAt(p) !== Ch.COMMA) return -1;
  p = skipSpaces(s, p + 1);
  if (s.charCodeAt(p) !== Ch.QUOTE) return -1;
  return stringEnd(s, p);
}

let argumentNode: SignatureNode | null = null;

/**
 * One pass over the argument list opened at `open`: returns the position after its `)` (-1 when
 * the line ends first), hands `@names` in the arguments to `onReference` and, when `start` is
 * given, leaves the call's function type in {@link argumentNode}. Without an explicit function
 * type, LLVM builds the call's type from the return type and the argument types; that is what a
 * mismatch with the callee's own type is judged on.
 */
function readArguments(
  s: string,
  open: number,
  start: SignatureNode | null,
  signatures: Signatures,
  onReference: (name: string) => void,
): number {
  const n = s.length;
  let node = start;
  let depth = 0;
  let argStart = open + 1;
  let nextAt = s.indexOf("@", open);
  let p = open;
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c === Ch.QUOTE) {
      const q = s.indexOf('"', p + 1);
      if (q < 0) return -1;
      p = q + 1;
      continue;
    }
    if (c === Ch.LPAREN || c === Ch.LBRACKET || c === Ch.LBRACE || c === Ch.LT) depth++;
    else if ((c === Ch.COMMA && depth === 1) || ((c === Ch.RPAREN || c === Ch.RBRACKET || c === Ch.RBRACE || c === Ch.GT) && --depth === 0)) {
      // An argument ends at [argStart, p).
      const a = skipSpaces(s, argStart);
      if (a < p) {
        const te = typeEnd(s, a);
        if (te < 0 || te > p) throw new CallSyntaxError(`expected an argument type: ${s.slice(a, p)}`);
        if (node !== null) node = signatures.step(node, s.slice(a, te));
        if (nextAt >= 0 && nextAt < te) nextAt = s.indexOf("@", te);
        if (nextAt >= 0 && nextAt < p && !(te - a === 8 && s.startsWith("metadata", a))) {
          scanReferences(s, te, p, onReference);
        }
      }
      argStart = p + 1;
      if (depth === 0) {
        argumentNode = node;
        return p + 1;
      }
    }
    p++;
  }
  return -1;
}

/** The signature of an explicit function type `ret (params)` written in a call. */
function functionTypeSignature(s: string, typeStart: number, open: number, signatures: Signatures): number {
  const close = groupEnd(s, open);
  let ret = open;
  while (ret > typeStart && isSpace(s.charCodeAt(ret - 1))) ret--;
  let node = signatures.start(s.slice(typeStart, ret));
  for (const [a, b] of splitTopLevel(s, open + 1, close - 1)) node = signatures.step(node, s.slice(a, b));
  return signatures.id(node);
}

function readAttachments(s: string, p: number, call: CallScratch): void {
  // Only !dbg matters here; past the arguments and bundles no string can hide the text.
  const d = s.indexOf("!dbg ", p);
  if (d < 0) return;
  const a = readAttachment(s, d);
  if (a) call.dbg = a.value;
}
