import type { Command, OptionValues } from "@commander-js/extra-typings";
import { toolSpecs, type ToolId } from "../toolchain/catalogue.js";
import type { ToolOverrides } from "../toolchain/resolveToolchain.js";

/** The option values `addToolOptions` adds: one path per tool (`--llvm-link` → `llvmLink`), and `--llvm-dir`. */
export type ToolOptionValues = Partial<Record<ToolId, string>> & { llvmDir?: string };

function camel(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * `--clang=<path>` etc., one per tool, plus `--llvm-dir`; shared by build and doctor. The flags
 * come from the tool catalogue, so their typed values are declared once here: each flag's
 * camel-cased name is its tool id (checked by test/unit/cli-options.test.ts).
 */
export function addToolOptions<Args extends unknown[], Opts extends OptionValues>(command: Command<Args, Opts>): Command<Args, Opts & ToolOptionValues> {
  for (const spec of Object.values(toolSpecs)) {
    command.option(`${spec.flag} <path>`, `use this ${spec.executable} (env ${spec.envVar})`);
  }
  command.option("--llvm-dir <dir>", "look for LLVM tools in this directory first (env LOCAL_LTO_LLVM_DIR)");
  return command as unknown as Command<Args, Opts & ToolOptionValues>;
}

/** The flag each tool's path is given with, as commander names its value. */
export function toolOptionKey(id: ToolId): string {
  return camel(toolSpecs[id].flag);
}

export function toolOverridesFrom(options: ToolOptionValues): ToolOverrides {
  const overrides: ToolOverrides = {};
  for (const spec of Object.values(toolSpecs)) {
    const value = options[spec.id];
    if (typeof value === "string") overrides[spec.id] = value;
  }
  if (typeof options.llvmDir === "string") overrides.llvmDir = options.llvmDir;
  return overrides;
}
