import { LocalLtoError } from "../diagnostics/errors.js";

/** The text handed to the IR reader is not (well-formed) LLVM IR. */
export class IrParseError extends LocalLtoError {
  /** 1-based line of the offending text. */
  declare readonly line: number;
  /** The cause, without the line number. */
  readonly reason: string;

  constructor(line: number, reason: string, fix?: string) {
    super({
      code: "LLTO_IR_PARSE",
      message: `line ${line}: ${reason}`,
      fix: fix ?? "pass LLVM IR text as printed by llvm-dis (for example `llvm-dis x.bc -o x.ll`)",
      line,
    });
    this.name = "IrParseError";
    this.reason = reason;
  }
}

/** A malformed construct, thrown where the line number is not known; the reader adds it. */
export class SyntaxProblem extends Error {}

/** A malformed call instruction. */
export class CallSyntaxError extends SyntaxProblem {}
