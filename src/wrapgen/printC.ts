/**
 * CType → C declarations, and the `extern.c` file in bindgen's `--wrap-static-fns` form (pure).
 */
import type { CType, Qualifiers, WrappedFunction } from "./types.js";

function qualifierWords(quals: Qualifiers | undefined): string[] {
  const words: string[] = [];
  if (quals?.const) words.push("const");
  if (quals?.volatile) words.push("volatile");
  if (quals?.restrict) words.push("restrict");
  return words;
}

function baseName(type: CType): string {
  switch (type.kind) {
    case "builtin":
    case "typedef":
      return type.name;
    case "record":
      return type.typedefNamed ? type.name : `${type.tag} ${type.name}`;
    case "enum":
      return type.typedefNamed ? type.name : `enum ${type.name}`;
    default:
      throw new Error(`not a base type: ${type.kind}`);
  }
}

/** C's spelling of `type` declaring `declarator` (empty for an abstract type name). */
export function cDeclaration(type: CType, declarator = ""): string {
  switch (type.kind) {
    case "pointer": {
      const quals = qualifierWords(type.quals);
      let inner = `*${quals.join(" ")}${quals.length > 0 && declarator ? " " : ""}${declarator}`;
      if (type.pointee.kind === "function" || type.pointee.kind === "array") inner = `(${inner})`;
      return cDeclaration(type.pointee, inner);
    }
    case "function": {
      const params = type.params.map((param) => cDeclaration(param));
      if (type.variadic) params.push("...");
      // bindgen writes a space between a function declarator and its parameters: `int (*f) (int)`.
      const space = declarator.startsWith("(") ? " " : "";
      return cDeclaration(type.result, `${declarator}${space}(${params.length > 0 ? params.join(", ") : "void"})`);
    }
    case "array":
      return cDeclaration(type.element, `${declarator}[${type.size ?? ""}]`);
    case "unsupported":
      throw new Error(`cannot print unsupported C type ${type.spelling}`);
    default: {
      const words = [...qualifierWords(type.quals), baseName(type)];
      return declarator ? `${words.join(" ")} ${declarator}` : words.join(" ");
    }
  }
}

/** Parameter names as the wrapper uses them: the header's, or `argN` where it gave none. */
export function wrapperParamNames(fn: Pick<WrappedFunction, "paramNames" | "type">): string[] {
  return fn.type.params.map((_, index) => fn.paramNames[index] || `arg${index + 1}`);
}

function isVoid(type: CType): boolean {
  return type.kind === "builtin" && type.name === "void";
}

/** One wrapper: `<ret> <name>__extern(<params>) { return <name>(<args>); }`, as bindgen writes it. */
export function cWrapper(fn: WrappedFunction): string {
  const names = wrapperParamNames(fn);
  const params = fn.type.params.map((param, index) => cDeclaration(param, names[index]));
  // The result type wraps the declarator `name(params)`, so a returned function pointer reads as C wants.
  const header = cDeclaration(fn.type.result, `${fn.wrapperName}(${params.length > 0 ? params.join(", ") : "void"})`);
  const call = `${fn.name}(${names.join(", ")})`;
  return `${header} { ${isVoid(fn.type.result) ? "" : "return "}${call}; }`;
}

/** bindgen's `extern.c`: the header, then every wrapper. */
export function externC(includeAs: string, functions: readonly WrappedFunction[]): string {
  return [`#include "${includeAs}"`, "", "// Static wrappers", "", ...functions.map(cWrapper), ""].join("\n");
}
