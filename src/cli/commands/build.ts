import { build } from "../../pipeline/build.js";
import { buildFailureExit, printBuildResult, type BuildCommandOptions } from "./buildOutput.js";

export type { BuildCommandOptions } from "./buildOutput.js";

export async function runBuild(options: BuildCommandOptions, signal?: AbortSignal): Promise<number> {
  try {
    return printBuildResult(await build(options, { signal }), options);
  } catch (error) {
    return buildFailureExit(error, options);
  }
}
