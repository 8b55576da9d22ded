import { analyzeCallSites, symbolState, type ElfFile } from "../elf/index.js";
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
  return readObjectFacts(elf, helperNames, before).helpers;
}

export function readObjectFacts(elf: ElfFile, helperNames: readonly string[], before: ReadonlyMap<string, HelperBefore> = new Map()): ObjectFacts {
  const analysis = analyzeCallSites(elf, new Set(helperNames));
  const calls = analysis.calls;
  const notes = analysis.decodeErrors.map(
    (e) => `could not decode the instruction at ${e.section}+0x${e.offset.toString(16)}: calls to helpers in that stretch of code may be missing from this report`,
  );
  const helpers = [...helperNames].sort().map((name): HelperReport => {
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
      // Address uses that were not counted as calls (an address load whose calls were, is not listed).
      addressReferences: (analysis.references.get(name) ?? []).filter((r) => !(r.kind === "address-load" && (r.callsThrough ?? 0) > 0)).length,
      symbol: state,
      visibility: symbol && symbol.binding !== "LOCAL" && symbol.isDefined ? symbol.visibility.toLowerCase() : undefined,
      inlined: sites.length === 0,
    };
  });
  return { helpers, notes };
}

export interface ObjectFacts {
  helpers: HelperReport[];
  /** Things the reader could not prove (undecodable code). */
  notes: string[];
}
