import type { IrFunction } from "../ir/types.js";
import { bracketEnd, escapeIrString, maskStrings } from "./irText.js";
import { targetKey, type TargetAttributes } from "./targetFeatures.js";

/**
 * What a target intrinsic (`llvm.x86.sse2.pause`, `llvm.x86.sse42.crc32.64.64`,
 * `llvm.aarch64.…`) really needs, from LLVM itself: the call alone, in a function with the
 * target attributes in question, is compiled by `llc`; it either selects (the instruction the
 * intrinsic names exists for those features, so the helper computes the same) or LLVM stops with
 * "Cannot select". Pure: probe modules out, llc's result in; src/pipeline/reconcile/llvmFacts.ts
 * runs llc and caches the answers.
 */
export interface TargetIntrinsicCall {
  name: string;
  /** The call's arguments as written (`i64 %0`, `i8 3`). */
  args: string[];
}

/** The arguments of the call to `callee` on one llvm-dis line, split at top-level commas. */
export function callArguments(line: string, callee: string): string[] {
  const masked = maskStrings(line);
  const spelled = [`@${callee}(`, `@"${escapeIrString(callee)}"(`];
  let open = -1;
  for (const s of spelled) {
    const at = masked.indexOf(s);
    if (at >= 0) {
      open = at + s.length - 1;
      break;
    }
  }
  if (open < 0) return [];
  const end = bracketEnd(line, open);
  if (end < 0) return [];
  return splitTopLevel(line.slice(open + 1, end - 1));
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let current = "";
  for (const c of text) {
    if (inString) {
      current += c;
      if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if ("([{<".includes(c)) depth++;
    else if (")]}>".includes(c)) depth--;
    if (c === "," && depth === 0) {
      out.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** The leading type of an argument (`<4 x i32>`, `{ i64, ptr }`, `ptr addrspace(1)`, `i64`). */
function leadingType(arg: string): { type: string; rest: string } | null {
  const first = arg[0];
  let end: number;
  if (first === "<" || first === "{" || first === "[") end = bracketEnd(arg, 0);
  else {
    const m = /^(ptr\s+addrspace\(\d+\)|[A-Za-z_][\w.]*)/.exec(arg);
    end = m ? m[0].length : -1;
  }
  if (end <= 0) return null;
  return { type: arg.slice(0, end), rest: arg.slice(end).trim() };
}

export function intrinsicProbeKey(call: TargetIntrinsicCall, target: TargetAttributes): string {
  return `${call.name}(${call.args.map(constantPart).join(", ")})\n${targetKey(target)}`;
}

/** An argument's text with SSA values replaced by a placeholder: calls that differ only in them probe the same. */
function constantPart(arg: string): string {
  return arg.replace(/[%@][-\w.$"]+\s*$/, "%v");
}

/**
 * A module with one function, `@probe`, that makes `call` with `target`'s attributes; its SSA
 * operands become parameters, constants stay (immediate operands must). Undefined when the call
 * cannot be rebuilt alone (a metadata operand, an unreadable argument).
 */
export function intrinsicProbeModule(triple: string, declaration: IrFunction, call: TargetIntrinsicCall, target: TargetAttributes): string | undefined {
  const params: string[] = [];
  const args: string[] = [];
  for (const arg of call.args) {
    const parsed = leadingType(arg);
    if (!parsed || parsed.type === "metadata") return undefined;
    const value = /([%@][-\w.$]+|[%@]"(?:[^"\\]|\\.)*")$/.exec(parsed.rest);
    if (value) {
      const name = `%a${params.length}`;
      params.push(`${parsed.type} ${name}`);
      args.push(`${parsed.type} ${parsed.rest.slice(0, value.index).trim()} ${name}`.replace(/\s+/g, " "));
    } else if (/![\d]/.test(parsed.rest)) return undefined;
    else args.push(arg);
  }
  const ret = declaration.returnType.replace(/^((noundef|zeroext|signext|noalias|nonnull|range\([^)]*\))\s+)+/, "").trim();
  const declParams = declaration.params.map((p) => p.type).join(", ") + (declaration.isVarArg ? ", ..." : "");
  const attrs = [
    target.cpu !== undefined ? `"target-cpu"="${escapeIrString(target.cpu)}"` : "",
    target.tuneCpu !== undefined ? `"tune-cpu"="${escapeIrString(target.tuneCpu)}"` : "",
    target.features !== undefined ? `"target-features"="${escapeIrString(target.features)}"` : "",
  ].filter(Boolean);
  const callText = `call ${ret} @"${escapeIrString(call.name)}"(${args.join(", ")})`;
  const body = ret === "void" ? `  ${callText}\n  ret void` : `  %r = ${callText}\n  ret ${ret} %r`;
  return [
    `target triple = "${escapeIrString(triple)}"`,
    `declare ${ret} @"${escapeIrString(call.name)}"(${declParams})`,
    `define ${ret} @probe(${params.join(", ")}) #0 {\n${body}\n}`,
    `attributes #0 = { nounwind ${attrs.join(" ")} }`,
    "",
  ].join("\n");
}

export type SelectionResult = { selects: true } | { selects: false; message: string } | { selects: undefined; message: string };

/**
 * Reads llc's verdict: exit 0 selects; "Cannot select", "Do not know how to …" or a failed
 * legalization (LLVM ERROR) is a refusal; anything else (a parse error) means the probe itself
 * was wrong, and nothing is known.
 */
export function readSelection(exitCode: number | null, stderr: string): SelectionResult {
  if (exitCode === 0) return { selects: true };
  const line = stderr.split("\n").find((l) => /LLVM ERROR|Cannot select|Do not know how to|not supported|cannot be (selected|lowered)/i.test(l));
  if (line) return { selects: false, message: line.replace(/^.*?LLVM ERROR:\s*/, "").trim() };
  return { selects: undefined, message: stderr.trim().split("\n")[0] ?? `llc exited with ${exitCode}` };
}

/** The target with one more feature, as `-Ctarget-feature=+f` would write it. */
export function withFeature(target: TargetAttributes, feature: string): TargetAttributes {
  return { ...target, features: target.features ? `${target.features},+${feature}` : `+${feature}` };
}

/**
 * LLVM's answers about intrinsic selection, as far as probed; questions not answered yet are
 * remembered (`missing()`) for the pipeline to ask llc, as TargetModel does for target features.
 */
export class IntrinsicFacts {
  private readonly missed = new Map<string, { key: string; call: TargetIntrinsicCall; declaration: IrFunction; target: TargetAttributes }>();

  constructor(
    readonly known: Readonly<Record<string, boolean>>,
    private readonly declarationOf: (name: string) => IrFunction | undefined,
    private readonly tried: ReadonlySet<string> = new Set(),
  ) {}

  /** Whether LLVM selects `call` for a function with `target`'s attributes; undefined while unknown. */
  selects(call: TargetIntrinsicCall, target: TargetAttributes): boolean | undefined {
    const key = intrinsicProbeKey(call, target);
    const answer = this.known[key];
    if (answer !== undefined) return answer;
    const declaration = this.declarationOf(call.name);
    if (declaration && !this.tried.has(key)) this.missed.set(key, { key, call, declaration, target });
    return undefined;
  }

  missing(): { key: string; call: TargetIntrinsicCall; declaration: IrFunction; target: TargetAttributes }[] {
    return [...this.missed.values()];
  }
}
