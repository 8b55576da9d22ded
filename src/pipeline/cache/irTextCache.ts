/**
 * llvm-dis's text of a bitcode file, remembered by the file's bytes and llvm-dis's identity.
 *
 * Why: on the plugin path a first build reads the helpers' IR (safety checks, reconciliation)
 * while rustc runs, and the plugin waits for that when the crate's own front end is short;
 * llvm-dis is most of it (the example's 9 helpers: ~100 ms of CPU, beside rustc on 2 cores). The
 * linked helper bitcode is the same for every object built with the same helpers (the kernel's
 * rust/helpers for every Rust object), so every build after the first reads the text here.
 *
 * `ir/<key>.ll`, key = sha256(format, llvm-dis's path, inode, size and mtime, the bitcode's
 * sha256). The first line holds the sha256 of the rest: a file that does not verify is removed
 * and the text made again, never used. Written to a temporary name and renamed into place, so a
 * concurrent build reads a whole file or none.
 */
import { createHash } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseModule } from "../../ir/index.js";
import { writeCacheFile } from "../../files/writeAtomically.js";
import { disassembleModule, type DisassembledModule } from "../../tools/llvmDis.js";

/** Bump when what a key covers or the file layout changes: old files are then not found. */
const IR_CACHE_FORMAT = "local-lto llvm-dis text 1";
const HEADER = "; local-lto ir cache sha256 ";

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** The cached file's text for `text` (pure). */
export function irCacheFile(text: string): string {
  return `${HEADER}${sha256(text)}\n${text}`;
}

/** The text a cached file holds, or undefined when it does not verify (pure). */
export function verifiedIrText(file: string): string | undefined {
  const newline = file.indexOf("\n");
  if (!file.startsWith(HEADER) || newline < 0) return undefined;
  const text = file.slice(newline + 1);
  return file.slice(HEADER.length, newline) === sha256(text) ? text : undefined;
}

/** disassembleModule, through the cache in `cacheDir` when there is one (--no-cache: none). */
export async function disassembleCached(llvmDis: string, bitcode: string, userBitcode: readonly string[], cacheDir: string | undefined): Promise<DisassembledModule> {
  if (!cacheDir) return disassembleModule(llvmDis, bitcode, userBitcode);
  // What cannot be read for the key, llvm-dis reports in its own words.
  const identity = await Promise.all([stat(llvmDis), readFile(bitcode)]).catch(() => undefined);
  if (!identity) return disassembleModule(llvmDis, bitcode, userBitcode);
  const [tool, bytes] = identity;
  const key = sha256([IR_CACHE_FORMAT, llvmDis, tool.ino, tool.size, tool.mtimeMs, sha256(bytes)].join("\0"));
  const path = join(cacheDir, "ir", `${key}.ll`);
  const cached = await readFile(path, "utf8").catch(() => undefined);
  if (cached !== undefined) {
    const text = verifiedIrText(cached);
    if (text !== undefined) {
      // llvm-dis names the module by the path it read (a build's own staging directory): say this one.
      const named = text.replace(/^; ModuleID = '[^\n]*'\n/, () => `; ModuleID = '${bitcode}'\n`);
      return { bitcode, text: named, module: parseModule(named) };
    }
    await rm(path, { force: true }).catch(() => undefined);
  }
  const made = await disassembleModule(llvmDis, bitcode, userBitcode);
  // A cache that cannot be written (read-only, full) costs the next build the same llvm-dis run.
  await writeCacheFile(path, irCacheFile(made.text));
  return made;
}
