/**
 * LLVM's own inlining verdicts, from the YAML that `opt -pass-remarks-output=<file>
 * -pass-remarks-filter=inline` writes (llvm/lib/Remarks/YAMLRemarkSerializer.cpp; the same in
 * LLVM 14 through 22). Each document is one decision:
 *
 *   --- !Missed
 *   Pass:            inline
 *   Name:            NeverInline
 *   DebugLoc:        { File: lib.rs, Line: 7, Column: 14 }
 *   Function:        drive
 *   Args:
 *     - Callee:          rust_helper_inc
 *     - String:          ''' not inlined into '''
 *     - Caller:          drive
 *     - Reason:          conflicting attributes
 *   ...
 *
 * A pure parser of that subset of YAML: block mappings, one `Args` sequence of one-key mappings
 * (with an optional nested DebugLoc), flow mappings for DebugLoc, plain and quoted scalars.
 */
export interface InlineRemark {
  kind: "Passed" | "Missed";
  /** Inlined, AlwaysInline, NeverInline, TooCostly, NoDefinition, … */
  name: string;
  caller: string;
  callee: string;
  /** Where the call is (the remark's own DebugLoc); absent without debug info. */
  file?: string;
  line?: number;
  column?: number;
  /** `Reason` argument of a never-inline decision: "conflicting attributes", … */
  reason?: string;
  cost?: string;
  threshold?: string;
  /** The remark as one line, as -pass-remarks prints it. */
  message: string;
}

export class RemarkParseError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} (remarks line ${line})`);
    this.name = "RemarkParseError";
  }
}

interface Document {
  kind: string;
  fields: Map<string, string>;
  debugLoc?: Map<string, string>;
  args: Array<{ key: string; value: string }>;
}

export function parseInlineRemarks(yaml: string): InlineRemark[] {
  const out: InlineRemark[] = [];
  for (const doc of parseDocuments(yaml)) {
    if (doc.fields.get("Pass") !== "inline") continue;
    const kind = doc.kind.replace(/^!/, "");
    // Analysis remarks (-pass-remarks-analysis) repeat a decision's details; the decision is enough.
    if (kind !== "Passed" && kind !== "Missed") continue;
    const arg = (key: string) => doc.args.find((a) => a.key === key)?.value;
    const callee = arg("Callee");
    const caller = arg("Caller") ?? doc.fields.get("Function");
    if (callee === undefined || caller === undefined) continue;
    const line = doc.debugLoc?.get("Line");
    const column = doc.debugLoc?.get("Column");
    const message = doc.args
      .filter((a) => a.key !== "DebugLoc")
      .map((a) => a.value)
      .join("");
    out.push({
      kind,
      name: doc.fields.get("Name") ?? "",
      caller,
      callee,
      file: doc.debugLoc?.get("File"),
      line: line !== undefined ? Number(line) : undefined,
      column: column !== undefined ? Number(column) : undefined,
      reason: arg("Reason"),
      cost: arg("Cost"),
      threshold: arg("Threshold"),
      message,
    });
  }
  return out;
}

function parseDocuments(yaml: string): Document[] {
  const docs: Document[] = [];
  let doc: Document | null = null;
  let inArgs = false;
  const lines = yaml.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i]!.replace(/\r$/, "");
    // LLVM's YAML writer wraps long flow mappings (`DebugLoc: { File: '…',` / `Line: 7, … }`).
    const startLine = i + 1;
    while (/:\s*\{/.test(raw) && braceDepth(raw) > 0 && i + 1 < lines.length) raw += ` ${lines[++i]!.trim()}`;
    if (braceDepth(raw) > 0) throw new RemarkParseError("unterminated { … } mapping", startLine);
    if (raw.startsWith("---")) {
      doc = { kind: raw.slice(3).trim(), fields: new Map(), args: [] };
      docs.push(doc);
      inArgs = false;
      continue;
    }
    if (raw === "..." || raw.trim() === "") continue;
    if (!doc) throw new RemarkParseError("text before the first document", i + 1);
    const indent = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (indent === 0) {
      const [key, value] = splitKey(body, i + 1);
      inArgs = key === "Args" && value === "";
      if (key === "DebugLoc") doc.debugLoc = parseFlowMap(value, i + 1);
      else if (!inArgs) doc.fields.set(key, parseScalar(value, i + 1));
      continue;
    }
    if (!inArgs) throw new RemarkParseError("unexpected indented line", i + 1);
    if (body.startsWith("- ")) {
      const [key, value] = splitKey(body.slice(2).trim(), i + 1);
      doc.args.push({ key, value: key === "DebugLoc" ? "" : parseScalar(value, i + 1) });
    }
    // A nested `DebugLoc: { … }` under an argument (the callee's definition): not needed.
  }
  return docs;
}

/** Open `{` minus closed `}` outside quoted scalars. */
function braceDepth(text: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = null;
      } else if (quote === '"' && c === "\\") i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "{") depth++;
    else if (c === "}") depth--;
  }
  return depth;
}

function splitKey(text: string, line: number): [string, string] {
  const colon = text.indexOf(":");
  if (colon <= 0) throw new RemarkParseError(`expected "key: value", got ${JSON.stringify(text)}`, line);
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

function parseFlowMap(text: string, line: number): Map<string, string> {
  const out = new Map<string, string>();
  if (!text.startsWith("{") || !text.endsWith("}")) throw new RemarkParseError("expected a { … } mapping", line);
  for (const part of splitFlow(text.slice(1, -1))) {
    const [key, value] = splitKey(part.trim(), line);
    out.set(key, parseScalar(value, line));
  }
  return out;
}

/** Splits a flow mapping's entries at top-level commas (quoted scalars may contain commas). */
function splitFlow(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      current += c;
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") {
          current += text[++i]!;
        } else quote = null;
      } else if (quote === '"' && c === "\\") current += text[++i] ?? "";
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    if (c === ",") {
      parts.push(current);
      current = "";
    } else current += c;
  }
  if (current.trim()) parts.push(current);
  return parts;
}

export function parseScalar(text: string, line = 0): string {
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new RemarkParseError("unterminated quoted scalar", line);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new RemarkParseError("unterminated quoted scalar", line);
    return text
      .slice(1, -1)
      .replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
        e[0] === "x" || e[0] === "u" ? String.fromCharCode(parseInt(e.slice(1), 16)) : e === "n" ? "\n" : e === "t" ? "\t" : e,
      );
  }
  return text;
}

/**
 * The category of LLVM's verdict, comparable with local-lto's diagnosis:
 * "conflicting attributes" covers target features, no-builtins and the must-be-equal class.
 */
export type RemarkVerdict =
  | "inlined"
  | "conflicting-attributes"
  | "null-pointer-is-valid"
  | "optnone"
  | "interposable"
  | "noinline"
  | "too-costly"
  | "no-definition"
  | "not-inline-viable";

export function remarkVerdict(remark: InlineRemark): RemarkVerdict {
  if (remark.kind === "Passed") return "inlined";
  if (remark.name === "TooCostly") return "too-costly";
  if (remark.name === "NoDefinition") return "no-definition";
  switch (remark.reason) {
    case "conflicting attributes":
      return "conflicting-attributes";
    case "nullptr definitions incompatible":
      return "null-pointer-is-valid";
    case "optnone attribute":
      return "optnone";
    case "interposable":
      return "interposable";
    case "noinline function attribute":
    case "noinline call site attribute":
    case "loader replaceable function attribute":
      return "noinline";
    default:
      return "not-inline-viable";
  }
}
