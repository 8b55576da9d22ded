import type { IrModule } from "../ir/types.js";
import { defaultHelperPrefix } from "./types.js";

export interface HelperSelection {
  /** Helpers the helper inputs define and the Rust module references: the report's rows. */
  used: string[];
  /** Helpers defined by the inputs but never referenced by Rust: the merge drops them. */
  unused: string[];
  /** Helper-named functions Rust declares that no helper input defines. */
  undefinedInHelpers: string[];
}

function isCandidate(name: string, prefix: string | undefined, all: boolean): boolean {
  if (name.startsWith("llvm.")) return false;
  return all || name.startsWith(prefix ?? defaultHelperPrefix);
}

/** Which functions count as helpers: by prefix (default `rust_helper_`), or every function the helper inputs define. */
export function selectHelpers(rustModule: IrModule, helperModule: IrModule, prefix: string | undefined, all: boolean): HelperSelection {
  const defined = [...helperModule.functions.values()].filter((f) => !f.isDeclaration && f.linkage !== "internal" && f.linkage !== "private" && isCandidate(f.name, prefix, all)).map((f) => f.name);
  const referencedByRust = new Set<string>();
  for (const fn of rustModule.functions.values()) {
    if (fn.isDeclaration) referencedByRust.add(fn.name);
  }
  const used = defined.filter((name) => referencedByRust.has(name)).sort();
  const unused = defined.filter((name) => !referencedByRust.has(name)).sort();
  const definedSet = new Set(defined);
  const undefinedInHelpers = [...referencedByRust].filter((name) => !definedSet.has(name) && !all && isCandidate(name, prefix, false)).sort();
  return { used, unused, undefinedInHelpers };
}
