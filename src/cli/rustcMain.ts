#!/usr/bin/env node
/**
 * The rustc mode's own entry point: the launcher (bin/local-lto) hands wrapper-mode invocations
 * here (`rustcMain.js <rustc> <args…>`), which loads only what the rustc mode needs — not the
 * whole command-line program — since Cargo may start it for many crates.
 */
import { runRustcCommand } from "./commands/rustc.js";
import { reportFailure } from "./errorBoundary.js";
import { restoreLauncherEnvironment } from "./launcherEnvironment.js";
import { tolerateClosedOutput } from "./exitWhenWritten.js";

restoreLauncherEnvironment();
tolerateClosedOutput();

const [rustc, ...args] = process.argv.slice(2);
if (!rustc) {
  process.stderr.write("usage: rustcMain.js <rustc> <rustc arguments…> (use local-lto rustc …)\n");
  process.exitCode = 2;
} else {
  runRustcCommand(rustc, args).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = reportFailure(error);
    },
  );
}
