/** Shapes shared by the call-site counter and its per-architecture scanners. */

export type CallInstruction = "call" | "jmp" | "jcc" | "call-indirect" | "jmp-indirect";

/**
 * How a call was recognised:
 * - symbol-relocation: the branch (or the address load it calls through) is relocated against the function's own symbol;
 * - section-relocation: relocated against a section (or other) symbol whose value + addend lands on the function;
 * - direct: no relocation; the encoded displacement itself reaches the function's start;
 * - got-relocation: through the function's GOT slot, `call *fn@GOTPCREL(%rip)` or a register loaded from it.
 * - plt (linked files): to a PLT stub that jumps through the function's GOT slot (`call fn@plt`);
 * - got-slot (linked files): through a GOT slot that the dynamic relocations (or the slot's own
 *   bytes) fill with the function's address, `call *slot(%rip)` or a register loaded from it.
 */
export type CallVia = "symbol-relocation" | "section-relocation" | "direct" | "got-relocation" | "plt" | "got-slot";

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

/** A stretch of code the decoder could not walk: a call in it could have been missed. */
export interface CallSiteDecodeError {
  section: string;
  /** The section's index (names can repeat across COMDAT groups). */
  sectionIndex: number;
  /** Section-relative start of the undecodable instruction. */
  offset: number;
  /** Section-relative end of what cannot be trusted: the next known instruction start, or the section's end. */
  end: number;
  reason: string;
  bytes: string;
  /** The function symbol holding `offset`, when there is one. */
  caller?: string;
  /**
   * The named functions a call hidden here could reach: those a relocation inside the range can
   * name or land on, and those of the same section (a direct call); every name in a linked file.
   */
  mayHide: string[];
}

/** How completely one executable section was read. */
export interface SectionCoverage {
  section: string;
  size: number;
  /**
   * decoded: every byte walked; partial: see decodeErrors; skipped: no relocation or function in it
   * can reach a named function (relocatable objects only); stubs: PLT stubs, resolved from the
   * calls that reach them rather than counted themselves.
   */
  status: "decoded" | "partial" | "skipped" | "stubs";
}

export interface CallSiteAnalysis {
  calls: Map<string, ObjectCallSite[]>;
  /** Other uses of each function's address, from code or allocated data (debug info is ignored). */
  references: Map<string, ObjectReference[]>;
  /** Bytes the x86-64 decoder could not walk. Non-empty means a call there could have been missed. */
  decodeErrors: CallSiteDecodeError[];
  /** How many executable sections were decoded; sections that cannot reach a named function are skipped. */
  sectionsScanned: number;
  /** Every executable section with content, and how completely it was read. */
  coverage: SectionCoverage[];
  /**
   * Named functions whose calls cannot be found, and why: a stripped linked file that does not name
   * them in .dynsym (a local or hidden copy would be called by bare address), or local symbols discarded.
   */
  unlocated: Map<string, string>;
}
