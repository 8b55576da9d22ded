import { exitCodeForSignal } from "../process/signals.js";

/** The signals that stop a build: Ctrl-C, `kill`, a closed terminal. */
const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;


/**
 * Turns SIGINT, SIGTERM and SIGHUP into an abort of the running build: it stops its children,
 * removes its temporary directory and staged files, and the CLI exits with 128 + the signal's
 * number (docs/EXIT-CODES.md). A second signal while cleaning up exits at once.
 */
export function interruptController(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers = stopSignals.map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(exitCodeForSignal(name));
      controller.abort(name);
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
