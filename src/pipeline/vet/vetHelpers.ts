import type { IrModule } from "../../ir/types.js";
import type { SafetyCheckResult } from "../../safety/types.js";
import type { BuildContext } from "../context.js";

export interface VetInput {
  helperModule: IrModule;
  /** The Rust module, read concurrently; await it only if a check needs it. */
  rustModule: Promise<IrModule>;
  /** The linked helper bitcode (before reconciliation). */
  helpersBitcode: string;
}

/**
 * Safety checks on the helper module before it is internalized into the Rust object
 * (docs/SAFETY.md). Throws LLTO_UNSAFE_HELPERS on a failed check that was not overridden.
 * Issue #4 fills this in; until then no check runs and the report lists none.
 */
export async function vetHelpers(_ctx: BuildContext, _input: VetInput): Promise<SafetyCheckResult[]> {
  return [];
}
