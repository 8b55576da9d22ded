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

/** Errors the file system gives for the machine's state, never for local-lto's logic. */
const fileSystemRefusals: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota reached",
};

/**
 * A file system refusal (`EACCES`, `EROFS`, `ENOSPC` …) on a path local-lto itself reads or
 * writes, as the user's error it is (LLTO_FILE_SYSTEM, exit 3): a read-only target or cache
 * directory ended a build with exit 70, "a bug in local-lto" (a user trial). Undefined for any
 * other error. Pure.
 */
export function fileSystemError(error: unknown): LocalLtoError | undefined {
  const e = error as (NodeJS.ErrnoException & { dest?: unknown }) | undefined;
  const reason = e && typeof e === "object" && typeof e.code === "string" ? fileSystemRefusals[e.code] : undefined;
  if (!reason || typeof e!.path !== "string") return undefined;
  const path = e!.path;
  const target = typeof e!.dest === "string" ? ` (to ${e!.dest})` : "";
  const full = e!.code === "ENOSPC" || e!.code === "EDQUOT";
  return new LocalLtoError({
    code: "LLTO_FILE_SYSTEM",
    message: `cannot ${e!.syscall ?? "use"} ${path}${target}: ${reason}`,
    fix: full
      ? "free space on that file system, or move local-lto's cache (LOCAL_LTO_CACHE_DIR) or the build's target directory to another one"
      : "make that directory writable for this user, or move local-lto's cache (LOCAL_LTO_CACHE_DIR) or the build's target directory (LOCAL_LTO_TARGET_DIR, CARGO_TARGET_DIR) to one that is",
    file: path,
  });
}
