/**
 * Numeric values from the ELF gABI and the psABIs, with the short names llvm-readelf prints.
 * Only what readElf and the call-site counter need: names are for people, numbers for logic.
 */

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;

/** The machines this project understands; every other one reads as `unknown(N)`. */
export function machineName(machine: number): string {
  switch (machine) {
    case EM_X86_64:
      return "x86-64";
    case EM_AARCH64:
      return "aarch64";
    case EM_RISCV:
      return "riscv";
    default:
      return `unknown(${machine})`;
  }
}

/** Wider list, only to name what was found when refusing a file (ELF32, big-endian). */
const describedMachines: Record<number, string> = {
  2: "SPARC",
  3: "Intel 80386",
  8: "MIPS",
  20: "PowerPC",
  21: "PowerPC64",
  22: "IBM S/390",
  40: "ARM",
  43: "SPARC V9",
  62: "x86-64",
  183: "AArch64",
  243: "RISC-V",
  258: "LoongArch",
};

export function describeMachine(machine: number): string {
  return describedMachines[machine] ?? `machine ${machine}`;
}

/** The usual short names of ELF64 little-endian machines readElf accepts but no call decoder reads. */
const elf64LittleEndianNames: Record<number, string> = { 243: "riscv64", 21: "ppc64le", 258: "loongarch64", 8: "mips64el" };

/** For an ELF64 little-endian file: "riscv64 (RISC-V)", "ppc64le (PowerPC64)", else the long name. */
export function describeElf64Machine(machine: number): string {
  const short = elf64LittleEndianNames[machine];
  return short ? `${short} (${describeMachine(machine)})` : describeMachine(machine);
}

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_NAMES: Record<number, string> = { 0: "NONE", 1: "REL", 2: "EXEC", 3: "DYN", 4: "CORE" };

export const SHT_NULL = 0;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_SYMTAB_SHNDX = 18;

const genericSectionTypes: Record<number, string> = {
  0: "NULL",
  1: "PROGBITS",
  2: "SYMTAB",
  3: "STRTAB",
  4: "RELA",
  5: "HASH",
  6: "DYNAMIC",
  7: "NOTE",
  8: "NOBITS",
  9: "REL",
  10: "SHLIB",
  11: "DYNSYM",
  14: "INIT_ARRAY",
  15: "FINI_ARRAY",
  16: "PREINIT_ARRAY",
  17: "GROUP",
  18: "SYMTAB_SHNDX",
  19: "RELR",
  0x60000001: "ANDROID_REL",
  0x60000002: "ANDROID_RELA",
  0x6fff4c00: "LLVM_ODRTAB",
  0x6fff4c01: "LLVM_LINKER_OPTIONS",
  0x6fff4c03: "LLVM_ADDRSIG",
  0x6fff4c04: "LLVM_DEPENDENT_LIBRARIES",
  0x6fff4c05: "LLVM_SYMPART",
  0x6fff4c06: "LLVM_PART_EHDR",
  0x6fff4c07: "LLVM_PART_PHDR",
  0x6fff4c08: "LLVM_BB_ADDR_MAP_V0",
  0x6fff4c09: "LLVM_CALL_GRAPH_PROFILE",
  0x6fff4c0a: "LLVM_BB_ADDR_MAP",
  0x6fff4c0b: "LLVM_OFFLOADING",
  0x6fff4c0c: "LLVM_LTO",
  0x6fff4c0d: "LLVM_JT_SIZES",
  0x6ffffff5: "GNU_ATTRIBUTES",
  0x6ffffff6: "GNU_HASH",
  0x6ffffff7: "GNU_LIBLIST",
  0x6ffffffd: "GNU_verdef",
  0x6ffffffe: "GNU_verneed",
  0x6fffffff: "GNU_versym",
};

/** Processor-specific section types reuse the same numbers on different machines. */
const machineSectionTypes: Record<number, Record<number, string>> = {
  [EM_X86_64]: { 0x70000001: "X86_64_UNWIND" },
  [EM_AARCH64]: { 0x70000002: "AARCH64_AUTH_RELR", 0x70000003: "AARCH64_ATTRIBUTES", 0x70000007: "AARCH64_MEMTAG_GLOBALS_STATIC" },
  [EM_RISCV]: { 0x70000003: "RISCV_ATTRIBUTES" },
};

export function sectionTypeName(type: number, machine: number): string {
  return genericSectionTypes[type] ?? machineSectionTypes[machine]?.[type] ?? `UNKNOWN(0x${type.toString(16)})`;
}

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

const symbolTypes = ["NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE", "COMMON", "TLS"];
export function symbolTypeName(type: number): string {
  if (type === 10) return "GNU_IFUNC";
  return symbolTypes[type] ?? `UNKNOWN(${type})`;
}

const symbolBindings = ["LOCAL", "GLOBAL", "WEAK"];
export function symbolBindingName(binding: number): string {
  if (binding === 10) return "GNU_UNIQUE";
  return symbolBindings[binding] ?? `UNKNOWN(${binding})`;
}

export type SymbolVisibility = "DEFAULT" | "INTERNAL" | "HIDDEN" | "PROTECTED";
export const symbolVisibilities: readonly SymbolVisibility[] = ["DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED"];
