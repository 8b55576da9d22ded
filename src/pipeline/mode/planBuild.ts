import { toolSpecs, type ToolId } from "../../toolchain/catalogue.js";
import { requireTools, resolveToolchain, type Toolchain } from "../../toolchain/resolveToolchain.js";
import { LocalLtoError } from "../../diagnostics/errors.js";
import { ensureRustcPlugin, rustcNeedsBootstrap, type RustcPlugin } from "../../tools/plugin/rustcPlugin.js";
import { identifyCCompiler, type CcIdentity } from "../../tools/cc.js";
import { unsupportedCodegenFlagsError } from "../../tools/rustcArgs.js";
import type { ResolvedBuild } from "../resolve/resolvedBuild.js";
import { chooseMode, type ModeChoice } from "./chooseMode.js";
import { inlineModeTools } from "./inlineTools.js";

export type BuildPlan =
  | { mode: "plugin"; reason: string; toolchain: Toolchain; tools: ToolId[]; plugin: RustcPlugin }
  | { mode: "inline"; reason: string; toolchain: Toolchain; tools: ToolId[]; scopePlugin: ScopePlugin }
  | { mode: "static"; reason: string; toolchain: Toolchain; cc?: CcIdentity; inlineUnavailable?: Extract<ModeChoice, { mode: "static" }>["inlineUnavailable"] };

/** local-lto's plugin for the link path's scoped caller pipeline, or why there is none (a note). */
export type ScopePlugin = { path: string } | { unavailable: string };

/**
 * The link path loads local-lto's plugin into rust-lld or opt (no rustc option: stable rustc is
 * fine) to run the caller pipeline on helpers and their callers only (docs/INLINING.md §5).
 * Looked up, never built here: scripts/setup.sh builds it.
 */
async function findScopePlugin(build: ResolvedBuild, toolchain: Toolchain): Promise<ScopePlugin> {
  const rustc = toolchain.rustc;
  if (!rustc) return { unavailable: "no rustc to find local-lto's plugin for" };
  const found = await ensureRustcPlugin({ rustc: rustc.path, rustcVersion: rustc.version, env: build.env, build: false, useReadyRecord: true });
  return found.ok ? { path: found.plugin.path } : { unavailable: `${found.problem.message} (fix: ${found.problem.fix})` };
}

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
  if (build.mode === "plugin" || build.mode === "auto") {
    const fast = await pluginPath(build, toolchain);
    if (fast.ok) return { mode: "plugin", reason: `${build.mode === "auto" ? "auto: " : "requested with --mode plugin: "}${fast.reason}`, toolchain, tools: fast.tools, plugin: fast.plugin };
    if (build.mode === "plugin") throw fast.error;
  }
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
    return { mode: "inline", reason: choice.reason, toolchain, tools, scopePlugin: await findScopePlugin(build, toolchain) };
  }
  return { mode: "static", reason: choice.reason, toolchain, cc, inlineUnavailable: choice.inlineUnavailable };
}

type PluginPathVerdict = { ok: true; reason: string; plugin: RustcPlugin; tools: ToolId[] } | { ok: false; error: LocalLtoError };

function pluginUnavailable(message: string, fix: string, details?: string): PluginPathVerdict {
  return { ok: false, error: new LocalLtoError({ code: "LLTO_PLUGIN_UNAVAILABLE", message: `plugin mode cannot run: ${message}`, fix, details }) };
}

/**
 * Whether rustc can take the fast path: Rust source and helpers that compile to bitcode, the
 * tools that prepare the helpers, the plugin built for this rustc's LLVM (scripts/setup.sh builds
 * it; auto mode never starts a C++ build), and a rustc that accepts `-Z` — nightly, or stable
 * when the user allowed RUSTC_BOOTSTRAP=1 for local-lto's own rustc run. Flags only the link path
 * honours (`--emit-bc`, `--codegen-backend`) keep auto mode on the link path.
 */
async function pluginPath(build: ResolvedBuild, toolchain: Toolchain): Promise<PluginPathVerdict> {
  if (build.rust.kind !== "rust-source") return pluginUnavailable("the Rust input is not Rust source (rustc must compile it)", "pass the Rust source, or use --mode inline");
  if (build.helpers.some((h) => h.kind === "object")) return pluginUnavailable("a helper input is an object (no IR to link)", "pass the helpers' C source or bitcode, or use --mode static");
  if (build.mode === "auto" && build.outputs.emitBitcode) return pluginUnavailable("--emit-bc writes the link path's merged bitcode", "drop --emit-bc");
  if (build.mode === "auto" && build.codegenBackend !== "auto") return pluginUnavailable(`--codegen-backend=${build.codegenBackend} chooses the link path's code generation`, "drop --codegen-backend");
  const tools: ToolId[] = ["rustc", ...(build.helpers.some((h) => h.kind === "c-source") ? (["clang"] as const) : []), "llvmLink", "llvmDis", "opt", "llc"];
  for (const id of tools) {
    const tool = id === "rustc" ? toolchain.rustcTool : toolchain.tools[id];
    if (tool.problem) return { ok: false, error: tool.problem };
  }
  const rustc = toolchain.rustc!;
  const needsBootstrap = rustcNeedsBootstrap(rustc.version);
  if (needsBootstrap && !build.rustcBootstrap) {
    return pluginUnavailable(
      `${rustc.version.release.text} is a stable rustc, which loads plugins only with RUSTC_BOOTSTRAP=1`,
      "pass --rustc-bootstrap (or set LOCAL_LTO_RUSTC_BOOTSTRAP=1) to let local-lto set it for its own rustc run only, as the kernel builds Rust; or use a nightly rustc",
    );
  }
  // Auto mode never builds the plugin, but trusts the ready record of one built and load-checked
  // for this rustc build (no llvm-config and clang++ runs before rustc starts: ~130 ms).
  const found = await ensureRustcPlugin({ rustc: rustc.path, rustcVersion: rustc.version, env: build.env, build: build.mode === "plugin", useReadyRecord: true });
  if (!found.ok) return pluginUnavailable(found.problem.message, found.problem.fix, found.problem.details);
  const plugin = found.plugin;
  const how = plugin.needsBootstrap ? " with RUSTC_BOOTSTRAP=1 for this compile only" : "";
  return { ok: true, reason: `${rustc.version.release.text} loads local-lto's plugin (LLVM ${plugin.llvmVersion})${how}: rustc inlines the helpers itself`, plugin, tools };
}
