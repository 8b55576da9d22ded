/**
 * A repeated `local-lto build` (docs/MODES.md, "A repeated build"): the launcher (bin/local-lto)
 * starts rustc with the plugin itself, a few milliseconds after it starts, and Node alongside it
 * for the proof, when Node left an entry for exactly this command line, working directory and
 * environment, and none of the files the entry depends on changed since. Node writes the entry
 * after a plugin-path build; what the entry records is what that build decided before rustc
 * started (the helper set, the rustc command, the safety checks and reconciliation), so Node's
 * part of the repeat is only what comes after rustc: the proof, the report, the outputs.
 *
 * Entries live in `<cache>/build-launch/` as the rustc mode's do (launchEntries.ts): an index the
 * launcher sources, `<name>.sh` with the rustc command as a shell function and the dependency
 * checks, `<name>.json` for Node.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FileIdentity } from "../../files/fileIdentity.js";
import type { HelperBitcodeReport, Report } from "../../report/schema.js";
import type { SafetyCheckResult } from "../../safety/types.js";
import { defaultCacheDir } from "../../toolchain/cacheDir.js";
import { CLANG_ENVIRONMENT } from "../cache/clangEnvironment.js";
import { entryName, givenEntryName, shQuote, writeIndexedEntry } from "../../files/launcherIndex.js";
import { processExists } from "../../process/signals.js";
import { isVariableName } from "../../toolchain/rustupProxy.js";

const REPLAY_FORMAT = 6;

/** Stands for the launcher's staging directory in the recorded rustc command (never in a real argument: NUL). */
export const STAGE = "\u0000stage\u0000";

/**
 * The environment a build depends on besides its arguments: bin/local-lto's `llto_build_env`
 * lists the same names in the same order (test/unit/replayEntry.test.ts checks).
 */
export const replayEnvironment = [
  "PATH",
  "HOME",
  "XDG_CACHE_HOME",
  "RUSTC",
  "RUSTC_BOOTSTRAP",
  "RUSTUP_TOOLCHAIN",
  "RUSTUP_HOME",
  "CARGO_HOME",
  "PKG_CONFIG",
  "PKG_CONFIG_PATH",
  "NO_COLOR",
  "LOCAL_LTO_CONFIG",
  "LOCAL_LTO_CACHE_DIR",
  "LOCAL_LTO_PLUGIN_DIR",
  "LOCAL_LTO_NO_TOOL_CACHE",
  "LOCAL_LTO_SYSTEM_LLVM_ROOT",
  "LOCAL_LTO_LLVM_DIR",
  "LOCAL_LTO_LLVM_CONFIG",
  "LOCAL_LTO_CLANGXX",
  "LOCAL_LTO_RUSTC_BOOTSTRAP",
  "LOCAL_LTO_RUSTC",
  "LOCAL_LTO_CLANG",
  "LOCAL_LTO_LLVM_LINK",
  "LOCAL_LTO_OPT",
  "LOCAL_LTO_LLC",
  "LOCAL_LTO_LLVM_DIS",
  "LOCAL_LTO_LLVM_NM",
  "LOCAL_LTO_RUST_LLD",
  "LOCAL_LTO_LD_LLD",
  "LOCAL_LTO_LLVM_OBJCOPY",
  "LOCAL_LTO_PLUGIN_WAIT_MS",
  ...CLANG_ENVIRONMENT,
] as const;

/**
 * The key of a build: working directory, the environment above (set or not, and its value) and
 * every argument with its length in bytes, so that no two command lines share a key (pure). The
 * launcher builds the same text (dash counts bytes; a shell that counts characters simply finds
 * no entry for non-ASCII arguments). `cwd` is the launcher's `$PWD` (LOCAL_LTO_LAUNCH_PWD), which
 * keeps a symbolic link's name where Node's process.cwd() would resolve it.
 */
export function replayKeyText(cwd: string, argv: readonly string[], env: NodeJS.ProcessEnv): string {
  let text = `build|${cwd}`;
  for (const name of replayEnvironment) {
    const value = env[name];
    text += value === undefined ? "|" : `|=${value}`;
  }
  // dash's ${#arg} counts bytes.
  for (const arg of argv) text += `|${Buffer.byteLength(arg, "utf8")}:${arg}`;
  return text;
}

/** What the build decided before rustc started, for the report of a repeat. */
export interface ReplayPrepared {
  helperNames: string[];
  safetyChecks: SafetyCheckResult[];
  reconciliation: string[];
  helperBitcode: HelperBitcodeReport[];
  triple: string;
}

export interface ReplayEntry {
  format: number;
  keyText: string;
  /**
   * The options the first build's command line gave (src/cli/main.ts; JSON): the key is that
   * command line, so a repeat needs no parser (src/cli/replayMain.ts).
   */
  options?: Record<string, unknown>;
  /**
   * rustc with the plugin, STAGE standing for the launcher's staging directory. With
   * `environmentBefore`, `file` is the toolchain's rustc where the user's command names rustup's
   * proxy, `env` has the variables the proxy gave it, and each of those must have had the value
   * (or, null, be unset) it had in the first build (src/toolchain/rustupProxy.ts).
   */
  rustc: { file: string; args: string[]; env: Record<string, string | undefined>; environmentBefore?: [string, string | null][] };
  plan: { reason: string; pluginPath: string; pluginLlvmVersion: string; toolchain: NonNullable<Report["toolchain"]> };
  prepared: ReplayPrepared;
  /** Notes and warnings of the preparation (a reconciliation, a helper left out), repeated in every report. */
  notes: string[];
  warnings: string[];
  /** Files whose change (or removal) makes the entry stale. */
  dependencies: string[];
  /** Files that must stay absent. */
  absent: string[];
  /** Files that must exist (the helper set: content-named, so its date says nothing). */
  present: string[];
  /**
   * Each dependency as it was when the entry was written: [path, inode, size, mtime, ctime]. The
   * launcher only sees a file newer than the entry; a file replaced by an older one (`cp -p`,
   * `tar x`, a backup moved back) keeps an old mtime but not its inode and ctime, and Node checks
   * these before it uses rustc's object.
   */
  identities: FileIdentity[];
}

/** Where the entries live: `<cache>/build-launch` (the launcher finds the same). */
export function replayDir(env: NodeJS.ProcessEnv): string {
  return join(defaultCacheDir(env), "build-launch");
}

/** The object and record paths of a staging directory. */
export function stagedFiles(stage: string): { object: string; record: string; stderr: string; pid: string } {
  return { object: join(stage, "rust.o"), record: join(stage, "record.jsonl"), stderr: join(stage, "stderr"), pid: join(stage, "pid") };
}

/** A shell word for a template argument: STAGE becomes "$1", the launcher's staging directory (pure). */
function shWord(text: string): string {
  return text
    .split(STAGE)
    .map((part, i) => (i === 0 ? "" : '"$1"') + (part ? shQuote(part) : ""))
    .join("");
}

/** The launcher's entry (pure): `llto_b_run <stage>` runs rustc; then the dependency checks. */
export function replayScript(entry: ReplayEntry): string {
  const env = Object.entries(entry.rustc.env);
  // Names go into the script unquoted: only names a shell can set.
  for (const [name] of [...env, ...(entry.rustc.environmentBefore ?? [])]) if (!isVariableName(name)) throw new Error(`not a variable name: ${name}`);
  const unset = env.filter(([, v]) => v === undefined).map(([k]) => k);
  const set = env.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${shWord(v!)}`);
  // rustc replaces the function's shell (exec), so the launcher's `$!` is rustc's pid (rustup's
  // proxy execs the real rustc in turn), and it stays in the launcher's process group: a signal to
  // the group stops it with everything else.
  const lines = [
    `# local-lto build replay entry ${REPLAY_FORMAT} (src/pipeline/plugin/replayEntry.ts): sourced by bin/local-lto`,
    "llto_b_run() {",
    ...(unset.length ? [`\tunset ${unset.join(" ")}`] : []),
    ...(set.length ? [`\texport ${set.join(" ")}`] : []),
    `\texec ${[shQuote(entry.rustc.file), ...entry.rustc.args.map(shWord)].join(" ")}`,
    "}",
  ];
  // A variable the proxy's value depends on, changed since: the launcher goes to Node.
  for (const [name, value] of entry.rustc.environmentBefore ?? []) {
    lines.push(value === null ? `llto_env ${name}` : `llto_env ${name} ${shQuote(value)}`);
  }
  for (let i = 0; i < entry.dependencies.length; i += 50) lines.push(`llto_dep ${entry.dependencies.slice(i, i + 50).map(shQuote).join(" ")}`);
  for (let i = 0; i < entry.absent.length; i += 50) lines.push(`llto_absent ${entry.absent.slice(i, i + 50).map(shQuote).join(" ")}`);
  for (let i = 0; i < entry.present.length; i += 50) lines.push(`llto_present ${entry.present.slice(i, i + 50).map(shQuote).join(" ")}`);
  return `${lines.join("\n")}\n`;
}

/** The marker of a key built in Node first (`<cache>/build-launch/node-first/<entry name>`). */
function nodeFirstPath(env: NodeJS.ProcessEnv, keyText: string): string {
  return join(replayDir(env), "node-first", entryName(keyText));
}

/** Markers kept at most; past it they all go (each costs the build it names one doubled compile). */
const MAX_NODE_FIRST = 1024;

/**
 * Marks a key whose build the launcher cannot repeat (when its entry is forgotten):
 * its next first build starts in Node rather than being prepared (best effort).
 */
async function markNodeFirst(env: NodeJS.ProcessEnv, keyText: string): Promise<void> {
  const dir = join(replayDir(env), "node-first");
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length >= MAX_NODE_FIRST) await rm(dir, { recursive: true, force: true }).then(() => mkdir(dir, { recursive: true }));
  await writeFile(nodeFirstPath(env, keyText), keyText);
}

/** A key whose build became repeatable again (an entry was written for it) loses its mark. */
async function unmarkNodeFirst(env: NodeJS.ProcessEnv, keyText: string): Promise<void> {
  await rm(nodeFirstPath(env, keyText), { force: true });
}

/** Whether the key's build was marked to start in Node (the proof server does not prepare it). */
export async function isNodeFirst(env: NodeJS.ProcessEnv, keyText: string): Promise<boolean> {
  return stat(nodeFirstPath(env, keyText)).then(() => true, () => false);
}

/** Writes a build's entry; `onEntryWritten` as writeIndexedEntry's (its name, before the index). */
export async function writeReplayEntry(env: NodeJS.ProcessEnv, entry: Omit<ReplayEntry, "format">, validFrom: number, onEntryWritten?: (name: string) => void): Promise<void> {
  const full: ReplayEntry = { format: REPLAY_FORMAT, ...entry };
  await writeIndexedEntry(replayDir(env), entry.keyText, full, replayScript(full), validFrom, undefined, onEntryWritten);
  await unmarkNodeFirst(env, entry.keyText);
  await removeAbandonedStages(replayDir(env)).catch(() => undefined);
}

/** A staging directory this old, whose launcher is gone, is abandoned. */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the staging directories (`run.<pid>`) of launchers killed with SIGKILL, which could not
 * remove their own: only when no process has that pid and nothing in the directory changed for a
 * day (a launcher in another pid namespace sharing this cache has a pid this one cannot see).
 */
export async function removeAbandonedStages(dir: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const pid = /^run\.(\d+)$/.exec(name)?.[1];
    if (!pid || processExists(Number(pid))) continue;
    const stage = join(dir, name);
    const times = await Promise.all([stage, ...(await readdir(stage).catch(() => [])).map((f) => join(stage, f))].map((f) => stat(f).then((s) => s.mtimeMs, () => now)));
    if (now - Math.max(...times) < ABANDONED_AFTER_MS) continue;
    await rm(stage, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Removes the entry of a key whose build can no longer be repeated by the launcher (it left a call
 * to explain, say): the launcher then finds none and starts Node first, instead of starting a
 * rustc whose result Node would not use; and the proof server no longer prepares its first build
 * (prepareReplay.ts), which would only be built again in Node.
 */
export async function forgetReplayEntry(env: NodeJS.ProcessEnv, keyText: string): Promise<void> {
  const name = entryName(keyText);
  await Promise.all([rm(join(replayDir(env), `${name}.sh`), { force: true }), rm(join(replayDir(env), `${name}.json`), { force: true }), markNodeFirst(env, keyText)]);
}

/** The entry for a key text, as Node wrote it; undefined when there is none (or it is of another format). */
export async function readReplayEntry(env: NodeJS.ProcessEnv, keyText: string): Promise<ReplayEntry | undefined> {
  const name = givenEntryName(keyText, env.LOCAL_LTO_REPLAY_ENTRY);
  try {
    const stored = JSON.parse(await readFile(join(replayDir(env), `${name}.json`), "utf8")) as ReplayEntry;
    return stored.format === REPLAY_FORMAT && stored.keyText === keyText ? stored : undefined;
  } catch {
    return undefined;
  }
}

