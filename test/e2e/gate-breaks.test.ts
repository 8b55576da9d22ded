/**
 * The gate cannot pass over a broken pipeline (issue "never a false proof"): each case breaks
 * inlining on purpose and asserts `--require-inlined` fails, naming the helper, with no object
 * written. (A function the decoder cannot walk completely: test/elf/verdicts.test.ts.)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { repoRoot, tempDir } from "../support/toolchain.js";
import { runCli } from "../support/cli.js";

const dir = tempDir("llto-gate-breaks-");
const rust = (name: string, body: string) => {
  const path = join(dir, `${name}.rs`);
  writeFileSync(path, body);
  return path;
};
const c = (name: string, body: string) => {
  const path = join(dir, `${name}.c`);
  writeFileSync(path, body);
  return path;
};
const callsTwice = 'extern "C" { fn rust_helper_twice(x: i32) -> i32; }\n#[no_mangle]\npub extern "C" fn f(x: i32) -> i32 { unsafe { rust_helper_twice(x) } }\n';

async function gate(args: string[], output: string) {
  const cli = await runCli(["build", ...args, "-o", output, "--rustc-arg=-O", "--require-inlined", "--mode", "inline"]);
  expect(existsSync(output)).toBe(false);
  return cli;
}

describe("a broken pipeline fails the gate", () => {
  test("a noinline helper: exit 10, the helper named", async () => {
    const cli = await gate([rust("noinline", callsTwice), "--helpers", c("noinline", "__attribute__((noinline)) int rust_helper_twice(int x) { return 2 * x; }\n")], join(dir, "noinline.o"));
    expect(cli.exitCode).toBe(10);
    expect(cli.stderr).toMatch(/error\[LLTO_CALLS_LEFT\].*rust_helper_twice/);
  });

  test("a helper the Rust code declares and no input defines: its call counts as left", async () => {
    const cli = await gate([rust("missing", callsTwice), "--helpers", c("other", "int rust_helper_other(int x) { return x; }\n")], join(dir, "missing.o"));
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toMatch(/rust_helper_twice/);
  });

  test("no helper selected at all: nothing is proven, exit 12", async () => {
    const cli = await gate([rust("none", '#[no_mangle]\npub extern "C" fn f(x: i32) -> i32 { x + 1 }\n'), "--helpers", c("unused", "int rust_helper_unused(int x) { return x; }\n")], join(dir, "none.o"));
    expect(cli.exitCode).toBe(12);
    expect(cli.stderr).toContain("error[LLTO_NOTHING_CHECKED]");
  });

  test("reconciliation off on the kernel-like corpus (attribute noise blocks inlining): exit 10", async () => {
    const fixture = join(repoRoot, "test/fixtures/kernel-like");
    const flags = JSON.parse(readFileSync(join(fixture, "flags.json"), "utf8")) as { cFlags: string[]; rustcFlags: string[]; runnable: { cFlags: string[]; rustcFlags: string[] } };
    const output = join(dir, "kernel.o");
    const cli = await runCli(
      [
        "build",
        join(fixture, "lib.rs"),
        "--helpers",
        join(fixture, "helpers.c"),
        ...[...flags.rustcFlags, ...flags.runnable.rustcFlags].map((f) => `--rustc-arg=${f}`),
        ...[...flags.cFlags, ...flags.runnable.cFlags].map((f) => `--cc-arg=${f}`),
        "--reconcile=off",
        "--require-inlined",
        "--mode",
        "inline",
        "-o",
        output,
      ],
      { env: { RUSTC_BOOTSTRAP: "1" } },
    );
    expect(cli.exitCode).toBe(10);
    expect(cli.stderr).toContain("error[LLTO_CALLS_LEFT]");
    expect(existsSync(output)).toBe(false);
  });
});
