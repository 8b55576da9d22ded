/**
 * The proof server (docs/ARCHITECTURE.md, "The proof server"): a Node process that outlives one
 * repeated build, so that a repeat pays a small client's start instead of Node's (~95 ms of CPU).
 * The launcher's client (native/proof-client.c) starts it, detached, in local-lto's cache
 * directory, and falls back to starting Node itself whenever it cannot reach it.
 *
 * argv: the socket's name in the working directory (the client names it after this bundle's file
 * identity, so a rebuilt local-lto gets a new server). It listens on `<name>.<pid>` and renames it
 * to `<name>` (atomic: two servers started at once leave one name, and the other exits idle); it
 * exits when idle for LOCAL_LTO_SERVER_IDLE_SECONDS (default 180), or when its name is gone or is
 * another server's (the cache was removed, or a newer server took it).
 */
import { createServer } from "node:net";
import { join } from "node:path";
import { appendFileSync } from "node:fs";
import { chmod, rename, rm, stat } from "node:fs/promises";
import { serialQueue, serveConnection } from "./proofServer/serveReplay.js";

const CHECK_MS = 2000;

/**
 * The server's directory, as it started. Each request runs in its client's directory
 * (serveReplay.ts), so nothing here may name a file relative to the working directory after the
 * start: the idle check's stat of a relative name, run while a request had changed directory,
 * found no socket and closed the server (a test saw the next build start another server).
 */
const home = process.cwd();

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || name.includes("/")) {
    process.stderr.write("usage: proofServer.mjs <socket name in the working directory>\n");
    process.exit(2);
  }
  const idleMs = (Number.parseInt(process.env.LOCAL_LTO_SERVER_IDLE_SECONDS ?? "", 10) || 180) * 1000;
  // Listened on by a name relative to `home` (a socket's path is limited to 108 bytes), before any request.
  const own = `${name}.${process.pid}`;
  const socketPath = join(home, name);
  let busy = 0;
  let lastActive = Date.now();
  // Set in the same turn as the decision to stop (busy was 0): from then on no request is taken
  // (the client builds in Node), so none can be cut off by the exit.
  let stopping = false;
  const serially = serialQueue();
  const server = createServer((socket) => serveConnection(socket, { serially, accepting: () => !stopping, onBusy: (now) => ((busy += now ? 1 : -1), (lastActive = Date.now())) }));
  await rm(own, { force: true });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(own, resolve));
  // Only this user may connect (connecting needs write permission on the socket; the umask may give more).
  await chmod(own, 0o600);
  const ino = (await stat(own)).ino;
  await rename(own, socketPath);
  await rm(join(home, `${name}.start`), { force: true });

  const stop = async (): Promise<void> => {
    stopping = true;
    server.close();
    const current = await stat(socketPath).catch(() => undefined);
    if (current?.ino === ino) await rm(socketPath, { force: true });
    process.exit(0);
  };
  setInterval(() => {
    void stat(socketPath)
      .catch(() => undefined)
      .then((current) => {
        const replaced = current?.ino !== ino;
        if (!stopping && busy === 0 && (replaced || Date.now() - lastActive > idleMs)) void stop();
        else if (replaced) server.close();
      });
  }, CHECK_MS);
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => void stop());
}

/**
 * The server's standard streams are /dev/null (it must hold none of a build's): what ends it
 * unexpectedly is written to `proof-server.log` in its directory, which the client's message names.
 */
function logAndExit(what: string, error: unknown, code: number): never {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  try {
    appendFileSync(join(home, "proof-server.log"), `${new Date().toISOString()} pid ${process.pid} ${what}: ${text}\n`);
  } catch {
    // nowhere left to say it
  }
  process.exit(code);
}

process.on("uncaughtException", (error) => logAndExit("internal error", error, 70));
process.on("unhandledRejection", (error) => logAndExit("internal error", error, 70));
void main().catch(async (error: unknown) => {
  // Its own socket too: a server that could not take the name (a directory there) leaves nothing.
  await Promise.all([`${process.argv[2]}.start`, `${process.argv[2]}.${process.pid}`].map((f) => rm(join(home, f), { force: true }).catch(() => undefined)));
  logAndExit("could not start", error, 1);
});
