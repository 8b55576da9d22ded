/**
 * One diagnostic shape for every failure a user can cause: a stable code, one line naming the
 * cause, one line naming the fix, and the documented exit code (docs/EXIT-CODES.md).
 */

import { diagnosticCatalogue, type DiagnosticCode } from "./catalogue.js";
import { exitCodes, type ExitCodeName } from "./exitCodes.js";

export { exitCodes, type ExitCodeName, type DiagnosticCode };

export interface DiagnosticInit {
  /** Stable identifier from the catalogue (catalogue.ts), which also gives the exit code. */
  code: DiagnosticCode;
  /** The cause, in one line. */
  message: string;
  /** What the user should do about it, in one line. */
  fix: string;
  file?: string;
  line?: number;
  /** Extra lines shown under the message, e.g. a compiler's own error output. */
  details?: string;
}

export class LocalLtoError extends Error {
  readonly code: DiagnosticCode;
  readonly exit: ExitCodeName;
  readonly fix: string;
  readonly file?: string;
  readonly line?: number;
  readonly details?: string;

  constructor(init: DiagnosticInit) {
    super(init.message);
    this.name = "LocalLtoError";
    this.code = init.code;
    this.exit = diagnosticCatalogue[init.code].exit;
    this.fix = init.fix;
    this.file = init.file;
    this.line = init.line;
    this.details = init.details;
  }

  get exitCode(): number {
    return exitCodes[this.exit];
  }
}

export function isLocalLtoError(value: unknown): value is LocalLtoError {
  return value instanceof LocalLtoError;
}

/** A bad command line or option value: one builder, used by the CLI and the library alike. */
export function usageError(message: string, fix: string): LocalLtoError {
  return new LocalLtoError({ code: "LLTO_USAGE", message, fix });
}
