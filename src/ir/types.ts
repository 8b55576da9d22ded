/**
 * The shape of an LLVM IR module as local-lto needs it: enough to explain inlining decisions and
 * to vet helper modules, not a full IR model. Everything here is plain data.
 *
 * Attribute objects may be shared between many functions and call sites of one module (an
 * attribute group is resolved once): treat them as read-only.
 */

export interface IrAttributes {
  /** Keyword attributes without a value: nounwind, alwaysinline, null_pointer_is_valid, … */
  flags: Set<string>;
  /**
   * Attributes with a value: string attributes ("target-cpu"="x86-64"; a bare "no-builtin-wcslen"
   * has the value ""), and keyword attributes with an argument: uwtable(sync) → "sync",
   * memory(none) → "none", allocsize(0) → "0", alignstack=16 → "16".
   */
  values: Map<string, string>;
}

export type Visibility = "default" | "hidden" | "protected";
export type UnnamedAddr = "unnamed_addr" | "local_unnamed_addr";

export interface IrDebugLocation {
  file: string;
  directory?: string;
  line: number;
}

export interface IrParam {
  /** The type as written, e.g. `ptr`, `{ i64, ptr }`, `ptr addrspace(1)`. */
  type: string;
  /** Parameter attributes as written, one per entry: `noundef`, `align 8`, `dereferenceable(24)`. */
  attributes: string[];
}

export interface IrCallSite {
  caller: string;
  /** The called function's name when the callee operand is `@name` of a function of the module. */
  callee: string | null;
  /**
   * True when LLVM would not see a direct call (CallBase::getCalledFunction() is null): the callee
   * operand is not a function, or the call's function type differs from the function's own type.
   */
  isIndirect: boolean;
  /** The callee operand is inline assembly (`call void asm …`): no function is called. */
  isInlineAsm: boolean;
  /** The callee operand as written: `@name`, `%3`, `asm`, or the leading word of a constant expression. */
  calleeOperand: string;
  /** The function type (`i32 (ptr, ...)`) or the return type (`i32`) written in the call. */
  callType: string;
  kind: "call" | "invoke" | "callbr";
  tail?: "tail" | "musttail" | "notail";
  callingConv?: string;
  /** Call-site function attributes, attribute groups resolved. */
  attributes: IrAttributes;
  /** From `!dbg !N` → `DILocation(line: …)`. */
  debugLine?: number;
  /** The callee operand names an `llvm.*` intrinsic. */
  isIntrinsic: boolean;
  /** 1-based line of the instruction in the parsed text. */
  textLine: number;
}

export interface IrFunction {
  /** Without `@`, unquoted and unescaped. */
  name: string;
  isDeclaration: boolean;
  /** `external` when none is written. */
  linkage: string;
  visibility: Visibility;
  /** dso_local as LLVM sees it: written, or implied by local linkage or non-default visibility. */
  dsoLocal: boolean;
  unnamedAddr?: UnnamedAddr;
  callingConv?: string;
  returnType: string;
  params: IrParam[];
  isVarArg: boolean;
  attributes: IrAttributes;
  section?: string;
  comdat?: string;
  personality?: string;
  debug?: IrDebugLocation;
  callSites: IrCallSite[];
  /** Instructions in the body, as LLVM counts them (debug records, labels, comments excluded). */
  instructionCount: number;
  /**
   * Names of the module-level values (`@x`) the function uses other than as the direct callee of a
   * call: operands, constant expressions, personality, prefix and prologue data. Metadata,
   * blockaddress and `metadata` call arguments are not uses.
   */
  references: string[];
  /** 1-based line of the `define`/`declare`. */
  textLine: number;
}

export interface IrGlobal {
  name: string;
  linkage: string;
  visibility: Visibility;
  dsoLocal: boolean;
  isConstant: boolean;
  /** `thread_local` or `thread_local(initialexec)` etc., as written. */
  threadLocal?: string;
  section?: string;
  comdat?: string;
  hasInitializer: boolean;
  externallyInitialized: boolean;
  unnamedAddr?: UnnamedAddr;
  debug?: IrDebugLocation;
  /** `llvm.*` globals (llvm.used, llvm.global_ctors, …). */
  isSpecial: boolean;
  /** Module-level values (`@x`) named in the initializer. */
  references: string[];
  textLine: number;
}

export interface IrAlias {
  name: string;
  linkage: string;
  visibility: Visibility;
  /** The aliased value when the aliasee is a plain `@name`; null for a constant expression. */
  aliasee: string | null;
  /** Every `@name` in the aliasee expression. */
  references: string[];
  textLine: number;
}

export interface IrIfunc {
  name: string;
  linkage: string;
  resolver: string | null;
  references: string[];
  textLine: number;
}

export interface IrModuleFlag {
  behavior: number;
  key: string;
  /** The value as written: `i32 2`, `!"string"`, `!{…}`, `!12`. */
  value: string;
}

export type ComdatKind = "any" | "exactmatch" | "largest" | "nodeduplicate" | "samesize";

export interface IrModule {
  sourceFilename?: string;
  triple?: string;
  dataLayout?: string;
  functions: Map<string, IrFunction>;
  globals: Map<string, IrGlobal>;
  aliases: Map<string, IrAlias>;
  ifuncs: Map<string, IrIfunc>;
  comdats: Map<string, string>;
  attributeGroups: Map<number, IrAttributes>;
  moduleFlags: IrModuleFlag[];
  /**
   * Named metadata, each operand resolved: a node made only of strings (`!{!"clang version …"}`)
   * gives its strings, any other node its text as written (`!{i32 7, !"PIC Level", i32 2}`).
   */
  namedMetadata: Map<string, string[]>;
  /** Each `module asm "…"` line, unescaped. */
  moduleAsm: string[];
  usedGlobals: string[];
  compilerUsedGlobals: string[];
  /** Function names in @llvm.global_ctors, in order of appearance. */
  globalCtors: string[];
  globalDtors: string[];
}
