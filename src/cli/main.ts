#!/usr/bin/env node
import { CommanderError } from "@commander-js/extra-typings";
import { exitCodes } from "../diagnostics/errors.js";
import { exitWhenWritten, tolerateClosedOutput } from "./exitWhenWritten.js";
import { isWrapperInvocation, runRustcCommand, rustcForSubcommand } from "./commands/rustc.js";
import { reportFailure } from "./errorBoundary.js";
import { interruptController } from "./interrupt.js";
import { restoreLauncherEnvironment } from "./launcherEnvironment.js";
import { createProgram } from "./program.js";

/** `local-lto rustc …`, `local-lto cargo …` and Cargo's wrapper form `local-lto /path/to/rustc …`: their arguments are the tools'. */
async function runPassThroughCommand(argv: string[]): Promise<number | undefined> {
  const [first, ...rest] = argv.slice(2);
  if (first === "rustc") return runRustcCommand(rustcForSubcommand(process.env), rest);
  if (first === "cargo") return (await import("./commands/cargo.js")).runCargoCommand(rest);
  if (isWrapperInvocation(first)) return runRustcCommand(first!, rest);
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const code = await runPassThroughCommand(argv);
    if (code !== undefined) return code;
  } catch (error) {
    return reportFailure(error);
  }
  const interrupt = interruptController();
  const program = createProgram({ signal: interrupt.signal });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? 0 : exitCodes.usage;
    }
    return reportFailure(error);
  } finally {
    interrupt.dispose();
  }
}

// Before anything is started: what the launcher kept from Node's start goes back to rustc, clang, Cargo.
restoreLauncherEnvironment();
tolerateClosedOutput();
// Everything was awaited: exit as soon as the output has left (exitWhenWritten.ts).
void main(process.argv).then(exitWhenWritten);
