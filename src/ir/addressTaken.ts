import type { IrModule } from "./types.js";

/** Globals whose initializers list functions without taking part in the program's data flow. */
const BOOKKEEPING_GLOBALS = new Set(["llvm.used", "llvm.compiler.used", "llvm.global_ctors", "llvm.global_dtors"]);

/**
 * Functions whose address escapes, each with the functions, globals, aliases and ifuncs that use
 * it: call arguments, stores, comparisons, initializers (vtables, function-pointer tables),
 * aliases, personality. A call whose function type differs from the callee's also counts: LLVM
 * treats it as a use of the address (Function::hasAddressTaken), not as a direct call.
 *
 * Not counted: direct calls, @llvm.used/@llvm.compiler.used/@llvm.global_ctors/dtors (see
 * IrModule.usedGlobals and friends), metadata, and blockaddress.
 */
export function findAddressTakenFunctions(module: IrModule): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (fn: string, user: string): void => {
    if (!module.functions.has(fn)) return;
    const users = out.get(fn);
    if (!users) out.set(fn, [user]);
    else if (!users.includes(user)) users.push(user);
  };
  for (const fn of module.functions.values()) {
    for (const r of fn.references) add(r, fn.name);
    for (const site of fn.callSites) {
      if (site.isIndirect && site.callee !== null) add(site.callee, fn.name);
    }
  }
  for (const g of module.globals.values()) {
    if (BOOKKEEPING_GLOBALS.has(g.name)) continue;
    for (const r of g.references) add(r, g.name);
  }
  for (const a of module.aliases.values()) for (const r of a.references) add(r, a.name);
  for (const i of module.ifuncs.values()) for (const r of i.references) add(r, i.name);
  return out;
}
