/**
 * A reader that went away early (`local-lto … | head`) is not the command's failure: without a
 * handler, the EPIPE error Node raises on the next write ends the process with exit code 1 instead
 * of the command's own (usage errors came out 1 in most runs, a user trial). What is still to be
 * written is dropped; any other error on the streams is raised as before.
 */
export function tolerateClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

/**
 * Ends the process with `code` once what was written to stdout and stderr has left it, without
 * tearing the heap down (about 10 ms at the end of every build). `process.exit` alone is not
 * enough: a write to a pipe is synchronous only up to the pipe's buffer (64 KiB on Linux); the rest
 * waits in libuv for the reader, and exiting drops it (a `--json` report of a large helper library
 * read by `jq`, say). An empty write's callback runs after every write before it.
 */
export async function exitWhenWritten(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => (stream.writableLength === 0 ? resolve() : stream.write("", () => resolve())))));
  process.exit(code);
}
