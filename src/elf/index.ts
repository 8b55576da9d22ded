/** The public API of the ELF reader and call-site counter. */
export { readElf, ElfFormatError } from "./readElf.js";
export { UnsupportedMachineError } from "./errors.js";
export type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "./types.js";
export type { SymbolVisibility } from "./constants.js";
export { relocationTypeName } from "./relocationNames.js";
export {
  analyzeCallSites,
  findCallsTo,
  symbolState,
  symbolVisibility,
  type CallInstruction,
  type CallSiteAnalysis,
  type CallSiteDecodeError,
  type CallVia,
  type ObjectCallSite,
  type ObjectReference,
  type SectionCoverage,
  type SymbolState,
} from "./callsToFunctions.js";
export {
  decodeInstructionAt,
  findBranches,
  sweepX86,
  type X86Branch,
  type X86BranchKind,
  type X86BranchList,
  type X86DecodeError,
  type X86DecodeOptions,
  type X86Instruction,
  type X86InstructionInfo,
  type X86SweepResult,
} from "./x86-64/decodeBranches.js";
export { decodeA64Branch, findA64Branches, type A64Branch, type A64BranchKind, type A64DecodeOptions } from "./aarch64/decodeBranches.js";
