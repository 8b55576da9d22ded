import { runTool } from "../process/run.js";
import { llvmToolFailure } from "./failure.js";


/** What the Rust module says about how rustc would have generated code for it. */
export interface RustCodegenFacts {
  triple?: string;
  /** `PIC Level` module flag: rustc writes it for relocation models pic and pie. */
  picLevel?: number;
  /** `Code Model` module flag: 0 tiny, 1 small, 2 kernel, 3 medium, 4 large (llvm/Support/CodeGen.h). */
  codeModel?: number;
  /** The `target-cpu` and `target-features` rustc put on its functions. */
  targetCpu?: string;
  targetFeatures?: string;
}

export interface CodegenChoices {
  /** LLVM options rustc's TargetMachine would have had (`-C llvm-args`, `-Z emit-stack-sizes`). */
  llvmOptions: readonly string[];
  /** LLVM codegen level: rustc maps -C opt-level s and z to 2. */
  optLevel: "0" | "1" | "2" | "3";
  functionSections: boolean;
  trapUnreachable: boolean;
}

const codeModelNames = ["tiny", "small", "kernel", "medium", "large"];

/**
 * llc's argv that reproduces `rustc --emit=obj` for the same module (pure). rustc's target
 * machine options are not all in the IR: function/data sections are on by default for ELF
 * targets, and rustc traps on `unreachable` except after noreturn calls
 * (rustc_codegen_llvm's target machine factory). Checked by comparing disassembly of
 * regex-syntax: with these flags llc's output matches rustc's in all but one function's stack
 * slot assignment (docs/ARCHITECTURE.md).
 */
export function llcArguments(facts: RustCodegenFacts, choices: CodegenChoices): string[] {
  const args = [`-O${choices.optLevel}`, "-filetype=obj", "--disable-verify"];
  if (facts.triple) args.push(`-mtriple=${facts.triple}`);
  args.push(`-relocation-model=${facts.picLevel ? "pic" : "static"}`);
  const codeModel = facts.codeModel !== undefined ? codeModelNames[facts.codeModel] : undefined;
  if (codeModel) args.push(`-code-model=${codeModel}`);
  if (facts.targetCpu) args.push(`-mcpu=${facts.targetCpu}`);
  if (facts.targetFeatures) args.push(`-mattr=${facts.targetFeatures}`);
  if (choices.functionSections) args.push("-function-sections", "-data-sections");
  if (choices.trapUnreachable) args.push("-trap-unreachable", "-no-trap-after-noreturn");
  args.push(...choices.llvmOptions);
  return args;
}

/** llc: bitcode → object, with the argv above. */
export async function emitObject(llc: string, bitcode: string, llcArgs: readonly string[], output: string): Promise<string> {
  const run = await runTool({ file: llc, args: [...llcArgs, bitcode, "-o", output] });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "llc (codegen)" });
  return output;
}
