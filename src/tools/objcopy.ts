import { writeFile } from "node:fs/promises";
import { LocalLtoError } from "../diagnostics/errors.js";
import { formatCommand, runTool } from "../process/run.js";
import { tail } from "./failure.js";
import type { BinutilsTool } from "./ld.js";

/**
 * objcopy argv that makes the listed symbols local (pure). `.llvm_addrsig` lists address-
 * significant symbols by symbol-table index; a relocatable link renumbers the table (GNU ld
 * copies the section unchanged), so a stale list could let `ld.lld --icf=safe` fold functions
 * whose addresses are compared. Without the section every symbol counts as significant: safe.
 */
export function localizeArgs(symbolList: string, input: string, output: string): string[] {
  return [`--localize-symbols=${symbolList}`, "--remove-section=.llvm_addrsig", input, output];
}

/** GNU objcopy or llvm-objcopy: makes the named symbols local. */
export async function localizeSymbols(objcopy: BinutilsTool, names: readonly string[], listFile: string, input: string, output: string): Promise<void> {
  await writeFile(listFile, names.map((n) => `${n}\n`).join(""));
  const run = await runTool({ file: objcopy.path, args: localizeArgs(listFile, input, output) });
  if (run.exitCode !== 0) {
    throw new LocalLtoError({
      code: "LLTO_TOOL_FAILED",
      message: `${objcopy.executable} could not make the helper symbols local (${run.spawnError ?? `exit ${run.exitCode}`})`,
      fix: `report it with the command: ${formatCommand(run.command)}`,
      details: tail(run.stderr),
    });
  }
}
