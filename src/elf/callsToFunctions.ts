import { EM_AARCH64, EM_X86_64, SHF_ALLOC, SHN_LORESERVE, SHT_NOBITS } from "./constants.js";
import { scanA64Section } from "./aarch64/callSites.js";
import type { CallSiteAnalysis, CallSiteDecodeError, ObjectCallSite, SectionCoverage } from "./callSiteTypes.js";
import { describeElf64Machine } from "./constants.js";
import { UnsupportedMachineError } from "./errors.js";
import { collectLinkedReferences } from "./linked/linkedReferences.js";
import { absentNames, isStubSection } from "./linked/linkedImage.js";
import { CallerIndex, ObjectIndex } from "./objectIndex.js";
import { relocationTarget } from "./relocationNames.js";
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "./types.js";
import { scanX86Section } from "./x86-64/callSites.js";

export type {
  CallInstruction,
  CallSiteAnalysis,
  CallSiteDecodeError,
  CallVia,
  ObjectCallSite,
  ObjectReference,
  SectionCoverage,
} from "./callSiteTypes.js";

/**
 * Every call, jump or conditional branch to the start of each named function in the object's code
 * (every name gets an entry, possibly empty). A jump to a function's start from another function is
 * a tail call and counts; a jmp/jcc from a function to its own start is a loop and does not (a
 * `call` to itself, recursion, does). See analyzeCallSites for address uses and decode errors.
 */
export function findCallsTo(elf: ElfFile, functionNames: ReadonlySet<string>): Map<string, ObjectCallSite[]> {
  return analyzeCallSites(elf, functionNames).calls;
}

/**
 * findCallsTo, plus every other use of the functions' addresses (address loads, pointer tables) and
 * any code the x86-64 decoder could not walk. A proof that a function is gone needs all three empty.
 */
export function analyzeCallSites(elf: ElfFile, functionNames: ReadonlySet<string>): CallSiteAnalysis {
  if (elf.machine !== EM_X86_64 && elf.machine !== EM_AARCH64) throw new UnsupportedMachineError(describeElf64Machine(elf.machine));
  if (functionNames.size === 0 && elf.fileType === "REL") return nothingToFind(elf);
  const index = new ObjectIndex(elf, functionNames);
  const decodeErrors: CallSiteDecodeError[] = [];
  const coverage: SectionCoverage[] = [];
  let sectionsScanned = 0;
  for (const section of elf.sections) {
    if (!section.isExecutable || section.type === SHT_NOBITS || section.size === 0) continue;
    const entry: SectionCoverage = { section: section.name, size: section.size, status: "decoded" };
    coverage.push(entry);
    if (index.linked && isStubSection(section)) {
      entry.status = "stubs";
      continue;
    }
    if (!index.mayReachNamed(section)) {
      entry.status = "skipped";
      continue;
    }
    sectionsScanned++;
    const before = decodeErrors.length;
    if (elf.machine === EM_X86_64) scanX86Section(index, section, decodeErrors);
    else scanA64Section(index, section);
    if (decodeErrors.length > before) {
      entry.status = "partial";
      for (const error of decodeErrors.slice(before)) error.mayHide = namesAGapMayHide(index, section.index, error);
    }
  }
  for (const list of index.calls.values()) list.sort(bySectionThenOffset);
  if (index.linked) collectLinkedReferences(index, index.linked);
  else collectOtherReferences(index, decodeErrors);
  for (const list of index.references.values()) list.sort(bySectionThenOffset);
  return { calls: index.calls, references: index.references, decodeErrors, sectionsScanned, coverage, unlocated: findUnlocated(index) };
}

/**
 * A relocatable object asked about no function: what the full analysis finds then (every code
 * section skipped, since no call or reference can name nothing), without indexing its relocations.
 */
function nothingToFind(elf: ElfFile): CallSiteAnalysis {
  const coverage: SectionCoverage[] = elf.sections
    .filter((section) => section.isExecutable && section.type !== SHT_NOBITS && section.size > 0)
    .map((section) => ({ section: section.name, size: section.size, status: "skipped" }));
  return { calls: new Map(), references: new Map(), decodeErrors: [], sectionsScanned: 0, coverage, unlocated: new Map() };
}

/**
 * The named functions a call inside an undecoded range could reach: in a relocatable object, those
 * of the same section (a direct call) and those a relocation inside the range names or points into
 * the section of; in a linked file, any function the file has. A name a file that keeps its locals
 * lacks can only be code no symbol names (linked/unnamedCode.ts): unnamed code cannot hide a call
 * into unnamed code that counts (see LinkedImage.noteUse), and with none there is nothing to call.
 */
function namesAGapMayHide(index: ObjectIndex, sectionIndex: number, gap: CallSiteDecodeError): string[] {
  const linked = index.linked;
  if (linked) {
    if (!linked.keepsLocals) return [...index.names].sort();
    // The stretch runs to the next function symbol: one that starts outside functions stays outside to its end.
    const start = index.elf.sections[sectionIndex]!.addr + gap.offset;
    const absent = new Set(linked.absentNames);
    const mayHideAbsent = linked.unnamedCode.length > 0 && !linked.outsideFunctions(start);
    return [...index.names].filter((name) => mayHideAbsent || !absent.has(name)).sort();
  }
  const hidden = new Set(index.namesStartingIn(sectionIndex));
  for (const rel of index.relocationsBySection.get(sectionIndex)?.values() ?? []) {
    if (rel.offset < gap.offset || rel.offset >= gap.end) continue;
    const symbol = index.symbolOf(rel);
    if (!symbol) continue;
    if (symbol.type !== "SECTION" && index.names.has(symbol.name)) hidden.add(symbol.name);
    else if (symbol.isDefined) for (const name of index.namesStartingIn(symbol.sectionIndex)) hidden.add(name);
  }
  return [...hidden].sort();
}

/**
 * Names whose calls cannot be found at all. A relocatable object or an unstripped linked file that
 * does not mention a name has no such function; a stripped one (or one linked with -x) may still
 * hold a local or hidden copy, called by bare address, that nothing names. So may a file that keeps
 * its locals but had one function's symbol removed: that copy is code no symbol names, and a
 * branch into such code leaves every absent name unproven.
 */
function findUnlocated(index: ObjectIndex): Map<string, string> {
  const unlocated = new Map<string, string>();
  const linked = index.linked;
  // Relocations name every function a relocatable object calls, unless it has no symbol table at
  // all, or a function's symbol was removed: the assembler resolved calls to it with no relocation.
  if (!linked && index.elf.symbols.length > 0) {
    const { absent, uses } = index.unnamedInObject;
    if (uses.length === 0) return unlocated;
    const first = uses[0]!;
    for (const name of absent) {
      unlocated.set(
        name,
        `${uses.length} ${uses.length === 1 ? "use reaches" : "uses reach"} code that no symbol names (first: ${first.kind} at ${first.section.name}+0x${first.from.toString(16)} to ${first.toSection.name}+0x${first.to.toString(16)}), and ${name} is not in the symbol table: a copy whose symbol was removed (strip --strip-unneeded, objcopy --discard-all or --strip-symbol) would be reached this way`,
      );
    }
    return unlocated;
  }
  if (linked?.keepsLocals) {
    const uses = linked.usesOfUnnamed;
    if (uses.length === 0) return unlocated;
    const first = uses[0]!;
    const where = describeAddress(index.elf, first.from);
    for (const name of linked.absentNames) {
      unlocated.set(
        name,
        `${uses.length} ${uses.length === 1 ? "use reaches" : "uses reach"} code that no symbol names (first: ${first.kind} at ${where} to 0x${first.to.toString(16)}), and ${name} is not in the symbol table: a copy whose symbol was removed (objcopy --strip-symbol, strip -N) would be reached this way`,
      );
    }
    return unlocated;
  }
  for (const name of linked?.absentNames ?? absentNames(index.elf, index.names)) {
    unlocated.set(
      name,
      index.elf.symbols.length === 0
        ? `the file has no .symtab (stripped) and ${name} is not in .dynsym: a local or hidden copy would be called by bare address`
        : `.symtab keeps no local symbols (linked with -x/--discard-all, or stripped with --strip-unneeded) and ${name} is not in it: a local copy would be called by bare address`,
    );
  }
  return unlocated;
}

/** `.text+0x1234`: an address by its section. */
function describeAddress(elf: ElfFile, address: number): string {
  const section = elf.sections.find((s) => (s.flags & SHF_ALLOC) !== 0 && s.size > 0 && address >= s.addr && address < s.addr + s.size);
  return section ? `${section.name}+0x${(address - section.addr).toString(16)}` : `0x${address.toString(16)}`;
}

/**
 * Relocations from allocated sections that name a function, or whose value is computed from an
 * address in its code, and that no call explained. Every relocation type counts, not only those a
 * call or load is recognised by: `movabs $f@GOTOFF, %rax; call *%rax` (-mcmodel=large) is a call
 * through an address like any other, and a type whose meaning is not known here is a use of every
 * named function in its symbol's section rather than nothing.
 */
function collectOtherReferences(index: ObjectIndex, gaps: readonly CallSiteDecodeError[]): void {
  // Only named functions are ever found: with none, no relocation can be one (a crate that calls no
  // helper; its 11,000 relocations took regex-syntax's proof ~20 ms).
  if (index.names.size === 0) return;
  const { elf } = index;
  // Debug info names every function; it is not a use.
  const allocated = elf.sections.map((s) => (s.flags & SHF_ALLOC) !== 0);
  const callers = new Map<number, CallerIndex>();
  const callerIndex = (section: ElfSection) => {
    let found = callers.get(section.index);
    if (!found) callers.set(section.index, (found = index.callerIndex(section)));
    return found;
  };
  let fdeStarts: Set<number> | undefined;
  let ownTables: OwnTables | undefined;
  for (const rel of elf.relocations) {
    if (!allocated[rel.sectionIndex] || index.consumed.has(rel)) continue;
    const target = elf.sections[rel.sectionIndex]!;
    // A relocation inside undecoded code is what the gap may hide, reported with the gap.
    if (target.isExecutable && gaps.some((g) => g.sectionIndex === rel.sectionIndex && rel.offset >= g.offset && rel.offset < g.end)) continue;
    const symbol = index.symbolOf(rel);
    if (!symbol) continue;
    if (index.unnamedInObject.stretches.has(symbol.sectionIndex) && symbol.type === "SECTION") {
      // -ffunction-sections: a call to a function whose symbol was removed is relocated against its section symbol.
      if (!(target.name === ".eh_frame" && (fdeStarts ??= frameDescriptionStarts(elf, target)).has(rel.offset))) noteRelocatedUnnamedUse(index, rel, symbol, target);
    }
    let names: readonly string[];
    if (symbol.type !== "SECTION" && index.names.has(symbol.name)) names = [symbol.name];
    else if (!symbol.isDefined || symbol.sectionIndex >= SHN_LORESERVE || !index.holdsNamed(symbol.sectionIndex)) continue;
    else if (target.isExecutable) names = namesReachedFromCode(index, rel, symbol, callerIndex(target));
    else {
      if (target.name === ".eh_frame" && (fdeStarts ??= frameDescriptionStarts(elf, target)).has(rel.offset)) continue;
      names = namesReachedFromData(index, rel, symbol, (ownTables ??= new OwnTables(index)));
    }
    for (const name of names) {
      index.references.get(name)!.push({ name, section: target.name, offset: rel.offset - index.base(target), kind: "other", relocationType: rel.typeName });
    }
  }
}

/** A relocation against a section symbol whose value is computed from code no symbol names: a use of it (ObjectIndex.noteDirectUse). */
function noteRelocatedUnnamedUse(index: ObjectIndex, rel: ElfRelocation, symbol: ElfSymbol, section: ElfSection): void {
  const kind = relocationTarget(index.elf.machine, rel.type, section.isExecutable);
  if (kind === "none" || kind === "unknown") return;
  const toEnd = kind === "pc-field" ? (index.fieldToEnd.get(rel) ?? 4) : 0;
  const to = kind === "got-slot" ? symbol.value : symbol.value + rel.addend + toEnd;
  const sections = index.elf.sections;
  const holder = sections[symbol.sectionIndex]!;
  const stretches = index.unnamedInObject.stretches.get(holder.index)!;
  if (!stretches.some((s) => to >= s.start && to < s.end)) return;
  const fromInside = rel.sectionIndex === holder.index && stretches.some((s) => rel.offset >= s.start && rel.offset < s.end);
  if (!fromInside) index.unnamedInObject.uses.push({ section, from: rel.offset, to, toSection: holder, kind: rel.typeName });
}

/**
 * The named functions a relocation in code that names another symbol (a section symbol, an alias
 * such as `real_impl` for `alias("real_impl")`) reaches: those whose code holds the address its
 * value is computed from. An address inside a function (not its start) from that function's own
 * code, or from its split-off parts (GCC's `f.cold` jumps back into `f`), is the function's own
 * control flow, not a use.
 */
function namesReachedFromCode(index: ObjectIndex, rel: ElfRelocation, symbol: ElfSymbol, callers: CallerIndex): string[] {
  const kind = relocationTarget(index.elf.machine, rel.type, true);
  if (kind === "none") return [];
  // Its value cannot be placed: any named function of the symbol's section may be what it reaches.
  if (kind === "unknown") return index.namesStartingIn(symbol.sectionIndex);
  let addresses: number[];
  if (kind === "got-slot") addresses = [symbol.value];
  else if (kind === "address") addresses = [symbol.value + rel.addend];
  else {
    const toEnd = index.fieldToEnd.get(rel);
    // A PC-relative field the decoder did not find in an instruction: data in code (S + A), or an
    // instruction's displacement ending 4 bytes on.
    addresses = toEnd !== undefined ? [symbol.value + rel.addend + toEnd] : [symbol.value + rel.addend, symbol.value + rel.addend + 4];
  }
  const from = callers.find(rel.offset);
  const names = new Set<string>();
  for (const address of addresses) {
    for (const fn of index.namedCovering(symbol.sectionIndex, address)) {
      const ownFlow = address !== fn.value && from !== undefined && (from.name === fn.name || from.name.startsWith(`${fn.name}.`));
      if (!ownFlow) names.add(fn.name);
    }
  }
  return [...names];
}

/**
 * The named functions a relocation in data reaches. There a PC-relative value (`.long f - .`,
 * R_X86_64_PC32 / R_AARCH64_PREL32 against `.text+0`: relative pointer tables) still points at
 * S + A. An address inside a function, not its start, is a jump table's entry (`.long .LBB3-.LJTI`,
 * `.quad .LBB3`) when the function's own code addresses the table: that is its own control flow.
 */
function namesReachedFromData(index: ObjectIndex, rel: ElfRelocation, symbol: ElfSymbol, ownTables: OwnTables): string[] {
  const kind = relocationTarget(index.elf.machine, rel.type, false);
  if (kind === "none") return [];
  if (kind === "unknown") return index.namesStartingIn(symbol.sectionIndex);
  const address = kind === "got-slot" ? symbol.value : symbol.value + rel.addend;
  return index
    .namedCovering(symbol.sectionIndex, address)
    .filter((fn) => address === fn.value || !ownTables.addresses(fn, rel.sectionIndex, rel.offset))
    .map((fn) => fn.name);
}

/** Where each named function's own code points into data: the start of the tables it reads. */
class OwnTables {
  private readonly lowest = new Map<ElfSymbol, Map<number, number>>();

  constructor(private readonly index: ObjectIndex) {}

  /** Whether `fn`'s code addresses data section `sectionIndex` at or before `offset` (a table holding it). */
  addresses(fn: ElfSymbol, sectionIndex: number, offset: number): boolean {
    let bySection = this.lowest.get(fn);
    if (!bySection) this.lowest.set(fn, (bySection = this.collect(fn)));
    const start = bySection.get(sectionIndex);
    return start !== undefined && start <= offset;
  }

  private collect(fn: ElfSymbol): Map<number, number> {
    const bySection = new Map<number, number>();
    for (const rel of this.index.relocationsBySection.get(fn.sectionIndex)?.values() ?? []) {
      if (rel.offset < fn.value || rel.offset >= fn.value + fn.size) continue;
      const symbol = this.index.symbolOf(rel);
      if (!symbol?.isDefined || symbol.sectionIndex >= SHN_LORESERVE) continue;
      const at = symbol.value + rel.addend + (this.index.fieldToEnd.get(rel) ?? 0);
      bySection.set(symbol.sectionIndex, Math.min(at, bySection.get(symbol.sectionIndex) ?? Infinity));
    }
    return bySection;
  }
}

/**
 * The offsets of `.eh_frame`'s FDE `pc_begin` fields: each says which code a frame description
 * covers (a PC-relative relocation to the function's start), which is not a use of its address.
 * Records: a 4-byte length (0xffffffff: an 8-byte one follows; 0: the end), a 4-byte CIE pointer
 * (0 for a CIE), then for an FDE its pc_begin. Anything unreadable ends the walk: the relocations
 * past it then count as uses, which only keeps a function from being proven.
 */
function frameDescriptionStarts(elf: ElfFile, section: ElfSection): Set<number> {
  const starts = new Set<number>();
  if (section.type === SHT_NOBITS) return starts;
  const view = new DataView(elf.bytes.buffer, elf.bytes.byteOffset + section.offset, section.size);
  let at = 0;
  while (at + 8 <= section.size) {
    let length = view.getUint32(at, true);
    let header = 4;
    if (length === 0) break;
    if (length === 0xffffffff) {
      if (at + 20 > section.size) break;
      length = view.getUint32(at + 4, true) + view.getUint32(at + 8, true) * 0x1_0000_0000;
      header = 12;
    }
    const next = at + header + length;
    if (next > section.size) break;
    if (view.getUint32(at + header, true) !== 0) starts.add(at + header + 4);
    at = next;
  }
  return starts;
}

// Plain comparison: localeCompare would load ICU collation data on first use, costing tens of ms.
function bySectionThenOffset(a: { section: string; offset: number }, b: { section: string; offset: number }): number {
  return a.section < b.section ? -1 : a.section > b.section ? 1 : a.offset - b.offset;
}

export type SymbolState = "absent" | "undefined" | "local" | "global" | "weak";

/**
 * What the symbol table says about `name`: not there, referenced but undefined, or defined with a
 * binding. Hidden and protected globals are still 'global'; symbolVisibility tells them apart.
 */
export function symbolState(elf: ElfFile, name: string): SymbolState {
  const matches = namedSymbols(elf, name);
  if (matches.length === 0) return "absent";
  const defined = matches.filter((s) => s.isDefined);
  if (defined.some((s) => s.binding === "GLOBAL" || s.binding === "GNU_UNIQUE")) return "global";
  if (defined.some((s) => s.binding === "WEAK")) return "weak";
  if (defined.length > 0) return "local";
  return "undefined";
}

/** The visibility of the defined, non-local symbol `name`, if there is one. */
export function symbolVisibility(elf: ElfFile, name: string): ElfSymbol["visibility"] | undefined {
  return namedSymbols(elf, name).find((s) => s.isDefined && s.binding !== "LOCAL")?.visibility;
}

function namedSymbols(elf: ElfFile, name: string): ElfSymbol[] {
  const table = elf.symbols.length > 0 ? elf.symbols : elf.dynamicSymbols;
  return table.filter((s) => s.index !== 0 && s.name === name && s.type !== "SECTION" && s.type !== "FILE");
}
