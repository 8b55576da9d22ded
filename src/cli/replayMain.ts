/**
 * Node's entry for a repeated `local-lto build` the launcher replays (bin/local-lto,
 * src/pipeline/plugin/replayEntry.ts): rustc is already running. The entry holds the options the
 * first build's command line gave (the key is that command line), so no command-line parser loads
 * here, nor any other command or mode (src/pipeline/plugin/replayBuild.ts): this process starts
 * faster than main.js, beside rustc. When the entry is gone or cannot finish the build, the
 * launcher's rustc is stopped and main.js builds as usual.
 */
import { stopLauncherRustc } from "../pipeline/plugin/proveFromObject.js";
import { processOutput } from "./commands/buildOutput.js";
import { interruptController } from "./interrupt.js";
import { restoreLauncherEnvironment } from "./launcherEnvironment.js";
import { exitWhenWritten, tolerateClosedOutput } from "./exitWhenWritten.js";
import { replayCommand } from "./replayCommand.js";

async function replay(stage: string): Promise<number | undefined> {
  const interrupt = interruptController();
  try {
    return await replayCommand({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env, stage, out: processOutput, signal: interrupt.signal });
  } finally {
    interrupt.dispose();
  }
}

async function main(): Promise<void> {
  restoreLauncherEnvironment();
  tolerateClosedOutput();
  const stage = process.env.LOCAL_LTO_REPLAY_STAGE;
  const code = stage ? await replay(stage) : undefined;
  // Everything was awaited: exit as soon as the output has left, about 10 ms sooner than after
  // tearing the heap down, in every repeated build (exitWhenWritten.ts).
  if (code !== undefined) await exitWhenWritten(code);
  // The launcher's rustc is of no use to a build from the start: stop it, and let main.js know
  // there is nothing to replay (its build records a new entry for the next time).
  if (stage) await stopLauncherRustc(stage);
  delete process.env.LOCAL_LTO_REPLAY_STAGE;
  // main's own file beside this one (dist/cli/main.js, or dist/bundle/main.mjs when bundled): named
  // at run time so that the bundle of this entry carries no command but this one (scripts/bundle.mjs).
  const bundled = !import.meta.url.endsWith("/cli/replayMain.js");
  await import(new URL(bundled ? "./main.mjs" : "./main.js", import.meta.url).href);
}

void main();
