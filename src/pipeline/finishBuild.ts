/**
 * The end of a build and of its replay (plugin/replayBuild.ts): stage timings, the report with its
 * `--require-inlined` gate, and the outputs published all or nothing. Apart from build.ts so that a
 * repeated build's Node loads none of the modes (scripts/bundle.mjs).
 */
import { copyFile, writeFile } from "node:fs/promises";
import { LocalLtoError } from "../diagnostics/errors.js";
import { gateFailure, gateVerdict } from "../verify/gate.js";
import { reportSchemaId } from "../report/schemaId.js";
import type { Report } from "../report/schema.js";
import { summarize } from "../report/summarize.js";
import type { Toolchain } from "../toolchain/resolveToolchain.js";
import type { BuildContext } from "./context.js";
import type { ResolvedBuild } from "./resolve/resolvedBuild.js";
import { publishFile, stagingPathFor } from "./workspace.js";

/** `--require-inlined` failed: the report is attached so the CLI can still print and save it. */
export class HelperCallsLeftError extends LocalLtoError {
  constructor(readonly report: Report) {
    super(gateFailure(report));
  }
}

/** A signal stopped the build: children stopped, temporary files removed, outputs untouched. */
export class BuildInterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = "BuildInterruptedError";
  }
}

export interface BuildResult {
  report: Report;
  /** Compiler warnings and notes for stderr. */
  warnings: string[];
  /** The toolchain resolved for this build (none when the launcher replayed it). */
  toolchain?: Toolchain;
}

export interface BuildHooks {
  /** Called as each stage starts, for progress output on stderr. */
  onStage?: (stage: string) => void;
  /** Aborting stops every child process, removes temporary and staged files, and rejects with BuildInterruptedError. */
  signal?: AbortSignal;
}

/** Runs one stage, recording its wall time under its name (BuildContext.timed). */
export function stageTimer(timings: Record<string, number>, hooks: BuildHooks): BuildContext["timed"] {
  return async (stage, work) => {
    const started = performance.now();
    hooks.onStage?.(stage);
    try {
      return await work();
    } finally {
      timings[stage] = Math.round(performance.now() - started);
    }
  };
}

/**
 * The report of a build or of its replay, and the --require-inlined gate: when it fails, the
 * report (which says why) is written and the object is not.
 */
export async function gatedReport(resolved: ResolvedBuild, modeReason: string, fields: ModeReportFields, notes: string[], timings: Record<string, number>): Promise<Report> {
  const report: Report = {
    schema: reportSchemaId,
    command: "build",
    modeReason,
    object: resolved.outputs.object,
    rustInput: resolved.rust.path,
    helperInputs: resolved.helpers.map((h) => h.path),
    ...(resolved.variant ? { helpersVariant: resolved.variant.name } : {}),
    ...fields,
    summary: summarize(fields.helpers),
    notes,
    timingsMs: timings,
  };
  if (resolved.requireInlined && !gateVerdict(report).pass) {
    if (resolved.outputs.report && resolved.outputs.report !== "-") await writeReportFile(resolved.outputs.report, report);
    throw new HelperCallsLeftError(report);
  }
  return report;
}

/**
 * Every output staged beside its final path first, then renamed into place one after the other:
 * all were checked before any work (resolveBuild), so a rename can only fail for a reason that
 * appeared during the build, and then nothing more is published.
 */
export async function publishOutputs(resolved: ResolvedBuild, ctx: Pick<BuildContext, "stagedObject">, inlinedBitcode: string | undefined, report: Report, staged: string[]): Promise<void> {
  const moves: [string, string][] = [[ctx.stagedObject, resolved.outputs.object]];
  if (resolved.outputs.emitBitcode && inlinedBitcode) {
    const bcStaged = stagingPathFor(resolved.outputs.emitBitcode);
    staged.push(bcStaged);
    await copyFile(inlinedBitcode, bcStaged);
    moves.push([bcStaged, resolved.outputs.emitBitcode]);
  }
  if (resolved.outputs.report && resolved.outputs.report !== "-") {
    const reportStaged = stagingPathFor(resolved.outputs.report);
    staged.push(reportStaged);
    await writeFile(reportStaged, `${JSON.stringify(report, null, 2)}\n`);
    moves.push([reportStaged, resolved.outputs.report]);
  }
  for (const [from, to] of moves) await publishFile(from, to);
}

/** The report fields of the two modes that work on bitcode (plugin, inline). */
export function bitcodeModeFields(
  mode: "plugin" | "inline",
  result: Pick<ModeReportFields, "target" | "helpers" | "unusedHelpers"> & { safetyChecks: Report["safetyChecks"]; reconciliation: string[]; helperBitcode: NonNullable<Report["helperBitcode"]> },
  toolchain: Report["toolchain"],
): ModeReportFields {
  const { target, helperBitcode, helpers, unusedHelpers, safetyChecks, reconciliation } = result;
  return { mode, target, helperBitcode, helpers, unusedHelpers, safetyChecks, reconciliation, toolchain };
}

/** What each mode contributes to the report; build() adds the fields common to both. */
export type ModeReportFields = Pick<Report, "mode" | "target" | "helpers" | "unusedHelpers" | "safetyChecks" | "toolchain"> & Partial<Pick<Report, "helperBitcode" | "reconciliation">>;

/** Writes a report atomically (staged beside it, then renamed). */
export async function writeReportFile(path: string, report: Report): Promise<void> {
  const staged = stagingPathFor(path);
  await writeFile(staged, `${JSON.stringify(report, null, 2)}\n`);
  await publishFile(staged, path);
}
