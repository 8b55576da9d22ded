import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import { reportSchema } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { exampleDir, pluginPathRun, tempDir } from "../support/toolchain.js";

/**
 * `--explain` and the reasons in the report: one line per call site, local-lto's diagnosis checked
 * against LLVM's own remark; LLVM is asked only when a call is left or --explain is given.
 */
const dir = tempDir("llto-explain-");
const lib = join(exampleDir, "lib.rs");
const helpers = join(exampleDir, "helpers.c");

const leftCrate = join(dir, "left.rs");
const leftHelpers = join(dir, "left.c");
writeFileSync(
  leftCrate,
  `extern "C" { fn rust_helper_fast(x: i32) -> i32; fn rust_helper_pinned(x: i32) -> i32; }
#[no_mangle] pub extern "C" fn twice(x: i32) -> i32 { unsafe { rust_helper_fast(x) + rust_helper_pinned(x) } }
`,
);
writeFileSync(leftHelpers, `int rust_helper_fast(int x) { return x + 1; }\n__attribute__((noinline)) int rust_helper_pinned(int x) { return x * 2; }\n`);

describe("--explain", () => {
  test("prints one line per call site under the table, inlined ones too, from the same opt run", async () => {
    const reportPath = join(dir, "explain.json");
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", join(dir, "ex.o"), "--rustc-arg=-O", "--explain", "--report", reportPath]);
    expect(cli.exitCode).toBe(0);
    const why = cli.stdout.slice(cli.stdout.indexOf("why:\n"));
    expect(why).toMatch(/\n\S+ → rust_helper_refcount_inc: inlined: inlined \(cost -?\d+, threshold \d+\)/);
    const report = reportSchema.parse(JSON.parse(readFileSync(reportPath, "utf8")));
    for (const h of report.helpers) {
      expect(h.reasons?.length, h.name).toBeGreaterThan(0);
      for (const r of h.reasons!) expect(r).toMatchObject({ category: "inlined", llvmAgrees: true });
    }
    // --explain asks LLVM during the inline step: no second opt run.
    expect(report.timingsMs?.["inline remarks"]).toBeUndefined();
  });

  test("without --explain and no call left, LLVM is not asked and no reason is given", async () => {
    const { report } = await build({ rustInput: lib, helperInputs: [helpers], output: join(dir, "quiet.o"), rustcArgs: ["-O"] });
    expect(report.summary.callsLeft).toBe(0);
    expect(report.helpers.every((h) => h.reasons === undefined)).toBe(true);
    expect(report.timingsMs?.explain).toBeUndefined();
  });

  test("a call left is explained without --explain (one extra opt run), with its fix", async () => {
    const { report } = await build({ rustInput: leftCrate, helperInputs: [leftHelpers], output: join(dir, "left.o"), rustcArgs: ["-O"] });
    const pinned = report.helpers.find((h) => h.name === "rust_helper_pinned")!;
    expect(pinned.callsLeft).toBe(1);
    expect(pinned.reasons).toEqual([
      {
        caller: "twice",
        category: "noinline",
        reason: "the helper is noinline (__attribute__((noinline)) or built at -O0)",
        fix: "drop noinline from the helper, or build it with optimisation",
        llvmRemark: "'rust_helper_pinned' not inlined into 'twice' because it should never be inlined (cost=never): noinline function attribute",
        llvmAgrees: true,
      },
    ]);
    // Inlined call sites are not listed unless --explain asks for them.
    expect(report.helpers.find((h) => h.name === "rust_helper_fast")!.reasons).toBeUndefined();
    // The extra run that writes LLVM's remarks: opt on the link path, rustc again on the plugin path.
    expect(report.timingsMs?.[pluginPathRun ? "compile rust with helpers-remarks" : "inline remarks"]).toBeGreaterThanOrEqual(0);
  });

  test("--require-inlined still prints why, and --reconcile=off is accepted", async () => {
    const cli = await runCli(["build", leftCrate, "--helpers", leftHelpers, "-o", join(dir, "req.o"), "--rustc-arg=-O", "--require-inlined", "--reconcile=off"]);
    expect(cli.exitCode).toBe(10);
    expect(cli.stdout).toContain(
      "why:\ntwice → rust_helper_pinned: noinline: the helper is noinline (__attribute__((noinline)) or built at -O0); fix: drop noinline from the helper, or build it with optimisation",
    );
  });

  test("bad values are usage errors", async () => {
    expect((await runCli(["build", leftCrate, "--helpers", leftHelpers, "-o", join(dir, "x.o"), "--reconcile=maybe"])).exitCode).toBe(2);
    expect((await runCli(["build", leftCrate, "--helpers", leftHelpers, "-o", join(dir, "x.o"), "--null-pointer-policy=ignore"])).exitCode).toBe(2);
  });
});
