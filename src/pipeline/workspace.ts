import { mkdtemp, rename, rm, stat, unlink, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";

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
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A temporary path beside `finalPath`, so the last step is a rename on one file system:
 * readers see either the old file or the complete new one, never a partial object.
 */
export function stagingPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.local-lto-${process.pid}-${Date.now()}.tmp`);
}

export async function checkOutputDirectory(finalPath: string): Promise<void> {
  const dir = dirname(finalPath);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  } catch (error) {
    throw outputProblem(finalPath, error);
  }
}

export function outputProblem(finalPath: string, error: unknown): LocalLtoError {
  const code = (error as NodeJS.ErrnoException).code;
  return new LocalLtoError({
    code: "LLTO_OUTPUT_UNWRITABLE",
    exit: "unreadablePath",
    message: `cannot write ${finalPath}: ${code === "ENOENT" ? "its directory does not exist" : code === "EACCES" ? "permission denied" : code === "ENOTDIR" ? "its directory is not a directory" : (code ?? String(error))}`,
    fix: "create the directory or choose a writable output path",
    file: finalPath,
  });
}

/** Moves a finished file into place atomically; copies across file systems first. */
export async function publishFile(stagedPath: string, finalPath: string): Promise<void> {
  try {
    await rename(stagedPath, finalPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") {
      await unlink(stagedPath).catch(() => undefined);
      throw outputProblem(finalPath, error);
    }
    const beside = stagingPathFor(finalPath);
    try {
      await copyFile(stagedPath, beside);
      await rename(beside, finalPath);
    } catch (copyError) {
      await unlink(beside).catch(() => undefined);
      throw outputProblem(finalPath, copyError);
    } finally {
      await unlink(stagedPath).catch(() => undefined);
    }
  }
}

export async function discardFile(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
