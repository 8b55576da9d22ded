/** The exit code classes (docs/EXIT-CODES.md): one number per kind of failure. */
export const exitCodes = {
  /** Bad command line: unknown flag, missing argument. */
  usage: 2,
  /** An input or output path cannot be read or written. */
  unreadablePath: 3,
  /** An input is empty, corrupt or of the wrong kind (not bitcode, not ELF, not C/Rust). */
  invalidInput: 4,
  /** A required tool (rustc, clang, llvm-link, …) was not found. */
  toolMissing: 5,
  /** Tools found, but their LLVM versions cannot work together. */
  toolchainMismatch: 6,
  /** The Rust and helper modules are built for different targets. */
  targetMismatch: 7,
  /** rustc or the C compiler rejected the source; their message is shown. */
  compileFailed: 8,
  /** A toolchain command failed on input local-lto produced (an LLVM crash or bug). */
  toolFailed: 9,
  /** `--require-inlined` was given and at least one helper call is left in the object. */
  helperCallsLeft: 10,
  /** A helper module is unsafe to internalize (docs/SAFETY.md); refused before any output. */
  unsafeHelpers: 11,
  /**
   * The object cannot show that no helper call is left: a machine without a call decoder, code
   * that could not be decoded, a helper a stripped file does not name, or no helper to check.
   */
  cannotProve: 12,
  /** A bug in local-lto itself. */
  internal: 70,
} as const;

export type ExitCodeName = keyof typeof exitCodes;
