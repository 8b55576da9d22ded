import pc from "picocolors";
import { exitCodes, fileSystemError, isLocalLtoError } from "../diagnostics/errors.js";
import { localLtoVersion } from "../version.js";

/**
 * Where a command's text goes: the process's own stream, or a proof server's request, whose
 * client owns the terminal (src/cli/proofServer/serveReplay.ts).
 */
export interface OutputSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Colours for a terminal that is not dumb, unless NO_COLOR is set (non-empty), decided from the
 * stream and the environment given — never from picocolors' own look at the process, which in the
 * proof server is a detached process writing to /dev/null (a user trial: a served table lost its
 * colours on a terminal).
 */
export function useColor(stream: OutputSink, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !env.NO_COLOR && env.TERM !== "dumb";
}

/** Formats any failure for stderr and returns the exit code: one line of cause, one of fix. */
export function reportFailure(error: unknown, stream: OutputSink = process.stderr, env: NodeJS.ProcessEnv = process.env): number {
  const paint = pc.createColors(useColor(stream, env));
  error = fileSystemError(error) ?? error;
  if (isLocalLtoError(error)) {
    const lines = [`${paint.red("error")}[${error.code}]: ${error.message}`, `  ${paint.bold("fix")}: ${error.fix}`];
    if (error.details) lines.push(error.details.replace(/^/gm, "  | "));
    stream.write(`${lines.join("\n")}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stream.write(
    `${paint.red("internal error")} in local-lto ${localLtoVersion} (node ${process.version}): this is a bug in local-lto, not in your input.\n` +
      `  please report it with the command line and this text; rerun with DEBUG=local-lto:* to log every child command.\n${detail.replace(/^/gm, "  | ")}\n`,
  );
  return exitCodes.internal;
}
