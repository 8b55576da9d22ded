import type { IrFunction, IrModule } from "./types.js";

/** The function's type as LLVM prints it: `i32 (ptr, ...)`. */
export function functionType(fn: IrFunction): string {
  const params = fn.params.map((p) => p.type);
  if (fn.isVarArg) params.push("...");
  return `${fn.returnType} (${params.join(", ")})`;
}

/** An integer module flag's value, written `i32 2` in IR text. */
export function moduleFlagNumber(module: IrModule, key: string): number | undefined {
  const flag = module.moduleFlags.find((f) => f.key === key);
  const match = flag?.value.match(/^i\d+\s+(-?\d+)$/);
  return match ? Number(match[1]) : undefined;
}
