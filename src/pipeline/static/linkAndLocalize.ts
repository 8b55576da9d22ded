import { writeFile } from "node:fs/promises";
import { LocalLtoError } from "../../diagnostics/errors.js";
import { formatCommand, runTool } from "../../process/run.js";
import { tail } from "../toolFailure.js";
import type { StaticTool } from "./staticTools.js";

/**
 * `ld -r` argv (pure). `-d` allocates common symbols (`int x;` under gcc -fcommon), which
 * otherwise stay SHN_COMMON in a relocatable link and cannot be made local. The Rust object
 * comes first so its sections lead the output, as in the out-of-line link.
 */
export function relocatableLinkArgs(output: string, rustObject: string, helperObjects: readonly string[]): string[] {
  return ["-r", "-d", "-o", output, rustObject, ...helperObjects];
}

/**
 * objcopy argv that makes the listed symbols local (pure). `.llvm_addrsig` lists address-
 * significant symbols by symbol-table index; a relocatable link renumbers the table (GNU ld
 * copies the section unchanged), so a stale list could let `ld.lld --icf=safe` fold functions
 * whose addresses are compared. Without the section every symbol counts as significant: safe.
 */
export function localizeArgs(symbolList: string, input: string, output: string): string[] {
  return [`--localize-symbols=${symbolList}`, "--remove-section=.llvm_addrsig", input, output];
}

export async function linkRelocatable(linker: StaticTool, output: string, rustObject: string, helperObjects: readonly string[]): Promise<{ warnings: string }> {
  const run = await runTool({ file: linker.path, args: relocatableLinkArgs(output, rustObject, helperObjects) });
  if (run.exitCode === 0) return { warnings: run.stderr.trim() };
  const duplicate = run.stderr.match(/multiple definition of [`']([^'`]+)'|duplicate symbol: (\S+)/);
  if (duplicate) {
    throw new LocalLtoError({
      code: "LLTO_HELPER_DUPLICATE",
      exit: "invalidInput",
      message: `two helper inputs both define ${duplicate[1] ?? duplicate[2]}`,
      fix: "keep one definition (make the other static, or drop one of the inputs)",
      details: tail(run.stderr),
    });
  }
  throw new LocalLtoError({
    code: "LLTO_LINK_FAILED",
    exit: "toolFailed",
    message: `${linker.executable} -r could not link the Rust object with the helpers (${run.spawnError ?? `exit ${run.exitCode}`})`,
    fix: `for another target pass --linker=<that target's ld, or ld.lld>; otherwise report it with the command: ${formatCommand(run.command)}`,
    details: tail(run.stderr),
  });
}

export async function localizeSymbols(objcopy: StaticTool, names: readonly string[], listFile: string, input: string, output: string): Promise<void> {
  await writeFile(listFile, names.map((n) => `${n}\n`).join(""));
  const run = await runTool({ file: objcopy.path, args: localizeArgs(listFile, input, output) });
  if (run.exitCode !== 0) {
    throw new LocalLtoError({
      code: "LLTO_TOOL_FAILED",
      exit: "toolFailed",
      message: `${objcopy.executable} could not make the helper symbols local (${run.spawnError ?? `exit ${run.exitCode}`})`,
      fix: `report it with the command: ${formatCommand(run.command)}`,
      details: tail(run.stderr),
    });
  }
}
