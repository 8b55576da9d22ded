/**
 * Reads callgrind's dump files (pure). The driver dumps once per measured call with
 * CALLGRIND_DUMP_STATS_AT(label); each dump's `totals:` is the instruction count (Ir) since the
 * previous dump or zeroing, and its `desc: Trigger: Client Request: <label>` names it.
 */
export interface CallgrindDump {
  label: string;
  instructions: number;
}

export function parseCallgrindDump(text: string): CallgrindDump | undefined {
  const trigger = text.match(/^desc: Trigger: Client Request: (.+)$/m)?.[1];
  // `totals:` was `summary:` in old valgrind versions; both carry the events in `events:` order (Ir first).
  const totals = text.match(/^(?:totals|summary): (\d+)/m)?.[1];
  if (trigger === undefined || totals === undefined) return undefined;
  return { label: trigger.trim(), instructions: Number(totals) };
}

/**
 * Instructions per iteration from two dumps of the same code run for n1 and n2 iterations:
 * the fixed costs (call, prologue, loop set-up, the client request itself) cancel out.
 */
export function perIteration(dumps: readonly CallgrindDump[], kind: string, n1: number, n2: number): number {
  const first = dumps.find((d) => d.label === `${kind}-n1`);
  const second = dumps.find((d) => d.label === `${kind}-n2`);
  if (!first || !second) throw new Error(`callgrind: no dumps for ${kind}`);
  return (second.instructions - first.instructions) / (n2 - n1);
}
