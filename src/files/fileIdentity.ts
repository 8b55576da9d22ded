import { stat } from "node:fs/promises";

/**
 * What tells one version of a file from another without reading it: [path, inode, size, mtime,
 * ctime]. An mtime alone misses a file replaced by an older copy (`cp -p`, `tar x`, a backup moved
 * back); its inode and ctime do not stay. Kept by a repeated build's entry
 * (src/pipeline/plugin/replayEntry.ts) and by rustc's remembered answer
 * (src/toolchain/rustcAnswerCache.ts).
 */
export type FileIdentity = [path: string, ino: number, size: number, mtimeMs: number, ctimeMs: number];

/** The file's identity now; undefined when it cannot be stat'ed (gone, unreadable directory). */
export async function identityOf(path: string): Promise<FileIdentity | undefined> {
  try {
    const s = await stat(path);
    return [path, s.ino, s.size, s.mtimeMs, s.ctimeMs];
  } catch {
    return undefined;
  }
}

/** The paths among `recorded` whose identity is not what it was (gone ones included). */
export async function changedIdentities(recorded: readonly FileIdentity[]): Promise<string[]> {
  const now = await Promise.all(recorded.map(([path]) => identityOf(path)));
  return recorded.filter((was, i) => !now[i] || was.some((field, k) => field !== now[i]![k])).map(([path]) => path);
}
