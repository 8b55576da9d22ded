import {
  K_NONE,
  decodeAt,
  errorReasons,
  kindNames,
  newInstructionInfo,
  type X86BranchKind,
  type X86InstructionInfo,
} from "./decodeInstruction.js";

export {
  ENCODING_EVEX,
  ENCODING_LEGACY,
  ENCODING_VEX,
  ENCODING_XOP,
  decodeInstructionAt,
  type X86BranchKind,
  type X86Instruction,
  type X86InstructionInfo,
} from "./decodeInstruction.js";

/**
 * A linear sweep over an x86-64 code section: every instruction start, every call and jump, and
 * what could not be decoded, so that every call in a section is seen once and none is invented
 * out of the middle of another instruction.
 */

export interface X86Branch {
  /** sectionBase + position of the first byte (prefixes included). */
  offset: number;
  length: number;
  kind: X86BranchKind;
  /** rel8/rel32 forms: where the displacement field starts (sectionBase-relative, like offset). */
  displacementOffset?: number;
  displacementSize?: 1 | 4;
  /** rel8/rel32 forms: offset + length + displacement. */
  target?: number;
  /** FF /2 and FF /4 through a RIP-relative operand (`call *sym@GOTPCREL(%rip)`): where its disp32 starts. */
  ripDisplacementOffset?: number;
}

export interface X86DecodeError {
  /** Where the undecodable instruction starts (sectionBase-relative). */
  offset: number;
  reason: string;
  /** Up to 15 bytes from offset, in hex, for the message. */
  bytes: string;
  /** Where decoding went on: the next known instruction start, the next byte, or the end. */
  resumedAt: number;
}

export interface X86DecodeOptions {
  /**
   * Offsets (in the same space as X86Branch.offset) where an instruction is known to start, such as
   * function symbols. After an undecodable byte the sweep resumes at the next one; and an
   * instruction that would run across one is reported as an error, since the sweep lost sync.
   */
  knownInstructionStarts?: readonly number[];
  /** Called for every decoded instruction, in order (the differential tests compare these with objdump). */
  onInstruction?: (offset: number, length: number, info: Readonly<X86InstructionInfo>) => void;
}

export interface X86SweepResult {
  branches: X86Branch[];
  decodeErrors: X86DecodeError[];
  instructionCount: number;
}

/** An X86Branch[] that also carries what could not be decoded: empty decodeErrors means the whole section was walked. */
export type X86BranchList = X86Branch[] & { decodeErrors: X86DecodeError[] };

export function findBranches(code: Uint8Array, sectionBase = 0, options: X86DecodeOptions = {}): X86BranchList {
  const result = sweepX86(code, sectionBase, options);
  // Not enumerable, so that the result still compares and serialises as a plain X86Branch[].
  return Object.defineProperty(result.branches, "decodeErrors", { value: result.decodeErrors, enumerable: false }) as X86BranchList;
}

export function sweepX86(code: Uint8Array, sectionBase = 0, options: X86DecodeOptions = {}): X86SweepResult {
  const starts = normalizeStarts(options.knownInstructionStarts, sectionBase, code.length);
  const onInstruction = options.onInstruction;
  const branches: X86Branch[] = [];
  const decodeErrors: X86DecodeError[] = [];
  const s = newInstructionInfo();
  let instructionCount = 0;
  let nextStart = 0; // index into starts of the first known start > pos
  let pos = 0;
  const end = code.length;

  while (pos < end) {
    while (nextStart < starts.length && starts[nextStart]! <= pos) nextStart++;
    const known = nextStart < starts.length ? starts[nextStart]! : Infinity;
    const length = decodeAt(code, pos, end, s);
    if (length < 0 || pos + length > known) {
      const reason =
        length < 0
          ? errorReasons[length]!
          : `instruction of ${length} bytes runs across the known instruction start at ${sectionBase + known}; the sweep lost sync`;
      const resume = known !== Infinity ? known : pos + 1;
      decodeErrors.push({ offset: sectionBase + pos, reason, bytes: hexBytes(code, pos, Math.min(end, pos + 15)), resumedAt: sectionBase + resume });
      pos = resume;
      continue;
    }
    instructionCount++;
    if (onInstruction) onInstruction(sectionBase + pos, length, s);
    if (s.branchKind !== K_NONE) branches.push(makeBranch(code, sectionBase, pos, length, s));
    pos += length;
  }
  return { branches, decodeErrors, instructionCount };
}

function makeBranch(code: Uint8Array, base: number, pos: number, length: number, s: X86InstructionInfo): X86Branch {
  const branch: X86Branch = { offset: base + pos, length, kind: kindNames[s.branchKind]! };
  if (s.branchDisplacementPosition >= 0) {
    const disp =
      s.branchDisplacementSize === 1
        ? (code[s.branchDisplacementPosition]! << 24) >> 24
        : code[s.branchDisplacementPosition]! | (code[s.branchDisplacementPosition + 1]! << 8) | (code[s.branchDisplacementPosition + 2]! << 16) | (code[s.branchDisplacementPosition + 3]! << 24);
    branch.displacementOffset = base + s.branchDisplacementPosition;
    branch.displacementSize = s.branchDisplacementSize as 1 | 4;
    branch.target = base + pos + length + disp;
  } else if (s.ripDisplacementPosition >= 0) {
    branch.ripDisplacementOffset = base + s.ripDisplacementPosition;
  }
  return branch;
}

function normalizeStarts(starts: readonly number[] | undefined, base: number, size: number): number[] {
  if (!starts || starts.length === 0) return [];
  const inside = starts.map((k) => k - base).filter((k) => k >= 0 && k < size);
  return [...new Set(inside)].sort((a, b) => a - b);
}

function hexBytes(code: Uint8Array, from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) parts.push(code[i]!.toString(16).padStart(2, "0"));
  return parts.join(" ");
}

