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

/**
 * Arguments that keep a stable rustc under RUSTC_BOOTSTRAP=1 producing what it produces without:
 * rustc takes RUSTC_BOOTSTRAP for a nightly, and nightly rustc mangles symbols with v0 by default
 * where stable 1.95 uses the legacy scheme (every mangled name, and so the object, changes). The
 * plugin's load check reads which scheme this rustc uses on its own (`manglingPin`, set only when
 * RUSTC_BOOTSTRAP changes it), and the pin restores it: `legacy` is an unstable value, hence
 * -Zunstable-options; `v0` is stable. A mangling version the user chose is left alone, and so is a
 * compile whose own environment already bootstraps this crate (`userBootstrap`, the value of
 * RUSTC_BOOTSTRAP rustc would run with without local-lto: userBootstraps). Pure.
 * Cost (callgrind): -Zunstable-options also makes rustc register its internal lints, so its lint
 * passes run through dynamic dispatch: +0.6% of rustc's instructions on regex-syntax, +1.8% on
 * libm 0.2.1 (3,158.6 M against 3,103.1 M, -Ccodegen-units=1; RUSTC_BOOTSTRAP alone +0.0%), even
 * with `-A rustc::internal`; the objects are identical.
 */
export function bootstrapNeutralArgs(plugin: Pick<RustcPlugin, "manglingPin">, rustcArgs: readonly string[], userBootstrap?: string): string[] {
  const pin = plugin.manglingPin;
  if (!pin || rustcArgs.some((arg) => arg.includes("symbol-mangling-version"))) return [];
  if (userBootstraps(userBootstrap, rustcArgs)) return [];
  if (pin === "v0") return ["-Csymbol-mangling-version=v0"];
  return [...(rustcArgs.includes("-Zunstable-options") ? [] : ["-Zunstable-options"]), "-Csymbol-mangling-version=legacy"];
}

/**
 * Whether RUSTC_BOOTSTRAP=`value` already makes rustc a nightly for this compile, as rustc decides
 * (rustc_feature's UnstableFeatures::from_environment): `1`, or a comma-separated list that names
 * the crate given with `--crate-name` (a crate named otherwise is not matched by rustc either).
 * Plain rustc in that environment mangles as the plugin's compile does: nothing to pin back (a
 * Makefile that exports RUSTC_BOOTSTRAP=1, as the kernel's does). `-1` forces stable. Pure; the
 * launcher keeps a copy of this rule (bin/local-lto, llto_user_bootstrap).
 */
export function userBootstraps(value: string | undefined, rustcArgs: readonly string[]): boolean {
  if (value === undefined) return false;
  if (value === "1") return true;
  let crate: string | undefined;
  rustcArgs.forEach((arg, i) => {
    if (arg === "--crate-name") crate = rustcArgs[i + 1];
    else if (arg.startsWith("--crate-name=")) crate = arg.slice("--crate-name=".length);
  });
  return crate !== undefined && value.split(",").includes(crate);
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
