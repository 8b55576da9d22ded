import { runTool } from "../../process/run.js";
import { parseModule } from "../../ir/index.js";
import type { IrModule } from "../../ir/types.js";
import { llvmToolFailure } from "../toolFailure.js";

/** Disassembles bitcode with llvm-dis and reads it with local-lto's IR reader. */
export async function readModule(llvmDis: string, bitcode: string, userBitcode: readonly string[] = []): Promise<IrModule> {
  const run = await runTool({ file: llvmDis, args: [bitcode, "-o", "-"] });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "llvm-dis", userBitcode });
  return parseModule(run.stdout);
}
