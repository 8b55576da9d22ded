/**
 * The rustc mode's commands: `local-lto rustc <args>` and the wrapper form Cargo uses
 * (`local-lto /path/to/rustc <args>`), `local-lto cargo <args>` and `local-lto report`. Thin: argv
 * in, the library's runRustc / report functions out (src/rustc/).
 */
import { basename } from "node:path";

/** Subcommands of the main program: a first argument that is none of these, and names a rustc, is wrapper mode. */
const subcommands = new Set(["build", "inspect", "doctor", "demo", "rustc", "cargo", "report", "help"]);

/**
 * Whether `local-lto <first> …` is Cargo running a wrapper (`$RUSTC_WRAPPER $RUSTC args`): the
 * first argument is not a subcommand or an option, and names a rustc — a path, or a name like
 * `rustc`, `rustc-1.95`. (`local-lto rustc` itself is the subcommand, which means the same.)
 */
export function isWrapperInvocation(first: string | undefined): boolean {
  if (first === undefined || first.startsWith("-") || subcommands.has(first)) return false;
  return first.includes("/") || /rustc/.test(basename(first));
}

/** Runs rustc in the rustc mode and returns the exit code; errors go through the CLI's boundary. */
export async function runRustcCommand(rustc: string, args: readonly string[]): Promise<number> {
  const { runRustc } = await import("../../rustc/runRustc.js");
  return runRustc({ rustc, args, cwd: process.cwd(), env: process.env });
}

/** The rustc `local-lto rustc` runs: LOCAL_LTO_RUSTC, else rustc on PATH (never $RUSTC, which a Makefile may point at local-lto itself). */
export function rustcForSubcommand(env: NodeJS.ProcessEnv): string {
  return env.LOCAL_LTO_RUSTC || "rustc";
}
