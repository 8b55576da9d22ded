import { writeFile } from "node:fs/promises";
import { runTool } from "../process/run.js";
import { llvmToolFailure } from "./failure.js";

/**
 * Function names `llvm-nm --defined-only` lists for a bitcode module (pure): types t/T/w/W.
 * Data (d, b, r…) is skipped: only functions can be callees.
 */
export function parseDefinedFunctions(nmOutput: string): string[] {
  const names: string[] = [];
  for (const line of nmOutput.split("\n")) {
    const match = line.match(/^\S*\s+([tTwW])\s+(.+)$/);
    if (match) names.push(match[2]!);
  }
  return names;
}

/**
 * The Rust module's own functions, as the CSV of opt's `forceattrs` pass marking each `noinline`.
 * The inliner then considers only calls to helpers: rustc's inlining decisions between Rust
 * functions stay exactly as rustc made them (without this, re-running the inliner over
 * regex-syntax inlined 24 more Rust calls and changed 32 of its 359 functions; with it, none).
 * llvm-nm reads the bitcode symbol table, ~40 ms where a full IR read takes ~0.5 s.
 * Names with a comma cannot be written in that CSV; they are left out (and stay inlinable).
 */
export async function writeRustNoinlineList(llvmNm: string, rustBitcode: string, csvPath: string): Promise<string> {
  const run = await runTool({ file: llvmNm, args: ["--defined-only", rustBitcode] });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "llvm-nm", userBitcode: [rustBitcode] });
  const lines = parseDefinedFunctions(run.stdout)
    .filter((name) => !name.includes(",") && !name.includes("\n"))
    .map((name) => `${name},noinline`);
  await writeFile(csvPath, lines.length ? `${lines.join("\n")}\n` : "");
  return csvPath;
}
