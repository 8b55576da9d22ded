import { analyzeCallSites, symbolState, UnsupportedMachineError, type CallSiteAnalysis, type ElfFile, type ObjectReference } from "../elf/index.js";
import type { HelperReport, HelperVerdict, Report } from "../report/schema.js";

export interface HelperBefore {
  callSitesBefore: number | null;
  mismatchedCallSitesBefore: number | null;
}

export interface ObjectFacts {
  helpers: HelperReport[];
  /** Things the reader could not prove (undecodable code, a machine without a decoder). */
  notes: string[];
  /** How much code was read; undefined when the machine has no call decoder. */
  coverage?: NonNullable<Report["coverage"]>;
  /** Set when the object's machine has no call decoder: every helper is not proven. */
  unsupportedArchitecture?: string;
}

/** Sections that list every function's address for a tool (ftrace, IBT sealing), not pointers a program calls. */
const locationTables = new Set(["__mcount_loc", "__patchable_function_entries", ".ibt_endbr_seal"]);

/** How many causes of one kind a helper's row lists before summing up the rest. */
const MAX_REASONS = 3;

/**
 * Per helper, what the object itself shows: calls left (all encodings, see src/elf) and the
 * symbol's state. This is the proof: it does not trust what the pipeline meant to do.
 */
export function helperReportsFromObject(elf: ElfFile, helperNames: readonly string[], before: ReadonlyMap<string, HelperBefore> = new Map()): HelperReport[] {
  return readObjectFacts(elf, helperNames, before).helpers;
}

export function readObjectFacts(elf: ElfFile, helperNames: readonly string[], before: ReadonlyMap<string, HelperBefore> = new Map()): ObjectFacts {
  let analysis: CallSiteAnalysis;
  try {
    analysis = analyzeCallSites(elf, new Set(helperNames));
  } catch (error) {
    if (!(error instanceof UnsupportedMachineError)) throw error;
    const why = `no call decoder for ${error.architecture} code (only x86-64 and aarch64): calls to it cannot be counted`;
    const helpers = [...helperNames].sort().map((name) => notProvenRow(elf, name, before.get(name), [why]));
    return { helpers, notes: [`the object is ${error.architecture} code, which local-lto cannot read for calls: no helper is proven inlined`], unsupportedArchitecture: error.architecture };
  }
  const notes = analysis.decodeErrors.map(
    (e) =>
      `could not decode the instruction at ${e.section}+0x${e.offset.toString(16)}${e.caller ? ` (in ${e.caller})` : ""}: ${e.reason}; ` +
      (e.mayHide.length ? `not proven: ${e.mayHide.join(", ")}` : "no helper could be called from there"),
  );
  const helpers = [...helperNames].sort().map((name): HelperReport => {
    const sites = analysis.calls.get(name) ?? [];
    const references = analysis.references.get(name) ?? [];
    const reasons = notProvenReasons(name, analysis, references);
    const verdict: HelperVerdict = sites.length > 0 ? "calls-left" : reasons.length > 0 ? "not-proven" : "inlined";
    const counts = before.get(name);
    return {
      name,
      callSitesBefore: counts?.callSitesBefore ?? null,
      mismatchedCallSitesBefore: counts?.mismatchedCallSitesBefore ?? null,
      callsLeft: sites.length,
      calls: sites.map((site) => ({ section: site.section, offset: site.offset, instruction: site.instruction, via: site.via, caller: site.callerSymbol })),
      // Address uses that were not counted as calls (an address load whose calls were, is not listed).
      addressReferences: references.filter((r) => !(r.kind === "address-load" && (r.callsThrough ?? 0) > 0)).length,
      symbol: symbolState(elf, name),
      visibility: exportedVisibility(elf, name),
      inlined: verdict === "inlined",
      verdict,
      ...(verdict === "not-proven" ? { notProven: reasons } : {}),
    };
  });
  return { helpers, notes, coverage: coverageOf(analysis) };
}

/** Everything that keeps "no call found" from meaning "no call": see schema.ts helperVerdictSchema. */
function notProvenReasons(name: string, analysis: CallSiteAnalysis, references: readonly ObjectReference[]): string[] {
  const reasons: string[] = [];
  const unlocated = analysis.unlocated.get(name);
  if (unlocated) reasons.push(unlocated);
  const gaps = analysis.decodeErrors.filter((e) => e.mayHide.includes(name));
  for (const gap of gaps.slice(0, MAX_REASONS)) {
    reasons.push(`${gap.section}+0x${gap.offset.toString(16)}..0x${gap.end.toString(16)}${gap.caller ? ` (in ${gap.caller})` : ""} could not be decoded (${gap.reason}): a call there would be missed`);
  }
  if (gaps.length > MAX_REASONS) reasons.push(`and ${gaps.length - MAX_REASONS} more stretch(es) of code that could not be decoded`);
  const unexplained = references.filter((r) => !(r.kind === "address-load" && (r.callsThrough ?? 0) > 0) && !isLocationTable(r.section));
  if (unexplained.length > 0) {
    const where = unexplained
      .slice(0, MAX_REASONS)
      .map((r) => `${r.section}+0x${r.offset.toString(16)}${r.relocationType ? ` ${r.relocationType}` : r.kind === "address-load" ? " address load" : ""}`)
      .join(", ");
    reasons.push(`its address is used ${unexplained.length} time(s) other than by a counted call (${where}${unexplained.length > MAX_REASONS ? ", …" : ""}): calls through that pointer cannot be counted`);
  }
  return reasons;
}

function isLocationTable(section: string): boolean {
  return locationTables.has(section) || section.startsWith(".discard");
}

function coverageOf(analysis: CallSiteAnalysis): NonNullable<Report["coverage"]> {
  const sections = { decoded: 0, partial: 0, skipped: 0, stubs: 0 };
  for (const entry of analysis.coverage) sections[entry.status]++;
  const gaps = analysis.decodeErrors.map((e) => ({ section: e.section, offset: e.offset, end: e.end, ...(e.caller ? { caller: e.caller } : {}), reason: e.reason }));
  return { sections, gaps };
}

/** A row for a helper whose calls could not be looked for at all. */
export function notProvenRow(elf: ElfFile | undefined, name: string, counts: HelperBefore | undefined, reasons: string[]): HelperReport {
  return {
    name,
    callSitesBefore: counts?.callSitesBefore ?? null,
    mismatchedCallSitesBefore: counts?.mismatchedCallSitesBefore ?? null,
    callsLeft: 0,
    calls: [],
    addressReferences: 0,
    symbol: elf ? symbolState(elf, name) : "absent",
    visibility: elf ? exportedVisibility(elf, name) : undefined,
    inlined: false,
    verdict: "not-proven",
    notProven: reasons,
  };
}

/** Visibility of a defined non-local symbol, from .symtab, or .dynsym in a stripped file. */
function exportedVisibility(elf: ElfFile, name: string): string | undefined {
  const table = elf.symbols.length > 0 ? elf.symbols : elf.dynamicSymbols;
  const symbol = table.find((s) => s.name === name && s.type !== "SECTION" && s.type !== "FILE");
  return symbol && symbol.binding !== "LOCAL" && symbol.isDefined ? symbol.visibility.toLowerCase() : undefined;
}
