/**
 * Questions asked of clang in C (pure: the probe sources, and the readers of clang's answers).
 * A type probe is `typedef __typeof__(expr) llto_wrapgen_…;`: clang dumps the whole type tree of
 * `expr`. A layout probe is an enum whose constants are `sizeof`, `_Alignof` or `offsetof`: clang
 * dumps each constant's value. Both are read with `-ast-dump-filter=llto_wrapgen_`.
 */
import { isAstNode, parseConcatenatedJson, type AstNode } from "./clangJson.js";
import { readTypedefProbe } from "./typeTree.js";
import type { CType } from "./types.js";

export const probePrefix = "llto_wrapgen_";

/** A question for a type probe: the name of the typedef and the C expression whose type it takes. */
export interface TypeQuestion {
  key: string;
  expression: string;
}

/** A question for a layout probe: an integer constant expression. */
export interface ValueQuestion {
  key: string;
  expression: string;
}

export function probeSource(includePath: string, types: readonly TypeQuestion[], values: readonly ValueQuestion[]): string {
  const lines = [`#include "${includePath}"`];
  types.forEach((question) => lines.push(`typedef __typeof__(${question.expression}) ${probePrefix}type_${question.key};`));
  if (values.length > 0) {
    lines.push(`enum ${probePrefix}values {`);
    values.forEach((question) => lines.push(`  ${probePrefix}value_${question.key} = (int)(${question.expression}),`));
    lines.push("};");
  }
  return `${lines.join("\n")}\n`;
}

function findValue(node: AstNode): string | undefined {
  if (node.kind === "ConstantExpr" && typeof node.value === "string") return node.value;
  for (const child of node.inner ?? []) {
    const found = findValue(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface ProbeAnswers {
  types: Map<string, CType>;
  values: Map<string, number>;
}

/** clang's filtered JSON dump of a probe → the type of each type question, the value of each value question. */
export function readProbeAnswers(dump: string): ProbeAnswers {
  const types = new Map<string, CType>();
  const values = new Map<string, number>();
  const visit = (node: AstNode) => {
    if (node.kind === "TypedefDecl" && node.name?.startsWith(`${probePrefix}type_`)) {
      types.set(node.name.slice(`${probePrefix}type_`.length), readTypedefProbe(node));
    } else if (node.kind === "EnumConstantDecl" && node.name?.startsWith(`${probePrefix}value_`)) {
      const value = findValue(node);
      if (value === undefined) throw new Error(`clang gave no value for ${node.name}`);
      values.set(node.name.slice(`${probePrefix}value_`.length), Number(value));
    } else if (node.kind === "EnumDecl") {
      for (const child of node.inner ?? []) visit(child);
    }
  };
  for (const value of parseConcatenatedJson(dump)) if (isAstNode(value)) visit(value);
  return { types, values };
}
