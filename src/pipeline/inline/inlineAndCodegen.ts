import { LocalLtoError, usageError } from "../../diagnostics/errors.js";
import type { IrModule } from "../../ir/types.js";
import type { InlineRunOptions } from "../../inlining/passPipeline.js";
import { emitObject, llcArguments, type CodegenChoices } from "../../tools/llc.js";
import { runInlinePasses } from "../../tools/opt.js";
import { codegenLlvmOptions } from "../../tools/rustcCodegenFlags.js";
import { inlineAndEmitWithRustLld } from "../../tools/rustLld.js";
import { toolPath } from "../../toolchain/resolveToolchain.js";
import { rustCodegenFacts } from "../analyze/rustFacts.js";
import type { BuildContext } from "../context.js";

export type CodegenBackend = "rustLld" | "llc";

/** rust-lld's path when it inlines and generates code, undefined for the opt + llc fallback. */
export function chooseRustLld(ctx: BuildContext, choices: CodegenChoices): string | undefined {
  const wanted = ctx.build.codegenBackend;
  const tool = ctx.toolchain.tools.rustLld;
  if (wanted === "llc") return undefined;
  if (wanted === "rust-lld") {
    if (tool.verdict !== "ok" || !tool.path) {
      throw tool.problem ?? new LocalLtoError({ code: "LLTO_TOOL_MISSING", message: "rust-lld not found in rustc's sysroot", fix: "use --codegen-backend=llc, or pass --rust-lld=<path>" });
    }
    if (!choices.functionSections) {
      throw usageError("--codegen-backend=rust-lld always uses function sections, but -Z function-sections=no was given", "use --codegen-backend=llc");
    }
    return tool.path;
  }
  return tool.verdict === "ok" && choices.functionSections ? tool.path : undefined;
}

/** How rustc would have generated code, from its flags (source input) or `--codegen-opt-level` (bitcode input). */
export function codegenChoices(ctx: BuildContext): CodegenChoices {
  const { rust } = ctx.build;
  if (rust.kind === "rust-source") {
    const { codegenOptLevel, functionSections, trapUnreachable, codegenFlags } = rust.facts;
    return { optLevel: codegenOptLevel, functionSections, trapUnreachable, llvmOptions: codegenLlvmOptions(codegenFlags) };
  }
  return { optLevel: rust.kind === "bitcode" ? rust.codegenOptLevel : "3", functionSections: true, trapUnreachable: true, llvmOptions: [] };
}

export interface InlinedObject {
  object: string;
  /** The inlined module, when --emit-bc asked for it. */
  bitcode?: string;
  backend: CodegenBackend;
}

/**
 * The inline step and code generation. With rust-lld (rustc's own LLVM, one process): LTO over
 * the merged module with local-lto's pass pipeline, then the object. Without it: `opt` with the
 * same pipeline, then `llc` with the flags rustc's target machine would use, read back from the
 * Rust module. --emit-bc wants the inlined module itself: with rust-lld, opt runs the same
 * passes beside it.
 */
export async function inlineAndCodegen(
  ctx: BuildContext,
  merged: string,
  tag: string,
  inline: InlineRunOptions,
  rustLld: string | undefined,
  rustModule: Promise<IrModule>,
): Promise<InlinedObject> {
  const { workspace, timed, toolchain } = ctx;
  const choices = codegenChoices(ctx);
  const object = workspace.file(`object${tag}.o`);
  const opt = toolPath(toolchain, "opt");
  const wantBitcode = ctx.build.outputs.emitBitcode !== undefined;
  if (rustLld) {
    const [, bitcode] = await Promise.all([
      timed(`inline+codegen${tag}`, () => inlineAndEmitWithRustLld(rustLld, merged, object, choices, inline)),
      wantBitcode ? timed(`inline${tag}`, () => runInlinePasses(opt, merged, workspace.file(`inlined${tag}.bc`), { ...inline, remarksFile: undefined })) : undefined,
    ]);
    return { object, bitcode: bitcode ?? undefined, backend: "rustLld" };
  }
  const bitcode = (await timed(`inline${tag}`, () => runInlinePasses(opt, merged, workspace.file(`inlined${tag}.bc`), inline)))!;
  const facts = rustCodegenFacts(await rustModule);
  await timed(`codegen${tag}`, () => emitObject(toolPath(toolchain, "llc"), bitcode, llcArguments(facts, choices), object));
  return { object, bitcode, backend: "llc" };
}
