import { toolSpecs, type ToolId } from "../../toolchain/catalogue.js";
import { requireTools, resolveToolchain, type Toolchain } from "../../toolchain/resolveToolchain.js";
import { identifyCCompiler, type CcIdentity } from "../../tools/cc.js";
import { unsupportedCodegenFlagsError } from "../../tools/rustcArgs.js";
import type { ResolvedBuild } from "../resolve/resolvedBuild.js";
import { chooseMode, type ModeChoice } from "./chooseMode.js";
import { inlineModeTools } from "./inlineTools.js";

export type BuildPlan =
  | { mode: "inline"; reason: string; toolchain: Toolchain; tools: ToolId[] }
  | { mode: "static"; reason: string; toolchain: Toolchain; cc?: CcIdentity; inlineUnavailable?: Extract<ModeChoice, { mode: "static" }>["inlineUnavailable"] };

/** Tools the user pointed at with a flag or an environment variable (`--llvm-link`, `LOCAL_LTO_LLVM_LINK`, `RUSTC`). */
function explicitlyGivenTools(build: ResolvedBuild): Set<ToolId> {
  const given = new Set<ToolId>();
  for (const spec of Object.values(toolSpecs)) {
    if (build.tools[spec.id] || build.env[spec.envVar] || (spec.id === "rustc" && build.env.RUSTC)) given.add(spec.id);
  }
  return given;
}

/**
 * The tools, and which mode runs (inputs and outputs were checked by resolveBuild). `--cc`, when
 * it is a clang, stands in for the clang the toolchain search would find, so one verdict covers
 * it in both modes.
 */
export async function planBuild(build: ResolvedBuild, onStage?: (stage: string) => void): Promise<BuildPlan> {
  onStage?.("checking toolchain");
  const cc = build.cc ? await identifyCCompiler(build.cc, build.env) : undefined;
  const toolchain = await resolveToolchain(cc?.family === "clang" ? { ...build.tools, clang: cc.path } : build.tools, build.env);
  const rustKind = build.rust.kind;
  const helperKinds = build.helpers.map((h) => h.kind);
  const choice = chooseMode({
    requested: build.mode,
    rustKind,
    helperKinds,
    cc,
    toolchain,
    inlineOnlyFlag: build.outputs.emitBitcode ? "--emit-bc" : build.requireInlined ? "--require-inlined" : undefined,
    explicitTools: explicitlyGivenTools(build),
  });
  if (choice.mode === "inline") {
    if (build.rust.kind === "rust-source" && build.rust.facts.refusedCodegenFlags.length) throw unsupportedCodegenFlagsError(build.rust.facts.refusedCodegenFlags);
    const tools = inlineModeTools(rustKind, helperKinds);
    requireTools(toolchain, tools);
    return { mode: "inline", reason: choice.reason, toolchain, tools };
  }
  return { mode: "static", reason: choice.reason, toolchain, cc, inlineUnavailable: choice.inlineUnavailable };
}
