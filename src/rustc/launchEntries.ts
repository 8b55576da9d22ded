/**
 * What Node leaves for the launcher (bin/local-lto), so that later compiles reach rustc with the
 * plugin without starting Node: in `<cache>/launch/` (local-lto's cache directory, so that they
 * outlive `cargo clean`; the key text names the target directory),
 *
 * - `index-<n>.sh`: one `case` over the launcher's key texts of n bytes (its rustc, the target
 *   flags, the configuration's environment: `keytext` in bin/local-lto) naming each entry
 *   (src/files/launcherIndex.ts);
 * - `<name>.sh`: the entry, which the launcher sources: the plugin to load, whether rustc needs
 *   RUSTC_BOOTSTRAP, the crates configured, and `llto_dep`/`llto_absent` calls over the files the
 *   entry depends on (a file newer than the entry makes it stale);
 * - `<name>.json`: the same for Node (the proof after the launcher's compile).
 *
 * Shell the launcher sources instead of a file it reads line by line: dash reads a file with
 * `read` one byte per system call, but parses a sourced file in blocks, and a hash of the key
 * would cost it a process. Every value is single-quoted (shQuote).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { defaultCacheDir } from "../toolchain/cacheDir.js";
import { givenEntryName, shQuote, writeIndexedEntry } from "../files/launcherIndex.js";
import type { RustcConfig } from "./config/loadConfig.js";
import type { Mangling } from "../tools/plugin/rustcPlugin.js";

export { entryName, indexFileName, indexScript, shQuote } from "../files/launcherIndex.js";

const ENTRY_FORMAT = 2;

/** The configuration's facts the proof needs, without reading (and validating) the configuration again. */
export type EntryConfig = Pick<RustcConfig, "files" | "requireInlined" | "allow"> & { sourcePath?: string };

export type LaunchEntry =
  | {
      action: "plugin";
      pluginPath: string;
      /** The prepared set's directory (its manifest). */
      setDir: string;
      bootstrap: boolean;
      /** Added unless the user chose a mangling (bootstrapNeutralArgs; the launcher keeps its own copy of the rule). */
      manglingPin?: Mangling;
      crates?: readonly string[];
      config: EntryConfig;
      dependencies: readonly string[];
      absent: readonly string[];
    }
  | { action: "plain"; dependencies: readonly string[]; absent: readonly string[] };

/**
 * Where the entries live: `<cache>/launch`, the cache being LOCAL_LTO_CACHE_DIR, else
 * $XDG_CACHE_HOME/local-lto, else ~/.cache/local-lto (bin/local-lto finds the same).
 */
export function launchDir(env: NodeJS.ProcessEnv): string {
  return join(defaultCacheDir(env), "launch");
}

function words(command: string, args: readonly string[]): string[] {
  // Long lists in a few calls: a line per 50 files keeps the file readable.
  const lines: string[] = [];
  for (let i = 0; i < args.length; i += 50) lines.push(`${command} ${args.slice(i, i + 50).map(shQuote).join(" ")}`);
  return lines;
}

/** The launcher's entry (pure). */
export function entryScript(entry: LaunchEntry): string {
  const lines = [`# local-lto launch entry ${ENTRY_FORMAT} (src/rustc/launchEntries.ts): sourced by bin/local-lto`];
  if (entry.action === "plugin") {
    lines.push(`llto_e_plugin=${shQuote(entry.pluginPath)}`, `llto_e_bootstrap=${entry.bootstrap ? 1 : 0}`, `llto_e_pin=${entry.manglingPin ?? ""}`, `llto_e_crates=${shQuote(entry.crates ? entry.crates.join(" ") : "*")}`);
  } else {
    lines.push("llto_e_plain=1");
  }
  lines.push(...words("llto_dep", entry.dependencies), ...words("llto_absent", entry.absent), "");
  return lines.join("\n");
}

/**
 * Writes the entry for the launcher's key text (LOCAL_LTO_LAUNCH_TEXT), dated `validFrom` (when
 * the facts in it were read: a dependency changed after that is newer than the entry, and the
 * launcher hands the next compile to Node again), and adds it to the index under a lock.
 */
export async function writeLaunchEntry(launchDir: string, keyText: string, entry: LaunchEntry, validFrom: number): Promise<void> {
  await writeIndexedEntry(launchDir, keyText, { format: ENTRY_FORMAT, keyText, entry }, entryScript(entry), validFrom);
}

/** The entry for a key text, as Node wrote it; undefined when there is none. */
export async function readLaunchEntry(launchDir: string, keyText: string, given?: string): Promise<LaunchEntry | undefined> {
  try {
    const stored = JSON.parse(await readFile(join(launchDir, `${givenEntryName(keyText, given)}.json`), "utf8")) as { format: number; keyText: string; entry: LaunchEntry };
    return stored.format === ENTRY_FORMAT && stored.keyText === keyText ? stored.entry : undefined;
  } catch {
    return undefined;
  }
}
