import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { exitCodes } from "../../src/diagnostics/errors.js";
import { callsBeforeCell, clang, exampleDir, repoRoot, run, tempDir } from "../support/toolchain.js";
import { runCli } from "../support/cli.js";
import { isStagingName } from "../../src/pipeline/workspace.js";

const lib = join(exampleDir, "lib.rs");
const helpers = join(exampleDir, "helpers.c");
const errorsDir = join(repoRoot, "test/fixtures/errors");

/** Each failure is one `error[CODE]` line and one `fix:` line (plus tool output for compiler errors). */
function expectOneDiagnostic(stderr: string, code: string): void {
  const errorLines = stderr.split("\n").filter((l) => l.startsWith("error["));
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toContain(`error[${code}]`);
  expect(stderr).toMatch(/\n {2}fix: \S/);
  expect(stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
}

describe("bad input gets one clear error, and no output is left", () => {
  const dir = tempDir();

  async function buildFails(args: string[], code: string, exit: number, output = join(dir, "out.o")) {
    const cli = await runCli(["build", ...args, "-o", output]);
    expectOneDiagnostic(cli.stderr, code);
    expect(cli.exitCode).toBe(exit);
    expect(readdirSync(dir).filter(isStagingName)).toEqual([]);
    return cli;
  }

  test("a missing tool names the tool and the package", async () => {
    const cli = await buildFails([lib, "--helpers", helpers, "--llvm-link=/nonexistent/llvm-link"], "LLTO_TOOL_MISSING", exitCodes.toolMissing);
    expect(cli.stderr).toContain("/nonexistent/llvm-link");
  });

  test("LLVM tools older than rustc's LLVM: the mismatch and the exact fix", async () => {
    const cli = await buildFails([lib, "--helpers", helpers, "--mode", "inline", "--llvm-link=/usr/lib/llvm-14/bin/llvm-link"], "LLTO_LLVM_MISMATCH", exitCodes.toolchainMismatch);
    expect(cli.stderr).toMatch(/llvm-link at \/usr\/lib\/llvm-14\/bin\/llvm-link is LLVM 14, but rustc 1\.\d+ uses LLVM 22/);
    expect(cli.stderr).toContain("apt-get install llvm-22");
  });

  test("clang newer than the LLVM tools: the message names the clang whose bitcode cannot be read", async () => {
    const cli = await buildFails([lib, "--helpers", helpers, "--mode", "inline", "--llvm-link=/usr/lib/llvm-14/bin/llvm-link", "--opt=/usr/lib/llvm-14/bin/opt"], "LLTO_LLVM_MISMATCH", exitCodes.toolchainMismatch);
    expect(cli.stderr).toMatch(/rustc 1\.\d+ and clang-22 write bitcode that llvm-link 14 cannot read/);
  });

  test("an empty input", async () => {
    const empty = join(dir, "empty.bc");
    writeFileSync(empty, "");
    await buildFails([empty, "--helpers", helpers], "LLTO_INPUT_EMPTY", exitCodes.invalidInput);
  });

  test("a missing input and a directory given as input", async () => {
    await buildFails([join(dir, "nope.rs"), "--helpers", helpers], "LLTO_INPUT_UNREADABLE", exitCodes.unreadablePath);
    const folder = join(dir, "folder.rs");
    mkdirSync(folder, { recursive: true });
    await buildFails([folder, "--helpers", helpers], "LLTO_INPUT_NOT_FILE", exitCodes.unreadablePath);
  });

  test("corrupt bitcode (valid magic, garbage after)", async () => {
    const corrupt = join(dir, "corrupt.bc");
    writeFileSync(corrupt, Buffer.concat([Buffer.from([0x42, 0x43, 0xc0, 0xde]), Buffer.alloc(64, 0x5a)]));
    const cli = await buildFails([lib, "--helpers", corrupt], "LLTO_INPUT_CORRUPT", exitCodes.invalidInput);
    expect(cli.stderr).toContain("corrupt.bc");
  });

  test("a file named .bc that is not bitcode, and an ELF object given as source", async () => {
    const text = join(dir, "text.bc");
    writeFileSync(text, "hello\n");
    await buildFails([lib, "--helpers", text], "LLTO_INPUT_CORRUPT", exitCodes.invalidInput);
    const object = join(dir, "helpers.o");
    run(clang, ["-c", "-o", object, helpers]);
    await buildFails([lib, "--helpers", object], "LLTO_INPUT_FOREIGN", exitCodes.invalidInput);
  });

  test("a Rust compile error shows rustc's own message", async () => {
    const cli = await buildFails([join(errorsDir, "syntax_error.rs"), "--helpers", helpers], "LLTO_RUSTC_FAILED", exitCodes.compileFailed);
    expect(cli.stderr).toContain("syntax_error.rs:1");
  });

  test("a C compile error shows clang's own message", async () => {
    const cli = await buildFails([lib, "--helpers", join(errorsDir, "syntax_error.c")], "LLTO_CC_FAILED", exitCodes.compileFailed);
    expect(cli.stderr).toContain("undeclared_name");
  });

  test("helpers for another architecture are refused; a vendor-only difference is silent", async () => {
    const arm = join(dir, "helpers-aarch64.bc");
    run(clang, ["--target=aarch64-linux-gnu", "-ffreestanding", "-O2", "-c", "-emit-llvm", "-o", arm, helpers, `-I${exampleDir}`]);
    const cli = await buildFails([lib, "--helpers", arm], "LLTO_TARGET_MISMATCH", exitCodes.targetMismatch);
    expect(cli.stderr).toMatch(/aarch64/);

    const pc = join(dir, "helpers-pc.bc");
    run(clang, ["--target=x86_64-pc-linux-gnu", "-O2", "-c", "-emit-llvm", "-o", pc, helpers]);
    const ok = await runCli(["build", lib, "--helpers", pc, "-o", join(dir, "vendor.o"), "--rustc-arg=-O"]);
    expect(ok.stderr).toBe("");
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain("every helper call inlined");
  });

  test("a failed build leaves an existing object untouched", async () => {
    const output = join(dir, "keep.o");
    writeFileSync(output, "previous object");
    await buildFails([lib, "--helpers", join(errorsDir, "syntax_error.c")], "LLTO_CC_FAILED", exitCodes.compileFailed, output);
    expect(readFileSync(output, "utf8")).toBe("previous object");
  });

  test("--require-inlined refuses to write an object with a call left", async () => {
    // A helper marked noinline can never be inlined.
    const noinline = join(dir, "noinline.c");
    writeFileSync(noinline, "__attribute__((noinline)) unsigned long rust_helper_mix(unsigned long x) { return x * 3; }\n");
    const output = join(dir, "required.o");
    const cli = await runCli(["build", join(repoRoot, "test/fixtures/codegen/table.rs"), "--helpers", noinline, "-o", output, "--rustc-arg=-O", "--require-inlined"]);
    expect(cli.exitCode).toBe(exitCodes.helperCallsLeft);
    expectOneDiagnostic(cli.stderr, "LLTO_CALLS_LEFT");
    expect(cli.stdout).toMatch(new RegExp(`rust_helper_mix\\s+${callsBeforeCell(1)}\\s+1\\s+local`));
    expect(existsSync(output)).toBe(false);
  });

  test("an unwritable output directory", async () => {
    await buildFails([lib, "--helpers", helpers], "LLTO_OUTPUT_UNWRITABLE", exitCodes.unreadablePath, join(dir, "no-such-dir", "out.o"));
  });

  test("a rustc flag that would fight over the output is refused", async () => {
    await buildFails([lib, "--helpers", helpers, "--rustc-arg=--emit=obj"], "LLTO_RUSTC_ARG_OWNED", exitCodes.usage);
  });

  test("unknown options are usage errors with exit 2, one error[LLTO_USAGE] line and a fix (a user trial: commander's text and the whole help)", async () => {
    for (const [args, message] of [
      [["build", "lib.rs", "-o", "x.o", "--no-such-flag"], "error[LLTO_USAGE]: unknown option '--no-such-flag'"],
      [["--no-such-flag"], "error[LLTO_USAGE]: unknown option '--no-such-flag'"],
      [["inspect", "x.o", "--no-such-flag"], "error[LLTO_USAGE]: unknown option '--no-such-flag'"],
      [["build", "lib.rs"], "error[LLTO_USAGE]: required option '-o, --output <file>' not specified"],
    ] as const) {
      const cli = await runCli([...args]);
      expect(cli.exitCode).toBe(exitCodes.usage);
      expect(cli.stderr.trimEnd()).toBe(`${message}\n  fix: see \`local-lto --help\`, or \`local-lto <command> --help\` for a command's options`);
    }
  });
});
