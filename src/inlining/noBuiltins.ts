import type { IrAttributes } from "../ir/types.js";

/**
 * The library functions a function may not treat as builtins: `"no-builtins"` (clang's
 * -fno-builtin, -ffreestanding) means all of them, `"no-builtin-<name>"` one each. LLVM inlines
 * only when the callee's set is a subset of the caller's (TargetLibraryInfo::areInlineCompatible
 * with -inline-caller-superset-nobuiltin, on by default).
 */
export interface NoBuiltinSet {
  all: boolean;
  names: Set<string>;
}

export function noBuiltinSet(attrs: IrAttributes): NoBuiltinSet {
  const names = new Set<string>();
  let all = false;
  for (const key of [...attrs.values.keys(), ...attrs.flags]) {
    if (key === "no-builtins") all = true;
    else if (key.startsWith("no-builtin-")) names.add(key.slice("no-builtin-".length));
  }
  return { all, names };
}

/** The callee's restrictions the caller does not have: empty when LLVM's TLI rule allows inlining. */
export function noBuiltinsMissingInCaller(caller: IrAttributes, callee: IrAttributes): { all: boolean; names: string[] } {
  const c = noBuiltinSet(caller);
  const h = noBuiltinSet(callee);
  if (c.all) return { all: false, names: [] };
  return { all: h.all, names: [...h.names].filter((n) => !c.names.has(n)).sort() };
}

/** The attribute spellings of a restriction set: `"no-builtins"`, `"no-builtin-wcslen"`. */
export function describeNoBuiltins(missing: { all: boolean; names: string[] }): string {
  return [...(missing.all ? ["no-builtins"] : []), ...missing.names.map((n) => `no-builtin-${n}`)].join(", ");
}

/**
 * Library functions LLVM can synthesize from code that contains no call at all (MemCpyOpt turns
 * store sequences into memset/memcpy, codegen expands memcmp and emits bcmp). Clang itself emits
 * calls to them under -ffreestanding and -fno-builtin, so a helper compiled that way already
 * depends on them — but an explicit `-fno-builtin-memset` asks for more, and is kept.
 */
export const synthesizableFromStraightLineCode: ReadonlySet<string> = new Set(["memset", "memcpy", "memmove", "memcmp", "bcmp"]);
