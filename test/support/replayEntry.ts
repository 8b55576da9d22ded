import type { ReplayEntry } from "../../src/pipeline/plugin/replayEntry.js";

/** A replay entry with nothing in it but the rustc command (for replayScript's tests). */
export function replayEntryWith(rustc: ReplayEntry["rustc"]): ReplayEntry {
  return {
    format: 5,
    keyText: "k",
    rustc,
    plan: { reason: "", pluginPath: "", pluginLlvmVersion: "", toolchain: {} },
    prepared: { helperNames: [], safetyChecks: [], reconciliation: [], helperBitcode: [], triple: "" },
    notes: [],
    warnings: [],
    dependencies: [],
    absent: [],
    present: [],
    identities: [],
  };
}
