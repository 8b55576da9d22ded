import { LocalLtoError } from "../../diagnostics/errors.js";
import { safetyCheckIds, type SafetyCheckId } from "../../safety/types.js";
import { toolSpecs, type ToolId } from "../../toolchain/catalogue.js";
import { requireTools, resolveToolchain, type Toolchain } from "../../toolchain/resolveToolchain.js";
import type { ResolvedInputs } from "../context.js";
import { identifyCCompiler, type CcIdentity } from "../static/cCompiler.js";
import type { BuildMode, BuildOptions } from "../types.js";
import { checkOutputDirectory } from "../workspace.js";
import { chooseMode, type ModeChoice } from "./chooseMode.js";
import { inlineModeTools } from "./inlineTools.js";
import { resolveInlineInputs, resolveStaticInputs, type StaticInputs } from "./modeInputs.js";

export type BuildPlan =
  | { mode: "inline"; reason: string; inputs: ResolvedInputs; toolchain: Toolchain; tools: ToolId[] }
  | { mode: "static"; reason: string; inputs: StaticInputs; toolchain: Toolchain; cc?: CcIdentity; inlineUnavailable?: Extract<ModeChoice, { mode: "static" }>["inlineUnavailable"] };

const modes: readonly BuildMode[] = ["auto", "inline", "static"];

function usage(message: string, fix: string): LocalLtoError {
  return new LocalLtoError({ code: "LLTO_USAGE", exit: "usage", message, fix });
}

/** `--mode` and `--allow` as the library receives them (API callers skip the CLI's checks). */
export function checkModeOptions(options: BuildOptions): { requested: BuildMode; allow: ReadonlySet<SafetyCheckId> } {
  const requested = options.mode ?? "auto";
  if (!modes.includes(requested)) throw usage(`unknown mode "${String(requested)}"`, `use --mode ${modes.join(", --mode ")}`);
  for (const check of options.allow ?? []) {
    if (!safetyCheckIds.includes(check)) throw usage(`--allow=${String(check)} names no safety check`, `use one of: ${safetyCheckIds.join(", ")}`);
  }
  return { requested, allow: new Set(options.allow ?? []) };
}

/** Tools the user pointed at with a flag or an environment variable (`--llvm-link`, `LOCAL_LTO_LLVM_LINK`, `RUSTC`). */
function explicitlyGivenTools(options: BuildOptions, env: NodeJS.ProcessEnv = process.env): Set<ToolId> {
  const given = new Set<ToolId>();
  for (const spec of Object.values(toolSpecs)) {
    if (options.tools?.[spec.id] || env[spec.envVar] || (spec.id === "rustc" && env.RUSTC)) given.add(spec.id);
  }
  return given;
}

/**
 * Everything decided before work starts: the inputs, the tools, and which mode runs. Inputs and
 * the output directory are checked first, then the tools; `--cc`, when it is a clang, stands in
 * for the clang the toolchain search would find, so one verdict covers it in both modes.
 */
export async function planBuild(options: BuildOptions, onStage?: (stage: string) => void): Promise<BuildPlan> {
  const { requested } = checkModeOptions(options);
  const inputs = requested === "static" ? await resolveStaticInputs(options) : await resolveInlineInputs(options, requested);
  await checkOutputDirectory(inputs.output);
  onStage?.("checking toolchain");
  const cc = options.cc ? await identifyCCompiler(options.cc) : undefined;
  const toolchain = await resolveToolchain(cc?.family === "clang" ? { ...options.tools, clang: cc.path } : options.tools);
  const choice = chooseMode({
    requested,
    rustKind: inputs.rustKind,
    helperKinds: inputs.helperKinds,
    cc,
    toolchain,
    inlineOnlyFlag: options.emitBitcode ? "--emit-bc" : options.requireInlined ? "--require-inlined" : undefined,
    explicitTools: explicitlyGivenTools(options),
  });
  if (choice.mode === "inline") {
    const tools = inlineModeTools(inputs.rustKind, inputs.helperKinds);
    requireTools(toolchain, tools);
    // chooseMode refuses objects in inline mode, so these are inline mode's own input kinds.
    return { mode: "inline", reason: choice.reason, inputs: inputs as ResolvedInputs, toolchain, tools };
  }
  return { mode: "static", reason: choice.reason, inputs, toolchain, cc, inlineUnavailable: choice.inlineUnavailable };
}
