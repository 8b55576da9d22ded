/**
 * rustc's `-vV` remembered across builds (src/toolchain/rustcAnswerCache.ts): asked once, then
 * not again while nothing that chose the compiler changed — and asked again when a
 * `rust-toolchain.toml` makes rustup's proxy pick another toolchain, or goes away. Real rustup,
 * stable and nightly toolchains.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli } from "../support/cli.js";
import { exampleDir, tempDir } from "../support/toolchain.js";

const dir = tempDir("llto-rustc-answer-");
const cache = join(dir, "cache");

async function buildHere(name: string): Promise<{ asked: number; rustc: string }> {
  const run = await runCli(
    ["build", join(exampleDir, "lib.rs"), "--helpers", join(exampleDir, "helpers.c"), "--rustc-arg=-O", "--rustc-arg=--crate-type=lib", "--mode", "inline", "--json", "-o", join(dir, `${name}.o`)],
    { cwd: dir, env: { DEBUG: "local-lto:run", LOCAL_LTO_CACHE_DIR: cache, PATH: process.env.PATH!, HOME: process.env.HOME! } },
  );
  expect(run.exitCode, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { toolchain: Record<string, { version?: string }> };
  return { asked: run.stderr.split("\n").filter((l) => l.includes("local-lto:run") && l.includes("'-vV'")).length, rustc: report.toolchain.rustc!.version! };
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

  test("LOCAL_LTO_NO_TOOL_CACHE asks every time", async () => {
    const run = await runCli(["build", join(exampleDir, "lib.rs"), "--helpers", join(exampleDir, "helpers.c"), "--rustc-arg=-O", "--rustc-arg=--crate-type=lib", "--mode", "inline", "-o", join(dir, "e.o")], {
      cwd: dir,
      env: { DEBUG: "local-lto:run", LOCAL_LTO_CACHE_DIR: cache, LOCAL_LTO_NO_TOOL_CACHE: "1", PATH: process.env.PATH!, HOME: process.env.HOME! },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr.split("\n").filter((l) => l.includes("'-vV'"))).toHaveLength(1);
  });
});
