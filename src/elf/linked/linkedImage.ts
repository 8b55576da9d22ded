import { EM_AARCH64, EM_X86_64, SHF_ALLOC, SHN_LORESERVE, SHT_DYNSYM, SHT_NOBITS, SHT_REL, SHT_RELA } from "../constants.js";

const SHT_RELR = 19;
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "../types.js";
import { ENCODING_LEGACY, sweepX86 } from "../x86-64/decodeBranches.js";
import { findUnnamedCode, type UnnamedStretch } from "./unnamedCode.js";

/**
 * What a linked file (ET_EXEC, ET_DYN) says about where calls land, with no relocation on the
 * call: the named functions at each address (.symtab, else .dynsym), the GOT slot each dynamic
 * relocation fills, and the PLT stubs that jump through a slot. Measured layouts (tests in
 * test/elf/linked.test.ts):
 *
 * - x86-64 lazy `.plt` entries start with `jmp *slot(%rip)` (GNU ld and lld); with IBT (`-z ibt`,
 *   lld `-z force-ibt`) callers target `.plt.sec` entries, `endbr64; bnd jmp *slot(%rip)`; GNU ld's
 *   `.plt.got` holds `jmp *slot(%rip)` stubs for functions that also have a GLOB_DAT slot.
 * - AArch64 stubs are `[bti c]; adrp x16, page; ldr x17, [x16, #off]; add x16, x16, #off; br x17`.
 * - A slot is filled by R_*_JUMP_SLOT / GLOB_DAT / ABS64 against a .dynsym symbol, by R_*_RELATIVE
 *   (the addend is the address), or by nothing at all (non-PIE executables, RELR): then the slot's
 *   own bytes in the file hold the address.
 */

/** Dynamic relocation types per machine: which name a symbol, which hold an address in the addend. */
const dynamicTypes: Record<number, { symbolic: ReadonlySet<number>; relative: ReadonlySet<number> }> = {
  [EM_X86_64]: { symbolic: new Set([1, 6, 7]), relative: new Set([8]) }, // 64, GLOB_DAT, JUMP_SLOT; RELATIVE
  [EM_AARCH64]: { symbolic: new Set([257, 1025, 1026]), relative: new Set([1027]) }, // ABS64, GLOB_DAT, JUMP_SLOT; RELATIVE
};

/** Linker-made stub sections: calls into them are resolved through their GOT slot; their own jumps are not calls. */
export function isStubSection(section: ElfSection): boolean {
  return section.isExecutable && (section.name === ".plt" || section.name.startsWith(".plt.") || section.name === ".iplt");
}

export interface SlotTarget {
  name: string;
  /** The dynamic relocation that fills the slot, if one does. */
  relocation?: ElfRelocation;
}

export class LinkedImage {
  /** Address → the named functions defined there (any section), one symbol per name. */
  readonly namedAt = new Map<number, ElfSymbol[]>();
  /** PLT stub entry address → the GOT slot it jumps through. */
  readonly stubs = new Map<number, number>();
  /** GOT slot address → the dynamic relocation filling it. */
  readonly slotRelocations = new Map<number, ElfRelocation>();
  /** Dynamic relocations (from SHF_ALLOC relocation sections), in file order. */
  readonly dynamicRelocations: ElfRelocation[] = [];
  /** Slots a counted call or address load went through: their relocations are explained. */
  readonly consumedSlots = new Set<number>();
  readonly stubSections: ElfSection[];
  /** Addresses an SHT_RELR section relocates: RELATIVE relocations packed, whose words hold the link-time address. */
  readonly relrAddresses: number[] = [];
  /**
   * Whether absolute addresses can appear in code and data with no dynamic relocation: true for a
   * non-PIE executable (ET_EXEC); a PIE or shared object needs a relocation (RELA or RELR) for each.
   */
  readonly fixedAddresses: boolean;
  /**
   * Whether anything in the file leads to a named function: a function symbol of that name (an
   * address a branch, stub, slot or data word could hold) or a dynamic relocation naming it (a slot
   * the loader fills). Without either no code can reach one, and reading the code finds nothing.
   */
  readonly reachesNamed: boolean;
  /**
   * Whether the file keeps its local symbols, so that a name it lacks is a function it lacks. Linkers
   * drop FILE symbols and default-visibility local functions (crtstuff's frame_dummy, Rust's private
   * functions) only when discarding locals; hidden symbols turned local survive `ld.lld -x`.
   */
  readonly keepsLocals: boolean;
  /** The names no symbol in the file carries (.symtab or .dynsym). */
  readonly absentNames: readonly string[];
  /**
   * Code no symbol names (see unnamedCode.ts), looked for when the file keeps its locals and lacks
   * a name: a copy of that function stripped of its symbol would be there.
   */
  readonly unnamedCode: readonly UnnamedStretch[];
  /** Code only an untyped, size-less label reaches (unnamedCode.ts): a branch from it is no evidence either. */
  readonly labelOnlyCode: readonly UnnamedStretch[];
  /**
   * What reaches unnamed code, in the order found: direct branches and address loads from
   * functions, GOT slots they go through, dynamic relocations and RELR words that store such an
   * address (rustc calls an `extern "C"` function through its GOT slot).
   */
  readonly usesOfUnnamed: Array<{ from: number; to: number; kind: string }> = [];
  /** Where any symbol starts: filled only when there is unnamed code. */
  private readonly symbolStarts = new Set<number>();
  private readonly dynsymIndex: number;
  readonly types: { symbolic: ReadonlySet<number>; relative: ReadonlySet<number> };

  constructor(
    readonly elf: ElfFile,
    readonly names: ReadonlySet<string>,
  ) {
    this.dynsymIndex = elf.sections.find((s) => s.type === SHT_DYNSYM)?.index ?? -1;
    this.types = dynamicTypes[elf.machine] ?? { symbolic: new Set(), relative: new Set() };
    for (const symbol of [...elf.symbols, ...elf.dynamicSymbols]) {
      if (!names.has(symbol.name) || !isFunctionLike(symbol)) continue;
      const list = this.namedAt.get(symbol.value);
      if (!list) this.namedAt.set(symbol.value, [symbol]);
      else if (!list.some((s) => s.name === symbol.name)) list.push(symbol);
    }
    const allocatedRelocationSections = new Set(
      elf.sections.filter((s) => (s.type === SHT_RELA || s.type === SHT_REL) && (s.flags & SHF_ALLOC) !== 0).map((s) => s.index),
    );
    for (const rel of elf.relocations) {
      if (!allocatedRelocationSections.has(rel.relocationSectionIndex)) continue;
      this.dynamicRelocations.push(rel);
      if (this.types.symbolic.has(rel.type) || this.types.relative.has(rel.type)) this.slotRelocations.set(rel.offset, rel);
    }
    this.fixedAddresses = elf.fileType === "EXEC";
    this.keepsLocals = elf.symbols.some((s) => s.type === "FILE" || (s.type === "FUNC" && s.binding === "LOCAL" && s.visibility === "DEFAULT"));
    this.absentNames = absentNames(elf, names);
    const naming =
      this.keepsLocals && this.absentNames.length > 0 ? findUnnamedCode(elf, elf.sections.filter((s) => s.isExecutable && !isStubSection(s))) : undefined;
    this.unnamedCode = naming?.unnamed ?? [];
    this.labelOnlyCode = naming?.labelOnly ?? [];
    this.reachesNamed =
      this.namedAt.size > 0 || this.unnamedCode.length > 0 || this.dynamicRelocations.some((rel) => names.has(this.symbolOf(rel)?.name ?? ""));
    for (const section of elf.sections) if (section.type === SHT_RELR) this.readRelr(section);
    this.stubSections = elf.sections.filter((s) => isStubSection(s) && s.type !== SHT_NOBITS);
    for (const section of this.stubSections) {
      if (elf.machine === EM_X86_64) this.findX86Stubs(section);
      else if (elf.machine === EM_AARCH64) this.findA64Stubs(section);
    }
    if (this.unnamedCode.length > 0) {
      for (const symbol of [...elf.symbols, ...elf.dynamicSymbols]) if (symbol.isDefined && symbol.type !== "SECTION" && symbol.type !== "FILE") this.symbolStarts.add(symbol.value);
      this.findStoredUnnamedAddresses();
    }
  }

  /**
   * Whether `address` is in unnamed code and no symbol starts there. A label the linear sweep
   * stepped over (aws-lc's tables in .text, read as code out of step) still names its address.
   */
  private unnamedAt(address: number): boolean {
    return within(this.unnamedCode, address) && !this.symbolStarts.has(address);
  }

  /** Addresses of unnamed code the loader stores: RELATIVE relocations' addends, RELR-relocated words. */
  private findStoredUnnamedAddresses(): void {
    for (const rel of this.dynamicRelocations) {
      if (this.types.relative.has(rel.type) && this.unnamedAt(rel.addend)) this.usesOfUnnamed.push({ from: rel.offset, to: rel.addend, kind: "dynamic relocation" });
    }
    for (const address of this.relrAddresses) {
      const value = this.readAddress(address);
      if (value !== undefined && this.unnamedAt(value)) this.usesOfUnnamed.push({ from: address, to: value, kind: "RELR word" });
    }
  }

  /** The named functions that start at `address`. */
  functionsAt(address: number): readonly ElfSymbol[] {
    return this.namedAt.get(address) ?? NONE;
  }

  /**
   * Records what a function's instruction reaches when it lies in unnamed code: a direct branch's
   * target, or an address it computes (lea, adrp + add, adr, a non-PIE immediate). Unnamed or
   * label-only code reaching it does not count: data in .text decodes as branches anywhere, and
   * such code only runs if a function reaches it, which counts.
   */
  noteUse(from: number, to: number, kind: string): void {
    if (this.unnamedCode.length === 0 || this.outsideFunctions(from) || !this.unnamedAt(to)) return;
    this.usesOfUnnamed.push({ from, to, kind });
  }

  /** Records a GOT slot a function reads or calls through whose stored address (no relocation: the file's bytes) lies in unnamed code. */
  noteSlot(from: number, slot: number): void {
    if (this.unnamedCode.length === 0 || this.outsideFunctions(from) || this.slotRelocations.has(slot)) return;
    const value = this.readAddress(slot);
    if (value !== undefined && this.unnamedAt(value)) this.usesOfUnnamed.push({ from, to: value, kind: "GOT slot" });
  }

  /** Whether `address` lies in code no function symbol names (unnamed, or only labelled). */
  outsideFunctions(address: number): boolean {
    return within(this.unnamedCode, address) || within(this.labelOnlyCode, address);
  }

  /** The dynamic symbol a dynamic relocation names, if any. */
  symbolOf(rel: ElfRelocation): ElfSymbol | undefined {
    if (rel.symbolIndex === 0 || rel.symbolTableIndex !== this.dynsymIndex) return undefined;
    return this.elf.dynamicSymbols[rel.symbolIndex];
  }

  /** The named functions a slot holds the address of; marks the slot used when it names one. */
  slotTargets(slot: number): SlotTarget[] {
    const targets = this.peekSlot(slot);
    if (targets.length > 0) this.consumedSlots.add(slot);
    return targets;
  }

  /** slotTargets without marking the slot used. */
  peekSlot(slot: number): SlotTarget[] {
    const rel = this.slotRelocations.get(slot);
    let targets: SlotTarget[] = [];
    if (rel) {
      const symbol = this.symbolOf(rel);
      if (symbol && this.names.has(symbol.name)) targets = [{ name: symbol.name, relocation: rel }];
      else if (symbol && symbol.isDefined && symbol.sectionIndex < SHN_LORESERVE) targets = this.functionsAt(symbol.value + rel.addend).map((fn) => ({ name: fn.name, relocation: rel }));
      else if (this.types.relative.has(rel.type)) targets = this.functionsAt(rel.addend).map((fn) => ({ name: fn.name, relocation: rel }));
    } else {
      const value = this.readAddress(slot);
      if (value !== undefined) targets = this.functionsAt(value).map((fn) => ({ name: fn.name }));
    }
    return targets;
  }

  /** The 8 bytes stored at `address` in the file, as an address; undefined if not file-backed or above 2^53. */
  readAddress(address: number): number | undefined {
    const section = this.sectionHolding(address, 8);
    if (!section) return undefined;
    const at = section.offset + (address - section.addr);
    const bytes = this.elf.bytes;
    const low = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
    const high = (bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24)) >>> 0;
    if (high >= 0x20_0000) return undefined;
    return high * 0x1_0000_0000 + low;
  }

  /**
   * SHT_RELR (gABI; lld and GNU ld `-z pack-relative-relocs`): an even word is an address to
   * relocate, an odd word a bitmap of which of the next 63 words after the last one are.
   */
  private readRelr(section: ElfSection): void {
    const bytes = this.elf.bytes;
    let base = 0;
    for (let at = section.offset; at + 8 <= section.offset + section.size; at += 8) {
      const low = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
      const high = (bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24)) >>> 0;
      if ((low & 1) === 0) {
        const address = high * 0x1_0000_0000 + low;
        this.relrAddresses.push(address);
        base = address + 8;
        continue;
      }
      for (let bit = 1; bit < 64; bit++) {
        const set = bit < 32 ? (low >>> bit) & 1 : (high >>> (bit - 32)) & 1;
        if (set) this.relrAddresses.push(base + (bit - 1) * 8);
      }
      base += 63 * 8;
    }
  }

  /** The allocated, file-backed section holding [address, address + size). */
  sectionHolding(address: number, size: number): ElfSection | undefined {
    for (const s of this.elf.sections) {
      if ((s.flags & SHF_ALLOC) === 0 || s.type === SHT_NOBITS || s.size === 0) continue;
      if (address >= s.addr && address + size <= s.addr + s.size) return s;
    }
    return undefined;
  }

  /** x86-64: every `[endbr64;] [bnd] jmp *disp(%rip)` in a stub section; the entry is the endbr64 when there is one. */
  private findX86Stubs(section: ElfSection): void {
    const code = this.elf.bytes.subarray(section.offset, section.offset + section.size);
    let previousEndbr = -1;
    let previousEnd = -1;
    sweepX86(code, section.addr, {
      onInstruction: (address, length, info) => {
        const isEndbr = length === 4 && code[address - section.addr] === 0xf3 && code[address - section.addr + 1] === 0x0f && code[address - section.addr + 2] === 0x1e && code[address - section.addr + 3] === 0xfa;
        const jumpsThroughMemory = info.encoding === ENCODING_LEGACY && info.map === 0 && info.opcode === 0xff && (info.reg & 7) === 4 && info.ripDisplacementPosition >= 0;
        if (jumpsThroughMemory) {
          const p = info.ripDisplacementPosition;
          const disp = code[p]! | (code[p + 1]! << 8) | (code[p + 2]! << 16) | (code[p + 3]! << 24);
          const slot = address + length + disp;
          this.stubs.set(previousEndbr >= 0 && previousEnd === address ? previousEndbr : address, slot);
        }
        previousEndbr = isEndbr ? address : -1;
        previousEnd = address + length;
      },
    });
  }

  /** AArch64: `[bti c;] adrp x16, page; ldr x17, [x16, #off]; add x16, x16, #off; br x17`. */
  private findA64Stubs(section: ElfSection): void {
    const code = this.elf.bytes.subarray(section.offset, section.offset + section.size);
    const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
    const word = (pos: number) => view.getUint32(pos, true);
    for (let pos = 0; pos + 16 <= code.length; pos += 4) {
      const adrp = word(pos);
      if ((adrp & 0x9f00001f) >>> 0 !== 0x90000010) continue; // adrp x16
      const ldr = word(pos + 4);
      if ((ldr & 0xffc003ff) >>> 0 !== 0xf9400211) continue; // ldr x17, [x16, #imm]
      if (word(pos + 12) >>> 0 !== 0xd61f0220) continue; // br x17
      const address = section.addr + pos;
      const page = Math.floor(address / 4096) * 4096 + adrpImmediate(adrp);
      const slot = page + ((ldr >>> 10) & 0xfff) * 8;
      const bti = pos >= 4 && isBti(word(pos - 4));
      this.stubs.set(bti ? address - 4 : address, slot);
    }
  }
}

const NONE: readonly ElfSymbol[] = [];

/** Whether `address` lies in one of `stretches` (sorted, disjoint). */
function within(stretches: readonly UnnamedStretch[], address: number): boolean {
  let lo = 0;
  let hi = stretches.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = stretches[mid]!;
    if (address < s.start) hi = mid - 1;
    else if (address >= s.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The names no symbol in `elf` carries (.symtab or .dynsym). */
export function absentNames(elf: ElfFile, names: ReadonlySet<string>): string[] {
  const mentioned = new Set<string>();
  for (const s of [...elf.symbols, ...elf.dynamicSymbols]) if (s.type !== "SECTION" && s.type !== "FILE") mentioned.add(s.name);
  return [...names].filter((name) => !mentioned.has(name));
}

function isFunctionLike(symbol: ElfSymbol): boolean {
  return symbol.isDefined && symbol.sectionIndex < SHN_LORESERVE && symbol.type !== "SECTION" && symbol.type !== "FILE" && symbol.type !== "OBJECT" && symbol.type !== "TLS";
}

/** ADRP's signed 33-bit page offset (immhi:immlo << 12). */
export function adrpImmediate(word: number): number {
  const immlo = (word >>> 29) & 3;
  const immhi = (word >>> 5) & 0x7ffff;
  const imm21 = ((((immhi << 2) | immlo) << 11) >> 11); // sign-extend 21 bits
  return imm21 * 4096;
}

/** BTI (any target kind): a hint the stub may start with. */
export function isBti(word: number): boolean {
  return (word & 0xffffff3f) >>> 0 === 0xd503241f;
}
