/**
 * SIGINT, SIGTERM and SIGHUP during a build (docs/SAFETY.md, "what local-lto guarantees about
 * your files"): the compilers local-lto started are stopped, its temporary directory and staged
 * files are removed, the old output is intact, and it exits with 128 + the signal's number.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { isStagingName } from "../../src/pipeline/workspace.js";
import { cliPath, exampleDir, tempDir } from "../support/toolchain.js";

/** A crate large enough that rustc is still running when the signal arrives (several seconds at -O). */
const regexSyntax = "/usr/share/cargo/registry/regex-syntax-0.6.27/src/lib.rs";

function processesMentioning(marker: string): string[] {
  try {
    return execFileSync("pgrep", ["-f", marker], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe("a signal stops the build and leaves every file as it was", () => {
  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)("%s: children stopped, temporary files removed, old output intact, exit %i", async (signal, exit) => {
    const dir = tempDir("llto-signal-");
    const privateTmp = join(dir, "tmp");
    mkdirSync(privateTmp);
    const output = join(dir, "out.o");
    writeFileSync(output, "the previous object\n");
    const child = spawn(
      process.execPath,
      [cliPath, "build", regexSyntax, "--helpers", join(exampleDir, "helpers.c"), "--rustc-arg=-O", "--rustc-arg=--edition=2018", "--rustc-arg=--crate-name=regex_syntax", "--rustc-arg=--cap-lints=allow", "-o", output, "--report", join(dir, "r.json"), "--no-cache"],
      { env: { ...process.env, TMPDIR: privateTmp, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // rustc writes into the build's workspace under TMPDIR: wait until it runs.
    expect(await waitFor(() => processesMentioning(privateTmp).some((pid) => Number(pid) !== child.pid), 20_000)).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(exit);
    expect(stderr).toContain(`stopped by ${signal}`);
    expect(processesMentioning(privateTmp)).toEqual([]);
    expect(readdirSync(privateTmp)).toEqual([]);
    expect(readFileSync(output, "utf8")).toBe("the previous object\n");
    expect(readdirSync(dir).filter(isStagingName)).toEqual([]);
    expect(readdirSync(dir)).not.toContain("r.json");
  });
});
