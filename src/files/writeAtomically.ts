import { mkdir, rename, rm, utimes, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `data` beside `path` under a name no other process uses, then renames it into place:
 * a reader (a parallel build, the launcher, a later run) sees the old file or the new one, never
 * half of one. `mtime` dates the file (the launcher's entries are dated when their facts were
 * read); `makeDirectory` creates the parent first. The staged file is removed if anything fails.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array, options: { mtime?: Date; makeDirectory?: boolean } = {}): Promise<void> {
  const staged = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    if (options.makeDirectory) await mkdir(dirname(path), { recursive: true });
    await writeFile(staged, data);
    if (options.mtime) await utimes(staged, options.mtime, options.mtime);
    await rename(staged, path);
  } catch (error) {
    await rm(staged, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The same for caches, best effort: an unwritable cache only costs the work next time. False when it could not. */
export async function writeCacheFile(path: string, data: string | Uint8Array): Promise<boolean> {
  try {
    await writeFileAtomically(path, data, { makeDirectory: true });
    return true;
  } catch {
    return false;
  }
}
