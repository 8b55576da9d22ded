import { runTool } from "../process/run.js";
import { llvmToolFailure } from "./failure.js";
import { inlinePassEnvironment, inlinePassFlags, inlinePassPipeline, isScoped, type InlineRunOptions } from "../inlining/passPipeline.js";
import type { CodegenChoices } from "./llc.js";

/**
 * Inlining and codegen in one process with rustc's own LLVM: `rust-lld -r` runs LTO on the one
 * merged module with local-lto's pass pipeline, then generates the object.
 *
 * Why: rustc's LLVM is the exact version that wrote the Rust bitcode, and it is built for speed
 * (measured on regex-syntax: codegen 1.7–2.1 s with rust-lld against 2.6–3.3 s with Debian's
 * llc 22, and no separate opt process to write and re-read the module). What it needs, checked
 * in test/e2e/codegen.test.ts against rustc's own objects: the relocation and code models come
 * from the module flags rustc wrote (`-r` leaves lld's relocation model unset, so LTO reads
 * `PIC Level` and `Code Model`); lld's LTO always uses function and data sections, as rustc does
 * on ELF targets; `TrapUnreachable`/`NoTrapAfterNoreturn` are rustc's defaults, passed as -mllvm.
 * With `-Z function-sections=no` the llc backend is used instead.
 */
export function rustLldArguments(input: string, output: string, choices: CodegenChoices, inline: InlineRunOptions): string[] {
  const mllvm = (flag: string) => ["-mllvm", flag];
  return [
    "-flavor",
    "gnu",
    "-r",
    ...(isScoped(inline) ? [`--load-pass-plugin=${inline.scopePlugin}`] : []),
    `--lto-newpm-passes=${inlinePassPipeline(inline)}`,
    `--lto-CGO${choices.optLevel}`,
    "--disable-verify",
    ...(choices.trapUnreachable ? [...mllvm("-trap-unreachable"), ...mllvm("-no-trap-after-noreturn")] : []),
    ...inlinePassFlags(inline).flatMap(mllvm),
    ...choices.llvmOptions.flatMap(mllvm),
    ...(inline.remarksFile ? ["--opt-remarks-filename", inline.remarksFile, "--opt-remarks-passes", "inline", "--opt-remarks-format", "yaml"] : []),
    input,
    "-o",
    output,
  ];
}

export async function inlineAndEmitWithRustLld(rustLld: string, merged: string, output: string, choices: CodegenChoices, inline: InlineRunOptions): Promise<string> {
  const run = await runTool({ file: rustLld, args: rustLldArguments(merged, output, choices, inline), env: inlinePassEnvironment(inline) });
  if (run.exitCode !== 0) throw llvmToolFailure(run, { tool: "rust-lld (inline and codegen)" });
  return output;
}
