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
 * sha256). The first line holds the sha256 of the key and the rest: a file that does not
 * verify (damaged, or copied from another key), or that is not a regular file, is replaced and
 * the text made again, never used. Written to a temporary name and renamed into place, so a
 * concurrent build reads a whole file or none.
 */
import { constants } from "node:fs";
import { open, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseModule } from "../../ir/index.js";
import { writeCacheFile } from "../../files/writeAtomically.js";
import { disassembleModule, type DisassembledModule } from "../../tools/llvmDis.js";
import { sha256Hex } from "../../files/contentHash.js";

/** Bump when what a key covers or the file layout changes: old files are then not found. */
const IR_CACHE_FORMAT = "local-lto llvm-dis text 1";
const HEADER = "; local-lto ir cache sha256 ";

/** The cached file for `text` under `key` (pure): the header binds the text to the key it is for. */
export function irCacheFile(key: string, text: string): string {
  return `${HEADER}${sha256Hex(`${key}\n${text}`)}\n${text}`;
}

/** The text a cached file holds for `key`, or undefined when it does not verify (pure). */
export function verifiedIrText(file: string, key: string): string | undefined {
  const newline = file.indexOf("\n");
  if (!file.startsWith(HEADER) || newline < 0) return undefined;
  const text = file.slice(newline + 1);
  return file.slice(HEADER.length, newline) === sha256Hex(`${key}\n${text}`) ? text : undefined;
}

/**
 * A regular file's text, "absent", or "unusable" for anything else: opened without following a
 * link and without blocking, so that a FIFO put there cannot hold the build.
 */
async function readRegularFile(path: string): Promise<string | "absent" | "unusable"> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : "unusable";
  }
  try {
    return (await handle.stat()).isFile() ? await handle.readFile("utf8") : "unusable";
  } catch {
    return "unusable";
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** disassembleModule, through the cache in `cacheDir` when there is one (--no-cache: none). */
export async function disassembleCached(llvmDis: string, bitcode: string, userBitcode: readonly string[], cacheDir: string | undefined): Promise<DisassembledModule> {
  if (!cacheDir) return disassembleModule(llvmDis, bitcode, userBitcode);
  // What cannot be read for the key, llvm-dis reports in its own words.
  const identity = await Promise.all([stat(llvmDis), readFile(bitcode)]).catch(() => undefined);
  if (!identity) return disassembleModule(llvmDis, bitcode, userBitcode);
  const [tool, bytes] = identity;
  const key = sha256Hex([IR_CACHE_FORMAT, llvmDis, tool.ino, tool.size, tool.mtimeMs, sha256Hex(bytes)].join("\0"));
  const path = join(cacheDir, "ir", `${key}.ll`);
  const cached = await readRegularFile(path);
  const text = cached === "absent" || cached === "unusable" ? undefined : verifiedIrText(cached, key);
  if (text !== undefined) {
    // llvm-dis names the module by the path it read (a build's own staging directory): say this one.
    const named = text.replace(/^; ModuleID = '[^\n]*'\n/, () => `; ModuleID = '${bitcode}'\n`);
    return { bitcode, text: named, module: parseModule(named) };
  }
  // Whatever is there (damaged, made for another key, not a regular file) is never used: removed
  // when it can be, and replaced below (a directory stays, and the text is not kept).
  if (cached !== "absent") await rm(path, { force: true }).catch(() => undefined);
  const made = await disassembleModule(llvmDis, bitcode, userBitcode);
  // A cache that cannot be written (read-only, full) costs the next build the same llvm-dis run.
  await writeCacheFile(path, irCacheFile(key, made.text));
  return made;
}
