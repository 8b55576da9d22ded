import { SHF_ALLOC, SHN_LORESERVE, SHT_DYNSYM } from "./constants.js";
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "./types.js";
import type { CallVia, ObjectCallSite, ObjectReference } from "./callSiteTypes.js";
import { absentNames, isStubSection, LinkedImage } from "./linked/linkedImage.js";
import { findUnnamedCode } from "./linked/unnamedCode.js";

/** What one resolved relocation or address says: it reaches the start of `name`, recognised `via`. */
export interface ResolvedTarget {
  name: string;
  via: CallVia;
  /** The function's own symbol, when the target is its start address (to tell a loop from a tail call). */
  symbol?: ElfSymbol;
  /** Linked files: the dynamic relocation filling the GOT slot the call went through. */
  relocation?: ElfRelocation;
}

/**
 * Lookups over one object shared by all its sections: where the named functions start, the
 * relocations of each code section by offset, the symbol a relocation refers to, and which
 * relocations were already accounted for by a call.
 */
export class ObjectIndex {
  readonly isRelocatable: boolean;
  /** Relocated section index → relocation offset → relocation. */
  readonly relocationsBySection = new Map<number, Map<number, ElfRelocation>>();
  readonly calls = new Map<string, ObjectCallSite[]>();
  readonly references = new Map<string, ObjectReference[]>();
  /** Relocations that a counted call or a reported address load explains. */
  readonly consumed = new Set<ElfRelocation>();
  /**
   * x86-64: for a relocation on an instruction's displacement (RIP-relative operand or branch), the
   * distance from the field to the instruction's end, which the CPU adds to S + A - P. The usual 4
   * is wrong when an immediate follows the displacement (`movl $1, x(%rip)`).
   */
  readonly fieldToEnd = new Map<ElfRelocation, number>();
  /** Section index → address → the named functions starting there. */
  private readonly starts = new Map<number, Map<number, ElfSymbol[]>>();
  /** Sections that hold the start of a named function. */
  private readonly sectionsWithNamed = new Set<number>();
  /** Section index → its FUNC/IFUNC symbols. */
  private readonly functionsBySection = new Map<number, ElfSymbol[]>();
  private readonly dynsymIndex: number;
  /**
   * Relocatable objects with a symbol table that lack a name asked for: that name may be code whose
   * symbol was removed (`strip --strip-unneeded`, `objcopy --discard-all`, `--strip-symbol`), which
   * the assembler calls with no relocation (`call 0x10`). `stretches`: code no symbol names
   * (linked/unnamedCode.ts), by section index; `uses`: branches and address loads without a
   * relocation from named code into it. Empty when every name is present or all code is named.
   */
  readonly unnamedInObject: { absent: readonly string[]; stretches: Map<number, Array<{ start: number; end: number }>>; uses: Array<{ section: ElfSection; from: number; to: number; toSection: ElfSection; kind: string }> } = {
    absent: [],
    stretches: new Map(),
    uses: [],
  };
  /** Linked files (ET_EXEC, ET_DYN): addresses, GOT slots and PLT stubs; undefined for relocatable objects. */
  readonly linked?: LinkedImage;

  constructor(
    readonly elf: ElfFile,
    readonly names: ReadonlySet<string>,
  ) {
    this.isRelocatable = elf.fileType === "REL";
    this.dynsymIndex = elf.sections.find((s) => s.type === SHT_DYNSYM)?.index ?? -1;
    for (const name of names) {
      this.calls.set(name, []);
      this.references.set(name, []);
    }
    if (!this.isRelocatable) this.linked = new LinkedImage(elf, names);
    else if (elf.symbols.length > 0 && names.size > 0) {
      const absent = absentNames(elf, names);
      if (absent.length > 0) {
        const executable = elf.sections.filter((section) => section.isExecutable);
        const stretches = findUnnamedCode(elf, executable).unnamed;
        if (stretches.length > 0) {
          this.unnamedInObject.absent = absent;
          for (const { section, start, end } of stretches) {
            const list = this.unnamedInObject.stretches.get(section.index);
            if (list) list.push({ start, end });
            else this.unnamedInObject.stretches.set(section.index, [{ start, end }]);
          }
        }
      }
    }
    // A stripped linked file still names its exported functions in .dynsym: callers and sync points.
    const functionSymbols = this.isRelocatable ? elf.symbols : uniqueFunctions([...elf.symbols, ...elf.dynamicSymbols]);
    for (const symbol of functionSymbols) {
      if (!symbol.isDefined || symbol.sectionIndex >= SHN_LORESERVE) continue;
      if (symbol.type === "FUNC" || symbol.type === "GNU_IFUNC") {
        const list = this.functionsBySection.get(symbol.sectionIndex);
        if (list) list.push(symbol);
        else this.functionsBySection.set(symbol.sectionIndex, [symbol]);
      }
      if (!names.has(symbol.name) || symbol.type === "SECTION" || symbol.type === "FILE" || symbol.type === "OBJECT") continue;
      let inSection = this.starts.get(symbol.sectionIndex);
      if (!inSection) this.starts.set(symbol.sectionIndex, (inSection = new Map()));
      const list = inSection.get(symbol.value);
      if (list) list.push(symbol);
      else inSection.set(symbol.value, [symbol]);
      this.sectionsWithNamed.add(symbol.sectionIndex);
    }
    // Linked files are read from their final code: a static relocation kept by --emit-relocs may
    // describe an instruction the linker has since relaxed (GOTPCRELX → lea, call *GOT → call).
    const executable = new Set(elf.sections.filter((s) => s.isExecutable).map((s) => s.index));
    const staticRelocationSections = new Set(elf.sections.filter((s) => (s.flags & SHF_ALLOC) === 0).map((s) => s.index));
    for (const rel of this.isRelocatable ? elf.relocations : []) {
      if (!executable.has(rel.sectionIndex) || !staticRelocationSections.has(rel.relocationSectionIndex)) continue;
      let byOffset = this.relocationsBySection.get(rel.sectionIndex);
      if (!byOffset) this.relocationsBySection.set(rel.sectionIndex, (byOffset = new Map()));
      byOffset.set(rel.offset, rel);
    }
  }

  /** Where a section's bytes sit in the address space that symbol values and r_offset use. */
  base(section: ElfSection): number {
    return this.isRelocatable ? 0 : section.addr;
  }

  code(section: ElfSection): Uint8Array {
    return this.elf.bytes.subarray(section.offset, section.offset + section.size);
  }

  symbolOf(rel: ElfRelocation): ElfSymbol | undefined {
    if (rel.symbolIndex === 0) return undefined;
    if (rel.symbolTableIndex === this.elf.symbolTableIndex) return this.elf.symbols[rel.symbolIndex];
    if (rel.symbolTableIndex === this.dynsymIndex) return this.elf.dynamicSymbols[rel.symbolIndex];
    return undefined;
  }

  functionsAt(sectionIndex: number, address: number): readonly ElfSymbol[] {
    return this.starts.get(sectionIndex)?.get(address) ?? NONE;
  }

  /**
   * The named functions a branch or address with no relocation reaches. In a relocatable object
   * only the same section's functions can be reached that way; in a linked file any address can,
   * and an address that is a PLT stub reaches the function its GOT slot holds.
   */
  directTargets(section: ElfSection, address: number): readonly ResolvedTarget[] {
    const named = this.linked ? this.linked.functionsAt(address) : this.functionsAt(section.index, address);
    const slot = this.linked?.stubs.get(address);
    // Most branches reach no named function: no allocation for them.
    if (named.length === 0 && slot === undefined) return NO_TARGETS;
    const targets: ResolvedTarget[] = named.map((fn) => ({ name: fn.name, via: "direct", symbol: fn }));
    if (!this.linked) return targets;
    if (slot !== undefined) for (const t of this.linked.slotTargets(slot)) targets.push({ name: t.name, via: "plt", relocation: t.relocation });
    return targets;
  }

  /**
   * A branch or address load with no relocation, from `from` to `to` (addresses in the file's
   * space): in a linked file, LinkedImage.noteUse; in a relocatable object lacking a name, a use of
   * code no symbol names when `to` lies in such code and `from` does not (unnamed code reaching
   * itself is no evidence).
   */
  noteDirectUse(section: ElfSection, from: number, to: number, kind: string): void {
    if (this.linked) {
      this.linked.noteUse(from, to, kind);
      return;
    }
    const stretches = this.unnamedInObject.stretches.get(section.index);
    if (!stretches) return;
    const inside = (address: number) => stretches.some((s) => address >= s.start && address < s.end);
    if (inside(to) && !inside(from)) this.unnamedInObject.uses.push({ section, from, to, toSection: section, kind });
  }

  /** Linked files: the named functions whose address a GOT slot holds (`call *slot(%rip)`, `ldr x16, [page, #off]`). */
  slotTargets(slot: number): ResolvedTarget[] {
    return (this.linked?.slotTargets(slot) ?? []).map((t) => ({ name: t.name, via: "got-slot", relocation: t.relocation }));
  }

  /**
   * The named functions a relocation reaches: its own symbol if named, else the functions starting
   * at symbol + addend + `adjust` (for PC-relative fields, the distance from the field to the end of
   * the instruction, which the CPU adds back).
   */
  resolve(rel: ElfRelocation, addend: number, adjust: number): ResolvedTarget[] {
    const symbol = this.symbolOf(rel);
    if (!symbol) return [];
    if (symbol.type !== "SECTION" && this.names.has(symbol.name)) return [{ name: symbol.name, via: "symbol-relocation" }];
    if (!symbol.isDefined || symbol.sectionIndex >= SHN_LORESERVE) return [];
    return this.functionsAt(symbol.sectionIndex, symbol.value + addend + adjust).map((fn) => ({ name: fn.name, via: "section-relocation" }));
  }

  /**
   * The named functions whose code holds `address` of a section (its start, or inside it by the
   * symbol's size): what a relocation whose value is computed from that address uses.
   */
  namedCovering(sectionIndex: number, address: number): ElfSymbol[] {
    const found: ElfSymbol[] = [];
    for (const [start, symbols] of this.starts.get(sectionIndex) ?? []) {
      for (const fn of symbols) if (address === start || (address > start && address < start + fn.size)) found.push(fn);
    }
    return found;
  }

  /** Whether a named function starts in a section. */
  holdsNamed(sectionIndex: number): boolean {
    return this.sectionsWithNamed.has(sectionIndex);
  }

  /** The named functions that start in a section. */
  namesStartingIn(sectionIndex: number): string[] {
    return [...(this.starts.get(sectionIndex)?.values() ?? [])].flat().map((s) => s.name);
  }

  /** FUNC symbols of a section sorted by address, to name the caller of an instruction. */
  /**
   * The function both architectures' scanners use to record one call found in `section`: the
   * site, the function containing it, and the relocation it consumed (so it is not counted again).
   */
  callRecorder(section: ElfSection): (name: string, offset: number, instruction: ObjectCallSite["instruction"], via: CallVia, rel?: ElfRelocation) => ObjectCallSite {
    const base = this.base(section);
    const callers = this.callerIndex(section);
    return (name, offset, instruction, via, rel) => {
      const site: ObjectCallSite = { name, section: section.name, offset: offset - base, instruction, via };
      const caller = callers.find(offset);
      if (caller) site.callerSymbol = caller.name;
      if (rel) {
        site.relocationType = rel.typeName;
        this.consumed.add(rel);
      }
      this.calls.get(name)!.push(site);
      return site;
    };
  }

  callerIndex(section: ElfSection): CallerIndex {
    return new CallerIndex([...(this.functionsBySection.get(section.index) ?? [])]);
  }

  /** Function starts in a section: where the x86 sweep resynchronises and forgets register contents. */
  functionStarts(section: ElfSection): number[] {
    return (this.functionsBySection.get(section.index) ?? []).map((s) => s.value);
  }

  /**
   * Whether a section can hold a call to a named function at all: a direct branch needs the function
   * in the same section, anything else a relocation that names it or points into its section.
   * Sections that cannot are not decoded, which keeps large objects fast.
   */
  mayReachNamed(section: ElfSection): boolean {
    // A linked file keeps no relocations to go by: any code can branch to any address, so every
    // section is read unless no address (and no slot the loader fills) is a named function's.
    if (this.linked) return this.linked.reachesNamed && !isStubSection(section);
    // Code no symbol names may be a name this object lacks: what branches to it must be read.
    if (this.unnamedInObject.stretches.size > 0) return true;
    if (this.sectionsWithNamed.has(section.index)) return true;
    for (const rel of this.relocationsBySection.get(section.index)?.values() ?? []) {
      const symbol = this.symbolOf(rel);
      if (!symbol) continue;
      if (this.sectionsWithNamed.has(symbol.sectionIndex) || (symbol.type !== "SECTION" && this.names.has(symbol.name))) return true;
    }
    return false;
  }
}

const NONE: readonly ElfSymbol[] = [];
const NO_TARGETS: readonly ResolvedTarget[] = [];

/** .symtab and .dynsym name the same functions in an unstripped linked file: one of each (name, address). */
function uniqueFunctions(symbols: readonly ElfSymbol[]): ElfSymbol[] {
  const seen = new Set<string>();
  return symbols.filter((s) => {
    const key = `${s.value}:${s.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export class CallerIndex {
  private readonly sorted: ElfSymbol[];

  constructor(functions: ElfSymbol[]) {
    // At one address prefer a global name over a local alias, then the larger size.
    this.sorted = functions.sort((a, b) => a.value - b.value || rank(a) - rank(b) || b.size - a.size);
  }

  /** The function covering `address`: among the symbols at the closest start at or below it, the preferred one whose size reaches it (or that has no size). */
  find(address: number): ElfSymbol | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.value <= address) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best < 0) return undefined;
    const value = this.sorted[best]!.value;
    let first = best;
    while (first > 0 && this.sorted[first - 1]!.value === value) first--;
    for (let i = first; i <= best; i++) {
      const s = this.sorted[i]!;
      if (s.size === 0 || address < s.value + s.size) return s;
    }
    return undefined;
  }

  /** Whether `address` lies in `fn` itself (by its size, or, for a symbol without size, by the caller lookup). */
  isInside(fn: ElfSymbol, address: number): boolean {
    if (fn.size > 0) return address >= fn.value && address < fn.value + fn.size;
    return this.find(address)?.value === fn.value;
  }
}

function rank(s: ElfSymbol): number {
  return s.binding === "GLOBAL" ? 0 : s.binding === "WEAK" ? 1 : 2;
}

/** Reads a little-endian signed field: the implicit addend of an SHT_REL entry, or an encoded displacement. */
export function readSigned(code: Uint8Array, at: number, size: number): number {
  if (size === 1) return (code[at]! << 24) >> 24;
  const low = code[at]! | (code[at + 1]! << 8) | (code[at + 2]! << 16) | (code[at + 3]! << 24);
  if (size === 4) return low;
  const high = code[at + 4]! | (code[at + 5]! << 8) | (code[at + 6]! << 16) | (code[at + 7]! << 24);
  return high * 0x1_0000_0000 + (low >>> 0);
}
