/**
 * The header's static functions and records, read from clang's JSON AST of the whole translation
 * unit (pure). No C is parsed here: clang did that; this walks its output.
 */
import { isAstNode, type AstNode } from "./clangJson.js";
import type { HeaderFacts, RecordFields, StaticFunction } from "./types.js";

/**
 * clang's JSON dumper writes a location's `file` (and `line`) only when it differs from the last
 * location it wrote, in document order (clang 22 `JSONNodeDumper::writeBareSourceLocation`). So
 * the file of a node is known only by walking every location before it, in the order written;
 * JSON.parse keeps that order for non-numeric keys. `includedFrom` is a separate record, not a
 * location, and does not move the state.
 */
class LocationState {
  file: string | undefined;
  line: number | undefined;

  visit(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) this.visit(item);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const record = value as Record<string, unknown>;
    if ("offset" in record || "tokLen" in record) {
      if (typeof record.file === "string") this.file = record.file;
      if (typeof record.line === "number") this.line = record.line;
    }
    for (const key in record) {
      if (key === "includedFrom" || key === "file") continue;
      const child = record[key];
      if (typeof child === "object" && child !== null) this.visit(child);
    }
  }
}

function hasBody(node: AstNode): boolean {
  return (node.inner ?? []).some((child) => child.kind === "CompoundStmt");
}

function tagOf(node: AstNode): "struct" | "union" | undefined {
  const tag = node.tagUsed;
  return tag === "struct" || tag === "union" ? tag : undefined;
}

function fieldsOf(node: AstNode): RecordFields["fields"] {
  return (node.inner ?? [])
    .filter((child) => child.kind === "FieldDecl")
    .map((field) => ({ name: field.name ?? "", bitfield: field.isBitfield === true }));
}

/** The record a typedef names directly (`typedef struct {…} name;`), through clang ≤ 21's ElaboratedType. */
function typedefTargetRecordId(node: AstNode): string | undefined {
  let type = node.inner?.[0];
  while (type && type.kind === "ElaboratedType") type = type.inner?.[0];
  if (type?.kind !== "RecordType") return undefined;
  const decl = type.decl as { id?: string } | undefined;
  return decl?.id;
}

/**
 * Every `static` function the translation unit defines (the prototype-only declarations are
 * skipped; the definition's parameter names are kept), and every named or typedef-named record.
 */
export function readHeaderFacts(translationUnit: unknown): HeaderFacts {
  if (!isAstNode(translationUnit) || translationUnit.kind !== "TranslationUnitDecl") {
    throw new Error("not a clang JSON AST dump of a translation unit (expected TranslationUnitDecl)");
  }
  const state = new LocationState();
  const functions = new Map<string, StaticFunction>();
  const records = new Map<string, RecordFields>();
  const anonymous = new Map<string, { tag: "struct" | "union"; complete: boolean; fields: RecordFields["fields"] }>();

  // C gives a tag declared inside a struct file scope: `struct outer { struct inner {…} in; }`
  // declares `struct inner` for everyone, so nested named records count too.
  const addRecord = (node: AstNode): void => {
    const tag = tagOf(node);
    if (!tag) return;
    const complete = node.completeDefinition === true;
    if (node.name) {
      const spelling = `${tag} ${node.name}`;
      const known = records.get(spelling);
      if (!known || (complete && !known.complete)) records.set(spelling, { spelling, complete, fields: fieldsOf(node) });
    } else if (node.id) {
      anonymous.set(node.id, { tag, complete, fields: fieldsOf(node) });
    }
    for (const child of node.inner ?? []) if (child.kind === "RecordDecl" && child.name) addRecord(child);
  };

  for (const node of translationUnit.inner ?? []) {
    // The declaration's own location first: `loc` is written before `range` and `inner`.
    state.visit(node.loc);
    const file = state.file;
    const line = state.line;
    state.visit(node.range);
    const { loc: _loc, range: _range, ...rest } = node;
    state.visit(rest);

    if (node.kind === "FunctionDecl" && node.storageClass === "static" && node.name && !node.isImplicit && hasBody(node)) {
      functions.set(node.name, {
        name: node.name,
        paramNames: (node.inner ?? []).filter((child) => child.kind === "ParmVarDecl").map((param) => param.name ?? ""),
        inline: node.inline === true,
        file,
        line,
        spelling: node.type?.qualType ?? "",
      });
    } else if (node.kind === "RecordDecl") {
      addRecord(node);
    } else if (node.kind === "TypedefDecl" && node.name) {
      const target = typedefTargetRecordId(node);
      const record = target === undefined ? undefined : anonymous.get(target);
      if (record) records.set(node.name, { spelling: node.name, complete: record.complete, fields: record.fields });
    }
  }
  return { functions: [...functions.values()], records };
}

/** The functions to wrap: those the pattern allows, in the order the header defines them. */
export function selectFunctions(functions: readonly StaticFunction[], allow: RegExp | undefined): StaticFunction[] {
  if (!allow) return [...functions];
  // A global or sticky RegExp keeps lastIndex between test() calls: test a fresh copy.
  const pattern = new RegExp(allow.source, allow.flags.replace(/[gy]/g, ""));
  return functions.filter((fn) => pattern.test(fn.name));
}
