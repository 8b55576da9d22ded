import { LocalLtoError } from "../diagnostics/errors.js";
import { formatCommand, runTool } from "../process/run.js";
import { duplicateHelperError, tail } from "./failure.js";

/** A binutils-style tool static mode runs (GNU or LLVM flavour). */
export interface BinutilsTool {
  /** `ld`, `ld.lld`, `objcopy`, `llvm-objcopy`: for the report and messages. */
  executable: string;
  path: string;
}

/**
 * `ld -r` argv (pure). `-d` allocates common symbols (`int x;` under gcc -fcommon), which
 * otherwise stay SHN_COMMON in a relocatable link and cannot be made local. The Rust object
 * comes first so its sections lead the output, as in the out-of-line link.
 */
export function relocatableLinkArgs(output: string, rustObject: string, helperObjects: readonly string[]): string[] {
  return ["-r", "-d", "-o", output, rustObject, ...helperObjects];
}

/** `ld -r` (GNU ld or ld.lld): the Rust object and the helper objects into one relocatable object. */
export async function linkRelocatable(linker: BinutilsTool, output: string, rustObject: string, helperObjects: readonly string[]): Promise<{ warnings: string }> {
  const run = await runTool({ file: linker.path, args: relocatableLinkArgs(output, rustObject, helperObjects) });
  if (run.exitCode === 0) return { warnings: run.stderr.trim() };
  const duplicate = run.stderr.match(/multiple definition of [`']([^'`]+)'|duplicate symbol: (\S+)/);
  if (duplicate) throw duplicateHelperError(duplicate[1] ?? duplicate[2]!, tail(run.stderr));
  throw new LocalLtoError({
    code: "LLTO_LINK_FAILED",
    message: `${linker.executable} -r could not link the Rust object with the helpers (${run.spawnError ?? `exit ${run.exitCode}`})`,
    fix: `for another target pass --linker=<that target's ld, or ld.lld>; otherwise report it with the command: ${formatCommand(run.command)}`,
    details: tail(run.stderr),
  });
}
