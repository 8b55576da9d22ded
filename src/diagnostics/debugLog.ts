import { createRequire } from "node:module";

/** A `debug` logger: call it with a format and arguments; it prints only when DEBUG names it. */
export type DebugLog = (format: string, ...args: unknown[]) => void;

const off: DebugLog = () => {};

/**
 * The `debug` package's logger for a namespace (`DEBUG=local-lto:run`, docs/ARCHITECTURE.md),
 * loaded only when DEBUG is set. Why not import it: loading `debug` probes the terminal's colour
 * support at every start, about 3 ms before a repeated build's proof; `debug` reads DEBUG once,
 * when it loads, so with DEBUG unset every logger would be off anyway.
 */
export function debugLog(namespace: string): DebugLog {
  if (!process.env.DEBUG) return off;
  const createDebug = createRequire(import.meta.url)("debug") as (namespace: string) => DebugLog;
  return createDebug(namespace);
}
