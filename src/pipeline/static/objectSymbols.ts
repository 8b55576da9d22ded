import type { ElfFile, ElfSymbol } from "../../elf/index.js";
import type { HelperSelection } from "../helperSelection.js";
import { defaultHelperPrefix } from "../types.js";

/** A real, named symbol: not the null entry, a section or file symbol, or an assembler mapping symbol (`$x`, `$d`). */
export function isNamedSymbol(symbol: ElfSymbol): boolean {
  return symbol.index !== 0 && symbol.name !== "" && symbol.type !== "SECTION" && symbol.type !== "FILE" && !symbol.name.startsWith("$");
}

/** Names an object defines with global, weak or unique binding: what other objects could link against (pure). */
export function exportedDefinitions(elf: ElfFile): string[] {
  return [...new Set(elf.symbols.filter((s) => isNamedSymbol(s) && s.isDefined && s.binding !== "LOCAL").map((s) => s.name))].sort();
}

/** Names an object uses but does not define. */
export function undefinedReferences(elf: ElfFile): Set<string> {
  return new Set(elf.symbols.filter((s) => isNamedSymbol(s) && !s.isDefined).map((s) => s.name));
}

function exportedFunctions(elf: ElfFile): string[] {
  return elf.symbols.filter((s) => isNamedSymbol(s) && s.isDefined && s.binding !== "LOCAL" && (s.type === "FUNC" || s.type === "GNU_IFUNC")).map((s) => s.name);
}

/**
 * Which functions count as helpers, read from objects instead of IR (pure): the same rules as
 * inline mode's selectHelpers: by prefix (default `rust_helper_`) or every function the helper
 * objects export; used when the Rust object references it.
 */
export function selectObjectHelpers(rustObject: ElfFile, helperObjects: readonly ElfFile[], prefix: string | undefined, all: boolean): HelperSelection {
  const wanted = (name: string) => all || name.startsWith(prefix ?? defaultHelperPrefix);
  const defined = [...new Set(helperObjects.flatMap(exportedFunctions))].filter(wanted);
  const referenced = undefinedReferences(rustObject);
  const definedSet = new Set(defined);
  return {
    used: defined.filter((name) => referenced.has(name)).sort(),
    unused: defined.filter((name) => !referenced.has(name)).sort(),
    undefinedInHelpers: all ? [] : [...referenced].filter((name) => name.startsWith(prefix ?? defaultHelperPrefix) && !definedSet.has(name)).sort(),
  };
}
