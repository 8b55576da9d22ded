/**
 * The fast path's compile: rustc itself links the helpers in, through local-lto's pass plugin
 * (docs/PLUGIN.md). The caller has chosen the path (`ensureRustcPlugin`) and vetted the helper
 * bitcode; this runs rustc once and returns what happened, deciding nothing fatal.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnvironment, runTool, type ToolCommand } from "../../process/run.js";
import { pluginRustcEnv, type RustcPlugin } from "./rustcPlugin.js";
import { bootstrapNeutralArgs } from "./bootstrapMangling.js";
import { pendingHelperSet, prepareHelperSet, type HelperSet } from "./helperSet.js";
import { parsePluginFailure, parsePluginRecord, type LinkedModule } from "./pluginRecord.js";
import { parseRustcProcess, type RustcProcess } from "../../toolchain/rustupProxy.js";

export interface CompileWithHelpersRequest {
  /** From `ensureRustcPlugin`: built for, and load-tested with, this rustc. */
  plugin: RustcPlugin;
  /** rustc, as given to `ensureRustcPlugin` (default `plugin.rustc`). */
  rustc?: string;
  /** rustc's arguments: the source, `--emit`, `-o`/`--out-dir` and the user's flags. */
  rustcArgs: readonly string[];
  /** Vetted helper definitions only: every one a module declares is linked and internalized. */
  helpersBitcode: string;
  cwd: string;
  /** Added to the environment of this rustc only (RUSTC_BOOTSTRAP=1 is added here when needed). */
  env?: Record<string, string | undefined>;
  /**
   * Stable/beta only: pin rustc's own symbol mangling under RUSTC_BOOTSTRAP (default true;
   * bootstrapNeutralArgs), so objects match plain rustc's. The legacy pin costs ~0.6% of rustc's
   * instructions: it needs -Zunstable-options, which turns on rustc's internal lints (docs/PLUGIN.md).
   */
  pinMangling?: boolean;
  /** Where the plugin writes its record (emptied first); default a temporary file, removed afterwards. */
  recordFile?: string;
  /**
   * Where the plugin writes rustc's executable and start-up environment (LOCAL_LTO_PLUGIN_PROCESS,
   * src/toolchain/rustupProxy.ts): asked for when rustc is rustup's proxy and the build may be
   * repeated.
   */
  processFile?: string;
}

export interface CompileWithHelpersResult {
  exitCode: number | null;
  signal: string | null;
  spawnError: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  command: ToolCommand;
  /** One entry per codegen unit that linked helpers (none: the crate declared no helper). */
  record: LinkedModule[];
  /** The plugin's own error when it stopped rustc (unreadable helpers, a target mismatch…). */
  pluginError?: string;
  helperSet: HelperSet;
  /** With `processFile`: the arguments and environment rustc was started with here, and what rustc itself saw. */
  process?: { given: { env: NodeJS.ProcessEnv; args: readonly string[] }; seen: RustcProcess | undefined };
}

/** The rustc command line of the fast path (reads RUSTC_BOOTSTRAP from this process's environment when `env` does not set it). */
export function pluginRustcCommand(rustc: string, rustcArgs: readonly string[], helperSet: HelperSet, plugin: RustcPlugin, cwd: string, env: Record<string, string | undefined>, recordFile: string, pinMangling = true): ToolCommand {
  return {
    file: rustc,
    // The child's environment is this process's with `env`'s changes (src/process/run.ts).
    args: [...rustcArgs, ...(pinMangling ? bootstrapNeutralArgs(plugin, rustcArgs, Object.hasOwn(env, "RUSTC_BOOTSTRAP") ? env.RUSTC_BOOTSTRAP : process.env.RUSTC_BOOTSTRAP) : []), `-Zllvm-plugins=${helperSet.pluginPath}`],
    cwd,
    // RUSTC_BOOTSTRAP only here, never in local-lto's own environment: a build script's feature
    // probe that saw it would change the crate's code.
    env: { ...env, ...pluginRustcEnv(plugin), LOCAL_LTO_PLUGIN_RECORD: recordFile, LOCAL_LTO_PLUGIN_HELPERS: undefined },
  };
}

export async function compileRustWithHelpers(request: CompileWithHelpersRequest): Promise<CompileWithHelpersResult> {
  const helperSet = await prepareHelperSet(request.plugin, request.helpersBitcode);
  return compileWithSet(request, helperSet, {}, async () => undefined);
}

/** How long a plugin waits for helpers published later: the build stops rustc first if it fails. */
const PENDING_HELPERS_WAIT_MS = 10 * 60 * 1000;

/**
 * The same compile, started before the helpers are ready: rustc parses and type-checks the crate
 * while `helpers` (vetting, reconciliation) is still being computed; the plugin waits for the
 * bitcode when its first codegen unit needs it. If `helpers` fails, this throws its error at once
 * and leaves rustc to the caller's process scope, which stops it (src/process/run.ts).
 */
export async function compileRustWithPendingHelpers(
  request: Omit<CompileWithHelpersRequest, "helpersBitcode"> & { helpers: Promise<string>; setDir: string; waitMs?: number },
): Promise<CompileWithHelpersResult> {
  // Handled below, after rustc has started: not an unhandled rejection meanwhile.
  request.helpers.catch(() => undefined);
  const pending = await pendingHelperSet(request.plugin, request.setDir);
  return compileWithSet(request, pending.set, { LOCAL_LTO_PLUGIN_WAIT_MS: String(request.waitMs ?? PENDING_HELPERS_WAIT_MS) }, async () => pending.publish(await request.helpers));
}

async function compileWithSet(
  request: Omit<CompileWithHelpersRequest, "helpersBitcode">,
  helperSet: HelperSet,
  extraEnv: Record<string, string>,
  whileRunning: () => Promise<void>,
): Promise<CompileWithHelpersResult> {
  const scratch = request.recordFile ? undefined : await mkdtemp(join(tmpdir(), "llto-plugin-"));
  const recordFile = request.recordFile ?? join(scratch!, "record.jsonl");
  try {
    await writeFile(recordFile, "");
    const processEnv = request.processFile ? { LOCAL_LTO_PLUGIN_PROCESS: request.processFile } : {};
    if (request.processFile) await rm(request.processFile, { force: true });
    const command = pluginRustcCommand(request.rustc ?? request.plugin.rustc, request.rustcArgs, helperSet, request.plugin, request.cwd, { ...(request.env ?? {}), ...extraEnv, ...processEnv }, recordFile, request.pinMangling ?? true);
    const running = runTool(command);
    try {
      await whileRunning();
    } catch (error) {
      running.catch(() => undefined);
      throw error;
    }
    const run = await running;
    const recordText = await readFile(recordFile, "utf8").catch(() => "");
    const processBytes = request.processFile ? await readFile(request.processFile).catch(() => undefined) : undefined;
    return {
      ...(request.processFile
        ? { process: { given: { env: childEnvironment(command.env), args: command.args }, seen: processBytes ? parseRustcProcess(processBytes) : undefined } }
        : {}),
      exitCode: run.exitCode,
      signal: run.signal,
      spawnError: run.spawnError,
      stdout: run.stdout,
      stderr: run.stderr,
      durationMs: run.durationMs,
      command,
      record: parsePluginRecord(recordText),
      pluginError: parsePluginFailure(run.stderr),
      helperSet,
    };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
