import { findCallsTo, readElf, symbolState, type ElfFile } from "../elf/index.js";
import type { HelperReport } from "./schema.js";

export interface HelperBefore {
  callSitesBefore: number | null;
  mismatchedCallSitesBefore: number | null;
}

/**
 * Per helper, what the object itself shows: calls left (all encodings, see src/elf) and the
 * symbol's state. This is the proof: it does not trust what the pipeline meant to do.
 */
export function helperReportsFromObject(elf: ElfFile, helperNames: readonly string[], before: ReadonlyMap<string, HelperBefore> = new Map()): HelperReport[] {
  const calls = findCallsTo(elf, new Set(helperNames));
  return [...helperNames].sort().map((name) => {
    const sites = calls.get(name) ?? [];
    const state = symbolState(elf, name);
    const symbol = elf.symbols.find((s) => s.name === name && s.type !== "SECTION" && s.type !== "FILE");
    const counts = before.get(name);
    return {
      name,
      callSitesBefore: counts?.callSitesBefore ?? null,
      mismatchedCallSitesBefore: counts?.mismatchedCallSitesBefore ?? null,
      callsLeft: sites.length,
      calls: sites.map((site) => ({ section: site.section, offset: site.offset, instruction: site.instruction, via: site.via, caller: site.callerSymbol })),
      symbol: state,
      visibility: symbol && symbol.binding !== "LOCAL" && symbol.isDefined ? symbol.visibility.toLowerCase() : undefined,
      inlined: sites.length === 0,
    };
  });
}

export function readObject(bytes: Uint8Array): ElfFile {
  return readElf(bytes);
}
