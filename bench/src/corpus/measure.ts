/**
 * Instructions per loop iteration with callgrind (pure parts and the runner). Each program is
 * counted whole at two iteration counts: start-up, set-up and the final print cancel out of the
 * difference, which divided by the extra iterations is the cost of one.
 */
import { readFile, rm } from "node:fs/promises";
import { mustRun } from "../proc.js";

/**
 * The instructions (Ir) of a callgrind output file: its `totals:` line, or `summary:` where there
 * is none (old valgrind wrote only that; 3.19 writes both, equal).
 */
export function callgrindTotal(text: string): number {
  const match = text.match(/^totals: (\d+)/m) ?? text.match(/^summary: (\d+)/m);
  if (!match) throw new Error("callgrind output has no totals line");
  return Number(match[1]);
}

export interface IterationCost {
  /** Total instructions at each of the two counts. */
  totals: [number, number];
  iterations: [number, number];
  perIteration: number;
}

export function iterationCost(totals: [number, number], iterations: [number, number]): IterationCost {
  if (iterations[1] <= iterations[0]) throw new Error("the second iteration count must be larger");
  return { totals, iterations, perIteration: (totals[1] - totals[0]) / (iterations[1] - iterations[0]) };
}

export async function countInstructions(valgrind: string, program: string, iterations: number, outFile: string): Promise<number> {
  await mustRun(valgrind, ["--tool=callgrind", `--callgrind-out-file=${outFile}`, program, String(iterations)]);
  const total = callgrindTotal(await readFile(outFile, "utf8"));
  await rm(outFile, { force: true });
  return total;
}

export async function measureProgram(valgrind: string, program: string, iterations: [number, number]): Promise<IterationCost> {
  const first = await countInstructions(valgrind, program, iterations[0], `${program}.callgrind`);
  const second = await countInstructions(valgrind, program, iterations[1], `${program}.callgrind`);
  return iterationCost([first, second], iterations);
}
