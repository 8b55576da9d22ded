/**
 * Thrown for any input readElf cannot read. `reason` is the one-line cause, phrased for a user
 * ("LLVM bitcode, not an ELF object"); `message` prefixes it so it reads alone in a log.
 *
 * `architecture` is set when the file is a well-formed ELF header for a class, byte order or
 * machine this reader does not handle (ELF32, big-endian s390x, …): the input is an object, just
 * not one whose calls local-lto can count, which callers report as "cannot prove" rather than
 * "not an object".
 */
export class ElfFormatError extends Error {
  readonly reason: string;
  readonly architecture?: string;

  constructor(reason: string, architecture?: string) {
    super(`not a readable ELF64 little-endian file: ${reason}`);
    this.name = "ElfFormatError";
    this.reason = reason;
    if (architecture !== undefined) this.architecture = architecture;
  }
}

/**
 * Thrown by the call-site counter for a machine it has no decoder for (riscv64, ppc64le, …): a
 * count of zero there would be a false proof.
 */
export class UnsupportedMachineError extends Error {
  constructor(readonly architecture: string) {
    super(`cannot count call sites in ${architecture} code: only x86-64 and aarch64 have a call decoder`);
    this.name = "UnsupportedMachineError";
  }
}
