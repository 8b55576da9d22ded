/**
 * Plugin mode (docs/MODES.md): rustc loads local-lto's pass plugin and inlines the helpers itself.
 * Real rustc (stable with --rustc-bootstrap, and nightly when installed), real clang; the proof
 * from the object, the program's output, the mode choice, the caller policy through the plugin's
 * caller-attribute marker, and the refusals.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { BuildOptions } from "../../src/pipeline/types.js";
import { clang, exampleDir, llvmBin, repoRoot, run, tempDir, withoutOptIn } from "../support/toolchain.js";
import { runCli } from "../support/cli.js";
import { listeningServer } from "../support/launcherRuns.js";
import { irCacheFile, verifiedIrText } from "../../src/pipeline/cache/irTextCache.js";

const dir = tempDir("llto-plugin-mode-");
const lib = join(exampleDir, "lib.rs");
const helpers = join(exampleDir, "helpers.c");
const nightly = (() => {
  try {
    return execFileSync("rustup", ["which", "rustc", "--toolchain", "nightly"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
})();

let n = 0;
const out = (name: string) => join(dir, `${name}-${n++}.o`);

function programOutput(object: string): string {
  const exe = `${object}.exe`;
  run(clang, ["-O2", `-I${exampleDir}`, "-o", exe, join(exampleDir, "main.c"), object]);
  return run(exe, []);
}

describe("plugin mode", () => {
  test("stable rustc with --rustc-bootstrap: every helper inlined, none exported, and the program prints what the out-of-line build prints", async () => {
    const object = out("stable");
    const { report } = await build({ rustInput: lib, helperInputs: [helpers], output: object, rustcArgs: ["-O"], mode: "plugin", rustcBootstrap: true, requireInlined: true });
    expect(report.mode).toBe("plugin");
    expect(report.modeReason).toMatch(/RUSTC_BOOTSTRAP=1 for this compile only/);
    expect(report.helpers.length).toBe(9);
    expect(report.summary.callsLeft).toBe(0);
    expect(report.summary.globalHelperSymbols).toBe(0);
    expect(report.helpers.every((h) => h.verdict === "inlined")).toBe(true);

    const rustObject = out("plain");
    const helperObject = out("helpers");
    run("rustc", ["-O", "--crate-type=lib", "--emit=obj", "-o", rustObject, lib]);
    run(clang, ["-O2", "-c", "-o", helperObject, helpers]);
    const exe = join(dir, "out-of-line.exe");
    run(clang, ["-O2", `-I${exampleDir}`, "-o", exe, join(exampleDir, "main.c"), rustObject, helperObject]);
    expect(programOutput(object)).toBe(run(exe, []));
  });

  test("the helpers' IR text is remembered by content: read back instead of running llvm-dis, and a file that does not verify, is for other helpers or is not a file is made again", async () => {
    const cacheDir = join(dir, "ir-cache");
    // The real llvm-dis, counting the disassemblies it is asked for (not --version).
    const runs = join(dir, "llvm-dis-runs.txt");
    const llvmDis = join(dir, "llvm-dis-counting");
    writeFileSync(runs, "");
    writeFileSync(llvmDis, `#!/bin/sh\ncase "$1" in --version) ;; *) echo run >>'${runs}' ;; esac\nexec /usr/lib/llvm-22/bin/llvm-dis "$@"\n`, { mode: 0o755 });
    const disassemblies = () => readFileSync(runs, "utf8").split("\n").filter(Boolean).length;
    const options = { rustInput: lib, helperInputs: [helpers], rustcArgs: ["-O"], mode: "plugin" as const, rustcBootstrap: true, cacheDir, tools: { llvmDis } };
    const first = await build({ ...options, output: out("ir-first") });
    expect(disassemblies()).toBe(1);
    const [name] = readdirSync(join(cacheDir, "ir"));
    const file = join(cacheDir, "ir", name!);
    const key = name!.replace(/\.ll$/, "");
    const text = verifiedIrText(readFileSync(file, "utf8"), key)!;
    expect(text).toMatch(/define .*@rust_helper_refcount_inc/);
    // Another object with the same helpers: the text is read back, the report is the same.
    const second = await build({ ...options, output: out("ir-second") });
    expect(disassemblies()).toBe(1);
    expect(second.report.helpers).toEqual(first.report.helpers);
    expect(second.report.safetyChecks).toEqual(first.report.safetyChecks);
    // Damaged (a byte of the text changed, the header kept): not used, made again.
    writeFileSync(file, readFileSync(file, "utf8").replace("rust_helper_refcount_inc", "rust_helper_refcount_inx"));
    const third = await build({ ...options, output: out("ir-third") });
    expect(disassemblies()).toBe(2);
    expect(third.report.helpers).toEqual(first.report.helpers);
    expect(verifiedIrText(readFileSync(file, "utf8"), key)).toBeDefined();
    // Whole, but made for other helpers (copied onto this key): not used either.
    writeFileSync(file, irCacheFile("0".repeat(64), text.replace(/define [^\n]*@rust_helper_refcount_inc\([^]*?\n}\n/, "")));
    const fourth = await build({ ...options, output: out("ir-fourth") });
    expect(disassemblies()).toBe(3);
    expect(fourth.report.helpers).toEqual(first.report.helpers);
    // A FIFO in its place neither blocks the build nor is read: replaced by the text.
    unlinkSync(file);
    execFileSync("mkfifo", [file]);
    const fifth = await build({ ...options, output: out("ir-fifth") });
    expect(disassemblies()).toBe(4);
    expect(fifth.report.helpers).toEqual(first.report.helpers);
    expect(verifiedIrText(readFileSync(file, "utf8"), key)).toBeDefined();
    // --no-cache: llvm-dis every time.
    await build({ ...options, cacheDir: undefined, helperCache: false, output: out("ir-no-cache") });
    expect(disassemblies()).toBe(5);
  });

  test("-Cincremental: a helper change still reaches the object (helpers prepared first, in a set named by content that rustc tracks)", async () => {
    const incr = join(dir, "incremental");
    const changed = join(dir, "helpers-changed.c");
    // The same helpers with refcount_inc counting by two: the program's output shows which ran.
    writeFileSync(changed, readFileSync(helpers, "utf8").replace(`#include "kernel_style.h"`, `#include "${join(exampleDir, "kernel_style.h")}"`).replace(/refcount_inc\(([^)]*)\);/, "refcount_inc($1); refcount_inc($1);"));
    const args = { rustInput: lib, rustcArgs: ["-O", `-Cincremental=${incr}`], mode: "plugin" as const, rustcBootstrap: true };
    const first = out("incr-a");
    await build({ ...args, helperInputs: [helpers], output: first });
    const second = out("incr-b");
    const { report } = await build({ ...args, helperInputs: [changed], output: second });
    expect(report.summary.callsLeft).toBe(0);
    expect(programOutput(second)).not.toBe(programOutput(first));
  });

  test("auto mode: the link path on stable without the opt-in, the plugin with LOCAL_LTO_RUSTC_BOOTSTRAP=1, never RUSTC_BOOTSTRAP in local-lto's own environment", async () => {
    const linkPath = await build({ rustInput: lib, helperInputs: [helpers], output: out("auto"), rustcArgs: ["-O"], env: { ...process.env, ...withoutOptIn } });
    expect(linkPath.report.mode).toBe("inline");
    const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_LTO_RUSTC_BOOTSTRAP: "1" };
    delete env.RUSTC_BOOTSTRAP;
    const fast = await build({ rustInput: lib, helperInputs: [helpers], output: out("auto-opt-in"), rustcArgs: ["-O"], env });
    expect(fast.report.mode).toBe("plugin");
    expect(process.env.RUSTC_BOOTSTRAP).toBeUndefined();
  });

  test.skipIf(!nightly)("nightly rustc: auto mode takes the plugin path with no opt-in", async () => {
    const object = out("nightly");
    const { report } = await build({ rustInput: lib, helperInputs: [helpers], output: object, rustcArgs: ["-O"], tools: { rustc: nightly }, requireInlined: true });
    expect(report.mode).toBe("plugin");
    expect(report.modeReason).not.toMatch(/RUSTC_BOOTSTRAP/);
    expect(report.summary.callsLeft).toBe(0);
  });

  test("--mode plugin on stable without the opt-in: exit 6, the cause and both fixes", async () => {
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", out("refused"), "--mode", "plugin"], { env: { LOCAL_LTO_RUSTC_BOOTSTRAP: "" } });
    expect(cli.exitCode).toBe(6);
    expect(cli.stderr).toContain("error[LLTO_PLUGIN_UNAVAILABLE]");
    expect(cli.stderr).toMatch(/fix: pass --rustc-bootstrap .* or use a nightly rustc/);
  });

  test("a crate that calls no helper: the object is byte-identical to plain rustc --emit=obj's", async () => {
    const source = join(dir, "plain.rs");
    writeFileSync(source, "#[no_mangle]\npub extern \"C\" fn twice(x: u32) -> u32 { x.wrapping_mul(2) }\npub fn table(i: usize) -> u8 { [3u8, 1, 4, 1, 5][i % 5] }\n");
    const ours = out("no-helper");
    await build({ rustInput: source, helperInputs: [helpers], output: ours, rustcArgs: ["-O"], mode: "plugin", rustcBootstrap: true });
    const theirs = out("no-helper-rustc");
    run("rustc", ["-O", "--crate-type=lib", "--emit=obj", "-o", theirs, source]);
    expect(readFileSync(ours).equals(readFileSync(theirs))).toBe(true);
  });

  test.each([
    ["1", []],
    // A list naming the crate, as rustc matches it (--crate-name): also the opt-in, no --rustc-bootstrap needed.
    ["other,bootstrapped", ["--rustc-arg=--crate-name=bootstrapped"]],
  ])("an environment that already sets RUSTC_BOOTSTRAP=%s: byte-identical to plain rustc's in it (v0 names, no pin)", async (value, crateName) => {
    // Stable 1.95 mangles v0 under RUSTC_BOOTSTRAP=1 (a Makefile that exports it, as the kernel's
    // does): plain rustc in that environment is the yardstick, so the legacy pin must not be added.
    const source = join(dir, "bootstrapped.rs");
    writeFileSync(source, "#[inline(never)]\npub fn table(i: usize) -> u8 { [3u8, 1, 4, 1, 5][i % 5] }\n");
    const theirs = out("bootstrapped-rustc");
    execFileSync("rustc", ["-O", "--crate-type=lib", "--crate-name=bootstrapped", "--emit=obj", "-o", theirs, source], { env: { ...process.env, RUSTC_BOOTSTRAP: value } });
    expect(execFileSync(`${llvmBin}/llvm-nm`, [theirs], { encoding: "utf8" })).toMatch(/ T _R\w*table/);
    const launcher = join(repoRoot, "bin/local-lto");
    const ours = out("bootstrapped");
    const served = out("bootstrapped-prepared");
    // Node's first build (no proof server), the launcher's repeat, and a first build the proof server prepares.
    // (The last only with the proof server's client, which `npm run build` compiles where a C compiler is.)
    const passes = existsSync(join(repoRoot, "dist/bundle/proof-client")) ? (["node", "replay", "prepared"] as const) : (["node", "replay"] as const);
    for (const pass of passes) {
      if (pass === "prepared") await listeningServer(process.env.LOCAL_LTO_CACHE_DIR!);
      const cli = spawnSync(launcher, ["build", source, "--helpers", helpers, "--rustc-arg=-O", ...crateName, "-o", pass === "prepared" ? served : ours, "--mode", "plugin"], {
        env: { ...process.env, RUSTC_BOOTSTRAP: value, LOCAL_LTO_LAUNCHER_TRACE: "1", ...(pass === "node" ? { LOCAL_LTO_NO_SERVER: "1" } : {}) },
        encoding: "utf8",
      });
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.stderr, pass).toMatch({ node: /launcher: build node/, replay: /launcher: build replay/, prepared: /proof-server prepared\n.*launcher: build replay/ }[pass]);
      expect(readFileSync(pass === "prepared" ? served : ours).equals(readFileSync(theirs)), pass).toBe(true);
    }
  });

  test("kernel flags: the caller policy reaches the plugin (callers take null_pointer_is_valid) and every call is inlined; keep leaves calls explained by rustc's own remarks", async () => {
    const fixture = join(repoRoot, "test/fixtures/kernel-like");
    const flags = JSON.parse(readFileSync(join(fixture, "flags.json"), "utf8")) as { cFlags: string[]; rustcFlags: string[]; runnable: { cFlags: string[]; rustcFlags: string[] } };
    const options = (policy: "caller" | "keep"): BuildOptions => ({
      rustInput: join(fixture, "lib.rs"),
      helperInputs: [join(fixture, "helpers.c")],
      output: out(`kernel-${policy}`),
      rustcArgs: [...flags.rustcFlags, ...flags.runnable.rustcFlags],
      ccArgs: [...flags.cFlags, ...flags.runnable.cFlags],
      mode: "plugin",
      rustcBootstrap: true,
      nullPointerPolicy: policy,
      // The corpus is #![no_core]: rustc needs its feature gates (the kernel builds this way too).
      env: { ...process.env, RUSTC_BOOTSTRAP: "1" },
    });
    const caller = (await build(options("caller"))).report;
    expect(caller.reconciliation?.some((line) => /every Rust caller of rust_helper_\w+: null_pointer_is_valid added/.test(line))).toBe(true);
    const keep = (await build(options("keep"))).report;
    const keptLeft = keep.helpers.filter((h) => h.callsLeft > 0);
    expect(keptLeft.length).toBeGreaterThan(0);
    for (const h of keptLeft) {
      expect(h.reasons?.length, h.name).toBeGreaterThan(0);
      // A reason from LLVM's own remark agrees by construction; a call LLVM never considered says so.
      expect(h.reasons!.every((r) => (r.llvmRemark ? r.llvmAgrees === true : /no inlining remark/.test(r.reason)))).toBe(true);
    }
    expect(caller.summary.callsLeft).toBeLessThan(keep.summary.callsLeft);
  });

  test("a helper the crate also defines is refused (the plugin links by declaration)", async () => {
    const source = join(dir, "dup.rs");
    const helper = join(dir, "dup.c");
    writeFileSync(helper, "int rust_helper_twice(int x) { return 2 * x; }\n");
    writeFileSync(source, 'extern "C" { fn rust_helper_twice(x: i32) -> i32; }\n#[no_mangle]\npub extern "C" fn rust_helper_twice_wrapper(x: i32) -> i32 { unsafe { rust_helper_twice(x) } }\n#[no_mangle]\npub extern "C" fn rust_helper_twice_other(x: i32) -> i32 { x }\n');
    writeFileSync(helper, "int rust_helper_twice(int x) { return 2 * x; }\nint rust_helper_twice_other(int x) { return x; }\n");
    await expect(build({ rustInput: source, helperInputs: [helper], output: out("dup"), rustcArgs: ["-O"], mode: "plugin", rustcBootstrap: true })).rejects.toMatchObject({ code: "LLTO_UNSAFE_HELPERS", message: expect.stringContaining("rust_helper_twice_other") });
  });
});
