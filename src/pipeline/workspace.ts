import { copyFile, mkdtemp, rename, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { outputProblem } from "./resolve/checkPaths.js";

/** A private temporary directory for one build's intermediate files. */
export interface Workspace {
  dir: string;
  file(name: string): string;
  dispose(): Promise<void>;
}

export async function createWorkspace(keep = false): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), "local-lto-"));
  return {
    dir,
    file: (name) => join(dir, name),
    dispose: async () => {
      // A stage still writing when another failed (a probe file, say) can race the removal:
      // retry, and never let cleanup hide the build's own error.
      if (!keep) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }).catch(() => undefined);
    },
  };
}

/** The longest file name Linux file systems take (NAME_MAX), in bytes. */
const NAME_MAX = 255;

/**
 * A temporary path beside `finalPath`, so the last step is a rename on one file system: readers
 * see either the old file or the complete new one, never a partial object. The name is hidden,
 * unique, and never longer than NAME_MAX however long the output's own name is.
 */
export function stagingPathFor(finalPath: string): string {
  // The pid keeps it apart from other processes, the random part from this one's other stages; it
  // needs no secrecy (and node:crypto would cost a repeated build ~10 ms to load).
  const random = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, "0");
  const suffix = `.llto-${process.pid}-${random}.tmp`;
  let stem = `.${basename(finalPath)}`;
  while (Buffer.byteLength(stem + suffix) > NAME_MAX) stem = stem.slice(0, -1);
  return join(dirname(finalPath), stem + suffix);
}

/** Whether a file name is one of local-lto's staged outputs (tests check none is left behind). */
export function isStagingName(name: string): boolean {
  return /\.llto-\d+-[0-9a-f]{8}\.tmp$/.test(name);
}

/** Moves a finished file into place atomically; copies across file systems first. */
export async function publishFile(stagedPath: string, finalPath: string): Promise<void> {
  const slot = { slot: "the output", path: finalPath };
  try {
    await rename(stagedPath, finalPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") {
      await unlink(stagedPath).catch(() => undefined);
      throw outputProblem(slot, error);
    }
    const beside = stagingPathFor(finalPath);
    try {
      await copyFile(stagedPath, beside);
      await rename(beside, finalPath);
    } catch (copyError) {
      await unlink(beside).catch(() => undefined);
      throw outputProblem(slot, copyError);
    } finally {
      await unlink(stagedPath).catch(() => undefined);
    }
  }
}

export async function discardFile(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
