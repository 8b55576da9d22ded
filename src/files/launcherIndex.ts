/**
 * A launcher directory (bin/local-lto): entries Node writes for the launcher to find without
 * starting Node — the rustc mode's (src/rustc/launchEntries.ts) and a repeated build's
 * (src/pipeline/plugin/replayEntry.ts). Each entry is `<name>.sh`, which the launcher sources,
 * and `<name>.json` for Node; the index is `index-<n>.sh` files, each one `case` over the key texts
 * (`$keytext` in the launcher) of n bytes naming each entry, and `index.json`, all of them, for Node.
 *
 * Shell the launcher sources instead of a file it reads line by line: dash reads a file with
 * `read` one byte per system call, but parses a sourced file in blocks, and a hash of the key
 * would cost it a process. Split by the key's length, which the launcher has as `${#keytext}`
 * for nothing, because parsing is what an index costs: one file of 172 entries (110 KB) was
 * 11.6 M of the 18.7 M instructions callgrind counts in the launcher before rustc starts (7.1 M
 * split), about 1.5 ms (`farm-bench -n 30`: sourcing it 3.5 ms against 2.1 ms for an empty file),
 * and it grew with every entry up to the 512 kept. Every value is single-quoted (shQuote).
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomically } from "./writeAtomically.js";
import { sha256Hex } from "./contentHash.js";

const INDEX_FORMAT = 2;

/** An entry's file name: entryName's 20 hex digits (it goes unquoted into the index and into paths). */
const ENTRY_NAME = /^[0-9a-f]{20}$/;

/**
 * Entries an index keeps: every new command line, directory or environment adds one, and each is
 * a pair of files; the launcher parses only the entries whose key is as long as its own.
 * Beyond it the entries recorded first go: their next build runs in Node once and records them again.
 */
export const MAX_INDEXED_ENTRIES = 512;

/** The index with `keyText` added last, and the entries it drops beyond `limit`, oldest first (pure). */
export function addToIndex(known: Readonly<Record<string, string>>, keyText: string, name: string, limit: number): { index: Record<string, string>; evicted: string[] } {
  const index: Record<string, string> = { ...known };
  delete index[keyText];
  index[keyText] = name;
  const keys = Object.keys(index);
  const evicted: string[] = [];
  for (const key of keys.slice(0, Math.max(0, keys.length - limit))) {
    evicted.push(index[key]!);
    delete index[key];
  }
  return { index, evicted };
}

/**
 * The entries of an index.json that can be trusted (pure): a name is what entryName makes (it goes
 * into index.sh unquoted, and into the paths of files removed when it is dropped), and a key text
 * has no newline. Anything unreadable is an empty index: the next entries start a new one.
 */
export function validIndex(json: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([key, name]) => typeof name === "string" && ENTRY_NAME.test(name) && !key.includes("\n")));
}

/** A POSIX shell word that is exactly `text` (pure). */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** The entry's file name for a key text (pure). */
export function entryName(keyText: string): string {
  return sha256Hex(keyText).slice(0, 20);
}

/**
 * The entry's file name, as the launcher passes it (the name it found in its index: no hash to
 * compute, and no node:crypto to load) when it is one, else from the key text. The key text stored
 * inside the entry is what decides whether it is this build's.
 */
export function givenEntryName(keyText: string, given: string | undefined): string {
  return given && ENTRY_NAME.test(given) ? given : entryName(keyText);
}

/** An index file the launcher sources to find its entry: a `case` over these entries (pure). */
export function indexScript(entries: Readonly<Record<string, string>>): string {
  const cases = Object.entries(entries).map(([keyText, name]) => `${shQuote(keyText)}) llto_entry=${name} ;;`);
  return [`# local-lto launch index ${INDEX_FORMAT} (src/files/launcherIndex.ts): sourced by bin/local-lto`, "case $keytext in", ...cases, "esac", ""].join("\n");
}

/**
 * The index file that names a key text's entry: `index-<bytes>.sh`, bytes as dash's `${#keytext}`
 * counts them (pure). A shell that counts characters (bash in a UTF-8 locale) misses the file of a
 * key with other than ASCII in it, and the build goes to Node, as for a key with no entry.
 */
export function indexFileName(keyText: string): string {
  return `index-${Buffer.byteLength(keyText, "utf8")}.sh`;
}

/** The index files of `entries`, by file name, each a `case` over the keys of its length (pure). */
export function indexScripts(entries: Readonly<Record<string, string>>): Map<string, string> {
  const byFile = new Map<string, Record<string, string>>();
  for (const [keyText, name] of Object.entries(entries)) {
    const file = indexFileName(keyText);
    const group = byFile.get(file) ?? {};
    group[keyText] = name;
    byFile.set(file, group);
  }
  return new Map([...byFile].map(([file, group]) => [file, indexScript(group)]));
}

let indexLock: Promise<typeof import("proper-lockfile")> | undefined;

/**
 * proper-lockfile, loaded when an entry is written (or about to be: preloadReplayRecording), not
 * when one is read: it brings graceful-fs, which patches node:fs as it loads.
 */
export function loadIndexLock(): Promise<typeof import("proper-lockfile")> {
  indexLock ??= import("proper-lockfile").then((m) => m.default);
  return indexLock;
}

/**
 * One entry of a launcher directory (this one, and `local-lto build`'s replay entries): `<name>.json`
 * for Node, `<name>.sh` for the launcher, dated `validFrom`, and the index (a `case` over the key
 * texts, sourced by the launcher) updated under a lock. A key text with a newline gets no entry.
 * `onEntryWritten` is told the entry's name once its two files are in place, before the index:
 * the proof server's client, given the name, needs no index (src/pipeline/plugin/prepareReplay.ts).
 */
export async function writeIndexedEntry(dir: string, keyText: string, json: object, script: string, validFrom: number, limit = MAX_INDEXED_ENTRIES, onEntryWritten?: (name: string) => void): Promise<void> {
  if (keyText.includes("\n")) return;
  await mkdir(dir, { recursive: true });
  const name = entryName(keyText);
  const when = new Date(validFrom);
  await writeFileAtomically(join(dir, `${name}.json`), `${JSON.stringify(json)}\n`);
  await writeFileAtomically(join(dir, `${name}.sh`), script, { mtime: when });
  onEntryWritten?.(name);
  const lockfile = await loadIndexLock();
  const release = await lockfile.lock(dir, { realpath: false, stale: 10_000, lockfilePath: join(dir, "index.lock"), retries: { retries: 200, minTimeout: 20, maxTimeout: 100 } });
  try {
    const indexJson = join(dir, "index.json");
    const known = validIndex(await readFile(indexJson, "utf8").catch(() => "{}"));
    const file = indexFileName(keyText);
    // Unchanged, and the launcher's copy says the same: nothing to write. Anything else (a new key,
    // an index file lost, damaged or left behind by a crash between the renames) is rewritten.
    if (known[keyText] === name && (await readFile(join(dir, file), "utf8").catch(() => "")) === indexScripts(known).get(file)) return;
    const { index, evicted } = addToIndex(known, keyText, name, limit);
    await writeFileAtomically(indexJson, `${JSON.stringify(index, null, 1)}\n`);
    // The files of this key's length and of every dropped key's: written again, or removed when no
    // key of that length is left.
    const scripts = indexScripts(index);
    const touched = new Set([file, ...Object.keys(known).filter((key) => !(key in index)).map(indexFileName)]);
    for (const name of touched) {
      const script = scripts.get(name);
      await (script === undefined ? rm(join(dir, name), { force: true }) : writeFileAtomically(join(dir, name), script));
    }
    // Format 1's single index, which no launcher reads any more.
    await rm(join(dir, "index.sh"), { force: true });
    // After the index no longer names them. A launcher that read the old index just before may
    // still look for one: it finds it gone and hands the build to Node (bin/local-lto).
    await Promise.all(evicted.flatMap((old) => [rm(join(dir, `${old}.sh`), { force: true }), rm(join(dir, `${old}.json`), { force: true })]));
  } finally {
    await release().catch(() => undefined);
  }
}

