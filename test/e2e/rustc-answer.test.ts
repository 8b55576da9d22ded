/**
 * rustc's `-vV` remembered across builds (src/toolchain/rustcAnswerCache.ts): asked once, then
 * not again while nothing that chose the compiler changed — and asked again when a
 * `rust-toolchain.toml` makes rustup's proxy pick another toolchain, or goes away. Real rustup,
 * stable and nightly toolchains.
 */
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli } from "../support/cli.js";
import { exampleDir, tempDir } from "../support/toolchain.js";
import { rustupSelectionFiles } from "../../src/toolchain/rustupSelection.js";

const dir = tempDir("llto-rustc-answer-");
const cache = join(dir, "cache");

async function buildHere(name: string, extraEnv: Record<string, string> = {}): Promise<{ asked: number; rustc: string }> {
  const run = await runCli(
    ["build", join(exampleDir, "lib.rs"), "--helpers", join(exampleDir, "helpers.c"), "--rustc-arg=-O", "--rustc-arg=--crate-type=lib", "--mode", "inline", "--json", "-o", join(dir, `${name}.o`)],
    { cwd: dir, env: { DEBUG: "local-lto:run", LOCAL_LTO_CACHE_DIR: cache, PATH: process.env.PATH!, HOME: process.env.HOME!, ...extraEnv } },
  );
  expect(run.exitCode, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { toolchain: Record<string, { version?: string }> };
  return { asked: run.stderr.split("\n").filter((l) => l.includes("local-lto:run") && l.includes("'-vV'")).length, rustc: report.toolchain.rustc!.version! };
}

/** Builds on stable (the answer asked for), again (remembered), and after `toNightly` (asked again: nightly's answer). */
async function expectAskedAgainAfter(name: string, env: Record<string, string>, toNightly: () => void): Promise<void> {
  expect((await buildHere(`${name}-a`, env)).rustc).toMatch(/^rustc 1\.95\./);
  expect((await buildHere(`${name}-b`, env)).asked).toBe(0);
  toNightly();
  const after = await buildHere(`${name}-c`, env);
  expect(after.asked).toBe(1);
  expect(after.rustc).toMatch(/^rustc 1\.97\.0-nightly/);
}

const realRustupHome = process.env.RUSTUP_HOME || join(homedir(), ".rustup");
const toolchainDir = (channel: string) => join(realRustupHome, "toolchains", `${channel}-x86_64-unknown-linux-gnu`);

/** A RUSTUP_HOME of this test's own, with the machine's settings: links made in it change nothing else. */
function privateRustupHome(name: string): string {
  const home = join(dir, name);
  mkdirSync(home);
  copyFileSync(join(realRustupHome, "settings.toml"), join(home, "settings.toml"));
  return home;
}

function linkToolchain(rustupHome: string, name: string, target: string): void {
  execFileSync("rustup", ["toolchain", "link", name, target], { env: { ...process.env, RUSTUP_HOME: rustupHome } });
}

describe("rustc's answer is remembered while what chose the compiler holds", () => {
  test("asked once; a rust-toolchain.toml appearing or going away is asked again, and its toolchain is the one used", async () => {
    const first = await buildHere("a");
    expect(first.asked).toBe(1);
    expect(first.rustc).toMatch(/^rustc 1\.95\./);

    const again = await buildHere("b");
    expect(again).toEqual({ asked: 0, rustc: first.rustc });

    writeFileSync(join(dir, "rust-toolchain.toml"), '[toolchain]\nchannel = "nightly"\n');
    const nightly = await buildHere("c");
    expect(nightly.asked).toBe(1);
    expect(nightly.rustc).toMatch(/^rustc 1\.97\.0-nightly/);

    rmSync(join(dir, "rust-toolchain.toml"));
    const back = await buildHere("d");
    expect(back).toEqual({ asked: 1, rustc: first.rustc });
  });

  // Found by a user trial: the toolchain a name links to is rustup's choice too.
  test("a toolchain name re-pointed with `rustup toolchain link` (a private RUSTUP_HOME) is asked again", async () => {
    const rustupHome = privateRustupHome("rustup-home");
    const link = (channel: string) => linkToolchain(rustupHome, "dev", toolchainDir(channel));
    const env = { RUSTUP_HOME: rustupHome, RUSTUP_TOOLCHAIN: "dev" };
    link("stable");
    await expectAskedAgainAfter("link", env, () => link("nightly"));
  });

  // Found by a user trial: a linked toolchain whose target is itself a link, moved further along.
  test("a toolchain linked through a link that is then re-pointed (a private RUSTUP_HOME) is asked again", async () => {
    const rustupHome = privateRustupHome("rustup-home-chain");
    const along = join(dir, "toolchain-along");
    const point = (channel: string) => {
      rmSync(along, { force: true });
      symlinkSync(toolchainDir(channel), along);
    };
    point("stable");
    linkToolchain(rustupHome, "chain", along);
    const env = { RUSTUP_HOME: rustupHome, RUSTUP_TOOLCHAIN: "chain" };
    await expectAskedAgainAfter("chain", env, () => point("nightly"));
  });

  // Found by a user trial: the plugin's load check ran in the plugin's directory, where the proxy
  // chose the default toolchain, not the project's.
  test("a nightly chosen by the directory's rust-toolchain.toml: the plugin is built for it and load-checked with it", async () => {
    const project = join(dir, "nightly-project");
    mkdirSync(project);
    writeFileSync(join(project, "rust-toolchain.toml"), '[toolchain]\nchannel = "nightly"\n');
    const run = await runCli(
      ["build", join(exampleDir, "lib.rs"), "--helpers", join(exampleDir, "helpers.c"), "--rustc-arg=-O", "--rustc-arg=--crate-type=lib", "--mode", "plugin", "--json", "-o", join(project, "n.o")],
      { cwd: project, env: { LOCAL_LTO_CACHE_DIR: cache, LOCAL_LTO_PLUGIN_DIR: join(dir, "fresh-plugins"), PATH: process.env.PATH!, HOME: process.env.HOME! } },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { mode: string; toolchain: Record<string, { version?: string }> };
    expect(report.mode).toBe("plugin");
    expect(report.toolchain.rustc!.version).toMatch(/^rustc 1\.97\.0-nightly/);
  });

  test("without HOME, rustup's own home (the password database's) is what is watched", () => {
    const watched = rustupSelectionFiles(dir, {});
    expect([...watched.present, ...watched.absent]).toContain(join(userInfo().homedir, ".rustup", "settings.toml"));
  });

  test("LOCAL_LTO_NO_TOOL_CACHE asks every time", async () => {
    const run = await runCli(["build", join(exampleDir, "lib.rs"), "--helpers", join(exampleDir, "helpers.c"), "--rustc-arg=-O", "--rustc-arg=--crate-type=lib", "--mode", "inline", "-o", join(dir, "e.o")], {
      cwd: dir,
      env: { DEBUG: "local-lto:run", LOCAL_LTO_CACHE_DIR: cache, LOCAL_LTO_NO_TOOL_CACHE: "1", PATH: process.env.PATH!, HOME: process.env.HOME! },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr.split("\n").filter((l) => l.includes("'-vV'"))).toHaveLength(1);
  });
});
