import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { diffLines, parseDisassembly, type DiffLine } from "./disasm.js";
import { compareFunctions, readElfFunctions, type FunctionComparison } from "./elfFunctions.js";
import { mustRun, run } from "./proc.js";
import type { BenchTools } from "./tools.js";

/** One function whose bytes differ from rustc's, with its disassembly against rustc's. */
export interface DifferingFunction {
  name: string;
  demangled: string;
  referenceSize: number;
  size: number;
  /** Instructions in rustc's and in local-lto's function. */
  instructions: [number, number];
  /** Instructions removed plus added in the diff. */
  changedLines: number;
  /** The same, with every stack operand's offset (`0x48(%rsp)`) made equal: 0 means only stack slots moved. */
  changedIgnoringStackOffsets: number;
  diff: DiffLine[];
}

export interface ObjectIdentity {
  /** What was compared: `local-lto (rust-lld)` against `rustc --emit=obj`. */
  label: string;
  reference: string;
  object: string;
  /** The counts; `differing` is the number of functions whose bytes differ. */
  comparison: Omit<FunctionComparison, "differing"> & { differing: number };
  /** The first of them, disassembled. */
  differing: DifferingFunction[];
}

/**
 * A whole function as comparable lines: no addresses, no padding, and each branch target named by
 * its rank among the function's branch targets, so one extra instruction does not rename every
 * label after it.
 */
export function functionLines(objdumpText: string): string[] {
  const instructions = parseDisassembly(objdumpText).filter((i) => !/^(nop[a-z]*|int3)$/.test(i.mnemonic));
  const targets = [...new Set(instructions.map((i) => i.target).filter((t): t is number => t !== undefined))].sort((a, b) => a - b);
  const label = new Map(targets.map((t, k) => [t, `L${k}`]));
  return instructions.map((i) => (i.target === undefined ? i.text : `${i.mnemonic} ${label.get(i.target)}`));
}

const stackOffsets = (lines: readonly string[]) => lines.map((l) => l.replace(/-?(0x[0-9a-f]+)?\(%rsp\)/g, "S(%rsp)"));
const changed = (diff: readonly DiffLine[]) => diff.filter((d) => d.op !== " ").length;

async function demangle(tools: BenchTools, names: string[]): Promise<string[]> {
  const cxxfilt = join(tools.llvmBin, "llvm-cxxfilt");
  if (!names.length || !existsSync(cxxfilt)) return names;
  const result = await run(cxxfilt, names);
  const lines = result.stdout.trimEnd().split("\n");
  return result.exitCode === 0 && lines.length === names.length ? lines : names;
}

/**
 * Each FUNC symbol of `object` against the same-named one of `reference` (rustc's own object), by
 * bytes; the byte-differing functions are disassembled and diffed (branch targets as labels).
 */
export async function compareObjects(tools: BenchTools, label: string, reference: string, object: string, maxDiffs = 12): Promise<ObjectIdentity> {
  const [ref, other] = await Promise.all([readFile(reference), readFile(object)]);
  const comparison = compareFunctions(readElfFunctions(ref), readElfFunctions(other));
  const shown = comparison.differing.slice(0, maxDiffs);
  const demangled = await demangle(tools, shown.map((d) => d.name));
  const differing: DifferingFunction[] = [];
  for (const [i, d] of shown.entries()) {
    const disassemble = async (file: string) => functionLines((await mustRun(tools.objdump, ["-d", "--no-show-raw-insn", `--disassemble-symbols=${d.name}`, file])).stdout);
    const [a, b] = await Promise.all([disassemble(reference), disassemble(object)]);
    const diff = diffLines(a, b);
    differing.push({
      name: d.name,
      demangled: demangled[i] ?? d.name,
      referenceSize: d.referenceSize,
      size: d.size,
      instructions: [a.length, b.length],
      changedLines: changed(diff),
      changedIgnoringStackOffsets: changed(diffLines(stackOffsets(a), stackOffsets(b))),
      diff,
    });
  }
  return { label, reference, object, comparison: { ...comparison, differing: comparison.differing.length }, differing };
}
