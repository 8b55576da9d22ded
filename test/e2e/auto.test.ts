import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { exitCodes } from "../../src/diagnostics/errors.js";
import { reportSchema, type Report } from "../../src/report/schema.js";
import { clang, exampleDir, run, tempDir, withoutOptIn } from "../support/toolchain.js";
import { runCli, type CliRun } from "../support/cli.js";

const lib = join(exampleDir, "lib.rs");
const helpers = join(exampleDir, "helpers.c");
const main = join(exampleDir, "main.c");

/** rustc 1.95 writes LLVM 22 bitcode; these tools read at most LLVM 14's. */
const llvm14Tools = ["llvm-link", "opt", "llc", "llvm-dis"].map((t) => `--${t}=/usr/lib/llvm-14/bin/${t}`);
/** An LLVM 19 installation with its clang: everything older than rustc's LLVM. */
const llvm19Tools = ["llvm-link", "opt", "llc", "llvm-dis"].map((t) => `--${t}=/usr/lib/llvm-19/bin/${t}`);

/** Whatever the situation, local-lto answers with a documented exit code and one diagnostic, never an internal error. */
function expectNoCrash(cli: CliRun): void {
  expect(cli.exitCode).not.toBe(exitCodes.internal);
  expect(cli.stderr).not.toContain("internal error");
}

function expectOneError(cli: CliRun, code: string, exit: number): void {
  expectNoCrash(cli);
  expect(cli.exitCode).toBe(exit);
  expect(cli.stderr.split("\n").filter((l) => l.startsWith("error["))).toEqual([expect.stringContaining(`error[${code}]`)]);
}

describe("--mode auto picks the mode from the toolchain and says why", () => {
  const dir = tempDir("llto-auto-");

  async function buildJson(args: string[], output = join(dir, `out-${Math.random().toString(36).slice(2)}.o`)): Promise<{ cli: CliRun; report: Report; output: string }> {
    // Auto mode's choice on stable rustc without the plugin path's opt-in (plugin-mode.test.ts has the rest).
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", output, "--rustc-arg=-O", "--json", ...args], { env: withoutOptIn });
    expectNoCrash(cli);
    expect(cli.exitCode, cli.stderr).toBe(0);
    return { cli, report: reportSchema.parse(JSON.parse(cli.stdout)), output };
  }

  test("rustc's LLVM 22 with clang-22 and the LLVM 22 tools: inline (the default mode)", async () => {
    const { report } = await buildJson([]);
    expect(report.mode).toBe("inline");
    expect(report.modeReason).toBe("auto: clang 22 and LLVM 22 tools match rustc's LLVM");
    expect(report.summary.allInlined).toBe(true);
  });

  test("clang-19 as --cc: older than LLVM 22, whose tools read its bitcode, so it still inlines", async () => {
    const { report } = await buildJson(["--cc", "clang-19"]);
    expect(report.mode).toBe("inline");
    expect(report.modeReason).toBe("auto: clang 19 and LLVM 22 tools match rustc's LLVM");
    expect(report.toolchain?.clang?.path).toBe("/usr/bin/clang-19");
    expect(report.summary).toMatchObject({ allInlined: true, globalHelperSymbols: 0 });
  });

  test("clang-19 given with --clang inlines too", async () => {
    const { report } = await buildJson(["--clang=/usr/lib/llvm-19/bin/clang"]);
    expect(report.mode).toBe("inline");
    expect(report.summary.allInlined).toBe(true);
  });

  test("LLVM 14 tools, older than rustc's bitcode: static mode, the reason, and the command that enables inline mode", async () => {
    const { cli, report, output } = await buildJson(llvm14Tools);
    expect(report.mode).toBe("static");
    expect(report.modeReason).toBe("auto: llvm-link is LLVM 14, rustc uses LLVM 22; inline mode needs apt-get install llvm-22");
    expect(report.notes[0]).toMatch(/^inline mode was not available: llvm-link at \/usr\/lib\/llvm-14\/bin\/llvm-link is LLVM 14, .*; to enable it: install llvm-22 \(Debian: apt-get install llvm-22\)/);
    expect(cli.stderr).toMatch(/^note: building in static mode \(helpers linked in and made local, not inlined\): llvm-link at \/usr\/lib\/llvm-14/);
    expect(report.summary).toMatchObject({ helpers: 9, globalHelperSymbols: 0 });
    expect(report.helpers.every((h) => h.symbol === "local")).toBe(true);
    run(clang, ["-O2", `-I${exampleDir}`, "-o", join(dir, "fallback"), main, output]);
    expect(run(join(dir, "fallback"), [])).toContain("refcount: 1 zero crossing(s), final count 0");
  });

  test("the terminal's first line says which mode ran and why", async () => {
    const output = join(dir, "table.o");
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", output, "--rustc-arg=-O", ...llvm14Tools]);
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout.split("\n")[0]).toBe(`built ${output} (mode: static, auto: llvm-link is LLVM 14, rustc uses LLVM 22; inline mode needs apt-get install llvm-22)`);
  });

  test("only LLVM 19 and clang-19 at hand: static mode, helpers built by clang-19", async () => {
    const { report } = await buildJson(["--cc", "clang-19", ...llvm19Tools]);
    expect(report.mode).toBe("static");
    expect(report.modeReason).toContain("llvm-link is LLVM 19, rustc uses LLVM 22");
    expect(Object.keys(report.toolchain ?? {})).toContain("clang-19");
    expect(report.summary.globalHelperSymbols).toBe(0);
  });

  test("gcc as --cc: static mode, and the clang that would inline", async () => {
    const { report } = await buildJson(["--cc", "gcc"]);
    expect(report.mode).toBe("static");
    expect(report.modeReason).toBe("auto: --cc gcc is GCC 12, which writes no LLVM bitcode; inline mode needs --cc=clang-22");
  });
});

describe("when inline mode is required, the doctor's explanation instead of a fallback", () => {
  const dir = tempDir("llto-auto-fail-");

  test("--mode inline with LLVM 14 tools: exit 6, the fix, no object", async () => {
    const output = join(dir, "inline.o");
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", output, "--mode", "inline", ...llvm14Tools]);
    expectOneError(cli, "LLTO_LLVM_MISMATCH", exitCodes.toolchainMismatch);
    expect(cli.stderr).toContain("llvm-link at /usr/lib/llvm-14/bin/llvm-link is LLVM 14, but rustc 1.95 uses LLVM 22");
    expect(cli.stderr).toContain("apt-get install llvm-22");
    expect(existsSync(output)).toBe(false);
  });

  test("--mode inline --cc gcc: exit 6 and the clang to use", async () => {
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", join(dir, "gcc.o"), "--mode", "inline", "--cc", "gcc"]);
    expectOneError(cli, "LLTO_CC_NOT_CLANG", exitCodes.toolchainMismatch);
    expect(cli.stderr).toContain("--cc=clang-22");
  });

  test("--require-inlined keeps auto mode from falling back to a build it would refuse", async () => {
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", join(dir, "required.o"), "--require-inlined", ...llvm14Tools]);
    expectOneError(cli, "LLTO_LLVM_MISMATCH", exitCodes.toolchainMismatch);
    expect(cli.stderr).toContain("--require-inlined needs inline mode");
  });

  test("a tool path that does not exist is reported, not worked around", async () => {
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", join(dir, "typo.o"), "--llvm-link=/nonexistent/llvm-link"]);
    expectOneError(cli, "LLTO_TOOL_MISSING", exitCodes.toolMissing);
  });

  test("Rust bitcode with LLVM 14 tools fails clearly (6); static mode refuses Rust bitcode (2)", async () => {
    const bitcode = join(dir, "lib.bc");
    run("rustc", ["-O", "--crate-type=lib", "--emit=llvm-bc", "-o", bitcode, lib]);
    const auto = await runCli(["build", bitcode, "--helpers", helpers, "-o", join(dir, "bc.o"), ...llvm14Tools]);
    expectOneError(auto, "LLTO_LLVM_MISMATCH", exitCodes.toolchainMismatch);
    expect(auto.stderr).toContain("Rust bitcode can only be built in inline mode");
    const forced = await runCli(["build", bitcode, "--helpers", helpers, "-o", join(dir, "bc.o"), "--mode", "static"]);
    expectOneError(forced, "LLTO_MODE_INPUT", exitCodes.usage);
  });

  test("bitcode newer than its reader: clang-19 given LLVM 22 helper bitcode in static mode names both versions (6)", async () => {
    const bitcode = join(dir, "helpers22.bc");
    run(clang, ["-O2", "-c", "-emit-llvm", "-o", bitcode, helpers]);
    const cli = await runCli(["build", lib, "--helpers", bitcode, "-o", join(dir, "new.o"), "--mode", "static", "--cc", "clang-19"]);
    expectOneError(cli, "LLTO_BITCODE_TOO_NEW", exitCodes.toolchainMismatch);
    expect(cli.stderr).toMatch(/LLVM 19\.\d+\.\d+.*LLVM22/);
  });

  test("an object among the helpers: auto mode names --mode static (4)", async () => {
    const object = join(dir, "helpers.o");
    run("/usr/bin/gcc", ["-O2", "-fPIC", "-c", "-o", object, helpers]);
    const cli = await runCli(["build", lib, "--helpers", object, "-o", join(dir, "obj.o")]);
    expectOneError(cli, "LLTO_INPUT_FOREIGN", exitCodes.invalidInput);
    expect(cli.stderr).toContain("--mode static");
  });
});
