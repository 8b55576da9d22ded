import { constants } from "node:fs";
import { access, lstat, realpath, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { LocalLtoError } from "../../diagnostics/errors.js";

/** A path the build reads or writes, with the option that named it (for messages). */
export interface PathSlot {
  /** e.g. `-o`, `--report`, `the Rust input`. */
  readonly slot: string;
  readonly path: string;
}

/** What makes two paths the same file: the inode when it exists, else the resolved path. */
interface FileIdentity {
  realPath: string;
  inode?: string;
}

function outputError(code: "LLTO_OUTPUT_UNWRITABLE" | "LLTO_OUTPUT_NOT_REGULAR", output: PathSlot, problem: string, fix: string): LocalLtoError {
  return new LocalLtoError({ code, message: `cannot write ${output.slot} ${output.path}: ${problem}`, fix, file: output.path });
}

function describeKind(info: import("node:fs").Stats): string {
  if (info.isSymbolicLink()) return "a symbolic link";
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/**
 * One output path, checked before any work: its directory exists and is writable, and the path is
 * absent or a regular file — local-lto replaces a file by renaming a new one over it, which would
 * turn a device node, a FIFO or a symlink (say, to /dev/stdout) into a plain file.
 */
async function checkOutput(output: PathSlot): Promise<FileIdentity> {
  if (output.path.endsWith("/")) {
    throw outputError("LLTO_OUTPUT_UNWRITABLE", output, "the path ends with `/`, so it names a directory", "name the file to write, e.g. out.o");
  }
  let existing: import("node:fs").Stats | undefined;
  try {
    existing = await lstat(output.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw outputProblem(output, error);
  }
  if (existing && !existing.isFile()) {
    const kind = describeKind(existing);
    const fix = existing.isSymbolicLink()
      ? "write to the link's target path itself, or remove the link first"
      : existing.isDirectory()
        ? "name a file inside it, e.g. " + join(output.path, basename(output.path) + (output.slot === "--report" ? ".json" : output.slot === "--emit-bc" ? ".bc" : ".o"))
        : output.slot === "--report"
          ? "use --report - to print the report on standard output"
          : "choose a regular file's path";
    throw outputError("LLTO_OUTPUT_NOT_REGULAR", output, `it is ${kind}, which local-lto never replaces`, fix);
  }
  const dir = dirname(output.path);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw outputProblem(output, error);
  }
  if (existing) return { realPath: await realpath(output.path), inode: `${existing.dev}:${existing.ino}` };
  return { realPath: join(await realpath(dir), basename(output.path)) };
}

async function identityOfInput(input: PathSlot): Promise<FileIdentity | undefined> {
  try {
    const info = await stat(input.path);
    return { realPath: await realpath(input.path), inode: `${info.dev}:${info.ino}` };
  } catch {
    // An unreadable input is reported by the input checks, with its own message.
    return undefined;
  }
}

function same(a: FileIdentity, b: FileIdentity): boolean {
  return a.realPath === b.realPath || (a.inode !== undefined && a.inode === b.inode);
}

/**
 * Checks every output before any work: each writable and replaceable (see `checkOutput`), none the
 * same file as an input or as another output — through symlinks and hard links — so `-o lib.rs`
 * can never replace the Rust source and `--report x.o -o x.o` never leaves JSON for an object.
 */
export async function checkOutputPaths(outputs: readonly PathSlot[], inputs: readonly PathSlot[]): Promise<void> {
  const outputIds = [];
  for (const output of outputs) outputIds.push({ ...output, id: await checkOutput(output) });
  const inputIds = (await Promise.all(inputs.map(async (input) => ({ ...input, id: await identityOfInput(input) })))).filter((i) => i.id);
  for (const [i, output] of outputIds.entries()) {
    const input = inputIds.find((candidate) => same(candidate.id!, output.id));
    if (input) {
      throw new LocalLtoError({
        code: "LLTO_OUTPUT_IS_INPUT",
        message: `${output.slot} ${output.path} is ${input.slot} ${input.path}${input.path === output.path ? "" : " (the same file)"}: writing it would destroy an input`,
        fix: `choose another path for ${output.slot}`,
        file: output.path,
      });
    }
    const other = outputIds.slice(0, i).find((candidate) => same(candidate.id, output.id));
    if (other) {
      throw new LocalLtoError({
        code: "LLTO_OUTPUT_IS_INPUT",
        message: `${output.slot} and ${other.slot} both name ${output.path}: one output would replace the other`,
        fix: `give ${output.slot} and ${other.slot} different paths`,
        file: output.path,
      });
    }
  }
}

export function outputProblem(output: PathSlot, error: unknown): LocalLtoError {
  const code = (error as NodeJS.ErrnoException).code;
  const problem =
    code === "ENOENT" ? "its directory does not exist" : code === "EACCES" || code === "EPERM" || code === "EROFS" ? "its directory is not writable" : code === "ENOTDIR" ? "its directory is not a directory" : (code ?? String(error));
  return new LocalLtoError({
    code: "LLTO_OUTPUT_UNWRITABLE",
    message: `cannot write ${output.slot} ${output.path}: ${problem}`,
    fix: code === "ENOENT" || code === "ENOTDIR" ? `create the directory ${dirname(output.path)}, or choose another path` : "choose a path in a writable directory",
    file: output.path,
  });
}

/**
 * Inputs must be regular files: opening a FIFO or a terminal for reading would block the build
 * forever, and a directory cannot be compiled.
 */
export async function checkInputIsFile(input: PathSlot): Promise<void> {
  let info;
  try {
    info = await stat(input.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LocalLtoError({
      code: "LLTO_INPUT_UNREADABLE",
      message: `${input.slot} ${input.path} ${code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable (permission denied)" : `cannot be read (${code ?? String(error)})`}`,
      fix: code === "EACCES" ? `make it readable (chmod +r ${input.path})` : "check the path",
      file: input.path,
    });
  }
  if (!info.isFile()) {
    throw new LocalLtoError({
      code: "LLTO_INPUT_NOT_FILE",
      message: `${input.slot} ${input.path} is ${describeKind(info)}, not a regular file`,
      fix: info.isDirectory() ? "name a file inside it" : "copy the data to a regular file and pass that",
      file: input.path,
    });
  }
}
