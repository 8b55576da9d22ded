/**
 * The proof server (src/cli/proofServerMain.ts) and its client (native/proof-client.c): a repeated
 * build hands its proof to a Node that outlives it. Real sh, rustc (stable, --rustc-bootstrap),
 * clang, the plugin, the client and the server. What must hold: a repeat through the server
 * prints, exits with and writes exactly what the replay's own Node does; every way the server can
 * be missing or gone ends in Node, with the same result; a stop still stops the build and changes
 * no output; the server goes when its directory goes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { crates } from "../../bench/src/buildCost.js";
import { isStagingName } from "../../src/pipeline/workspace.js";
import { launchEnvironment, launcher, launcherIn, listeningServer, parseRun, processesMentioning, rustcRunning, serverPid, socketIn, until, type Run } from "../support/launcherRuns.js";
import { exampleDir, repoRoot, tempDir } from "../support/toolchain.js";

const dir = tempDir("llto-proof-server-");
const cache = join(dir, "cache");
const launchDir = join(cache, "build-launch");
const { launch, start } = launcherIn(dir, cache);
const object = join(dir, "out.o");
const buildArgs = ["build", "lib.rs", "--helpers", "helpers.c", "-o", "out.o", "--rustc-arg=-O", "--rustc-bootstrap", "--json"];
const withoutTimings = (stdout: string) => {
  const report = JSON.parse(stdout) as Record<string, unknown>;
  delete report.timingsMs;
  return report;
};
const noServer = { LOCAL_LTO_NO_SERVER: "1" };

const haveClient = existsSync(join(repoRoot, "dist/bundle/proof-client"));

beforeAll(() => {
  for (const f of ["lib.rs", "helpers.c", "kernel_style.h"]) copyFileSync(join(exampleDir, f), join(dir, f));
});

describe.runIf(haveClient)("a repeated build through the proof server", () => {
  let viaNode: Run;
  let nodeObject: Buffer;

  test("the first repeat starts the server and builds in Node meanwhile; the next ones are the server's, with the same report and object", async () => {
    // Without the server at first: the first repeat below is the one that starts it.
    expect(launch(buildArgs, noServer).decision).toBe("node no-entry");
    viaNode = launch(buildArgs, noServer);
    expect(viaNode.decision).toBe("replay");
    expect(viaNode.proofServer).toEqual(["fallback off"]);
    nodeObject = readFileSync(object);

    const starting = launch(buildArgs);
    expect(starting.proofServer).toEqual(["start", "fallback no-server"]);
    expect(starting.code).toBe(0);
    await listeningServer(cache);

    const served = launch(buildArgs);
    expect(served.decision).toBe("replay");
    expect(served.proofServer).toEqual(["connected"]);
    expect(served.code).toBe(0);
    expect(served.stderr).toBe("");
    expect(withoutTimings(served.stdout)).toEqual(withoutTimings(viaNode.stdout));
    expect(Object.keys((JSON.parse(served.stdout) as { timingsMs: object }).timingsMs).sort()).toEqual(["compile rust with helpers", "verify"]);
    expect(readFileSync(object).equals(nodeObject)).toBe(true);
    expect(readdirSync(launchDir).filter((f) => f.startsWith("run."))).toEqual([]);
  }, 120_000);

  test("the terminal table too: the same text as Node's, colours off through a pipe", () => {
    const table = buildArgs.filter((a) => a !== "--json");
    const node = launch(table, noServer);
    // A new command line: Node's first build leaves its entry, the repeat is the server's.
    const served = launch(table);
    expect(served.proofServer).toEqual(["connected"]);
    expect(served.stdout).toBe(node.stdout);
    expect(served.stdout).not.toContain("\u001b[");
  }, 120_000);

  test("a failure of the repeat itself (an output that became a link to an input): the same message and exit code as in Node, the input untouched", () => {
    const source = readFileSync(join(dir, "lib.rs"));
    rmSync(object);
    symlinkSync(join(dir, "lib.rs"), object);
    const served = launch(buildArgs);
    const node = launch(buildArgs, noServer);
    rmSync(object);
    expect(served.proofServer).toEqual(["connected"]);
    expect(served.code).toBe(node.code);
    expect(served.code).not.toBe(0);
    expect(served.stderr).toBe(node.stderr);
    expect(served.stderr).toContain("out.o");
    expect(readFileSync(join(dir, "lib.rs")).equals(source)).toBe(true);
    writeFileSync(object, "previous object");
  }, 120_000);

  test("a repeat the entry cannot finish (a Rust compile error): the server hands the build to Node, with Node's message and exit code", () => {
    writeFileSync(join(dir, "lib.rs"), `${readFileSync(join(exampleDir, "lib.rs"), "utf8")}\nfn broken( {}\n`);
    const served = launch(buildArgs);
    const node = launch(buildArgs, noServer);
    copyFileSync(join(exampleDir, "lib.rs"), join(dir, "lib.rs"));
    expect(served.proofServer[0]).toBe("connected");
    expect(served.proofServer[1]).toMatch(/^fallback-build /);
    expect(served.code).toBe(node.code);
    expect(served.code).not.toBe(0);
    expect(served.stderr).toBe(node.stderr);
    expect(served.stderr).toContain("error");
    expect(readFileSync(object, "utf8")).toBe("previous object");
  }, 120_000);

  describe("a first build, with the server listening: the server prepares its entry and the launcher repeats it at once", () => {
    const argsFor = (output: string, extra: readonly string[] = []) => ["build", "lib.rs", "--helpers", "helpers.c", "-o", output, "--rustc-arg=-O", ...extra, "--rustc-bootstrap", "--json"];
    /** A report without what differs between two first builds to two outputs: timings, the object's name, where the helper bitcode came from. */
    const comparable = (stdout: string) => {
      const report = withoutTimings(stdout) as { object?: string; helperBitcode?: { origin?: string }[] };
      delete report.object;
      for (const h of report.helperBitcode ?? []) delete h.origin;
      return report;
    };

    test("the same report and a byte-identical object as Node's first build; Node never starts", async () => {
      await listeningServer(cache);
      const node = launch(argsFor("first-node.o"), noServer);
      expect(node.decision).toBe("node no-entry");
      const served = launch(argsFor("first-served.o"));
      expect(served.proofServer).toEqual(["connected", "prepared", "connected"]);
      expect(served.decision).toBe("replay");
      expect(served.code).toBe(0);
      expect(served.stderr).toBe("");
      expect(comparable(served.stdout)).toEqual(comparable(node.stdout));
      expect(readFileSync(join(dir, "first-served.o")).equals(readFileSync(join(dir, "first-node.o")))).toBe(true);
      // Its entry is the one a Node first build leaves: the next run is a plain repeat.
      expect(launch(argsFor("first-served.o")).proofServer).toEqual(["connected"]);
    }, 120_000);

    test.each([
      ["--explain", "explain"],
      ["--keep-temps", "not-repeatable"],
      ["--no-cache", "not-repeatable"],
      ["--mode=inline", "mode-inline"],
      ["--bogus-option", "usage"],
      ["--help", "usage"],
    ])("%s: not prepared (%s); Node builds (or answers) with its own output and exit code", async (option, why) => {
      await listeningServer(cache);
      const args = [...argsFor(`declined${option}.o`), option];
      const served = launch(args);
      expect(served.proofServer).toEqual(["connected", `fallback ${why}`]);
      expect(served.decision).toBe("node no-entry");
      const node = launch(args, noServer);
      expect(served.code).toBe(node.code);
      expect(served.stderr.replace(/^local-lto launcher: .*\n/gm, "")).toBe(node.stderr.replace(/^local-lto launcher: .*\n/gm, ""));
      if (served.code === 0 && option !== "--help") expect(comparable(served.stdout)).toEqual(comparable(node.stdout));
      else expect(served.stdout).toBe(node.stdout);
    }, 120_000);

    test("a build that fails (a call left under --require-inlined: exit 10): no entry is left, and its next first build starts in Node (rustc once)", async () => {
      await listeningServer(cache);
      const args = [...argsFor("required.o", ["--rustc-arg=-Copt-level=0"]).filter((a) => a !== "--rustc-arg=-O"), "--require-inlined"];
      const served = launch(args);
      expect(served.proofServer.slice(0, 2)).toEqual(["connected", "prepared"]);
      const node = launch(args, noServer);
      expect(node.code).toBe(10);
      expect(served.code).toBe(node.code);
      expect(served.stderr.replace(/^local-lto launcher: .*\n/gm, "")).toBe(node.stderr.replace(/^local-lto launcher: .*\n/gm, ""));
      const again = launch(args);
      expect(again.proofServer).toEqual(["connected", "fallback node-first"]);
      expect(again.code).toBe(10);
      expect(existsSync(join(dir, "required.o"))).toBe(false);
    }, 120_000);

    test("on a terminal: the same colours as Node's", async () => {
      await listeningServer(cache);
      // script(1) gives the build a terminal; the table's cells are coloured there.
      const onTerminal = (output: string, env: Record<string, string>) =>
        spawnSync("script", ["-qec", `${launcher} ${argsFor(output).filter((a) => a !== "--json").join(" ")}`, "/dev/null"], { cwd: dir, env: launchEnvironment(cache, { ...env, TERM: "xterm" }), encoding: "utf8" });
      const node = onTerminal("tty-node.o", noServer);
      const served = onTerminal("tty-served.o", {});
      expect(served.stdout).toContain("proof-server prepared");
      expect(node.stdout).toContain("\u001b[32m");
      const table = (text: string) => text.replace(/^local-lto launcher: .*\r?\n/gm, "").replaceAll("tty-node.o", "OUT").replaceAll("tty-served.o", "OUT");
      expect(table(served.stdout)).toBe(table(node.stdout));
    }, 120_000);

    test("a helper source changed since its entry was written (a stale entry): prepared again, from the new source", async () => {
      await listeningServer(cache);
      copyFileSync(join(exampleDir, "helpers.c"), join(dir, "changing.c"));
      const args = (output: string) => argsFor(output).map((a) => (a === "helpers.c" ? "changing.c" : a));
      expect(launch(args("changing.o")).proofServer).toEqual(["connected", "prepared", "connected"]);
      // A newer source whose helpers compile differently: every helper returns one more.
      const changed = readFileSync(join(dir, "changing.c"), "utf8").replace(/return ([^;]+);/g, "return ($1) + 1;");
      writeFileSync(join(dir, "changing.c"), changed);
      const served = launch(args("changing.o"));
      expect(served.proofServer).toEqual(["connected", "prepared", "connected"]);
      expect(served.code).toBe(0);
      const node = launch(args("changing-node.o"), noServer);
      expect(comparable(served.stdout)).toEqual(comparable(node.stdout));
      expect(readFileSync(join(dir, "changing.o")).equals(readFileSync(join(dir, "changing-node.o")))).toBe(true);
      expect(readFileSync(join(dir, "changing.o")).equals(nodeObject)).toBe(false);
    }, 120_000);

    test("a build whose proof leaves a helper call (-Copt-level=0): prepared, then built in Node with Node's output; the next first build of it starts in Node", async () => {
      await listeningServer(cache);
      const args = argsFor("unoptimized.o", ["--rustc-arg=-Copt-level=0"]).filter((a) => a !== "--rustc-arg=-O");
      const served = launch(args);
      expect(served.proofServer.slice(0, 3)).toEqual(["connected", "prepared", "connected"]);
      expect(served.proofServer[3]).toMatch(/^fallback-build /);
      const node = launch(args, noServer);
      expect(node.decision).toBe("node no-entry");
      expect(served.code).toBe(node.code);
      expect(comparable(served.stdout)).toEqual(comparable(node.stdout));
      expect((JSON.parse(node.stdout) as { summary: { callsLeft: number } }).summary.callsLeft).toBeGreaterThan(0);
      // Marked: not prepared again only to be built twice.
      const again = launch(args);
      expect(again.proofServer).toEqual(["connected", "fallback node-first"]);
      expect(again.decision).toBe("node no-entry");
      expect(again.code).toBe(node.code);
    }, 120_000);

    test("a Rust compile error: Node's message and exit code, no output written", async () => {
      await listeningServer(cache);
      writeFileSync(join(dir, "broken.rs"), `${readFileSync(join(exampleDir, "lib.rs"), "utf8")}\nfn broken( {}\n`);
      const args = argsFor("broken.o").map((a) => (a === "lib.rs" ? "broken.rs" : a));
      const served = launch(args);
      const node = launch(args, noServer);
      expect(served.proofServer[1]).toBe("prepared");
      expect(served.code).toBe(node.code);
      expect(served.code).not.toBe(0);
      expect(served.stderr.replace(/^local-lto launcher: .*\n/gm, "")).toBe(node.stderr.replace(/^local-lto launcher: .*\n/gm, ""));
      expect(existsSync(join(dir, "broken.o"))).toBe(false);
    }, 120_000);

    test.each([
      ["SIGINT", 130, "group"],
      ["SIGTERM", 143, "launcher"],
    ] as const)("%s (exit %i) to the %s while the server prepares (stopped): the build stops with its message, no output written", async (name, status, target) => {
      const pid = await listeningServer(cache);
      process.kill(pid, "SIGSTOP");
      try {
        const run = start(argsFor(`stopped-${name}.o`), {}, { detached: target === "group" });
        await new Promise((r) => setTimeout(r, 1000));
        if (target === "group") process.kill(-run.child.pid!, name);
        else run.child.kill(name);
        const stopped = await run.run();
        expect(stopped.code).toBe(status);
        expect(stopped.stderr.match(/stopped by SIG\w+; no output was changed/g)).toEqual([`stopped by ${name}; no output was changed`]);
        expect(existsSync(join(dir, `stopped-${name}.o`))).toBe(false);
      } finally {
        process.kill(pid, "SIGCONT");
      }
    }, 120_000);
  });

  test("the very first build in a cache directory that does not exist yet starts the server", async () => {
    const fresh = join(dir, "fresh-cache");
    const first = launch(buildArgs.map((a) => (a === "out.o" ? "fresh.o" : a)), { LOCAL_LTO_CACHE_DIR: fresh });
    expect(first.proofServer).toEqual(["start", "fallback no-server"]);
    expect(first.code).toBe(0);
    await listeningServer(fresh);
    rmSync(fresh, { recursive: true, force: true });
    await until("its server exits", () => serverPid(fresh) === undefined, 15_000);
  }, 120_000);

  test("two repeats at once (two outputs): both served, both right", async () => {
    launch(buildArgs); // the object again
    const second = buildArgs.map((a) => (a === "out.o" ? "out2.o" : a));
    launch(second);
    const [a, b] = await Promise.all([start(buildArgs).run(), start(second).run()]);
    expect([a.proofServer, b.proofServer]).toEqual([["connected"], ["connected"]]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(readFileSync(object).equals(nodeObject)).toBe(true);
    expect(readFileSync(join(dir, "out2.o")).equals(nodeObject)).toBe(true);
  }, 120_000);

  test("a server stopped (SIGSTOP): a repeat waits for its answer three seconds at most, then builds in Node", async () => {
    const pid = await listeningServer(cache);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGSTOP");
    try {
      const started = Date.now();
      const after = launch(buildArgs);
      expect(after.proofServer).toEqual(["fallback no-answer"]);
      expect(after.code).toBe(0);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(readFileSync(object).equals(nodeObject)).toBe(true);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    // Resumed, it serves again (the request it was sent while stopped started nothing).
    expect(launch(buildArgs).proofServer).toEqual(["connected"]);
    expect(readFileSync(object).equals(nodeObject)).toBe(true);
  }, 120_000);

  test("a stop while the server is stopped: the client does not wait for it (143 in seconds, no output changed)", async () => {
    const pid = await listeningServer(cache);
    process.kill(pid, "SIGSTOP");
    try {
      writeFileSync(object, "previous object");
      const run = start(buildArgs);
      await new Promise((r) => setTimeout(r, 1000));
      const started = Date.now();
      run.child.kill("SIGTERM");
      const stopped = await run.run();
      expect(stopped.code).toBe(143);
      expect(stopped.stderr).toContain("stopped by SIGTERM; no output was changed");
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(readFileSync(object, "utf8")).toBe("previous object");
    } finally {
      process.kill(pid, "SIGCONT");
    }
    expect(launch(buildArgs).proofServer).toEqual(["connected"]);
    expect(readFileSync(object).equals(nodeObject)).toBe(true);
  }, 120_000);

  test("a directory where the socket goes: no server is started, every repeat builds in Node", async () => {
    const pid = await listeningServer(cache);
    const name = socketIn(cache)!;
    process.kill(pid, "SIGKILL");
    rmSync(join(cache, name), { force: true });
    execFileSync("mkdir", [join(cache, name)]);
    for (let i = 0; i < 2; i++) {
      const run = launch(buildArgs);
      expect(run.proofServer).toEqual(["fallback socket-name-is-a-directory"]);
      expect(run.code).toBe(0);
    }
    expect(readdirSync(cache).filter((f) => f.startsWith("proof-") && f !== name)).toEqual([]);
    rmSync(join(cache, name), { recursive: true });
    expect(launch(buildArgs).proofServer).toEqual(["start", "fallback no-server"]);
  }, 120_000);

  test("a server killed (SIGKILL): the next repeat builds in Node and starts another", async () => {
    const pid = await listeningServer(cache);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await until("the server is gone", () => !existsSync(`/proc/${pid}/cmdline`) || readFileSync(`/proc/${pid}/cmdline`, "utf8") === "");
    const after = launch(buildArgs);
    expect(after.code).toBe(0);
    expect(after.proofServer).toEqual(["start", "fallback no-server"]);
    expect(readFileSync(object).equals(nodeObject)).toBe(true);
    expect(await listeningServer(cache)).not.toBe(pid);
    expect(launch(buildArgs).proofServer).toEqual(["connected"]);
  }, 120_000);

  test("a server started by a build holds none of its descriptors (a reader of the build's output gets its end)", async () => {
    const pid = await listeningServer(cache);
    process.kill(pid, "SIGKILL");
    await until("the server is gone", () => serverPid(cache) === undefined);
    // stdout through a pipe, and a copy of it at a high descriptor (as a make's jobserver may be):
    // the read ends when the build ends only if the server started meanwhile holds neither.
    const started = Date.now();
    const r = spawnSync("bash", ["-c", 'exec 300>&1; exec "$0" "$@"', launcher, ...buildArgs], { cwd: dir, env: launchEnvironment(cache, {}), encoding: "utf8", timeout: 60_000 });
    expect(r.signal).toBe(null);
    expect(r.status).toBe(0);
    expect(parseRun(r.status, r.stdout, r.stderr).proofServer).toEqual(["start", "fallback no-server"]);
    expect(Date.now() - started).toBeLessThan(30_000);
    const fds = readdirSync(`/proc/${await listeningServer(cache)}/fd`).map(Number);
    expect(fds.filter((fd) => fd >= 300)).toEqual([]);
  }, 120_000);

  test("LOCAL_LTO_NO_SERVER: not used", () => {
    const off = launch(buildArgs, noServer);
    expect(off.decision).toBe("replay");
    expect(off.proofServer).toEqual(["fallback off"]);
    expect(off.code).toBe(0);
  });

  test("the server exits when its directory is removed", async () => {
    const pid = await listeningServer(cache);
    expect(pid).toBeGreaterThan(0);
    rmSync(cache, { recursive: true, force: true });
    await until("the server exits", () => serverPid(cache) === undefined, 15_000);
  }, 30_000);
});

describe.runIf(haveClient)("a stop during a repeat through the server (a crate that takes seconds)", () => {
  const regex = crates.find((c) => c.id === "regex-syntax")!;
  const bigCache = join(dir, "big-cache");
  const args = ["build", regex.source, "--helpers", "helpers.c", ...regex.rustFlags.map((f) => `--rustc-arg=${f}`), "-o", "big.o", "--rustc-bootstrap"];
  const env = { LOCAL_LTO_CACHE_DIR: bigCache };

  test("the first build, and a server up", async () => {
    expect(launch(args, { ...env, ...noServer }).code).toBe(0);
    // A repeat starts the server; then one is served.
    expect(launch(args, env).proofServer).toEqual(["start", "fallback no-server"]);
    await listeningServer(bigCache);
  }, 120_000);

  test.each([
    ["SIGINT", 130, "group"],
    ["SIGTERM", 143, "launcher"],
  ] as const)("%s (exit %i) to the %s: the build stopped with its message, no output changed, nothing left running", async (name, status, target) => {
    writeFileSync(join(dir, "big.o"), "previous object");
    const run = start(args, env, { detached: target === "group" });
    await rustcRunning(bigCache, 1500);
    if (target === "group") process.kill(-run.child.pid!, name);
    else run.child.kill(name);
    const stopped = await run.run();
    expect(stopped.proofServer).toEqual(["connected"]);
    expect(stopped.code).toBe(status);
    expect(stopped.stderr).toContain(`stopped by ${name}; no output was changed`);
    expect(stopped.stderr).not.toContain("built ");
    expect(processesMentioning(join(bigCache, "build-launch"))).toEqual([]);
    expect(readFileSync(join(dir, "big.o"), "utf8")).toBe("previous object");
    expect(readdirSync(dir).filter(isStagingName)).toEqual([]);
    expect(readdirSync(join(bigCache, "build-launch")).filter((f) => f.startsWith("run."))).toEqual([]);
    // The server is still there for the next build.
    expect(serverPid(bigCache)).toBeGreaterThan(0);
  }, 120_000);
});

describe.runIf(haveClient)("a server that goes idle as a request arrives (a user trial: exit 70, empty output)", () => {
  const raceCache = join(dir, "race-cache");
  const env = { LOCAL_LTO_CACHE_DIR: raceCache, LOCAL_LTO_SERVER_IDLE_SECONDS: "1" };
  const args = buildArgs.map((a) => (a === "out.o" ? "race.o" : a));

  test("the request is served or built in Node, never cut off", async () => {
    expect(launch(args, { ...env, ...noServer }).code).toBe(0);
    expect(launch(args, env).proofServer).toEqual(["start", "fallback no-server"]);
    const pid = await listeningServer(raceCache);
    // Stopped past its idle time, then resumed with a request waiting: its idle check and the
    // request meet in one turn of its event loop.
    process.kill(pid, "SIGSTOP");
    await new Promise((r) => setTimeout(r, 2500));
    const run = start(args, env);
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(pid, "SIGCONT");
    const raced = await run.run();
    expect(raced.code).toBe(0);
    expect(raced.stderr).toBe("");
    expect((JSON.parse(raced.stdout) as { summary: { callsLeft: number } }).summary.callsLeft).toBe(0);
  }, 120_000);
});

describe.runIf(haveClient)("a repeat whose rustc runs longer than the server's idle time", () => {
  const regex = crates.find((c) => c.id === "regex-syntax")!;
  const idleCache = join(dir, "idle-cache");
  const args = ["build", regex.source, "--helpers", "helpers.c", ...regex.rustFlags.map((f) => `--rustc-arg=${f}`), "-o", "idle.o", "--rustc-bootstrap"];
  // The server exits after one second without a request (checked every two): rustc takes seconds.
  const env = { LOCAL_LTO_CACHE_DIR: idleCache, LOCAL_LTO_SERVER_IDLE_SECONDS: "1" };

  test("is served to the end: a client waiting for its rustc keeps the server", async () => {
    expect(launch(args, { ...env, ...noServer }).code).toBe(0);
    // A quick build starts the server, and the long one connects before it could idle out.
    const small = buildArgs.map((a) => (a === "out.o" ? "idle-small.o" : a));
    // (A first build starts the server too.)
    expect(launch(small, env).proofServer).toEqual(["start", "fallback no-server"]);
    await listeningServer(idleCache);
    const served = launch(args, env);
    expect(served.proofServer).toEqual(["connected"]);
    expect(served.code).toBe(0);
    expect(served.stderr).not.toContain("proof server");
  }, 180_000);
});

describe.runIf(haveClient)("a server killed while a served repeat's rustc runs (it was exit 70)", () => {
  const regex = crates.find((c) => c.id === "regex-syntax")!;
  const killCache = join(dir, "kill-cache");
  const args = ["build", regex.source, "--helpers", "helpers.c", ...regex.rustFlags.map((f) => `--rustc-arg=${f}`), "-o", "killed.o", "--rustc-bootstrap"];
  const env = { LOCAL_LTO_CACHE_DIR: killCache };

  test("the replay's own Node proves and publishes rustc's object instead: exit 0, the same object", async () => {
    expect(launch(args, { ...env, ...noServer }).code).toBe(0);
    const nodeBuilt = readFileSync(join(dir, "killed.o"));
    rmSync(join(dir, "killed.o"));
    const small = buildArgs.map((a) => (a === "out.o" ? "kill-small.o" : a));
    expect(launch(small, env).proofServer).toEqual(["start", "fallback no-server"]);
    const pid = await listeningServer(killCache);
    const run = start(args, env);
    // rustc takes seconds on regex-syntax; the client has its answer from the server within milliseconds.
    await rustcRunning(killCache, 1000);
    process.kill(pid, "SIGKILL");
    const killed = await run.run();
    expect(killed.stderr).not.toContain("proof server stopped");
    expect(killed.code).toBe(0);
    expect(killed.proofServer).toEqual(["connected", "fallback server-gone"]);
    expect(readFileSync(join(dir, "killed.o")).equals(nodeBuilt)).toBe(true);
    expect(readdirSync(dir).filter(isStagingName)).toEqual([]);
  }, 180_000);
});
