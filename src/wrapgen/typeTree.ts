/**
 * clang's JSON type trees → CType (pure). A `typedef __typeof__(f) probe;` makes clang dump the
 * whole type of `f` as nodes (FunctionProtoType, PointerType, TypedefType, …): the generator reads
 * those instead of parsing type spellings.
 */
import type { AstNode } from "./clangJson.js";
import type { CType, Qualifiers } from "./types.js";

function withQualifiers(type: CType, quals: Qualifiers): CType {
  const merged: Qualifiers = { ...type.quals };
  if (quals.const) merged.const = true;
  if (quals.volatile) merged.volatile = true;
  if (quals.restrict) merged.restrict = true;
  return Object.keys(merged).length === 0 ? type : { ...type, quals: merged };
}

function parseQualifiers(text: unknown): Qualifiers {
  const words = typeof text === "string" ? text.split(/\s+/) : [];
  const quals: Qualifiers = {};
  if (words.includes("const")) quals.const = true;
  if (words.includes("volatile")) quals.volatile = true;
  if (words.includes("restrict") || words.includes("__restrict")) quals.restrict = true;
  return quals;
}

const typeKinds = (node: AstNode) => node.kind.endsWith("Type");

function spellingOf(node: AstNode): string {
  return node.type?.qualType ?? node.kind;
}

function declName(node: AstNode): string {
  const decl = node.decl as { name?: string } | undefined;
  return decl?.name ?? "";
}

function only(node: AstNode, index = 0): AstNode {
  const child = (node.inner ?? []).filter(typeKinds)[index];
  if (!child) throw new Error(`clang type node ${node.kind} (${spellingOf(node)}) has no inner type`);
  return child;
}

/**
 * One clang type node (and its children) as a CType. `typedefName` names an anonymous record
 * reached directly through a typedef, as C can only name it that way.
 */
export function readType(node: AstNode, typedefName?: string): CType {
  switch (node.kind) {
    case "BuiltinType":
      return { kind: "builtin", name: spellingOf(node) };
    case "QualType":
      return withQualifiers(readType(only(node), typedefName), parseQualifiers(node.qualifiers));
    case "PointerType":
      return { kind: "pointer", pointee: readType(only(node)) };
    case "ParenType":
    case "ElaboratedType": // clang ≤ 21 wraps `struct x` and typedef uses in it
    case "AttributedType":
    case "BTFTagAttributedType":
    case "MacroQualifiedType":
    case "CountAttributedType":
    case "TypeOfType":
      return readType(only(node), typedefName);
    case "TypeOfExprType":
      // inner: the expression, then the type it has.
      return readType(only(node), typedefName);
    case "DecayedType": {
      // inner: the type as written, then the pointer it decays to.
      const types = (node.inner ?? []).filter(typeKinds);
      return readType(types[types.length - 1] ?? only(node));
    }
    case "RecordType": {
      const tag = spellingOf(node).startsWith("union") ? "union" : "struct";
      const name = declName(node);
      if (name) return { kind: "record", tag, name };
      if (typedefName) return { kind: "record", tag, name: typedefName, typedefNamed: true };
      return { kind: "unsupported", spelling: spellingOf(node), reason: "an anonymous record no typedef names" };
    }
    case "EnumType": {
      const name = declName(node);
      if (name) return { kind: "enum", name };
      if (typedefName) return { kind: "enum", name: typedefName, typedefNamed: true };
      return { kind: "unsupported", spelling: spellingOf(node), reason: "an anonymous enum no typedef names" };
    }
    case "TypedefType": {
      const name = declName(node);
      return { kind: "typedef", name, underlying: readType(only(node), name) };
    }
    case "FunctionProtoType": {
      const [result, ...params] = (node.inner ?? []).filter(typeKinds);
      if (!result) throw new Error(`clang function type ${spellingOf(node)} has no result type`);
      return { kind: "function", result: readType(result), params: params.map((p) => readType(p)), variadic: node.variadic === true };
    }
    case "FunctionNoProtoType":
      return { kind: "unsupported", spelling: spellingOf(node), reason: "a function without a prototype" };
    case "ConstantArrayType":
      return { kind: "array", element: readType(only(node)), size: typeof node.size === "number" ? node.size : null };
    case "IncompleteArrayType":
      return { kind: "array", element: readType(only(node)), size: null };
    default:
      return { kind: "unsupported", spelling: spellingOf(node), reason: `clang type ${node.kind}` };
  }
}

/** The type a probe typedef (`typedef __typeof__(x) name;`) stands for. */
export function readTypedefProbe(node: AstNode): CType {
  if (node.kind !== "TypedefDecl") throw new Error(`expected a TypedefDecl probe, got ${node.kind}`);
  return readType(only(node));
}

/** Depth-first over a type: every type it contains, itself first. */
export function* typesWithin(type: CType): Generator<CType> {
  yield type;
  switch (type.kind) {
    case "pointer":
      yield* typesWithin(type.pointee);
      break;
    case "typedef":
      yield* typesWithin(type.underlying);
      break;
    case "function":
      yield* typesWithin(type.result);
      for (const param of type.params) yield* typesWithin(param);
      break;
    case "array":
      yield* typesWithin(type.element);
      break;
    default:
      break;
  }
}

/** The type without typedefs at the top (qualifiers of the typedef use kept). */
export function stripTypedefs(type: CType): CType {
  let current = type;
  let quals: Qualifiers = {};
  while (current.kind === "typedef") {
    quals = { ...quals, ...current.quals };
    current = current.underlying;
  }
  return withQualifiers(current, quals);
}
