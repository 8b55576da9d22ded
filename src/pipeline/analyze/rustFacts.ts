import { functionType, moduleFlagNumber } from "../../ir/index.js";
import type { IrModule } from "../../ir/types.js";
import type { RustCodegenFacts } from "../../tools/llc.js";

/** The value most functions carry: rustc writes one `target-cpu` for the whole crate. */
function mostCommonAttribute(module: IrModule, key: string): string | undefined {
  const counts = new Map<string, number>();
  for (const fn of module.functions.values()) {
    if (fn.isDeclaration) continue;
    const value = fn.attributes.values.get(key);
    if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
}

/** How rustc set up code generation for this module, read back from the module itself (pure). */
export function rustCodegenFacts(module: IrModule): RustCodegenFacts {
  return {
    triple: module.triple,
    picLevel: moduleFlagNumber(module, "PIC Level"),
    codeModel: moduleFlagNumber(module, "Code Model"),
    targetCpu: mostCommonAttribute(module, "target-cpu"),
    targetFeatures: mostCommonAttribute(module, "target-features"),
  };
}

export interface HelperCallSitesBefore {
  /** Direct calls from Rust code to the helper. */
  direct: number;
  /** Calls LLVM sees as indirect because the Rust declaration's type differs from the C definition. */
  mismatched: number;
  callers: Set<string>;
}

/**
 * Counts call sites to each helper in the Rust module before the merge. A declaration-vs-definition
 * signature difference only shows after merging, so `mismatched` is filled in by the caller that
 * knows the helper's definition (see `countHelperCallSites`).
 */
export function countHelperCallSites(rustModule: IrModule, helperNames: ReadonlySet<string>, helperModule?: IrModule): Map<string, HelperCallSitesBefore> {
  const result = new Map<string, HelperCallSitesBefore>();
  for (const name of helperNames) result.set(name, { direct: 0, mismatched: 0, callers: new Set() });
  for (const fn of rustModule.functions.values()) {
    for (const site of fn.callSites) {
      if (!site.callee) continue;
      const entry = result.get(site.callee);
      if (!entry) continue;
      entry.callers.add(fn.name);
      const definition = helperModule?.functions.get(site.callee);
      const declared = rustModule.functions.get(site.callee);
      const typesDiffer = !!definition && !!declared && functionType(definition) !== functionType(declared);
      if (site.isIndirect || typesDiffer) entry.mismatched++;
      else entry.direct++;
    }
  }
  return result;
}
