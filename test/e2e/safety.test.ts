/**
 * Safety checks on the helper module (docs/SAFETY.md), with the real compilers: for every check a
 * helper file that trips it (refused, exit 11, nothing written; accepted with --allow) and one
 * that does not (built, the report lists the check as passed). Fixtures: test/fixtures/safety/.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { LocalLtoError, exitCodes } from "../../src/diagnostics/errors.js";
import { build } from "../../src/pipeline/build.js";
import { reportSchema } from "../../src/report/schema.js";
import { safetyCheckIds, type SafetyCheckId } from "../../src/safety/types.js";
import { runCli } from "../support/cli.js";
import { llvmBin, repoRoot, run, tempDir } from "../support/toolchain.js";

const fixtures = join(repoRoot, "test/fixtures/safety");
const caseRs = join(fixtures, "case.rs");
const dir = tempDir("llto-safety-");

/** Builds case.rs (or `rust`) with one helper input; returns the report or the refusal. */
async function buildCase(helper: string, options: { rust?: string; allow?: SafetyCheckId[]; ccArgs?: string[] } = {}) {
  const output = join(dir, `${helper.replace(/\W/g, "_")}-${(options.allow ?? []).join("_")}-${(options.ccArgs ?? []).join("")}.o`);
  try {
    const { report } = await build({ rustInput: options.rust ?? caseRs, helperInputs: [helper], output, rustcArgs: ["-O"], ccArgs: options.ccArgs, allow: options.allow, mode: "inline" });
    return { report, output, error: undefined };
  } catch (error) {
    if (!(error instanceof LocalLtoError)) throw error;
    return { report: undefined, output, error };
  }
}

interface FailingCase {
  check: SafetyCheckId;
  helper: string;
  rust?: string;
  /** What the refusal names: the symbol, and the line of its definition (compiled with -g). */
  symbol: string;
  line?: number;
}

const comdatBitcode = join(dir, "fail_comdat.bc");
run(join(llvmBin, "clang++"), ["-c", "-emit-llvm", "-O2", "--target=x86_64-unknown-linux-gnu", "-o", comdatBitcode, join(fixtures, "weak-or-comdat/fail_comdat.cpp")]);

const failing: FailingCase[] = [
  { check: "external-data", helper: "external-data/fail.c", symbol: "rust_case_total", line: 2 },
  { check: "external-data", helper: "external-data/fail_static.c", symbol: "total", line: 4 },
  { check: "address-taken", helper: "address-taken/fail.c", symbol: "on_event", line: 5 },
  { check: "address-taken", helper: "weak-or-comdat/pass.c", rust: "address.rs", symbol: "rust_helper_case" },
  { check: "weak-or-comdat", helper: "weak-or-comdat/fail.c", symbol: "rust_helper_case", line: 2 },
  { check: "weak-or-comdat", helper: comdatBitcode, symbol: "_Z6scaledl" },
  { check: "thread-local", helper: "thread-local/fail.c", symbol: "rust_case_tls", line: 2 },
  { check: "constructors", helper: "constructors/fail.c", symbol: "helpers_init", line: 4 },
  { check: "used-lists", helper: "used-lists/fail.c", symbol: "helpers_license", line: 2 },
  { check: "module-asm", helper: "module-asm/fail.c", symbol: "helpers_tag" },
  { check: "duplicate-symbol", helper: "duplicate-symbol/fail.c", symbol: "rust_case_hook", line: 2 },
];

describe.concurrent("each check refuses its failing input, and --allow accepts it", () => {
  test.each(failing)("$check: $helper", async ({ check, helper, rust, symbol, line }) => {
    const helperPath = helper.startsWith("/") ? helper : join(fixtures, helper);
    const rustPath = rust ? join(fixtures, rust) : undefined;

    // Without debug info: the symbol and the helper input.
    const plain = await buildCase(helperPath, { rust: rustPath });
    expect(plain.error?.code, plain.error?.message).toBe("LLTO_UNSAFE_HELPERS");
    expect(plain.error!.exitCode).toBe(exitCodes.unsafeHelpers);
    expect(plain.error!.message).toContain(symbol);
    expect(plain.error!.message).toContain(helperPath);
    expect(plain.error!.fix).toContain(`--allow=${check}`);
    expect(existsSync(plain.output)).toBe(false);

    // With -g: file:line of the definition.
    if (line !== undefined) {
      const debug = await buildCase(helperPath, { rust: rustPath, ccArgs: ["-g"] });
      expect(debug.error!.message).toContain(`${helperPath}:${line}`);
      expect(debug.error!.file).toBe(helperPath);
      expect(debug.error!.line).toBe(line);
    }

    // The override: built, and the report says which check was overridden and what it found.
    const allowed = await buildCase(helperPath, { rust: rustPath, allow: [check] });
    expect(allowed.error, allowed.error?.message).toBeUndefined();
    const result = allowed.report!.safetyChecks!.find((r) => r.check === check)!;
    expect(result.status).toBe("overridden");
    expect(result.findings.some((f) => (f.symbol ?? "").endsWith(symbol)), JSON.stringify(result.findings)).toBe(true);
    expect(allowed.report!.notes.join("\n")).toContain(`--allow=${check}`);
    expect(existsSync(allowed.output)).toBe(true);
  });
});

const passing: { check: SafetyCheckId; helper: string }[] = [
  { check: "external-data", helper: "external-data/pass.c" },
  { check: "address-taken", helper: "address-taken/pass.c" },
  { check: "weak-or-comdat", helper: "weak-or-comdat/pass.c" },
  { check: "thread-local", helper: "thread-local/pass.c" },
  { check: "constructors", helper: "constructors/pass.c" },
  { check: "used-lists", helper: "used-lists/pass.c" },
  { check: "module-asm", helper: "module-asm/pass.c" },
  { check: "duplicate-symbol", helper: "duplicate-symbol/pass.c" },
];

describe.concurrent("each check passes the fixed input, and the report lists every check", () => {
  test.each(passing)("$check: $helper", async ({ helper }) => {
    const { report, error } = await buildCase(join(fixtures, helper));
    expect(error?.message).toBeUndefined();
    expect(report!.safetyChecks!.map((r) => [r.check, r.status])).toEqual(safetyCheckIds.map((id) => [id, "passed"]));
    expect(report!.helpers.find((h) => h.name === "rust_helper_case")).toMatchObject({ callsLeft: 0, symbol: "absent" });
    expect(() => reportSchema.parse(report)).not.toThrow();
  });

  test("every check has a failing and a passing fixture", () => {
    for (const id of safetyCheckIds) {
      expect(failing.some((c) => c.check === id), id).toBe(true);
      expect(passing.some((c) => c.check === id), id).toBe(true);
    }
    // No fixture folder left untested.
    const tested = new Set([...failing, ...passing].map((c) => c.helper.split("/")[0]));
    for (const folder of readdirSync(fixtures).filter((f) => !f.endsWith(".rs"))) expect(tested.has(folder), folder).toBe(true);
  });
});

describe("several helper inputs", () => {
  test("without debug info, the finding names the input that defines the symbol", async () => {
    const other = join(repoRoot, "test/fixtures/multi/state.c");
    const failing = join(fixtures, "external-data/fail_static.c");
    const output = join(dir, "two-inputs.o");
    const error = await build({ rustInput: caseRs, helperInputs: [other, failing], output, rustcArgs: ["-O"], mode: "inline" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalLtoError);
    expect((error as LocalLtoError).message).toContain(`static variable \`total\` in rust_helper_case() (in ${failing})`);
    expect((error as LocalLtoError).message).not.toContain("state.c");
  });
});

describe("the CLI", () => {
  test("a refusal is one error line with the fix, exit 11, and no object", async () => {
    const output = join(dir, "cli-refused.o");
    const cli = await runCli(["build", caseRs, "--helpers", join(fixtures, "external-data/fail_static.c"), "-o", output, "--rustc-arg=-O", "--cc-arg=-g"]);
    expect(cli.exitCode).toBe(11);
    expect(cli.stderr.split("\n").filter((l) => l.startsWith("error["))).toEqual([expect.stringContaining("error[LLTO_UNSAFE_HELPERS]")]);
    expect(cli.stderr).toMatch(/static variable `total` in rust_helper_case\(\) \(.*fail_static\.c:4\)/);
    expect(cli.stderr).toMatch(/\n {2}fix: .*--allow=external-data/);
    expect(existsSync(output)).toBe(false);
  });

  test("--allow on the command line, a safety line in the table, every check in the JSON report", async () => {
    const output = join(dir, "cli-allowed.o");
    const reportPath = join(dir, "cli-allowed.json");
    const cli = await runCli(["build", caseRs, "--helpers", join(fixtures, "external-data/fail.c"), "-o", output, "--rustc-arg=-O", "--allow=external-data", "--report", reportPath]);
    expect(cli.stderr).toBe("");
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout).toMatch(/safety: 7 check\(s\) passed, 1 overridden \(external-data\)/);
    const report = reportSchema.parse(JSON.parse(readFileSync(reportPath, "utf8")));
    expect(report.safetyChecks!.map((r) => r.check)).toEqual([...safetyCheckIds]);
  });

  test("--allow with an unknown check id is a usage error", async () => {
    const cli = await runCli(["build", caseRs, "--helpers", join(fixtures, "external-data/pass.c"), "-o", join(dir, "x.o"), "--allow=everything"]);
    expect(cli.exitCode).toBe(exitCodes.usage);
    expect(cli.stderr).toContain("--allow=everything names no safety check");
  });
});
