import type { IrModule } from "../../ir/types.js";
import type { BuildContext } from "../context.js";

export interface ReconcileInput {
  helperModule: IrModule;
  rustModule: Promise<IrModule>;
  helpersBitcode: string;
}

export interface ReconcileResult {
  /** The helper bitcode to merge: the input unchanged, or a rewritten copy in the workspace. */
  helpersBitcode: string;
  /** One line per change made, for the report. */
  changes: string[];
}

/**
 * Makes helper attributes agree with their Rust callers where that is provably harmless
 * (docs/INLINING.md). Issue #3 fills this in; until then nothing changes.
 */
export async function reconcileHelpers(_ctx: BuildContext, input: ReconcileInput): Promise<ReconcileResult> {
  return { helpersBitcode: input.helpersBitcode, changes: [] };
}
