import type { IrModule } from "../ir/types.js";
import { bracketEnd, escapeIrString, maskStrings } from "./irText.js";

/** One function's attribute changes. */
export interface FunctionAttributeEdit {
  function: string;
  /** Keyword attributes to remove, e.g. `null_pointer_is_valid`. */
  removeFlags?: string[];
  /** String attributes to remove by key, e.g. `no-builtins`, `no-builtin-wcslen`, `tune-cpu`. */
  removeStrings?: string[];
  /** String attributes to set (added when absent). */
  setStrings?: Record<string, string>;
  /** Add `nobuiltin` to every call in the body that is neither an intrinsic nor inline assembly. */
  markCallsNoBuiltin?: boolean;
}

export class AttributeRewriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AttributeRewriteError";
  }
}

interface AttributeToken {
  /** The key: a keyword, or a string attribute's unquoted key. */
  key: string;
  quoted: boolean;
  text: string;
}

/** Splits the body of `attributes #N = { … }` into attributes, keeping each one's text. */
export function tokenizeAttributeGroup(body: string): AttributeToken[] {
  const tokens: AttributeToken[] = [];
  let p = 0;
  const n = body.length;
  while (p < n) {
    while (p < n && /\s/.test(body[p]!)) p++;
    if (p >= n) break;
    const start = p;
    if (body[p] === '"') {
      const keyEnd = body.indexOf('"', p + 1);
      if (keyEnd < 0) throw new AttributeRewriteError(`unterminated string in attribute group: ${body}`);
      const key = body.slice(p + 1, keyEnd);
      p = keyEnd + 1;
      if (body[p] === "=" && body[p + 1] === '"') {
        const valueEnd = body.indexOf('"', p + 2);
        if (valueEnd < 0) throw new AttributeRewriteError(`unterminated string in attribute group: ${body}`);
        p = valueEnd + 1;
      }
      tokens.push({ key, quoted: true, text: body.slice(start, p) });
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(body.slice(p));
    if (!word) throw new AttributeRewriteError(`unexpected text in attribute group: ${body.slice(p)}`);
    p += word[0].length;
    if (body[p] === "(") {
      const end = bracketEnd(body, p);
      if (end < 0) throw new AttributeRewriteError(`unbalanced parentheses in attribute group: ${body}`);
      p = end;
    } else if (body[p] === "=") {
      p++;
      if (body[p] === '"') p = body.indexOf('"', p + 1) + 1;
      else while (p < n && !/\s/.test(body[p]!)) p++;
    }
    tokens.push({ key: word[0], quoted: false, text: body.slice(start, p) });
  }
  return tokens;
}

const groupLine = /^attributes #(\d+) = \{ (.*) \}\s*$/;

/**
 * Applies attribute edits to functions of a module's text (llvm-dis output): each edited function
 * gets a new attribute group (shared groups of other functions stay as they were), and calls get
 * `nobuiltin` where asked. Pure; the result is text for llvm-as/llvm-link.
 */
export function rewriteFunctionAttributes(text: string, module: IrModule, edits: readonly FunctionAttributeEdit[]): string {
  if (edits.length === 0) return text;
  const lines = text.split("\n");
  const groups = new Map<number, string>();
  let maxId = -1;
  for (const line of lines) {
    const m = groupLine.exec(line);
    if (m) {
      groups.set(Number(m[1]), m[2]!);
      maxId = Math.max(maxId, Number(m[1]));
    }
  }
  const newGroups = new Map<string, number>();
  for (const edit of edits) {
    const fn = module.functions.get(edit.function);
    if (!fn || fn.isDeclaration) throw new AttributeRewriteError(`no definition of ${edit.function} to edit`);
    const headerIndex = fn.textLine - 1;
    const header = lines[headerIndex]!;
    const { refs, paramsEnd } = headerGroupRefs(header, edit.function);
    let tokens: AttributeToken[] = [];
    for (const id of refs) {
      const body = groups.get(id);
      if (body === undefined) throw new AttributeRewriteError(`attribute group #${id} of ${edit.function} not found`);
      tokens.push(...tokenizeAttributeGroup(body));
    }
    tokens = applyEdit(tokens, edit);
    const body = tokens.map((t) => t.text).join(" ");
    let id = newGroups.get(body);
    if (id === undefined) {
      id = ++maxId;
      newGroups.set(body, id);
    }
    lines[headerIndex] = replaceHeaderRefs(header, refs, paramsEnd, id);
    if (edit.markCallsNoBuiltin) {
      for (const site of fn.callSites) {
        if (site.isIntrinsic || site.isInlineAsm || site.attributes.flags.has("nobuiltin")) continue;
        const at = site.textLine - 1;
        lines[at] = addCallAttribute(lines[at]!, site.calleeOperand, "nobuiltin");
      }
    }
  }
  const added = [...newGroups].map(([body, id]) => `attributes #${id} = { ${body} }`);
  // Attribute groups may appear anywhere at top level; after the last existing one keeps the
  // text tidy (metadata follows them in llvm-dis output).
  let insertAt = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (groupLine.test(lines[i]!)) {
      insertAt = i + 1;
      break;
    }
  }
  lines.splice(insertAt, 0, ...added);
  return lines.join("\n");
}

function applyEdit(tokens: AttributeToken[], edit: FunctionAttributeEdit): AttributeToken[] {
  const removeFlags = new Set(edit.removeFlags ?? []);
  const removeStrings = new Set([...(edit.removeStrings ?? []), ...Object.keys(edit.setStrings ?? {})]);
  const kept = tokens.filter((t) => !(t.quoted ? removeStrings.has(t.key) : removeFlags.has(t.key)));
  for (const [key, value] of Object.entries(edit.setStrings ?? {})) {
    kept.push({ key, quoted: true, text: `"${escapeIrString(key)}"="${escapeIrString(value)}"` });
  }
  // llvm-dis prints keywords first, then string attributes sorted by key; keep that order.
  const words = kept.filter((t) => !t.quoted);
  const strings = kept.filter((t) => t.quoted).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return [...words, ...strings];
}

/** The `#N` references of a `define` line (after its parameter list) and where that list ends. */
function headerGroupRefs(header: string, name: string): { refs: number[]; paramsEnd: number } {
  const masked = maskStrings(header);
  const at = masked.indexOf("@");
  const open = at < 0 ? -1 : masked.indexOf("(", at);
  const paramsEnd = open < 0 ? -1 : bracketEnd(masked, open);
  if (paramsEnd < 0) throw new AttributeRewriteError(`cannot read the define line of ${name}`);
  const refs = [...masked.slice(paramsEnd).matchAll(/(?<=\s)#(\d+)\b/g)].map((m) => Number(m[1]));
  if (refs.length === 0) throw new AttributeRewriteError(`${name} has no attribute group to edit`);
  return { refs, paramsEnd };
}

function replaceHeaderRefs(header: string, refs: number[], paramsEnd: number, id: number): string {
  let tail = header.slice(paramsEnd);
  let first = true;
  for (const ref of refs) {
    tail = tail.replace(new RegExp(`(\\s)#${ref}\\b`), (_, space: string) => {
      const replacement = first ? `${space}#${id}` : "";
      first = false;
      return replacement;
    });
  }
  return header.slice(0, paramsEnd) + tail;
}

/** Inserts a call-site function attribute right after the call's argument list. */
export function addCallAttribute(line: string, calleeOperand: string, attribute: string): string {
  const masked = maskStrings(line);
  const call = masked.search(/\b(call|invoke|callbr)\b/);
  if (call < 0) throw new AttributeRewriteError(`no call in: ${line.trim()}`);
  // The IR reader gives quoted names unquoted (`@"a b"` → `@a b`): try both spellings.
  const spellings = [calleeOperand];
  if (/^[@%]/.test(calleeOperand)) spellings.push(`${calleeOperand[0]}"${escapeIrString(calleeOperand.slice(1))}"`);
  let at = -1;
  let written = "";
  for (const spelling of spellings) {
    at = line.indexOf(`${spelling}(`, call);
    if (at >= 0) {
      written = spelling;
      break;
    }
  }
  if (at < 0) throw new AttributeRewriteError(`cannot find the callee ${calleeOperand} in: ${line.trim()}`);
  const end = bracketEnd(line, at + written.length);
  if (end < 0) throw new AttributeRewriteError(`unbalanced call arguments in: ${line.trim()}`);
  return `${line.slice(0, end)} ${attribute}${line.slice(end)}`;
}
