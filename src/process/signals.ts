import { constants } from "node:os";

/** The conventional exit status of a process stopped by `signal`: 128 + its number. */
export function exitCodeForSignal(signal: string): number {
  const number = constants.signals[signal as NodeJS.Signals];
  return 128 + (number ?? 0);
}

/** Whether a process with this pid exists: signal 0 checks without sending (EPERM: it does, another user's). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
