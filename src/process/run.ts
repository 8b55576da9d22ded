import { execa } from "execa";
import createDebug from "debug";

const debugRun = createDebug("local-lto:run");

export interface ToolCommand {
  file: string;
  args: readonly string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Bytes or text written to the child's stdin. */
  input?: string | Uint8Array;
  /** Return stdout as bytes instead of text (bitcode, objects). */
  binaryStdout?: boolean;
}

export interface ToolRun {
  command: ToolCommand;
  /** null when the process could not be started or was killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** Set when the executable could not be spawned at all (ENOENT, EACCES). */
  spawnError: string | null;
  stdout: string;
  stdoutBytes: Uint8Array;
  stderr: string;
  durationMs: number;
}

/**
 * The one place that starts child processes: argv arrays, explicit cwd and env, never a shell.
 * It returns what happened and never decides what is fatal; the caller does.
 */
export async function runTool(command: ToolCommand): Promise<ToolRun> {
  const started = performance.now();
  const result = await execa(command.file, [...command.args], {
    cwd: command.cwd,
    env: command.env,
    extendEnv: true,
    input: command.input,
    reject: false,
    stripFinalNewline: false,
    encoding: command.binaryStdout ? "buffer" : "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  const durationMs = performance.now() - started;
  const stdoutBytes =
    result.stdout instanceof Uint8Array ? result.stdout : new TextEncoder().encode(String(result.stdout ?? ""));
  const stdout = result.stdout instanceof Uint8Array ? "" : String(result.stdout ?? "");
  const stderr = typeof result.stderr === "string" ? result.stderr : new TextDecoder().decode(result.stderr as Uint8Array);
  const spawnError = result.failed && result.exitCode === undefined && !result.signal ? (result.code ?? result.shortMessage) : null;
  debugRun("%s %o -> %s in %dms", command.file, command.args, result.exitCode ?? result.signal ?? spawnError, Math.round(durationMs));
  return {
    command,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    spawnError: spawnError ?? null,
    stdout,
    stdoutBytes,
    stderr,
    durationMs,
  };
}

/** The command line as a user would type it, for messages and debug output. */
export function formatCommand(command: ToolCommand): string {
  const quote = (part: string) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, "'\\''")}'`);
  return [command.file, ...command.args].map(quote).join(" ");
}
