/**
 * A corpus library's manifest (`corpus/<lib>/manifest.json`) and what follows from it: the
 * library's C flags (its own `pkg-config --cflags`, split as a shell would — pkg-config quotes
 * what it must), the generator's options, and the files of the entry.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { splitShellWords } from "../../../dist/wrapgen/index.js";
import { run } from "../proc.js";

/** The repository's corpus/ directory, from bench/src/corpus (sources under vitest) or bench/dist/corpus. */
export const corpusDir = fileURLToPath(new URL("../../../corpus/", import.meta.url)).replace(/\/$/, "");

export const manifestSchema = z.object({
  /** One line: what the program does with the library. */
  description: z.string(),
  /** The library's pkg-config names: their --cflags parse the header and compile the wrappers, their --libs link the program. */
  pkgConfig: z.array(z.string()).min(1),
  /** Defines the library's inline API needs (`_LGPL_SOURCE`, `XXH_INLINE_ALL`), as `NAME` or `NAME=VALUE`. */
  defines: z.array(z.string()),
  /** The header the wrappers include, relative to the entry's directory. */
  header: z.string(),
  /** The static functions to wrap (bindgen's --allowlist-function), a regular expression. */
  allow: z.string(),
  /** Records Rust gets with their fields although C passes them by pointer (e.g. a list head a C macro initialises). */
  recordFields: z.string().optional(),
  iterations: z.object({
    /** The iteration count of the CI check, whose output is `expectedOutput`. */
    check: z.number().int().positive(),
    /** Two counts for callgrind: the difference between them is what one iteration costs. */
    measure: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  }),
  expectedOutput: z.string(),
});

export type CorpusManifest = z.infer<typeof manifestSchema>;

export interface CorpusEntry {
  name: string;
  dir: string;
  manifest: CorpusManifest;
  files: { header: string; externC: string; bindingsRs: string; mainRs: string; idealC: string };
}

export function readEntry(name: string, root = corpusDir): CorpusEntry {
  const dir = join(root, name);
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
  return {
    name,
    dir,
    manifest,
    files: {
      header: join(dir, manifest.header),
      externC: join(dir, "extern.c"),
      bindingsRs: join(dir, "bindings.rs"),
      mainRs: join(dir, "main.rs"),
      idealC: join(dir, "ideal.c"),
    },
  };
}

/** Every library in the corpus (a directory with a manifest.json), sorted. */
export function listEntries(root = corpusDir): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "manifest.json")))
    .map((d) => d.name)
    .sort();
}

export async function pkgConfig(names: readonly string[], what: "--cflags" | "--libs"): Promise<string[]> {
  const result = await run("pkg-config", [what, ...names]);
  if (result.exitCode !== 0) throw new Error(`pkg-config ${what} ${names.join(" ")} failed: ${result.stderr.trim()} (install the library's -dev package)`);
  return splitShellWords(result.stdout.trim());
}

/** The C flags of an entry: the library's pkg-config --cflags, then its defines. */
export async function entryCFlags(entry: CorpusEntry): Promise<string[]> {
  return [...(await pkgConfig(entry.manifest.pkgConfig, "--cflags")), ...entry.manifest.defines.map((d) => `-D${d}`)];
}
