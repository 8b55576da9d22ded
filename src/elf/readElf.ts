import {
  ET_NAMES,
  SHF_EXECINSTR,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STT_SECTION,
  machineName,
  sectionTypeName,
  symbolBindingName,
  symbolTypeName,
  symbolVisibilities,
} from "./constants.js";
import { ElfFormatError } from "./errors.js";
import { describeNonElf, describeUnsupportedElf } from "./identify.js";
import { relocationTypeName } from "./relocationNames.js";
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "./types.js";

export { ElfFormatError } from "./errors.js";
export type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "./types.js";

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const RELA_SIZE = 24;
const REL_SIZE = 16;
const TWO_32 = 0x1_0000_0000;

/**
 * Parses an ELF64 little-endian file: header, section headers, .symtab/.dynsym and every REL/RELA
 * section. Pure: it only reads `bytes`, and throws ElfFormatError for anything it cannot trust,
 * because a silently misread object would turn into a wrong proof about inlining.
 */
export function readElf(bytes: Uint8Array): ElfFile {
  checkIdent(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * TWO_32;

  const fileTypeNumber = u16(16);
  const machine = u16(18);
  const shoff = u64(40);
  const shentsize = u16(58);
  let shnum = u16(60);
  let shstrndx = u16(62);

  const sections: ElfSection[] = [];
  const nameOffsets: number[] = [];
  if (shoff !== 0) {
    if (shentsize < SHDR_SIZE) throw new ElfFormatError(`section header entry size is ${shentsize}, an ELF64 file needs at least ${SHDR_SIZE}`);
    checkRange(bytes, shoff, SHDR_SIZE, "the section header table");
    // Extended numbering: with 0xff00 or more sections the real count and string-table index live in section 0.
    if (shnum === 0) shnum = u64(shoff + 32);
    if (shstrndx === SHN_XINDEX) shstrndx = u32(shoff + 40);
    checkRange(bytes, shoff, shnum * shentsize, `the section header table (${shnum} entries of ${shentsize} bytes at offset ${shoff})`);
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * shentsize;
      const type = u32(at + 4);
      const flags = u64(at + 8);
      sections.push({
        index: i,
        name: "",
        type,
        typeName: sectionTypeName(type, machine),
        flags,
        isExecutable: (flags & SHF_EXECINSTR) !== 0,
        addr: u64(at + 16),
        offset: u64(at + 24),
        size: u64(at + 32),
        link: u32(at + 40),
        info: u32(at + 44),
        entsize: u64(at + 56),
      });
      nameOffsets.push(u32(at));
    }
  }

  for (const section of sections) {
    if (section.type === SHT_NULL || section.type === SHT_NOBITS) continue;
    checkRange(bytes, section.offset, section.size, `section [${section.index}] (offset ${section.offset}, size ${section.size})`);
  }

  const strings = new StringTables(bytes, sections);
  // shstrndx 0 (SHN_UNDEF) means the file carries no section names at all.
  if (sections.length > 0 && shstrndx !== 0) {
    if (shstrndx >= sections.length) throw new ElfFormatError(`section name table index ${shstrndx} is past the ${sections.length} sections`);
    for (const section of sections) {
      section.name = strings.read(shstrndx, nameOffsets[section.index]!, `the name of section [${section.index}]`);
    }
  }

  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const symbols = symtab ? readSymbols(view, sections, strings, symtab) : [];
  const dynamicSymbols = dynsym ? readSymbols(view, sections, strings, dynsym) : [];

  const symbolCounts = new Map<number, number>();
  if (symtab) symbolCounts.set(symtab.index, symbols.length);
  if (dynsym) symbolCounts.set(dynsym.index, dynamicSymbols.length);

  const relocations: ElfRelocation[] = [];
  for (const section of sections) {
    if (section.type === SHT_RELA || section.type === SHT_REL) readRelocations(view, section, machine, symbolCounts, sections.length, relocations);
  }

  return {
    elfClass: 64,
    machine,
    machineName: machineName(machine),
    fileType: ET_NAMES[fileTypeNumber] ?? `UNKNOWN(0x${fileTypeNumber.toString(16)})`,
    sections,
    symbols,
    symbolTableIndex: symtab?.index ?? 0,
    dynamicSymbols,
    relocations,
    bytes,
  };
}

function checkIdent(bytes: Uint8Array): void {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfFormatError(describeNonElf(bytes));
  }
  if (bytes.length < 6) throw new ElfFormatError(`truncated: the file is ${bytes.length} bytes, the ELF header needs ${EHDR_SIZE}`);
  const unsupported = describeUnsupportedElf(bytes);
  if (unsupported) throw new ElfFormatError(unsupported);
  if (bytes.length < EHDR_SIZE) throw new ElfFormatError(`truncated: the file is ${bytes.length} bytes, the ELF64 header needs ${EHDR_SIZE}`);
}

function checkRange(bytes: Uint8Array, offset: number, size: number, what: string): void {
  if (offset + size > bytes.length) {
    throw new ElfFormatError(`${what} extends past the end of the file (${offset + size} > ${bytes.length} bytes): truncated or corrupt`);
  }
}

function readSymbols(view: DataView, sections: ElfSection[], strings: StringTables, table: ElfSection): ElfSymbol[] {
  if (table.entsize !== 0 && table.entsize !== SYM_SIZE) {
    throw new ElfFormatError(`symbol table [${table.index}] has entry size ${table.entsize}, expected ${SYM_SIZE}`);
  }
  if (table.link >= sections.length || sections[table.link]!.type !== SHT_STRTAB) {
    throw new ElfFormatError(`symbol table [${table.index}] links to section ${table.link}, which is not a string table`);
  }
  const shndxTable = readShndxTable(view, sections, table);
  const count = Math.floor(table.size / SYM_SIZE);
  const symbols: ElfSymbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = table.offset + i * SYM_SIZE;
    const info = view.getUint8(at + 4);
    const other = view.getUint8(at + 5);
    const rawShndx = view.getUint16(at + 6, true);
    const sectionIndex = rawShndx === SHN_XINDEX && shndxTable ? (shndxTable[i] ?? 0) : rawShndx;
    const type = info & 0xf;
    let name = strings.read(table.link, view.getUint32(at, true), `the name of symbol ${i}`);
    if (name === "" && type === STT_SECTION && sectionIndex < SHN_LORESERVE) name = sections[sectionIndex]?.name ?? "";
    symbols[i] = {
      index: i,
      name,
      value: view.getUint32(at + 8, true) + view.getUint32(at + 12, true) * TWO_32,
      size: view.getUint32(at + 16, true) + view.getUint32(at + 20, true) * TWO_32,
      type: symbolTypeName(type),
      binding: symbolBindingName(info >> 4),
      visibility: symbolVisibilities[other & 3]!,
      sectionIndex,
      isDefined: sectionIndex !== SHN_UNDEF,
    };
  }
  return symbols;
}

/** SHT_SYMTAB_SHNDX holds the real section index of symbols whose st_shndx is SHN_XINDEX. */
function readShndxTable(view: DataView, sections: ElfSection[], table: ElfSection): Uint32Array | undefined {
  const shndx = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === table.index);
  if (!shndx) return undefined;
  const out = new Uint32Array(Math.floor(shndx.size / 4));
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(shndx.offset + i * 4, true);
  return out;
}

function readRelocations(
  view: DataView,
  section: ElfSection,
  machine: number,
  symbolCounts: Map<number, number>,
  sectionCount: number,
  out: ElfRelocation[],
): void {
  const isRela = section.type === SHT_RELA;
  const entrySize = isRela ? RELA_SIZE : REL_SIZE;
  if (section.entsize !== 0 && section.entsize !== entrySize) {
    throw new ElfFormatError(`relocation section [${section.index}] has entry size ${section.entsize}, expected ${entrySize}`);
  }
  if (section.link >= sectionCount) throw new ElfFormatError(`relocation section [${section.index}] links to missing section ${section.link}`);
  const symbolCount = symbolCounts.get(section.link) ?? 0;
  const count = Math.floor(section.size / entrySize);
  const typeNames = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const at = section.offset + i * entrySize;
    const type = view.getUint32(at + 8, true);
    const symbolIndex = view.getUint32(at + 12, true);
    if (symbolIndex !== 0 && symbolIndex >= symbolCount) {
      throw new ElfFormatError(
        `relocation ${i} in section [${section.index}] refers to symbol ${symbolIndex}, but its symbol table has ${symbolCount} entries`,
      );
    }
    let typeName = typeNames.get(type);
    if (typeName === undefined) {
      typeName = relocationTypeName(machine, type);
      typeNames.set(type, typeName);
    }
    out.push({
      sectionIndex: section.info,
      offset: view.getUint32(at, true) + view.getUint32(at + 4, true) * TWO_32,
      type,
      typeName,
      symbolIndex,
      addend: isRela ? view.getUint32(at + 16, true) + view.getInt32(at + 20, true) * TWO_32 : 0,
      relocationSectionIndex: section.index,
      symbolTableIndex: section.link,
      hasExplicitAddend: isRela,
    });
  }
}

/** Reads NUL-terminated names, checking every string table and offset against the file. */
class StringTables {
  private readonly decoder = new TextDecoder("utf-8");

  constructor(
    private readonly bytes: Uint8Array,
    private readonly sections: ElfSection[],
  ) {}

  read(tableIndex: number, offset: number, what: string): string {
    if (offset === 0) return "";
    const table = this.sections[tableIndex];
    if (!table || table.type === SHT_NOBITS) throw new ElfFormatError(`${what} points into section ${tableIndex}, which holds no strings`);
    if (offset >= table.size) {
      throw new ElfFormatError(`${what} is at offset ${offset} of string table [${tableIndex}], which is only ${table.size} bytes`);
    }
    const start = table.offset + offset;
    const limit = table.offset + table.size;
    const bytes = this.bytes;
    let end = start;
    let ascii = true;
    while (end < limit && bytes[end] !== 0) {
      if (bytes[end]! >= 0x80) ascii = false;
      end++;
    }
    if (ascii && end - start < 4096) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    return this.decoder.decode(bytes.subarray(start, end));
  }
}
