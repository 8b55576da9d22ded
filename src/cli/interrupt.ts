import { exitCodeForSignal } from "../process/signals.js";

/** The signals that stop a build: Ctrl-C, `kill`, a closed terminal. */
const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;


/** How long after the first signal the same signal is the same stop, delivered twice. */
const SAME_STOP_MS = 500;

/**
 * Turns SIGINT, SIGTERM and SIGHUP into an abort of the running build: it stops its children,
 * removes its temporary directory and staged files, and the CLI exits with 128 + the signal's
 * number (docs/EXIT-CODES.md). A second signal while cleaning up exits at once — unless it is the
 * same signal within SAME_STOP_MS: Ctrl-C reaches a repeat's Node both from the terminal and from
 * the launcher, which passes on what it gets (bin/local-lto), and cleanup must still finish.
 */
export function interruptController(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let first: { name: string; at: number } | undefined;
  const handlers = stopSignals.map((name) => {
    const handler = () => {
      if (first && first.name === name && performance.now() - first.at < SAME_STOP_MS) return;
      if (controller.signal.aborted) process.exit(exitCodeForSignal(name));
      first = { name, at: performance.now() };
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
