/**
 * One connection to the proof server: a request from the launcher's client (native/proof-client.c),
 * served by the same code as the Node the launcher would start — a repeated build's replay
 * (replayCommand.ts), the rustc mode's proof after the launcher's rustc (runRustc.ts), or a first
 * build's preparation (prepareCommand.ts) — with the client's directory, environment, terminals,
 * rustc status and signals passed in.
 *
 * Requests are served one at a time (`serially`): the proof reads nothing of the process, but the
 * code it shares with every build may (a path resolved against the working directory, a default
 * of process.env), so each request's directory and environment are the process's while it runs.
 */
import type { Socket } from "node:net";
import type { CommandOutput } from "../commands/buildOutput.js";
import { reportFailure } from "../errorBoundary.js";
import { restoreLauncherEnvironment } from "../launcherEnvironment.js";
import { forgetProcessMemos } from "../../process/processMemo.js";
import { prepareCommand } from "../prepareCommand.js";
import { replayCommand } from "../replayCommand.js";
import { parseRustcArgs } from "../../rustc/args.js";
import { decideFromArgs } from "../../rustc/decide.js";
import { runRustc } from "../../rustc/runRustc.js";
import { encodeFrame, FrameReader, parseRequest, type ClientRequest, type FrameType } from "./protocol.js";

/** Runs `work` after every earlier call's work has ended. */
export function serialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

export interface ServeHooks {
  serially: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * Called with true when a request is taken and with false when it ends (the server's idle clock):
   * a client waiting minutes for its rustc keeps the server from exiting idle.
   */
  onBusy?: (busy: boolean) => void;
  /** False once the server is stopping: a request is then sent back to Node. */
  accepting?: () => boolean;
}

/** Serves one client's connection until its exit code is sent (or the client goes away). */
export function serveConnection(socket: Socket, hooks: ServeHooks): void {
  const reader = new FrameReader();
  const controller = new AbortController();
  let request: ClientRequest | undefined;
  let status: ((text: string) => void) | undefined;
  const statusText = new Promise<string>((resolve) => (status = resolve));
  let started = false;
  let taken = false;
  const send = (type: FrameType, payload?: string | Buffer): void => {
    if (!socket.destroyed) socket.write(encodeFrame(type, payload));
  };
  const release = (): void => {
    if (taken) hooks.onBusy?.(false);
    taken = false;
  };

  const start = (): void => {
    if (started || !request) return;
    started = true;
    const accepted = request;
    void hooks
      .serially(() => runRequest(accepted, send, statusText, controller.signal))
      .then(
        (code) => {
          if (code === "answered") return;
          if (typeof code === "object") send("F", code.fallback);
          else if (code === undefined) send("F", "the entry cannot finish this build");
          else send("X", String(code));
        },
        (error: unknown) => {
          send("E", `local-lto: internal error in the proof server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
          send("X", "70");
        },
      )
      .finally(() => {
        socket.end();
        release();
      });
  };

  socket.on("data", (chunk: Buffer) => {
    reader.push(chunk);
    try {
      for (let frame = reader.next(); frame; frame = reader.next()) {
        if (frame.type === "R" && !request) {
          request = parseRequest(frame.payload);
          const refusal = hooks.accepting?.() === false ? "the server is stopping" : unservable(request);
          if (refusal) {
            send("F", refusal);
            socket.end();
            return;
          }
          taken = true;
          hooks.onBusy?.(true);
          send("G");
          // A first build's preparation waits for no rustc.
          if (request.command === "prepare") start();
        } else if (frame.type === "S" && request) {
          status?.(frame.payload.toString("utf8"));
          start();
        } else if (frame.type === "K" && request) {
          // The client's signal: the build stops as the replay's own Node stops on it (interrupt.ts).
          if (!controller.signal.aborted) controller.abort(frame.payload.toString("utf8") || "SIGTERM");
          start();
        } else {
          throw new Error(`unexpected frame ${frame.type}`);
        }
      }
    } catch (error) {
      // Before the build started, the client can still build in Node; after, it must not (two
      // processes would publish the same outputs): the build stops, and the client reports the
      // server gone.
      if (!started) send("F", error instanceof Error ? error.message : String(error));
      if (!controller.signal.aborted) controller.abort("SIGTERM");
      socket.destroy();
    }
  });
  // A client that went away (killed) leaves no one to see an output change: the build stops.
  socket.on("close", () => {
    status?.("");
    if (!controller.signal.aborted) controller.abort("SIGHUP");
    if (!started) release();
  });
  socket.on("error", () => undefined);
}

/**
 * Why the server does not take a request (the client then starts Node, which does): only what
 * comes after the launcher's rustc is served. The rustc mode's Node may run rustc itself, with the
 * build's standard streams, which the server does not have.
 */
function unservable(request: ClientRequest): string | undefined {
  if (request.command === "prepare") return request.argv[0] === "build" && request.env.LOCAL_LTO_VIA_LAUNCHER ? undefined : "not a launcher's build";
  if (request.command === "replay") return request.env.LOCAL_LTO_REPLAY_STAGE ? undefined : "no launcher stage";
  const [rustc, ...args] = request.argv;
  if (!rustc || !(request.env.LOCAL_LTO_POST_RECORD || request.env.LOCAL_LTO_POST_FAILED) || !request.env.LOCAL_LTO_LAUNCH_TEXT) return "not after the launcher's rustc";
  return decideFromArgs(parseRustcArgs(args)).action === "compile" ? undefined : "not a compile";
}

/**
 * Runs one request: its exit code for the client; undefined when a replay's entry cannot finish
 * the build (the client builds in Node); `fallback` when a first build is not prepared (the
 * launcher's Node builds it); "answered" when the request already answered the client itself.
 */
async function runRequest(request: ClientRequest, send: (type: FrameType, payload?: string | Buffer) => void, statusText: Promise<string>, signal: AbortSignal): Promise<number | undefined | "answered" | { fallback: string }> {
  const env: NodeJS.ProcessEnv = { ...request.env };
  restoreLauncherEnvironment(env);
  const out: CommandOutput = {
    stdout: { write: (text: string) => send("O", text), isTTY: request.stdoutIsTTY },
    stderr: { write: (text: string) => send("E", text), isTTY: request.stderrIsTTY },
    env,
  };
  const ownEnv = process.env;
  const ownCwd = process.cwd();
  // Each build sees what a fresh Node would: nothing an earlier request remembered (a file's hash, a tool's version).
  forgetProcessMemos();
  process.chdir(request.cwd);
  process.env = env;
  const ownUmask = process.umask(request.umask);
  try {
    if (request.command === "prepare") {
      // The client is answered (the entry's name, then 0) once the entry is written: the launcher
      // starts rustc while the index is updated here, still within this request.
      let answered = false;
      const onEntryWritten = (name: string): void => {
        if (signal.aborted) return;
        answered = true;
        send("O", name);
        send("X", "0");
      };
      const outcome = await prepareCommand({ argv: request.argv, cwd: request.cwd, env, signal, onEntryWritten });
      return answered ? "answered" : { fallback: outcome.prepared ? "no-entry-written" : outcome.why };
    }
    if (request.command === "replay") return await replayCommand({ argv: request.argv, cwd: request.cwd, env, stage: env.LOCAL_LTO_REPLAY_STAGE!, out, rustcStatus: () => statusText, signal });
    // The rustc mode's proof (src/cli/rustcMain.ts): rustc has ended; what a stop does to it is the
    // client's (it ends by the signal, as that Node would).
    const [rustc, ...args] = request.argv;
    return await runRustc({ rustc: rustc!, args, cwd: request.cwd, env, note: (line) => out.stderr.write(`${line}\n`) }).catch((error: unknown) => reportFailure(error, out.stderr, env));
  } finally {
    process.umask(ownUmask);
    process.env = ownEnv;
    process.chdir(ownCwd);
  }
}
