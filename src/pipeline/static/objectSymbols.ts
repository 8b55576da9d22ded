import type { ElfFile, ElfSymbol } from "../../elf/index.js";
import { selectHelpers, type HelperSelection } from "../helperSelection.js";
import type { HelperNaming } from "../resolve/resolvedBuild.js";

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

/** The helpers, read from objects instead of IR (pure): the same rules as inline mode (helperSelection.ts). */
export function selectObjectHelpers(rustObject: ElfFile, helperObjects: readonly ElfFile[], naming: HelperNaming): HelperSelection {
  return selectHelpers(helperObjects.flatMap(exportedFunctions), undefinedReferences(rustObject), naming);
}
