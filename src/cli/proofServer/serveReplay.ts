/**
 * One connection to the proof server: a repeated build's request from the launcher's client
 * (native/proof-client.c), served by the same code as the replay's own Node (replayCommand.ts),
 * with the client's directory, environment, terminals, rustc status and signals passed in.
 *
 * Requests are served one at a time (`serially`): the proof reads nothing of the process, but the
 * code it shares with every build may (a path resolved against the working directory, a default
 * of process.env), so each request's directory and environment are the process's while it runs.
 */
import type { Socket } from "node:net";
import type { CommandOutput } from "../commands/buildOutput.js";
import { restoreLauncherEnvironment } from "../launcherEnvironment.js";
import { replayCommand } from "../replayCommand.js";
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
  /** Called when a request begins and ends (the server's idle clock). */
  onBusy?: (busy: boolean) => void;
}

/** Serves one client's connection until its exit code is sent (or the client goes away). */
export function serveConnection(socket: Socket, hooks: ServeHooks): void {
  const reader = new FrameReader();
  const controller = new AbortController();
  let request: ClientRequest | undefined;
  let status: ((text: string) => void) | undefined;
  const statusText = new Promise<string>((resolve) => (status = resolve));
  let started = false;
  const send = (type: FrameType, payload?: string | Buffer): void => {
    if (!socket.destroyed) socket.write(encodeFrame(type, payload));
  };

  const start = (): void => {
    if (started || !request) return;
    started = true;
    const accepted = request;
    hooks.onBusy?.(true);
    void hooks
      .serially(() => runRequest(accepted, send, statusText, controller.signal))
      .then(
        (code) => (code === undefined ? send("F", "the entry cannot finish this build") : send("X", String(code))),
        (error: unknown) => {
          send("E", `local-lto: internal error in the proof server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
          send("X", "70");
        },
      )
      .finally(() => {
        socket.end();
        hooks.onBusy?.(false);
      });
  };

  socket.on("data", (chunk: Buffer) => {
    reader.push(chunk);
    try {
      for (let frame = reader.next(); frame; frame = reader.next()) {
        if (frame.type === "R" && !request) {
          request = parseRequest(frame.payload);
          if (!request.env.LOCAL_LTO_REPLAY_STAGE) {
            send("F", "no launcher stage");
            socket.end();
            return;
          }
          send("G");
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
      send("F", error instanceof Error ? error.message : String(error));
      socket.destroy();
    }
  });
  // A client that went away (killed) leaves no one to see an output change: the build stops.
  socket.on("close", () => {
    status?.("");
    if (!controller.signal.aborted) controller.abort("SIGHUP");
  });
  socket.on("error", () => undefined);
}

async function runRequest(request: ClientRequest, send: (type: FrameType, payload?: string | Buffer) => void, statusText: Promise<string>, signal: AbortSignal): Promise<number | undefined> {
  const env: NodeJS.ProcessEnv = { ...request.env };
  restoreLauncherEnvironment(env);
  const out: CommandOutput = {
    stdout: { write: (text: string) => send("O", text), isTTY: request.stdoutIsTTY },
    stderr: { write: (text: string) => send("E", text), isTTY: request.stderrIsTTY },
    env,
  };
  const ownEnv = process.env;
  const ownCwd = process.cwd();
  process.chdir(request.cwd);
  process.env = env;
  try {
    return await replayCommand({ argv: request.argv, cwd: request.cwd, env, stage: env.LOCAL_LTO_REPLAY_STAGE!, out, rustcStatus: () => statusText, signal });
  } finally {
    process.env = ownEnv;
    process.chdir(ownCwd);
  }
}
