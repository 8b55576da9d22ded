/**
 * Node's entry for a repeated `local-lto build` the launcher replays (bin/local-lto,
 * src/pipeline/plugin/replayEntry.ts): rustc is already running. The entry holds the options the
 * first build's command line gave (the key is that command line), so no command-line parser loads
 * here, nor any other command: this process starts faster than main.js, beside rustc. With no
 * entry for this key (removed meanwhile), it is main.js that runs.
 */
import { replayKeyText, readReplayEntry } from "../pipeline/plugin/replayEntry.js";
import { runBuild, type BuildCommandOptions } from "./commands/build.js";
import { reportFailure } from "./errorBoundary.js";
import { interruptController } from "./interrupt.js";

async function replay(): Promise<number | undefined> {
  const keyText = replayKeyText(process.env.LOCAL_LTO_LAUNCH_PWD || process.cwd(), process.argv.slice(2), process.env);
  const entry = await readReplayEntry(process.env, keyText);
  if (!entry?.options) return undefined;
  const interrupt = interruptController();
  try {
    const options: BuildCommandOptions = { ...(entry.options as unknown as BuildCommandOptions), replay: { keyText, stage: process.env.LOCAL_LTO_REPLAY_STAGE || undefined } };
    return await runBuild(options, interrupt.signal);
  } catch (error) {
    return reportFailure(error);
  } finally {
    interrupt.dispose();
  }
}

const code = await replay();
if (code === undefined) await import("./main.js");
else process.exitCode = code;
