/**
 * Thrown for any input readElf cannot read. `reason` is the one-line cause, phrased for a user
 * ("LLVM bitcode, not an ELF object"); `message` prefixes it so it reads alone in a log.
 */
export class ElfFormatError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`not a readable ELF64 little-endian file: ${reason}`);
    this.name = "ElfFormatError";
    this.reason = reason;
  }
}
