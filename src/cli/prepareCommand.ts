/**
 * A first `local-lto build` prepared in the proof server (src/pipeline/plugin/prepareReplay.ts):
 * its command line parsed as main.ts parses it, and the build's entry written for the launcher to
 * repeat at once. Anything the command line does besides a build that can be prepared (help, a
 * usage error, an error of the build itself) is declined: the launcher's Node then does it, and
 * says what it has to say.
 */
import { prepareReplay, type PrepareOutcome } from "../pipeline/plugin/prepareReplay.js";
import type { BuildCommandOptions } from "./commands/buildOutput.js";
import { createProgram } from "./program.js";

export interface PrepareRequest {
  /** `local-lto`'s arguments (`build …`). */
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Told the entry's name as soon as the launcher can repeat the build from it. */
  onEntryWritten?: (name: string) => void;
}

export async function prepareCommand(request: PrepareRequest): Promise<PrepareOutcome> {
  let options: BuildCommandOptions | undefined;
  const program = createProgram({
    signal: request.signal,
    args: request.argv,
    cwd: request.cwd,
    env: request.env,
    quiet: true,
    onBuild: async (parsed) => {
      options = parsed;
      return 0;
    },
  });
  try {
    await program.parseAsync([...request.argv], { from: "user" });
  } catch {
    return { prepared: false, why: "usage" };
  }
  if (!options) return { prepared: false, why: "not-a-build" };
  const build = { ...options, env: request.env };
  return prepareReplay(build, { signal: request.signal, onEntryWritten: request.onEntryWritten }).catch((error: unknown) => ({ prepared: false, why: `declined: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` }));
}
