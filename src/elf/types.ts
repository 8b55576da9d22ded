import type { SymbolVisibility } from "./constants.js";

/** One section header, with its name resolved. Numbers above 2^53 (never seen in practice) lose precision. */
export interface ElfSection {
  index: number;
  name: string;
  type: number;
  /** PROGBITS, SYMTAB, RELA, NOBITS, GROUP, …; `UNKNOWN(0x…)` for types this reader does not name. */
  typeName: string;
  flags: number;
  /** SHF_EXECINSTR: the sections whose bytes are machine code. */
  isExecutable: boolean;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  /** sh_addralign: the section's required alignment (0 or 1: none). */
  addralign: number;
  entsize: number;
}

export interface ElfSymbol {
  /** Index in its symbol table; 0 is the null symbol. */
  index: number;
  /** For STT_SECTION symbols with no name of their own, the name of their section (as readelf shows it). */
  name: string;
  value: number;
  size: number;
  type: "NOTYPE" | "OBJECT" | "FUNC" | "SECTION" | "FILE" | "COMMON" | "TLS" | "GNU_IFUNC" | string;
  binding: "LOCAL" | "GLOBAL" | "WEAK" | "GNU_UNIQUE" | string;
  visibility: SymbolVisibility;
  /** st_shndx, with SHN_XINDEX already resolved through SHT_SYMTAB_SHNDX; SHN_ABS (0xfff1) and SHN_COMMON (0xfff2) kept as is. */
  sectionIndex: number;
  /** Not SHN_UNDEF. */
  isDefined: boolean;
}

export interface ElfRelocation {
  /** The section being relocated (the relocation section's sh_info). */
  sectionIndex: number;
  offset: number;
  type: number;
  /** R_X86_64_PLT32, R_AARCH64_CALL26, …; `R_<machine>_<n>` for numbers without a name. */
  typeName: string;
  /** Index into the symbol table named by symbolTableIndex (usually .symtab; .dynsym in linked files). */
  symbolIndex: number;
  /** r_addend for SHT_RELA; 0 for SHT_REL, whose addend is stored in the relocated field itself. */
  addend: number;
  /** The SHT_RELA/SHT_REL section this entry came from. */
  relocationSectionIndex: number;
  /** The relocation section's sh_link: the symbol table that symbolIndex refers to (0 if none). */
  symbolTableIndex: number;
  /** False for SHT_REL entries (implicit addend). */
  hasExplicitAddend: boolean;
}

export interface ElfFile {
  elfClass: 64;
  machine: number;
  /** 'x86-64' | 'aarch64' | 'riscv' | 'unknown(N)'. */
  machineName: string;
  fileType: "REL" | "EXEC" | "DYN" | "CORE" | string;
  sections: ElfSection[];
  /** The .symtab (SHT_SYMTAB) entries, index 0 (the null symbol) included; empty when stripped. */
  symbols: ElfSymbol[];
  /** The section index of .symtab, or 0 when there is none. */
  symbolTableIndex: number;
  /** The .dynsym (SHT_DYNSYM) entries of linked files; empty in relocatable objects. */
  dynamicSymbols: ElfSymbol[];
  /** Entries of every SHT_RELA and SHT_REL section, in section order then file order. */
  relocations: ElfRelocation[];
  bytes: Uint8Array;
}
