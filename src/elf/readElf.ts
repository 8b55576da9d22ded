import {
  ET_DYN,
  ET_EXEC,
  ET_NAMES,
  ET_REL,
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
  checkFileType(fileTypeNumber, u16(56));
  const shoff = u64(40);
  const shentsize = u16(58);
  let shnum = u16(60);
  let shstrndx = u16(62);

  const sections: ElfSection[] = [];
  const nameOffsets: number[] = [];
  if (shoff !== 0) {
    if (shentsize < SHDR_SIZE) throw new ElfFormatError(`section header entry size is ${shentsize}, an ELF64 file needs at least ${SHDR_SIZE}`);
    if (shentsize % 4 !== 0) throw new ElfFormatError(`section header entry size is ${shentsize}, not a whole number of 4-byte words`);
    checkRange(bytes, shoff, SHDR_SIZE, () => "the section header table");
    // Extended numbering: with 0xff00 or more sections the real count and string-table index live in section 0.
    if (shnum === 0) shnum = u64(shoff + 32);
    if (shstrndx === SHN_XINDEX) shstrndx = u32(shoff + 40);
    checkRange(bytes, shoff, shnum * shentsize, () => `the section header table (${shnum} entries of ${shentsize} bytes at offset ${shoff})`);
    // As words, like the symbol and relocation tables: an object has a section per function.
    const words = littleEndianWords(view, shoff, shnum * shentsize);
    const stride = shentsize / 4;
    const typeNames = new Map<number, string>();
    for (let i = 0; i < shnum; i++) {
      const w = i * stride;
      const type = words[w + 1]!;
      const flags = words[w + 2]! + words[w + 3]! * TWO_32;
      let typeName = typeNames.get(type);
      if (typeName === undefined) {
        typeName = sectionTypeName(type, machine);
        typeNames.set(type, typeName);
      }
      sections.push({
        index: i,
        name: "",
        type,
        typeName,
        flags,
        isExecutable: (flags & SHF_EXECINSTR) !== 0,
        addr: words[w + 4]! + words[w + 5]! * TWO_32,
        offset: words[w + 6]! + words[w + 7]! * TWO_32,
        size: words[w + 8]! + words[w + 9]! * TWO_32,
        link: words[w + 10]!,
        info: words[w + 11]!,
        addralign: words[w + 12]! + words[w + 13]! * TWO_32,
        entsize: words[w + 14]! + words[w + 15]! * TWO_32,
      });
      nameOffsets.push(words[w]!);
    }
  }

  for (const section of sections) {
    if (section.type === SHT_NULL || section.type === SHT_NOBITS) continue;
    checkRange(bytes, section.offset, section.size, () => `section [${section.index}] (offset ${section.offset}, size ${section.size})`);
  }

  const strings = new StringTables(bytes, sections);
  // shstrndx 0 (SHN_UNDEF) means the file carries no section names at all.
  if (sections.length > 0 && shstrndx !== 0) {
    if (shstrndx >= sections.length) throw new ElfFormatError(`section name table index ${shstrndx} is past the ${sections.length} sections`);
    for (const section of sections) {
      section.name = strings.read(shstrndx, nameOffsets[section.index]!, () => `the name of section [${section.index}]`);
    }
  }

  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const symbols = symtab ? readSymbols(view, sections, strings, symtab) : [];
  const dynamicSymbols = dynsym ? readSymbols(view, sections, strings, dynsym) : [];

  const symbolCounts = new Map<number, number>();
  if (symtab) symbolCounts.set(symtab.index, symbols.length);
  if (dynsym) symbolCounts.set(dynsym.index, dynamicSymbols.length);

  // Every relocation is checked now (a corrupt table fails here, as any other); the records are
  // made when first asked for: a proof with no helper to find never reads them (regex-syntax's
  // object has 11,000), and young-generation collections of them cost more than the reading.
  const relocationSections = sections.filter((section) => section.type === SHT_RELA || section.type === SHT_REL);
  for (const section of relocationSections) readRelocations(view, section, machine, symbolCounts, sections.length, undefined);
  let relocations: ElfRelocation[] | undefined;

  return {
    elfClass: 64,
    machine,
    machineName: machineName(machine),
    fileType: ET_NAMES[fileTypeNumber] ?? `UNKNOWN(0x${fileTypeNumber.toString(16)})`,
    sections,
    symbols,
    symbolTableIndex: symtab?.index ?? 0,
    dynamicSymbols,
    get relocations(): ElfRelocation[] {
      if (!relocations) {
        relocations = [];
        for (const section of relocationSections) readRelocations(view, section, machine, symbolCounts, sections.length, relocations);
      }
      return relocations;
    },
    bytes,
  };
}

function checkIdent(bytes: Uint8Array): void {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfFormatError(describeNonElf(bytes));
  }
  if (bytes.length < 6) throw new ElfFormatError(`truncated: the file is ${bytes.length} bytes, the ELF header needs ${EHDR_SIZE}`);
  const unsupported = describeUnsupportedElf(bytes);
  if (unsupported) throw new ElfFormatError(unsupported.reason, unsupported.architecture);
  if (bytes.length < EHDR_SIZE) throw new ElfFormatError(`truncated: the file is ${bytes.length} bytes, the ELF64 header needs ${EHDR_SIZE}`);
}

/**
 * Only three kinds of ELF file hold code whose calls this project reads: relocatable objects (whose
 * relocations name the calls), and executables and shared objects (read from their final code, their
 * static relocations ignored). A linked file is loaded through its program headers: one without any
 * is a relocatable object whose e_type was damaged, and reading it as linked would drop the very
 * relocations that name its calls. ET_NONE, ET_CORE and unknown types hold no code to read.
 */
function checkFileType(type: number, programHeaderCount: number): void {
  const name = ET_NAMES[type] ?? `0x${type.toString(16)}`;
  if (type === ET_REL) return;
  if (type === ET_EXEC || type === ET_DYN) {
    if (programHeaderCount > 0) return;
    throw new ElfFormatError(`e_type is ${name} (a linked file) but there are no program headers: a corrupt header, or an object whose type was changed (read as linked, the relocations that name its calls would be ignored)`);
  }
  throw new ElfFormatError(`e_type is ${name}: not a relocatable object, executable or shared object, so it holds no code to read for calls`);
}

function checkRange(bytes: Uint8Array, offset: number, size: number, what: () => string): void {
  if (offset + size > bytes.length) {
    throw new ElfFormatError(`${what()} extends past the end of the file (${offset + size} > ${bytes.length} bytes): truncated or corrupt`);
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
  const words = littleEndianWords(view, table.offset, count * SYM_SIZE);
  const symbols: ElfSymbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const w = i * 6;
    const packed = words[w + 1]!; // st_info, st_other, st_shndx
    const info = packed & 0xff;
    const rawShndx = packed >>> 16;
    const sectionIndex = rawShndx === SHN_XINDEX && shndxTable ? (shndxTable[i] ?? 0) : rawShndx;
    const type = info & 0xf;
    let name = strings.read(table.link, words[w]!, () => `the name of symbol ${i}`);
    if (name === "" && type === STT_SECTION && sectionIndex < SHN_LORESERVE) name = sections[sectionIndex]?.name ?? "";
    symbols[i] = {
      index: i,
      name,
      value: words[w + 2]! + words[w + 3]! * TWO_32,
      size: words[w + 4]! + words[w + 5]! * TWO_32,
      type: symbolTypeName(type),
      binding: symbolBindingName(info >> 4),
      visibility: symbolVisibilities[(packed >>> 8) & 3]!,
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
  out: ElfRelocation[] | undefined,
): void {
  const isRela = section.type === SHT_RELA;
  const entrySize = isRela ? RELA_SIZE : REL_SIZE;
  if (section.entsize !== 0 && section.entsize !== entrySize) {
    throw new ElfFormatError(`relocation section [${section.index}] has entry size ${section.entsize}, expected ${entrySize}`);
  }
  if (section.link >= sectionCount) throw new ElfFormatError(`relocation section [${section.index}] links to missing section ${section.link}`);
  const symbolCount = symbolCounts.get(section.link) ?? 0;
  const count = Math.floor(section.size / entrySize);
  const stride = entrySize / 4;
  const words = littleEndianWords(view, section.offset, count * entrySize);
  const typeNames = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const w = i * stride;
    const type = words[w + 2]!;
    const symbolIndex = words[w + 3]!;
    if (symbolIndex !== 0 && symbolIndex >= symbolCount) {
      throw new ElfFormatError(
        `relocation ${i} in section [${section.index}] refers to symbol ${symbolIndex}, but its symbol table has ${symbolCount} entries`,
      );
    }
    if (!out) continue;
    let typeName = typeNames.get(type);
    if (typeName === undefined) {
      typeName = relocationTypeName(machine, type);
      typeNames.set(type, typeName);
    }
    out.push({
      sectionIndex: section.info,
      offset: words[w]! + words[w + 1]! * TWO_32,
      type,
      typeName,
      symbolIndex,
      addend: isRela ? words[w + 4]! + (words[w + 5]! | 0) * TWO_32 : 0,
      relocationSectionIndex: section.index,
      symbolTableIndex: section.link,
      hasExplicitAddend: isRela,
    });
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A table of little-endian 32-bit words as a Uint32Array: a view when the data is aligned (the
 * usual case), an aligned copy otherwise, byte-swapped on a big-endian host. Indexing a typed array
 * is several times faster than DataView calls while the code is still cold.
 */
function littleEndianWords(view: DataView, offset: number, length: number): Uint32Array {
  const start = view.byteOffset + offset;
  const words =
    start % 4 === 0
      ? new Uint32Array(view.buffer, start, length >>> 2)
      : new Uint32Array(new Uint8Array(view.buffer, start, length).slice().buffer);
  if (LITTLE_ENDIAN_HOST) return words;
  const swapped = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const x = words[i]!;
    swapped[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
  }
  return swapped;
}

/**
 * Reads NUL-terminated names, checking every string table and offset against the file. An ASCII
 * table (the usual case, even for mangled Rust names) is decoded once and sliced.
 */
class StringTables {
  private readonly decoder = new TextDecoder("utf-8");
  private readonly asciiText = new Map<number, string | null>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly sections: ElfSection[],
  ) {}

  read(tableIndex: number, offset: number, what: () => string): string {
    if (offset === 0) return "";
    const table = this.sections[tableIndex];
    if (!table || table.type === SHT_NOBITS) throw new ElfFormatError(`${what()} points into section ${tableIndex}, which holds no strings`);
    if (offset >= table.size) {
      throw new ElfFormatError(`${what()} is at offset ${offset} of string table [${tableIndex}], which is only ${table.size} bytes`);
    }
    let text = this.asciiText.get(tableIndex);
    if (text === undefined) {
      text = this.decodeIfAscii(table);
      this.asciiText.set(tableIndex, text);
    }
    if (text !== null) {
      const end = text.indexOf("\0", offset);
      return text.slice(offset, end < 0 ? text.length : end);
    }
    const start = table.offset + offset;
    const limit = table.offset + table.size;
    let end = start;
    while (end < limit && this.bytes[end] !== 0) end++;
    return this.decoder.decode(this.bytes.subarray(start, end));
  }

  private decodeIfAscii(table: ElfSection): string | null {
    // Decoded first and then searched: both native, where a byte loop in JavaScript took 8 ms on
    // regex-syntax's 0.5 MB of names. ASCII decodes to itself, one character per byte, so string
    // offsets are byte offsets; any other byte decodes to a character at or above U+0080.
    const text = this.decoder.decode(this.bytes.subarray(table.offset, table.offset + table.size));
    return /[^\u0000-\u007f]/.test(text) ? null : text;
  }
}
