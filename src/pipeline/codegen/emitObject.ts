import { runTool } from "../../process/run.js";
import { llvmToolFailure } from "../toolFailure.js";

export async function emitObject(llc: string, bitcode: string, llcArgs: readonly string[], output: string): Promise<string> {
  const run = await runTool({ file: llc, args: [...llcArgs, bitcode, "-o", output] });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "llc (codegen)" });
  return output;
}
