/**
 * Regenerates each corpus library's `extern.c` and `bindings.rs` with local-lto's wrapper
 * generator (dist/wrapgen: `npm run build` first).
 *   node bench/dist/corpus/regenerate.js [lib…]           rewrite the files
 *   node bench/dist/corpus/regenerate.js --check [lib…]   exit 1 if a checked-in file is stale
 */
import { readFile, writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateWrappers, type GeneratedWrappers } from "../../../dist/wrapgen/index.js";
import { corpusDir, entryCFlags, listEntries, readEntry, type CorpusEntry } from "./manifest.js";

export const clangForCorpus = process.env.LOCAL_LTO_CLANG ?? "/usr/lib/llvm-22/bin/clang";

/**
 * The generator's inputs for an entry: the header as extern.c includes it (beside it), the
 * library's C flags with `-O2` (some libraries' inline macros expand to `inline` only under
 * `__OPTIMIZE__`, e.g. Concurrency Kit's CK_CC_INLINE), and `::core::ffi` types for a no_std crate.
 */
export async function generateEntry(entry: CorpusEntry): Promise<GeneratedWrappers> {
  return generateWrappers({
    header: entry.files.header,
    includeAs: entry.manifest.header,
    cflags: ["-O2", ...(await entryCFlags(entry))],
    allow: new RegExp(entry.manifest.allow),
    recordFields: entry.manifest.recordFields === undefined ? undefined : new RegExp(entry.manifest.recordFields),
    clang: clangForCorpus,
    useCore: true,
    cwd: entry.dir,
  });
}

/** Which of the entry's generated files differ from what the generator writes now. */
export async function staleFiles(entry: CorpusEntry): Promise<string[]> {
  const fresh = await generateEntry(entry);
  const stale: string[] = [];
  for (const [path, text] of [[entry.files.externC, fresh.externC], [entry.files.bindingsRs, fresh.bindingsRs]] as const) {
    const current = await readFile(path, "utf8").catch(() => undefined);
    if (current !== text) stale.push(path);
  }
  return stale;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const names = args.filter((a) => !a.startsWith("--"));
  let failed = false;
  for (const name of names.length > 0 ? names : listEntries()) {
    const entry = readEntry(name);
    if (check) {
      const stale = await staleFiles(entry);
      for (const path of stale) process.stderr.write(`stale: ${relative(corpusDir, path)} (run node bench/dist/corpus/regenerate.js ${name})\n`);
      failed ||= stale.length > 0;
      continue;
    }
    const generated = await generateEntry(entry);
    await writeFile(entry.files.externC, generated.externC);
    await writeFile(entry.files.bindingsRs, generated.bindingsRs);
    const skipped = generated.skipped.length > 0 ? `, ${generated.skipped.length} not wrapped (see bindings.rs)` : "";
    process.stderr.write(`${name}: ${generated.wrapped.length} wrapper(s)${skipped}\n`);
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
