import pc from "picocolors";
import { toolSpecs, type ToolId } from "../../toolchain/catalogue.js";
import { resolveToolchain, type FoundTool, type Toolchain, type ToolOverrides } from "../../toolchain/resolveToolchain.js";
import { exitCodes } from "../../diagnostics/errors.js";
import { useColor } from "../errorBoundary.js";
import { formatColumns } from "../../report/columns.js";
import { checkPlugin } from "../../tools/plugin/checkPlugin.js";
import { rustcNeedsBootstrap } from "../../tools/plugin/rustcPlugin.js";

const order: ToolId[] = ["rustc", "clang", "llvmLink", "opt", "llc", "llvmDis", "llvmNm", "rustLld", "ldLld", "llvmObjcopy"];

export function toolRows(toolchain: Toolchain): FoundTool[] {
  return order.map((id) => (id === "rustc" ? toolchain.rustcTool : toolchain.tools[id]));
}

/** Inline mode needs every tool but rust-lld (optional: codegen with rustc's own LLVM), ld.lld and llvm-objcopy (static mode). */
const inlineModeTools = new Set<ToolId>(["rustc", "clang", "llvmLink", "opt", "llc", "llvmDis", "llvmNm"]);

export function renderDoctor(toolchain: Toolchain, color: boolean): { text: string; exitCode: number } {
  const paint = pc.createColors(color);
  const rows: string[][] = [];
  for (const tool of toolRows(toolchain)) {
    const version = tool.id === "rustc" ? (toolchain.rustc ? `${toolchain.rustc.version.release.text} (LLVM ${toolchain.rustc.version.llvm?.major})` : "-") : (tool.version ? `${tool.version.major}.${tool.version.minor}.${tool.version.patch}` : "-");
    const verdict = tool.verdict === "ok" ? paint.green("ok") : paint.red(tool.verdict);
    rows.push([toolSpecs[tool.id].executable, version, tool.path ?? "-", verdict]);
  }
  const lines = [`LLVM major local-lto needs: ${toolchain.llvmMajor ?? "unknown (no rustc)"}`, formatColumns(["tool", "version", "path", "verdict"], rows)];
  let exitCode = 0;
  for (const tool of toolRows(toolchain)) {
    if (!tool.problem) continue;
    const blocking = inlineModeTools.has(tool.id);
    lines.push(`${blocking ? paint.red("problem") : paint.yellow("note")}[${tool.problem.code}]: ${tool.problem.message}`, `  fix: ${tool.problem.fix}`);
    if (blocking && exitCode === 0) exitCode = tool.problem.exitCode;
  }
  lines.push(exitCode === 0 ? paint.green("inline mode is available") : `inline mode is not available: ${exitCode === exitCodes.toolMissing ? "a tool is missing" : "LLVM versions do not match"}`);
  return { text: lines.join("\n"), exitCode };
}

/**
 * The plugin path's line (docs/PLUGIN.md): informational, never the exit code — without the
 * plugin, auto mode takes the link path. Builds nothing.
 */
async function pluginLines(toolchain: Toolchain): Promise<string[]> {
  const rustc = toolchain.rustc;
  if (!rustc) return [];
  const line = await checkPlugin({ rustc: rustc.path, rustcVersion: rustc.version });
  if (!line.startsWith("rustc plugin: ok")) return [line, "plugin mode and the rustc mode are not available: auto mode takes the link path"];
  const how = rustcNeedsBootstrap(rustc.version) ? " (this stable rustc: with --rustc-bootstrap or LOCAL_LTO_RUSTC_BOOTSTRAP=1)" : "";
  return [line, `plugin mode is available${how}; the rustc mode (local-lto rustc, local-lto cargo) uses it`];
}

export async function runDoctor(overrides: ToolOverrides): Promise<number> {
  const toolchain = await resolveToolchain(overrides);
  const { text, exitCode } = renderDoctor(toolchain, useColor(process.stdout));
  process.stdout.write(`${[text, ...(await pluginLines(toolchain))].join("\n")}\n`);
  return exitCode;
}
