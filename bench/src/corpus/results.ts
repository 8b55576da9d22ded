/** The corpus run's figures: written by run.ts, rendered by report.ts. */
import type { BuildId, LocalLtoReport } from "./builds.js";
import type { IterationCost } from "./measure.js";
export interface EntryResults {
  name: string;
  description: string;
  pkgConfig: string[];
  cflags: string[];
  libs: string[];
  commands: Record<BuildId, string[]>;
  /** Output at the manifest's check count, per build, and whether it is the expected one. */
  outputs: Record<BuildId, { text: string; expected: boolean }>;
  instructions: Record<BuildId, IterationCost>;
  localLto: {
    defaultHelpers: number;
    defaultSummary: LocalLtoReport["summary"];
    /** Wrapper calls in the default build's object, found by `inspect --helper <each wrapper>`. */
    defaultCallsReallyLeft: number;
    selection: string[];
    report: LocalLtoReport;
    stdout: string;
  };
  fullO2: { callsLeft: { name: string; callsLeft: number }[]; missedRemarks: string[] };
  identity: HelperFreeIdentity;
}

export interface CorpusResults {
  startedAt: string;
  /** local-lto's path for build (b): the link path (`--mode inline`, the default here) or the rustc plugin. */
  mode?: "inline" | "plugin";
  machine: { rustc: string; clang: string; valgrind: string };
  entries: EntryResults[];
}

export interface HelperFreeIdentity {
  /** Functions of rustc's object with no relocation against a helper. */
  compared: string[];
  identical: number;
  differing: string[];
  missing: string[];
}
