import { constants } from "node:os";

/** The conventional exit status of a process stopped by `signal`: 128 + its number. */
export function exitCodeForSignal(signal: string): number {
  const number = constants.signals[signal as NodeJS.Signals];
  return 128 + (number ?? 0);
}
