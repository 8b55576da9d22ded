/** Shapes shared by the call-site counter and its per-architecture scanners. */

export type CallInstruction = "call" | "jmp" | "jcc" | "call-indirect" | "jmp-indirect";

/**
 * How a call was recognised:
 * - symbol-relocation: the branch (or the address load it calls through) is relocated against the function's own symbol;
 * - section-relocation: relocated against a section (or other) symbol whose value + addend lands on the function;
 * - direct: no relocation; the encoded displacement itself reaches the function's start;
 * - got-relocation: through the function's GOT slot, `call *fn@GOTPCREL(%rip)` or a register loaded from it.
 */
export type CallVia = "symbol-relocation" | "section-relocation" | "direct" | "got-relocation";

export interface ObjectCallSite {
  name: string;
  section: string;
  /** Offset of the branch instruction from the start of its section. */
  offset: number;
  instruction: CallInstruction;
  via: CallVia;
  /** The function symbol whose range holds the instruction. */
  callerSymbol?: string;
  /** The relocation behind the call (on the branch, or on the address load for calls through a register). */
  relocationType?: string;
  /** For `call *%reg`: the register, and the section offset of the instruction that loaded the address into it. */
  through?: { register: string; loadOffset: number };
}

/** A use of a function's address that is not itself a counted call. */
export interface ObjectReference {
  name: string;
  section: string;
  offset: number;
  /**
   * address-load: code puts the address in a register (GOT load, lea, mov imm), `callsThrough` of which were counted as calls;
   * other: any other relocation that names the function or lands on it (function-pointer tables, GOT page loads on aarch64, …).
   */
  kind: "address-load" | "other";
  relocationType?: string;
  callsThrough?: number;
}

export interface CallSiteDecodeError {
  section: string;
  offset: number;
  reason: string;
  bytes: string;
}

export interface CallSiteAnalysis {
  calls: Map<string, ObjectCallSite[]>;
  /** Other uses of each function's address, from code or allocated data (debug info is ignored). */
  references: Map<string, ObjectReference[]>;
  /** Bytes the x86-64 decoder could not walk. Non-empty means a call there could have been missed. */
  decodeErrors: CallSiteDecodeError[];
  /** How many executable sections were decoded; sections that cannot reach a named function are skipped. */
  sectionsScanned: number;
}
