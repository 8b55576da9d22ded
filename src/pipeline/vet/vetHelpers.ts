import type { IrModule } from "../../ir/types.js";
import { checkHelperModule, helperSymbolsUsedByRust, type IrCheckNames } from "../../safety/irChecks.js";
import { overrideNotes, unsafeHelperModuleError } from "../../safety/refusal.js";
import type { SafetyCheckResult } from "../../safety/types.js";
import { toolPath } from "../../toolchain/resolveToolchain.js";
import { readModule } from "../../tools/llvmDis.js";
import type { HelperStageContext } from "../context.js";

export interface VetInput {
  helperModule: IrModule;
  /**
   * The Rust module, read concurrently; await it only if a check needs it. Absent on the plugin
   * path (rustc links the helpers itself): then `usedHelpers` says what may be linked, and the
   * Rust-side checks run on the object afterwards.
   */
  rustModule?: Promise<IrModule>;
  /** The helpers that may be linked, when there is no Rust module to tell. */
  usedHelpers?: readonly string[];
  /** The linked helper bitcode (before reconciliation). */
  helpersBitcode: string;
  /** One bitcode file per helper input, in input order (to say which input defines a symbol). */
  helperBitcodes?: readonly string[];
}

/**
 * Safety checks on the helper module before it is internalized into the Rust object
 * (docs/SAFETY.md). Returns every check's result for the report; throws LLTO_UNSAFE_HELPERS on
 * a failed check that `--allow` did not override, before anything is merged or written.
 *
 * It waits for the Rust module's IR: which helpers the merge keeps, addresses the Rust code takes
 * and symbols both sides define are only known from it.
 */
export async function vetHelpers(ctx: HelperStageContext, input: VetInput): Promise<SafetyCheckResult[]> {
  const rust = input.rustModule ? await input.rustModule : undefined;
  const used = rust ? helperSymbolsUsedByRust(rust, input.helperModule) : [...(input.usedHelpers ?? [])];
  const allow = ctx.build.allow;
  const names = { rustInput: ctx.build.rust.path };
  let results = checkHelperModule(input.helperModule, rust, used, allow, names);
  // Without debug info a finding names its helper input: found only now, and only when needed.
  if (results.some((r) => (r.status === "failed" || r.status === "overridden") && r.findings.some((f) => !f.file))) {
    results = checkHelperModule(input.helperModule, rust, used, allow, { ...names, helperInputOf: await helperInputLookup(ctx, input) });
  }
  const refusal = unsafeHelperModuleError(results);
  if (refusal) throw refusal;
  ctx.notes.push(...overrideNotes(results));
  return results;
}

/**
 * Which helper input defines a symbol: the only input, or the one whose own module defines it
 * (each input's module is read only on this path, when a finding is reported).
 */
async function helperInputLookup(ctx: HelperStageContext, input: VetInput): Promise<NonNullable<IrCheckNames["helperInputOf"]>> {
  const inputs = ctx.build.helpers.map((h) => h.path);
  if (inputs.length === 1) return () => inputs[0];
  const bitcodes = input.helperBitcodes;
  if (!bitcodes || bitcodes.length !== inputs.length) return () => undefined;
  const llvmDis = toolPath(ctx.toolchain, "llvmDis");
  const modules = await Promise.all(bitcodes.map((bc) => readModule(llvmDis, bc, ctx.build.userBitcode).catch(() => undefined)));
  const defines = (m: IrModule | undefined, symbol: string): boolean => {
    const fn = m?.functions.get(symbol);
    if (fn) return !fn.isDeclaration;
    const g = m?.globals.get(symbol);
    return !!g && g.hasInitializer;
  };
  return (symbol, check) => {
    const index = check === "module-asm" ? modules.findIndex((m) => !!m && m.moduleAsm.length > 0) : symbol === undefined ? -1 : modules.findIndex((m) => defines(m, symbol));
    return index >= 0 ? inputs[index] : undefined;
  };
}
