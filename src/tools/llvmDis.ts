import { runTool } from "../process/run.js";
import { parseModule } from "../ir/index.js";
import type { IrModule } from "../ir/types.js";
import { llvmToolFailure } from "./failure.js";

/** A bitcode module as IR text and as read by local-lto's IR reader: disassembled once, used by every stage. */
export interface DisassembledModule {
  bitcode: string;
  text: string;
  module: IrModule;
}

/** llvm-dis → IR text → local-lto's IR reader. */
export async function disassembleModule(llvmDis: string, bitcode: string, userBitcode: readonly string[] = []): Promise<DisassembledModule> {
  const run = await runTool({ file: llvmDis, args: [bitcode, "-o", "-"] });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "llvm-dis", userBitcode });
  return { bitcode, text: run.stdout, module: parseModule(run.stdout) };
}

/** The module alone, for stages that need no IR text. */
export async function readModule(llvmDis: string, bitcode: string, userBitcode: readonly string[] = []): Promise<IrModule> {
  return (await disassembleModule(llvmDis, bitcode, userBitcode)).module;
}
