import type { Toolchain } from "../toolchain/resolveToolchain.js";
import type { ResolvedBuild } from "./resolve/resolvedBuild.js";
import type { Workspace } from "./workspace.js";

/** Everything a mode's pipeline needs; `build.ts` creates it and publishes what the mode wrote. */
export interface BuildContext {
  readonly build: ResolvedBuild;
  readonly toolchain: Toolchain;
  readonly workspace: Workspace;
  /** Where the mode writes the object; build.ts renames it into place only on success. */
  readonly stagedObject: string;
  readonly warnings: string[];
  readonly notes: string[];
  readonly timings: Record<string, number>;
  /** Runs one stage, recording its wall time under `stage`. */
  timed<T>(stage: string, work: () => Promise<T>): Promise<T>;
}

/** What the helper stages (compile, vet, reconcile) read of a build: both `build` and rustc mode provide it. */
export type HelperSettings = Pick<ResolvedBuild, "helpers" | "ccArgs" | "helpersDebug" | "cacheDir" | "cwd" | "env" | "allow" | "reconcile" | "nullPointerPolicy" | "userBitcode"> & {
  /** Named in safety findings: where the Rust code comes from. */
  readonly rust: { readonly path: string };
};

/** The part of a BuildContext the helper stages need. */
export interface HelperStageContext extends Pick<BuildContext, "toolchain" | "workspace" | "warnings" | "notes" | "timed"> {
  readonly build: HelperSettings;
}
