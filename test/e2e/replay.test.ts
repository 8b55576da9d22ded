/**
 * A repeated `local-lto build` through the launcher (src/pipeline/plugin/replayEntry.ts,
 * bin/local-lto): rustc starts from the entry the first build left, Node beside it for the proof.
 * Real sh, rustc (stable, --rustc-bootstrap), clang and the plugin. What must hold: the repeat
 * reports and writes what a first build would; any change the entry depends on sends the build
 * back to Node first; a failure looks the same either way; outputs stay safe. Without the proof
 * server (LOCAL_LTO_NO_SERVER=1): these are the launcher's decisions and the replay's own Node;
 * test/e2e/proof-server.test.ts shows the server doing the same (and preparing first builds).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { exampleDir, tempDir } from "../support/toolchain.js";
import { launchEnvironment, launcher, launcherIn, listeningServer, processesMentioning, rustcRunning, type Run } from "../support/launcherRuns.js";
import { isStagingName } from "../../src/pipeline/workspace.js";
import { isRustupProxyFile, parseRustcProcess } from "../../src/toolchain/rustupProxy.js";
import { crates } from "../../bench/src/buildCost.js";

const dir = tempDir("llto-replay-");
const cache = join(dir, "cache");
const lib = join(dir, "lib.rs");
const helpers = join(dir, "helpers.c");
const object = join(dir, "out.o");

const noServer = { LOCAL_LTO_NO_SERVER: "1" };
const { launch, start } = launcherIn(dir, cache, noServer);

const buildArgs = ["build", "lib.rs", "--helpers", "helpers.c", "-o", "out.o", "--rustc-arg=-O", "--rustc-bootstrap", "--json"];
/** A repeat Node finished from rustc's object, not by building again: no helper stage ran. */
const finishedAsReplay = (run: Run) => Object.keys((JSON.parse(run.stdout) as { timingsMs: object }).timingsMs).sort().join() === "compile rust with helpers,verify";
const withoutTimings = (stdout: string) => {
  const report = JSON.parse(stdout) as Record<string, unknown>;
  delete report.timingsMs;
  return report;
};

beforeAll(() => {
  copyFileSync(join(exampleDir, "lib.rs"), lib);
  copyFileSync(join(exampleDir, "helpers.c"), helpers);
  copyFileSync(join(exampleDir, "kernel_style.h"), join(dir, "kernel_style.h"));
});

describe("a repeated build through the launcher", () => {
  let first: Run;
  let firstObject: Buffer;

  test("the first build runs in Node and leaves an entry", () => {
    first = launch(buildArgs);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.decision).toBe("node no-entry");
    firstObject = readFileSync(object);
    expect(readdirSync(join(cache, "build-launch")).some((f) => f.endsWith(".sh") && !f.startsWith("index"))).toBe(true);
  });

  test("the repeat starts rustc from the entry: the report and the object of the same build in Node", () => {
    const again = launch(buildArgs);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(again.decision).toBe("replay");
    expect(finishedAsReplay(again)).toBe(true);
    const replayedObject = readFileSync(object);
    // The same second build in Node (its helpers now come from the cache, as the repeat's do).
    const direct = launch(buildArgs, { LOCAL_LTO_NO_REPLAY: "1" });
    expect(direct.decision).toBe("node off");
    expect(withoutTimings(again.stdout)).toEqual(withoutTimings(direct.stdout));
    expect(replayedObject.equals(readFileSync(object))).toBe(true);
    expect(replayedObject.equals(firstObject)).toBe(true);
    // The launcher's staging directory is gone.
    expect(readdirSync(join(cache, "build-launch")).filter((f) => f.startsWith("run."))).toEqual([]);
  });

  test("a changed Rust source is compiled by the repeat, and proved", () => {
    writeFileSync(lib, `${readFileSync(join(exampleDir, "lib.rs"), "utf8")}\n#[no_mangle]\npub extern "C" fn replay_added(x: u64) -> u64 { x.rotate_left(3) }\n`);
    const again = launch(buildArgs);
    expect(again.decision).toBe("replay");
    expect(again.code).toBe(0);
    expect(finishedAsReplay(again)).toBe(true);
    const report = JSON.parse(again.stdout) as { summary: { callsLeft: number; globalHelperSymbols: number } };
    expect(report.summary).toMatchObject({ callsLeft: 0, globalHelperSymbols: 0 });
    expect(readFileSync(object).includes(Buffer.from("replay_added"))).toBe(true);
  });

  test("a changed helper file sends the build back to Node, which leaves a new entry", () => {
    const later = new Date(Date.now() + 5_000);
    utimesSync(helpers, later, later);
    const changed = launch(buildArgs);
    expect(changed.decision).toBe("node stale-entry");
    expect(changed.code).toBe(0);
    utimesSync(helpers, new Date(), new Date());
    // The new entry is dated after the helper file it read.
    const next = launch(buildArgs);
    expect(next.code).toBe(0);
    expect(["replay", "node stale-entry"]).toContain(next.decision);
    expect(launch(buildArgs).decision).toBe("replay");
  });

  test("a helper file replaced by an older copy (cp -p): the repeat notices and builds in Node", () => {
    const before = launch(buildArgs);
    expect(before.decision).toBe("replay");
    const original = readFileSync(helpers, "utf8");
    const older = join(dir, "older.c");
    writeFileSync(older, original.replace("rust_helper_refcount_inc(", "rust_helper_refcount_inc_renamed_("));
    const past = new Date(Date.now() - 3600_000);
    utimesSync(older, past, past);
    execFileSync("cp", ["-p", older, helpers]);
    const replaced = launch(buildArgs);
    // The launcher sees no newer file; Node sees another inode and ctime, and builds as usual.
    expect(replaced.decision).toBe("replay");
    const replacedObject = readFileSync(object);
    const direct = launch(buildArgs, { LOCAL_LTO_NO_REPLAY: "1" });
    const facts = (stdout: string) => {
      const r = JSON.parse(stdout) as { helpers: unknown; unusedHelpers: unknown; summary: unknown; helperBitcode: { cacheKey?: string }[] };
      return { helpers: r.helpers, unusedHelpers: r.unusedHelpers, summary: r.summary, cacheKeys: r.helperBitcode.map((h) => h.cacheKey) };
    };
    expect(facts(replaced.stdout)).toEqual(facts(direct.stdout));
    expect(replacedObject.equals(readFileSync(object))).toBe(true);
    // Built from the new helper file, not from the entry's helper set.
    expect(facts(replaced.stdout).cacheKeys).not.toEqual(facts(before.stdout).cacheKeys);
    writeFileSync(helpers, original);
    expect(launch(buildArgs).code).toBe(0);
  });

  test("a header that would shadow the one the helpers read, or CPATH changed: not the old entry", () => {
    expect(launch(buildArgs).decision).toBe("replay");
    // The helpers include "kernel_style.h" from their own directory; clang looks nowhere before it,
    // so shadow it through -I: a new command line, then a header appearing in the -I directory.
    const shadowArgs = [...buildArgs, "--cc-arg=-Ishadow"];
    execFileSync("mkdir", ["-p", join(dir, "shadow")]);
    writeFileSync(join(dir, "use-shadow.c"), "");
    expect(launch(shadowArgs).code).toBe(0);
    expect(launch(shadowArgs).decision).toBe("replay");
    expect(launch(buildArgs, { CPATH: join(dir, "shadow") }).decision).toBe("node no-entry");
  });

  test("another command line, or LOCAL_LTO_NO_REPLAY, does not use the entry", () => {
    expect(launch([...buildArgs, "--reconcile=on"]).decision).toBe("node no-entry");
    expect(launch(buildArgs, { LOCAL_LTO_NO_REPLAY: "1" }).decision).toBe("node off");
  });

  test("a Rust compile error in a repeat: the same message and exit code as in Node, and the object untouched", () => {
    const before = readFileSync(object);
    const good = readFileSync(lib, "utf8");
    writeFileSync(lib, `${good}\npub fn broken() -> u32 { "not a number" }\n`);
    const replayed = launch(buildArgs);
    const direct = launch(buildArgs, { LOCAL_LTO_NO_REPLAY: "1" });
    writeFileSync(lib, good);
    expect(replayed.decision).toBe("replay");
    expect(replayed.code).toBe(direct.code);
    expect(replayed.code).not.toBe(0);
    expect(replayed.stderr).toContain("mismatched types");
    expect(replayed.stderr).toBe(direct.stderr);
    expect(readFileSync(object).equals(before)).toBe(true);
  });

  test("a build that failed leaves no entry: the next build starts in Node, the one after is a repeat", () => {
    // (The compile error above: a failed build's entry would send every later run through rustc twice.)
    expect(launch(buildArgs).decision).toBe("node no-entry");
    expect(launch(buildArgs).decision).toBe("replay");
  });

  test("an output that became a link to an input is refused in a repeat too, and the input is untouched", () => {
    expect(launch(buildArgs).decision).toBe("replay");
    const source = readFileSync(lib);
    unlinkSync(object);
    symlinkSync(lib, object);
    const refused = launch(buildArgs);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/out\.o/);
    expect(readFileSync(lib).equals(source)).toBe(true);
    unlinkSync(object);
    expect(existsSync(object)).toBe(false);
  });
});

describe("a damaged launcher index (a user trial: it used to end every build with a shell error)", () => {
  // Every index file (one per key length, src/files/launcherIndex.ts): this build's is among them.
  const damage = (text: string) => {
    const dir = join(cache, "build-launch");
    const files = readdirSync(dir).filter((f) => /^index-\d+\.sh$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) writeFileSync(join(dir, f), text);
  };
  const args = ["build", "lib.rs", "--helpers", "helpers.c", "-o", "index.o", "--rustc-arg=-O", "--rustc-bootstrap"];

  test.each([
    ["cut short", "case $keytext in\n"],
    ["naming an entry that is not there", "case $keytext in\n*) llto_entry=0123456789abcdef0123 ;;\nesac\n"],
  ])("%s: the build goes to Node and succeeds, Node writes the index again, and the next build is a repeat", (_, damaged) => {
    expect(launch(args).code).toBe(0);
    expect(launch(args).decision).toBe("replay");
    damage(damaged);
    const broken = launch(args);
    expect(broken.stderr).toBe("");
    expect(broken.code).toBe(0);
    expect(broken.decision).toBe("node no-entry");
    expect(launch(args).decision).toBe("replay");
  });

  test("an index.json that is not an index: a new one is started, and repeats work again", () => {
    writeFileSync(join(cache, "build-launch", "index.json"), "null");
    expect(launch(args).code).toBe(0);
    expect(launch(args).decision).toBe("replay");
  });
});

// Node reads NODE_EXTRA_CA_CERTS before any of local-lto's code runs (about 40 ms for a
// distribution's bundle); local-lto opens no TLS connection, so the launcher starts Node without
// it, and Node gives it back to what it starts (src/cli/launcherEnvironment.ts).
describe("NODE_EXTRA_CA_CERTS: not read by local-lto's Node, given unchanged to the compilers", () => {
  // A certificate file that does not exist: a Node that reads it warns on its standard error.
  const certs = join(dir, "no-such-certs.pem");
  const seen = join(dir, "rustc-saw.txt");
  const wrapper = join(dir, "rustc-recording-env");
  const realRustc = execFileSync("rustup", ["which", "rustc"], { encoding: "utf8" }).trim();
  const args = ["build", "lib.rs", "--helpers", "helpers.c", "-o", "certs.o", "--rustc-arg=-O", "--rustc-bootstrap", "--rustc", wrapper];

  beforeAll(() => {
    // Records what the compile's rustc was given, then is that rustc.
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s|%s\\n' "\${NODE_EXTRA_CA_CERTS-unset}" "\${LOCAL_LTO_NODE_EXTRA_CA_CERTS-unset}" >>'${seen}'\nexec '${realRustc}' "$@"\n`, { mode: 0o755 });
  });

  const buildWithCerts = (decision: string) => {
    writeFileSync(seen, "");
    const run = launch(args, { NODE_EXTRA_CA_CERTS: certs });
    expect(run.decision).toBe(decision);
    expect(run.stderr).not.toContain("extra certs");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = readFileSync(seen, "utf8").trim().split("\n");
    expect(new Set(lines)).toEqual(new Set([`${certs}|unset`]));
  };

  test("a first build (Node starts rustc): no certificate read, and rustc sees the variable as the user set it", () => {
    buildWithCerts("node no-entry");
  });

  test("a repeat (the launcher starts rustc and Node beside it): the same", () => {
    buildWithCerts("replay");
  });

  test("a first build the proof server prepares (the launcher starts rustc from the entry it wrote): the same", async () => {
    const served = { LOCAL_LTO_NO_SERVER: "", NODE_EXTRA_CA_CERTS: certs };
    launch(args, served); // a repeat: starts the server
    await listeningServer(cache);
    writeFileSync(seen, "");
    const run = launch(args.map((a) => (a === "certs.o" ? "certs-served.o" : a)), served);
    expect(run.proofServer).toEqual(["connected", "prepared", "connected"]);
    expect(run.stderr).not.toContain("extra certs");
    expect(run.code).toBe(0);
    expect(new Set(readFileSync(seen, "utf8").trim().split("\n"))).toEqual(new Set([`${certs}|unset`]));
  });

  test("without the variable, none is set for rustc", () => {
    writeFileSync(seen, "");
    const inherited = { ...process.env };
    delete inherited.NODE_EXTRA_CA_CERTS;
    const run = spawnSync(launcher, args, { cwd: dir, env: { ...inherited, ...noServer, LOCAL_LTO_CACHE_DIR: cache, LOCAL_LTO_LAUNCHER_TRACE: "1" }, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(new Set(readFileSync(seen, "utf8").trim().split("\n"))).toEqual(new Set(["unset|unset"]));
  });
});

// rustup's proxy chooses a toolchain and execs its rustc with variables of its own (~17 ms of a
// small repeat); a repeat starts that rustc itself, with the same variables, learnt from the
// first build (src/toolchain/rustupProxy.ts). What rustc saw is written by the plugin when
// LOCAL_LTO_PLUGIN_PROCESS is set, which the repeat passes on from the user's environment.
const rustcOnPath = spawnSync("sh", ["-c", "command -v rustc"], { encoding: "utf8" }).stdout.trim();
const rustcIsRustupProxy = rustcOnPath !== "" && (await isRustupProxyFile(rustcOnPath));
describe.skipIf(!rustcIsRustupProxy)("rustup's proxy: a repeat starts the toolchain's rustc itself, with what the proxy would give it", () => {
  const args = ["build", "lib.rs", "--helpers", "helpers.c", "-o", "proxy.o", "--rustc-arg=-O", "--rustc-bootstrap"];
  const seenFile = join(dir, "rustc-process");
  const toolchainRustc = () => realpathSync(execFileSync("rustup", ["which", "rustc"], { cwd: dir, encoding: "utf8" }).trim());
  const entryJson = () => {
    const launchDir = join(cache, "build-launch");
    const found = readdirSync(launchDir)
      .filter((f) => /^[0-9a-f]{20}\.json$/.test(f))
      .map((f) => JSON.parse(readFileSync(join(launchDir, f), "utf8")) as { keyText: string; rustc: { file: string; args: string[] }; present: string[] })
      .find((e) => e.keyText.includes("|7:proxy.o|"));
    if (!found) throw new Error("no entry for proxy.o");
    return found;
  };
  const seen = () => {
    const process = parseRustcProcess(readFileSync(seenFile));
    if (!process) throw new Error(`${seenFile} is not a process file`);
    rmSync(seenFile);
    return process;
  };
  /** What rustc sees started through the proxy from this environment (the plugin, with the entry's helpers). */
  const throughProxy = (env: Record<string, string>) => {
    const entry = entryJson();
    const plugin = entry.rustc.args.find((a) => a.startsWith("-Zllvm-plugins="))!;
    const helpersBc = entry.present.find((p) => p.endsWith("/helpers.bc"))!;
    const run = spawnSync("rustc", ["-O", "--crate-type=lib", "--emit=obj", "-o", join(dir, "probe.o"), "lib.rs", plugin], {
      cwd: dir,
      // PWD as the launcher's shell sets it.
      env: { ...launchEnvironment(cache, { ...noServer, ...env }), PWD: dir, RUSTC_BOOTSTRAP: "1", LOCAL_LTO_PLUGIN_PROCESS: seenFile, LOCAL_LTO_PLUGIN_HELPERS: helpersBc },
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    return seen();
  };
  /** rustc's environment without local-lto's own variables and the opt-in, which differ by design. */
  const own = (env: Map<string, string>) => new Map([...env].filter(([name]) => !name.startsWith("LOCAL_LTO_") && name !== "RUSTC_BOOTSTRAP"));

  test("the entry names the toolchain's rustc, and rustc sees exactly the environment the proxy gives it", () => {
    expect(launch(args).decision).toBe("node no-entry");
    expect(realpathSync(entryJson().rustc.file)).toBe(toolchainRustc());
    expect(entryJson().rustc.file).not.toBe(rustcOnPath);
    const repeat = launch(args, { LOCAL_LTO_PLUGIN_PROCESS: seenFile });
    expect(repeat.decision).toBe("replay");
    expect(repeat.code).toBe(0);
    const repeated = seen();
    const proxied = throughProxy({});
    expect(repeated.exe).toBe(toolchainRustc());
    expect(proxied.exe).toBe(toolchainRustc());
    expect(own(repeated.env)).toEqual(own(proxied.env));
    // The proxy did set something: otherwise this compares nothing.
    expect(proxied.env.get("RUSTUP_TOOLCHAIN")).toBeTruthy();
    const object = readFileSync(join(dir, "proxy.o"));
    expect(launch(args, { LOCAL_LTO_NO_REPLAY: "1" }).code).toBe(0);
    expect(readFileSync(join(dir, "proxy.o")).equals(object)).toBe(true);
  });

  test("a variable the proxy's value is made from (LD_LIBRARY_PATH) changed: Node first, then a repeat with the proxy's new value", () => {
    const env = { LD_LIBRARY_PATH: join(dir, "no-such-lib"), LOCAL_LTO_PLUGIN_PROCESS: seenFile };
    expect(launch(args, env).decision).toBe("node stale-entry");
    const again = launch(args, env);
    expect(again.decision).toBe("replay");
    expect(again.code).toBe(0);
    const repeated = seen();
    const proxied = throughProxy({ LD_LIBRARY_PATH: env.LD_LIBRARY_PATH });
    expect(proxied.env.get("LD_LIBRARY_PATH")).toContain(env.LD_LIBRARY_PATH);
    expect(own(repeated.env)).toEqual(own(proxied.env));
    // And back: the entry now expects the new value.
    expect(launch(args).decision).toBe("node stale-entry");
  });

  test("a later first build (another command line) starts the toolchain's rustc too, unless a variable the proxy's values are made from changed", () => {
    const other = args.map((arg) => (arg === "proxy.o" ? "proxy-other.o" : arg));
    const started = (run: Run) => /local-lto:run (\S+) \[/.exec(run.stderr)?.[1];
    const direct = launch(other, { DEBUG: "local-lto:run", LOCAL_LTO_PLUGIN_PROCESS: seenFile });
    expect(direct.decision).toBe("node off");
    expect(direct.code).toBe(0);
    expect(started(direct)).toBe(entryJson().rustc.file);
    expect(own(seen().env)).toEqual(own(throughProxy({ DEBUG: "local-lto:run" }).env));
    const object = readFileSync(join(dir, "proxy-other.o"));
    // Without the remembered answer (and so without what the proxy gives), through the proxy: the same object.
    const proxied = launch(other, { DEBUG: "local-lto:run", LOCAL_LTO_NO_TOOL_CACHE: "1" });
    expect(proxied.code).toBe(0);
    expect(started(proxied)).toBe(rustcOnPath);
    expect(readFileSync(join(dir, "proxy-other.o")).equals(object)).toBe(true);
    const changed = launch(other, { DEBUG: "local-lto:run", LD_LIBRARY_PATH: join(dir, "other-lib") });
    expect(changed.code).toBe(0);
    expect(started(changed)).toBe(rustcOnPath);
  });

  test("the link path's compile (--mode inline, the fallback) and the static path's start the toolchain's rustc too, with the same object as through the proxy", () => {
    const inline = args.map((arg) => (arg === "proxy.o" ? "proxy-inline.o" : arg)).concat(["--mode", "inline"]);
    const compiledBy = (run: Run) => /local-lto:run (\S+) \[.*'--emit=llvm-bc'/.exec(run.stderr)?.[1];
    // Learnt by a plugin-path build in this environment (the last one ran with another LD_LIBRARY_PATH).
    expect(launch(args.map((arg) => (arg === "proxy.o" ? "proxy-learn.o" : arg))).code).toBe(0);
    const direct = launch(inline, { DEBUG: "local-lto:run" });
    expect(direct.code, direct.stderr).toBe(0);
    expect(compiledBy(direct)).toBe(entryJson().rustc.file);
    const object = readFileSync(join(dir, "proxy-inline.o"));
    const proxied = launch(inline, { DEBUG: "local-lto:run", LOCAL_LTO_NO_TOOL_CACHE: "1" });
    expect(proxied.code).toBe(0);
    expect(compiledBy(proxied)).toBe(rustcOnPath);
    expect(readFileSync(join(dir, "proxy-inline.o")).equals(object)).toBe(true);
    // And the static path's (the GCC fallback's) compile.
    const statics = launch(args.map((arg) => (arg === "proxy.o" ? "proxy-static.o" : arg)).concat(["--mode", "static"]), { DEBUG: "local-lto:run" });
    expect(statics.code, statics.stderr).toBe(0);
    expect(/local-lto:run (\S+) \[.*'--emit=obj'/.exec(statics.stderr)?.[1]).toBe(entryJson().rustc.file);
  });
});

// Found by a user trial: the key holds PATH's text, not what it finds.
describe("a rustc that appears earlier on PATH after the first build", () => {
  const early = join(dir, "early-bin");
  const log = join(dir, "early-rustc.log");
  const args = ["build", "lib.rs", "--helpers", "helpers.c", "-o", "path.o", "--rustc-arg=-O", "--rustc-bootstrap"];
  const env = () => ({ PATH: `${early}:${process.env.PATH}` });

  test("sends the repeat to Node, and that rustc is the one used", () => {
    execFileSync("mkdir", ["-p", early]);
    expect(launch(args, env()).code).toBe(0);
    expect(launch(args, env()).decision).toBe("replay");
    const realRustc = execFileSync("rustup", ["which", "rustc"], { cwd: dir, encoding: "utf8" }).trim();
    writeFileSync(join(early, "rustc"), `#!/bin/sh\necho "$@" >>'${log}'\nexec '${realRustc}' "$@"\n`, { mode: 0o755 });
    const shadowed = launch(args, env());
    expect(shadowed.decision).toBe("node stale-entry");
    expect(shadowed.code).toBe(0);
    // The compile itself, not only its questions (-vV, --print sysroot).
    expect(readFileSync(log, "utf8")).toMatch(/-Zllvm-plugins=.* lib\.rs|lib\.rs.*-Zllvm-plugins=/);
  });
});

/** Processes whose command line mentions `text` (rustc started from this test's cache). */
describe("a repeat that does not finish stops its rustc (a crate that takes seconds)", () => {
  const regex = crates.find((c) => c.id === "regex-syntax")!;
  const bigCache = join(dir, "big-cache");
  const args = ["build", regex.source, "--helpers", "helpers.c", ...regex.rustFlags.map((f) => `--rustc-arg=${f}`), "-o", "big.o", "--rustc-bootstrap"];
  // Through the proof server, as by default: a replay's own Node, started beside rustc, has a
  // moment before its handlers in which a stop ends it with no message, and a loaded machine
  // stretched that past this test's wait once (test/e2e/proof-server.test.ts stops the server's).
  const env = { LOCAL_LTO_CACHE_DIR: bigCache, LOCAL_LTO_NO_SERVER: "" };

  test("the first build leaves an entry", () => {
    const first = launch(args, env);
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
  }, 120_000);

  test("an output that became a directory: refused at once, and no rustc of the repeat is left running", () => {
    unlinkSync(join(dir, "big.o"));
    execFileSync("mkdir", [join(dir, "big.o")]);
    const refused = launch(args, env);
    execFileSync("rmdir", [join(dir, "big.o")]);
    expect(refused.decision).toBe("replay");
    expect(refused.stderr).toContain("LLTO_OUTPUT_NOT_REGULAR");
    expect(processesMentioning(join(bigCache, "build-launch"))).toEqual([]);
  }, 120_000);

  /** Starts the repeat, stops it with `name` once rustc runs, and checks that nothing of it is left. */
  async function stopRepeat(name: "SIGINT" | "SIGTERM" | "SIGHUP", status: number, target: "launcher" | "group"): Promise<void> {
    writeFileSync(join(dir, "big.o"), "previous object");
    const { child, exited, stderr } = start(args, env, { detached: target === "group" });
    // Well into rustc's seconds, and past Node's start (its handlers): a stop that reaches Node
    // before it has any ends it as the shell's "Terminated", with no message (seen once on a
    // loaded machine at 500 ms), which is not what this test is about.
    await rustcRunning(bigCache, 1500);
    if (target === "group") process.kill(-child.pid!, name);
    else child.kill(name);
    expect(await exited).toBe(status);
    await new Promise((r) => setTimeout(r, 200));
    expect(stderr()).toContain(`stopped by ${name}; no output was changed`);
    expect(stderr()).not.toContain("built ");
    expect(processesMentioning(join(bigCache, "build-launch"))).toEqual([]);
    expect(readFileSync(join(dir, "big.o"), "utf8")).toBe("previous object");
    expect(readdirSync(dir).filter(isStagingName)).toEqual([]);
    expect(readdirSync(join(bigCache, "build-launch")).filter((f) => f.startsWith("run."))).toEqual([]);
  }

  // To the launcher alone (a parent tool's kill). A user trial found SIGINT stopping only rustc:
  // Node took that for a failed compile, built again and replaced the outputs. The launcher now
  // passes every stop on.
  test.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGHUP", 129],
  ] as const)("%s to the launcher alone: %i, the build stopped with its message, no output changed, no rustc left", async (name, status) => {
    await stopRepeat(name, status, "launcher");
  }, 120_000);

  // Sent to the process group, a stop reaches Node twice (itself, and passed on by the launcher):
  // once is counted, and the cleanup finishes (no staged file left).
  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s to the whole process group (Ctrl-C is SIGINT) stops the repeat, its rustc too, and changes no output", async (name, status) => {
    await stopRepeat(name, status, "group");
  }, 120_000);
});
