import { resolve } from "node:path";
import { LocalLtoError } from "../../diagnostics/errors.js";
import type { BuildOptions, HelpersDebug } from "../types.js";
import type { HelperVariant } from "./helpersConfig.js";

const helpersDebugChoices: readonly HelpersDebug[] = ["keep", "none"];

function usage(message: string, fix: string): LocalLtoError {
  return new LocalLtoError({ code: "LLTO_USAGE", exit: "usage", message, fix });
}

export interface AppliedHelperOptions {
  /** The options with the variant's helpers and flags, and `-g0` for `--helpers-debug=none`, filled in. */
  options: BuildOptions;
  variant?: HelperVariant;
}

/**
 * Turns `--helpers-config`/`--helpers-variant` and `--helpers-debug` into the plain options both
 * modes already understand: the variant's sources go before any `--helpers`, its flags before any
 * `--cc-arg` (so the user's flags win), and `-g0` last (so it wins over a `-g` anywhere).
 */
export async function applyHelperOptions(options: BuildOptions): Promise<AppliedHelperOptions> {
  if (options.helpersDebug !== undefined && !helpersDebugChoices.includes(options.helpersDebug)) {
    throw usage(`--helpers-debug=${String(options.helpersDebug)} is not a choice`, `use ${helpersDebugChoices.map((c) => `--helpers-debug=${c}`).join(" or ")}`);
  }
  if (options.helpersVariant !== undefined && options.helpersConfig === undefined) {
    throw usage(`--helpers-variant ${options.helpersVariant} needs a helpers config that defines it`, "pass --helpers-config <file.json> (docs/VARIANTS.md)");
  }
  let applied: BuildOptions = options;
  let variant: HelperVariant | undefined;
  if (options.helpersConfig !== undefined) {
    // Loaded on demand: the config's schema library costs start-up time for every other build.
    const { loadHelpersConfig, selectVariant } = await import("./helpersConfig.js");
    const config = await loadHelpersConfig(resolve(options.cwd ?? process.cwd(), options.helpersConfig));
    variant = selectVariant(config, options.helpersVariant);
    applied = { ...applied, helperInputs: [...variant.helpers, ...applied.helperInputs], ccArgs: [...variant.ccArgs, ...(applied.ccArgs ?? [])] };
  }
  if (options.helpersDebug === "none") applied = { ...applied, ccArgs: [...(applied.ccArgs ?? []), "-g0"] };
  return { options: applied, variant };
}
