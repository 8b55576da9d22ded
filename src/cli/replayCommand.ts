/**
 * A repeated `local-lto build` once the launcher has started its rustc (bin/local-lto,
 * src/pipeline/plugin/replayEntry.ts): find the entry, prove, report, publish. Run by the replay's
 * own Node (replayMain.ts) and by the proof server (proofServer/serveReplay.ts), which passes
 * every part of the process a command would read — arguments, directory, environment, streams,
 * rustc's status, the stop — explicitly.
 */
import { replayBuild } from "../pipeline/plugin/replayBuild.js";
import type { RustcStatusText } from "../pipeline/plugin/proveFromObject.js";
import { replayKeyText, readReplayEntry } from "../pipeline/plugin/replayEntry.js";
import { buildFailureExit, printBuildResult, type BuildCommandOptions, type CommandOutput } from "./commands/buildOutput.js";
import { reportFailure } from "./errorBoundary.js";

export interface ReplayRequest {
  /** `local-lto`'s arguments (`build …`): with the directory and the environment, the entry's key. */
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The launcher's staging directory (LOCAL_LTO_REPLAY_STAGE). */
  stage: string;
  out: CommandOutput;
  rustcStatus?: RustcStatusText;
  signal: AbortSignal;
}

/** The repeat's exit code; undefined when it cannot be finished from the entry (the build then runs as usual). */
export async function replayCommand(request: ReplayRequest): Promise<number | undefined> {
  const { env, out } = request;
  const keyText = replayKeyText(env.LOCAL_LTO_LAUNCH_PWD || request.cwd, request.argv, env);
  const entry = await readReplayEntry(env, keyText);
  if (!entry?.options) return undefined;
  const options: BuildCommandOptions = { ...(entry.options as unknown as BuildCommandOptions), cwd: request.cwd, env, replay: { keyText } };
  try {
    const result = await replayBuild(options, entry, request.stage, { signal: request.signal, rustcStatus: request.rustcStatus });
    return result ? printBuildResult(result, options, out) : undefined;
  } catch (error) {
    try {
      return buildFailureExit(error, options, out);
    } catch (failure) {
      return reportFailure(failure, out.stderr, env);
    }
  }
}
