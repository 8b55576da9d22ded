import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import { reportSchema } from "../../src/report/schema.js";
import { readElf } from "../../src/elf/index.js";
import { callsBeforeCell, clang, exampleDir, pluginPathRun, run, tempDir } from "../support/toolchain.js";
import { runCli } from "../support/cli.js";
import { exampleHelperNames, linkAndRunExample, outOfLineExampleOutput } from "../support/example.js";

const lib = join(exampleDir, "lib.rs");
const helpers = join(exampleDir, "helpers.c");
const main = join(exampleDir, "main.c");

describe("the bundled example, built with the real toolchain", () => {
  const dir = tempDir();
  const object = join(dir, "driver.o");

  test("every helper call is inlined and no helper symbol is left global", async () => {
    const { report } = await build({ rustInput: lib, helperInputs: [helpers], output: object, rustcArgs: ["-O"] });
    expect(report.helpers.map((h) => h.name)).toEqual(exampleHelperNames);
    for (const helper of report.helpers) {
      // The plugin path cannot count calls before rustc inlines them (its report says so with none).
      if (pluginPathRun) expect(helper.callSitesBefore, helper.name).toBeNull();
      else expect(helper.callSitesBefore, helper.name).toBeGreaterThan(0);
      expect(helper.callsLeft, helper.name).toBe(0);
      expect(helper.symbol, helper.name).toBe("absent");
    }
    expect(report.summary).toMatchObject({ callsLeft: 0, globalHelperSymbols: 0, allInlined: true });
    expect(() => reportSchema.parse(report)).not.toThrow();
    // Independently of our reader: llvm-readelf sees no helper symbol at all.
    expect(run("/usr/lib/llvm-22/bin/llvm-readelf", ["-s", object])).not.toMatch(/rust_helper_/);
    expect(readElf(new Uint8Array(readFileSync(object))).fileType).toBe("REL");
  });

  test("a C program linked with the object prints what the out-of-line build prints", () => {
    const expected = outOfLineExampleOutput(clang, dir);
    expect(expected).toContain("refcount: 1 zero crossing(s), final count 0");
    expect(linkAndRunExample(clang, dir, "local-lto", [object])).toBe(expected);
  });

  test("the CLI prints the report table and writes the JSON report", async () => {
    const reportPath = join(dir, "report.json");
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", join(dir, "cli.o"), "--rustc-arg=-O", "--report", reportPath, "--require-inlined"]);
    expect(cli.stderr).toBe("");
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`rust_helper_refcount_inc\\s+${callsBeforeCell("\\d+")}\\s+0\\s+absent`));
    expect(cli.stdout).toContain("every helper call inlined, no helper exported");
    const saved = reportSchema.parse(JSON.parse(readFileSync(reportPath, "utf8")));
    expect(saved.summary.allInlined).toBe(true);
  });

  test("--emit-bc keeps the merged module: Rust's functions defined, no helper left exported", async () => {
    const bitcode = join(dir, "merged.bc");
    await build({ rustInput: lib, helperInputs: [helpers], output: join(dir, "emit.o"), rustcArgs: ["-O"], emitBitcode: bitcode });
    const text = run("/usr/lib/llvm-22/bin/llvm-dis", [bitcode, "-o", "-"]);
    expect(text).toMatch(/define [^@]*@rust_count_errors\(/);
    expect(text).not.toMatch(/define (?!internal)[^@]*@rust_helper_/);
  });

  test("inspect finds every helper call in the out-of-line Rust object", async () => {
    const rustObject = join(dir, "rust-inspect.o");
    run("rustc", ["-O", "--crate-type=lib", "--emit=obj", "-o", rustObject, lib]);
    const cli = await runCli(["inspect", rustObject, "--json", "--require-inlined"]);
    expect(cli.exitCode).toBe(10);
    const report = reportSchema.parse(JSON.parse(cli.stdout));
    expect(report.helpers).toHaveLength(9);
    for (const helper of report.helpers) {
      expect(helper.callsLeft, helper.name).toBeGreaterThan(0);
      expect(helper.symbol).toBe("undefined");
    }
  });
});
