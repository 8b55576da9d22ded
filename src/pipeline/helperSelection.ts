import type { HelperNaming } from "./resolve/resolvedBuild.js";

export interface HelperSelection {
  /** Helpers the helper inputs define and the Rust code references: the report's rows. */
  used: string[];
  /** Helpers defined by the inputs but never referenced by Rust: the merge drops them. */
  unused: string[];
  /**
   * Functions the Rust code declares that look like helpers (they pass the naming filters, or
   * follow a helper convention: `rust_helper_*`, bindgen's `*__extern`) but no helper input
   * defines: their calls stay in the object, undefined, and count as calls left.
   */
  undefinedInHelpers: string[];
  /** Functions the helper inputs define that Rust references but the naming filters excluded. */
  filteredOut: string[];
}

/** Naming conventions of helpers: the kernel's `rust_helper_` and bindgen `--wrap-static-fns`'s `__extern`. */
export function followsHelperConvention(name: string): boolean {
  return name.startsWith("rust_helper_") || name.endsWith("__extern");
}

function hasFilters(naming: HelperNaming): boolean {
  return naming.prefix !== undefined || naming.suffix !== undefined || naming.pattern !== undefined;
}

export function passesFilters(name: string, naming: HelperNaming): boolean {
  if (naming.prefix !== undefined && !name.startsWith(naming.prefix)) return false;
  if (naming.suffix !== undefined && !name.endsWith(naming.suffix)) return false;
  if (naming.pattern !== undefined && !new RegExp(`^(?:${naming.pattern.source})$`, naming.pattern.flags).test(name)) return false;
  return true;
}

/**
 * Which functions are helpers (pure; both modes, from IR or from objects): those the helper inputs
 * define and the Rust code references, narrowed by the naming filters if any were given. The
 * inputs decide, not a name: bindgen's `<name>__extern` wrappers and the kernel's `rust_helper_*`
 * are selected alike.
 */
export function selectHelpers(definedByHelpers: Iterable<string>, referencedByRust: ReadonlySet<string>, naming: HelperNaming): HelperSelection {
  const defined = [...new Set(definedByHelpers)].filter((name) => !name.startsWith("llvm."));
  const kept = defined.filter((name) => passesFilters(name, naming));
  const definedSet = new Set(defined);
  const looksLikeHelper = (name: string) => (hasFilters(naming) ? passesFilters(name, naming) : false) || followsHelperConvention(name);
  return {
    used: kept.filter((name) => referencedByRust.has(name)).sort(),
    unused: kept.filter((name) => !referencedByRust.has(name)).sort(),
    undefinedInHelpers: [...referencedByRust].filter((name) => !definedSet.has(name) && looksLikeHelper(name)).sort(),
    filteredOut: defined.filter((name) => referencedByRust.has(name) && !passesFilters(name, naming)).sort(),
  };
}
