import type { IrFunction } from "./types.js";

/** The function's type as LLVM prints it: `i32 (ptr, ...)`. */
export function functionType(fn: IrFunction): string {
  const params = fn.params.map((p) => p.type);
  if (fn.isVarArg) params.push("...");
  return `${fn.returnType} (${params.join(", ")})`;
}
