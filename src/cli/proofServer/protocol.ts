/**
 * The proof server's wire format (pure): what the launcher's client (native/proof-client.c) and
 * the server (serveReplay.ts) say to each other over a Unix socket. Every message is a frame: one
 * type byte, the payload's length (4 bytes, little-endian), the payload. Written here by hand: it
 * is five message kinds between two programs of this repository, one of them in C.
 *
 * client → server: `R` the request (fields below), then `S` rustc's status line once rustc ended,
 *                  or `K` the name of a signal the client received (Ctrl-C, kill).
 * server → client: `G` go on (read rustc's status and send it), `F` fall back (the payload says
 *                  why: before `S`, the client starts the replay's Node; after it, the build's),
 *                  `O`/`E` bytes for stdout/stderr, `X` the exit code (decimal): the last frame.
 */

export const PROTOCOL = "LLTO-PROOF-1";

export type FrameType = "R" | "S" | "K" | "G" | "F" | "O" | "E" | "X";

export interface Frame {
  type: FrameType;
  payload: Buffer;
}

const HEADER = 5;
/** Larger than any request a command line and environment make (Linux caps both at 2 MiB together). */
export const MAX_PAYLOAD = 16 * 1024 * 1024;

export function encodeFrame(type: FrameType, payload: string | Buffer = ""): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const frame = Buffer.allocUnsafe(HEADER + body.length);
  frame.write(type, 0, "latin1");
  frame.writeUInt32LE(body.length, 1);
  body.copy(frame, HEADER);
  return frame;
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(`proof server protocol: ${message}`);
    this.name = "ProtocolError";
  }
}

/** Collects a stream's chunks and takes whole frames off the front. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
  }

  /** The next whole frame, or undefined until more bytes arrive; a malformed header throws. */
  next(): Frame | undefined {
    if (this.buffered.length < HEADER) return undefined;
    const type = String.fromCharCode(this.buffered[0]!);
    if (!"RSKGFOEX".includes(type)) throw new ProtocolError(`unknown frame type ${JSON.stringify(type)}`);
    const length = this.buffered.readUInt32LE(1);
    if (length > MAX_PAYLOAD) throw new ProtocolError(`a frame of ${length} bytes`);
    if (this.buffered.length < HEADER + length) return undefined;
    const payload = this.buffered.subarray(HEADER, HEADER + length);
    this.buffered = this.buffered.subarray(HEADER + length);
    return { type: type as FrameType, payload };
  }
}

/**
 * What the server is asked to do: `replay`, a repeated `local-lto build` after the launcher's rustc
 * (src/cli/replayCommand.ts); `rustc-proof`, the rustc mode's proof after the launcher's rustc with
 * the plugin (src/rustc/runRustc.ts, LOCAL_LTO_POST_RECORD); `prepare`, a first `local-lto build`'s
 * entry, before the launcher repeats it (src/cli/prepareCommand.ts).
 */
export const serverCommands = ["replay", "rustc-proof", "prepare"] as const;
export type ServerCommand = (typeof serverCommands)[number];

/** What the launcher's client sends first: what to do, its command line, directory, environment and terminals. */
export interface ClientRequest {
  command: ServerCommand;
  cwd: string;
  /** The client's file mode creation mask: the outputs get the modes Node would have given them. */
  umask: number;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  argv: string[];
  env: Record<string, string>;
}

/** `R`'s payload: NUL-terminated fields — protocol, command, cwd, umask (octal), stdout tty (0/1), stderr tty, argc, argv…, envc, `NAME=value`…. */
export function encodeRequest(request: ClientRequest): Buffer {
  const env = Object.entries(request.env).map(([name, value]) => `${name}=${value}`);
  const fields = [PROTOCOL, request.command, request.cwd, request.umask.toString(8), request.stdoutIsTTY ? "1" : "0", request.stderrIsTTY ? "1" : "0", String(request.argv.length), ...request.argv, String(env.length), ...env];
  return Buffer.from(fields.map((field) => `${field}\0`).join(""), "utf8");
}

export function parseRequest(payload: Buffer): ClientRequest {
  const fields = payload.toString("utf8").split("\0");
  if (fields.pop() !== "") throw new ProtocolError("the request does not end with NUL");
  let at = 0;
  const take = (what: string): string => {
    const field = fields[at++];
    if (field === undefined) throw new ProtocolError(`the request ends before ${what}`);
    return field;
  };
  const count = (what: string): number => {
    const text = take(what);
    if (!/^\d+$/.test(text)) throw new ProtocolError(`${what} is ${JSON.stringify(text)}`);
    return Number.parseInt(text, 10);
  };
  const protocol = take("the protocol");
  if (protocol !== PROTOCOL) throw new ProtocolError(`the client speaks ${JSON.stringify(protocol)}, the server ${PROTOCOL}`);
  const command = take("the command");
  if (!(serverCommands as readonly string[]).includes(command)) throw new ProtocolError(`no command ${JSON.stringify(command)}`);
  const cwd = take("the directory");
  const umaskText = take("the umask");
  if (!/^[0-7]{1,4}$/.test(umaskText)) throw new ProtocolError(`the umask is ${JSON.stringify(umaskText)}`);
  const umask = Number.parseInt(umaskText, 8);
  const stdoutIsTTY = take("stdout's terminal flag") === "1";
  const stderrIsTTY = take("stderr's terminal flag") === "1";
  const argv = Array.from({ length: count("the argument count") }, () => take("an argument"));
  const env: Record<string, string> = {};
  for (let i = count("the variable count"); i > 0; i--) {
    const entry = take("a variable");
    const equals = entry.indexOf("=");
    // As execve's environment may hold: a name without "=" is no variable (getenv never finds it).
    if (equals > 0) env[entry.slice(0, equals)] ??= entry.slice(equals + 1);
  }
  if (at !== fields.length) throw new ProtocolError("bytes after the environment");
  if (!cwd.startsWith("/")) throw new ProtocolError(`the directory ${JSON.stringify(cwd)} is not absolute`);
  return { command: command as ServerCommand, cwd, umask, stdoutIsTTY, stderrIsTTY, argv, env };
}
