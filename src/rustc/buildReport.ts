/**
 * One report per build (docs/INTEGRATION.md#the-report): every rustc run that local-lto handled
 * appends one JSON line to `<target-dir>/local-lto/report.jsonl` — the launcher for crates whose
 * units linked no helper (a short line, without starting Node), Node for the others (the proof).
 * `local-lto report` and `local-lto cargo` read it back: the latest line per crate unit (a crate's
 * name and Cargo's `-C extra-filename`) is that crate's state.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import pc from "picocolors";
import { z } from "zod";
import { formatColumns } from "../report/columns.js";
import { helperReportSchema, safetyCheckSchema } from "../report/schema.js";
import { reportPath } from "./runLine.js";

import { runLineSchemaId } from "./runLine.js";

export { runLineSchemaId };

export const runLineSchema = z.object({
  schema: z.literal(runLineSchemaId),
  /** `LOCAL_LTO_BUILD_ID` (set by `local-lto cargo`): which build wrote the line. */
  build: z.string().optional(),
  crate: z.string(),
  /** The crate's name and `-C extra-filename`: one per crate and configuration (Cargo's unit). */
  unit: z.string(),
  /**
   * compiled: rustc ran with the plugin and linked helpers into some unit (proof below);
   * no-helpers: rustc ran with the plugin and no unit declared a helper (rustc's own outputs);
   * failed: the gate failed (outputs removed) or the proof refused the crate.
   */
  action: z.enum(["compiled", "no-helpers", "failed"]),
  crateTypes: z.array(z.string()).optional(),
  optLevel: z.string().optional(),
  target: z.string().optional(),
  /** The files the proof read (archive members as `file(member)`). */
  read: z.array(z.string()).optional(),
  /** The plugin's record: helpers linked per codegen unit. */
  linked: z.array(z.object({ module: z.string(), helpers: z.array(z.string()) })).optional(),
  helpers: z.array(helperReportSchema).optional(),
  summary: z
    .object({ helpers: z.number().int(), callsLeft: z.number().int(), globalHelperSymbols: z.number().int(), notProven: z.number().int(), allInlined: z.boolean() })
    .optional(),
  gate: z.object({ required: z.boolean(), applied: z.boolean(), pass: z.boolean(), code: z.string().optional(), message: z.string().optional() }).optional(),
  helperSet: z.object({ key: z.string(), helpers: z.number().int(), config: z.string().optional() }).optional(),
  safetyChecks: z.array(safetyCheckSchema).optional(),
  reconciliation: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
  durationMs: z.number().optional(),
});

export type RunLine = z.infer<typeof runLineSchema>;

export { appendRunLine, reportPath } from "./runLine.js";

/** Every valid line of the file, in order; a line that does not parse is skipped (a crash mid-write, an older format). */
export function parseRunLines(text: string): RunLine[] {
  const lines: RunLine[] = [];
  for (const raw of text.split("\n")) {
    if (!raw.trim()) continue;
    try {
      const parsed = runLineSchema.safeParse(JSON.parse(raw));
      if (parsed.success) lines.push(parsed.data);
    } catch {
      // not JSON: skipped
    }
  }
  return lines;
}

export async function readRunLines(stateDir: string): Promise<RunLine[]> {
  const text = await readFile(reportPath(stateDir), "utf8").catch(() => "");
  return parseRunLines(text);
}

/** The latest line per unit, in the order units were first seen (pure). */
export function latestPerUnit(lines: readonly RunLine[]): RunLine[] {
  const latest = new Map<string, RunLine>();
  for (const line of lines) {
    latest.delete(line.unit);
    latest.set(line.unit, line);
  }
  return [...latest.values()];
}

/** Rewrites the file with the latest line per unit only, so it does not grow build after build. */
export async function compactRunLines(stateDir: string): Promise<void> {
  const lines = latestPerUnit(await readRunLines(stateDir));
  if (lines.length === 0) return;
  const staged = `${reportPath(stateDir)}.${process.pid}.tmp`;
  await writeFile(staged, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  await rename(staged, reportPath(stateDir));
}

export interface BuildSummary {
  /** Crates compiled with the plugin (with or without helpers). */
  crates: number;
  /** Crates whose units linked helpers. */
  linkedCrates: number;
  /** Distinct helpers linked anywhere. */
  helpers: string[];
  callsLeft: number;
  globalHelperSymbols: number;
  notProven: number;
  failed: RunLine[];
}

export function summarizeRuns(lines: readonly RunLine[]): BuildSummary {
  const linked = lines.filter((l) => l.action !== "no-helpers");
  return {
    crates: lines.length,
    linkedCrates: linked.length,
    helpers: [...new Set(linked.flatMap((l) => (l.linked ?? []).flatMap((m) => m.helpers)))].sort(),
    callsLeft: linked.reduce((n, l) => n + (l.summary?.callsLeft ?? 0), 0),
    globalHelperSymbols: linked.reduce((n, l) => n + (l.summary?.globalHelperSymbols ?? 0), 0),
    notProven: linked.reduce((n, l) => n + (l.summary?.notProven ?? 0), 0),
    failed: lines.filter((l) => l.action === "failed"),
  };
}

/** The summary `local-lto cargo` and `local-lto report` print (pure). */
export function renderBuildSummary(lines: readonly RunLine[], options: { color: boolean; heading: string }): string {
  const paint = pc.createColors(options.color === true);
  const s = summarizeRuns(lines);
  const out = [`${options.heading}: ${s.linkedCrates} crate(s) linked helpers, ${s.crates - s.linkedCrates} called none (${s.crates} compiled with the plugin)`];
  const rows = lines.filter((l) => l.action !== "no-helpers");
  if (rows.length) {
    const cells: string[][] = [];
    for (const l of rows) {
      const sum = l.summary;
      const verdict =
        l.action === "failed"
          ? paint.red(`failed${l.gate?.code ? ` (${l.gate.code})` : ""}`)
          : !l.gate?.applied && l.optLevel === "0"
            ? paint.yellow("linked, not inlined (opt-level 0)")
            : sum?.allInlined
              ? paint.green("inlined")
              : (sum?.callsLeft ?? 0) > 0
                ? paint.red("calls left")
                : (sum?.helpers ?? 0) === 0
                  ? paint.green("no helper left in the linked file")
                  : paint.yellow("not proven");
      cells.push([l.crate, String(sum?.helpers ?? 0), String(sum?.callsLeft ?? 0), String(sum?.globalHelperSymbols ?? 0), verdict]);
    }
    out.push(formatColumns(["crate", "helpers", "calls left", "globals", "verdict"], cells, ["left", "right", "right", "right", "left"]));
  }
  const totals = `${s.helpers.length} helper(s) linked, ${s.callsLeft} call(s) left, ${s.globalHelperSymbols} global helper symbol(s)` + (s.notProven ? `, ${s.notProven} not proven` : "");
  out.push(s.linkedCrates > 0 && s.callsLeft === 0 && s.globalHelperSymbols === 0 && s.notProven === 0 ? `${totals}${paint.green(" — every helper call inlined, no helper exported")}` : totals);
  for (const l of s.failed) if (l.gate?.message) out.push(paint.red(`failed: ${l.crate}: ${l.gate.message}`));
  return out.join("\n");
}
