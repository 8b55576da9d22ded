/** Small statistics for noisy wall times: medians and spreads, never means. */

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function min(values: readonly number[]): number {
  return Math.min(...values.filter((v) => Number.isFinite(v)));
}

export function max(values: readonly number[]): number {
  return Math.max(...values.filter((v) => Number.isFinite(v)));
}

/** A sample summarised as median with its min–max range. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: min(values), max: max(values), n: values.length };
}

export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

/** `1.23 [1.20–1.31]` */
export function formatSpread(s: Spread, digits: number, unit = ""): string {
  if (!Number.isFinite(s.median)) return "n/a";
  if (s.n < 2) return `${fixed(s.median, digits)}${unit}`;
  return `${fixed(s.median, digits)}${unit} [${fixed(s.min, digits)}–${fixed(s.max, digits)}]`;
}

export function seconds(ms: number): string {
  return fixed(ms / 1000, 2);
}

export function mib(kb: number): string {
  return Number.isFinite(kb) ? (kb / 1024).toFixed(0) : "n/a";
}

/** Rotates a list by `shift`: each round starts with a different entry so no build always runs first. */
export function rotate<T>(items: readonly T[], shift: number): T[] {
  const k = ((shift % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
