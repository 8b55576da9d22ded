import type { Command } from "commander";
import { toolSpecs, type ToolId } from "../toolchain/catalogue.js";
import type { ToolOverrides } from "../toolchain/resolveToolchain.js";

/** `--clang=<path>` etc., one per tool, plus `--llvm-dir`; shared by build and doctor. */
export function addToolOptions(command: Command): Command {
  for (const spec of Object.values(toolSpecs)) {
    command.option(`${spec.flag} <path>`, `use this ${spec.executable} (env ${spec.envVar})`);
  }
  return command.option("--llvm-dir <dir>", "look for LLVM tools in this directory first (env LOCAL_LTO_LLVM_DIR)");
}

function camel(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function toolOverridesFrom(options: Record<string, unknown>): ToolOverrides {
  const overrides: ToolOverrides = {};
  for (const spec of Object.values(toolSpecs)) {
    const value = options[camel(spec.flag)];
    if (typeof value === "string") overrides[spec.id as ToolId] = value;
  }
  if (typeof options.llvmDir === "string") overrides.llvmDir = options.llvmDir;
  return overrides;
}
