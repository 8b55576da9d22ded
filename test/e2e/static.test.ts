import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import { reportSchema } from "../../src/report/schema.js";
import { exitCodes } from "../../src/diagnostics/errors.js";
import { exampleDir, llvmReadelf, repoRoot, run, tempDir } from "../support/toolchain.js";
import { runCli } from "../support/cli.js";
import { exampleHelperNames, linkAndRunExample, outOfLineExampleOutput } from "../support/example.js";

const lib = join(exampleDir, "lib.rs");
const helpers = join(exampleDir, "helpers.c");
const main = join(exampleDir, "main.c");
const fixtures = join(repoRoot, "test/fixtures/static");
const gcc = "/usr/bin/gcc";

const exampleHelpers = exampleHelperNames;

/** `llvm-readelf -s` rows (binding, name) of the symbols named with `prefix`: an independent reader's view. */
function symbolRows(object: string, prefix: string): { binding: string; type: string; name: string }[] {
  return run(llvmReadelf, ["-s", "--wide", object])
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 8 && cols[7]!.startsWith(prefix) && cols[6] !== "UND")
    .map((cols) => ({ type: cols[3]!, binding: cols[4]!, name: cols[7]! }));
}

describe("static mode with gcc 12 and GNU binutils", () => {
  const dir = tempDir("llto-static-");
  const object = join(dir, "driver.o");

  test("the example: every helper symbol is local, calls stay, and the report has inline mode's shape", async () => {
    const { report } = await build({ rustInput: lib, helperInputs: [helpers], output: object, rustcArgs: ["-O"], mode: "static", cc: "gcc" });
    expect(() => reportSchema.parse(report)).not.toThrow();
    expect(report).toMatchObject({ mode: "static", modeReason: "requested with --mode static", target: "x86_64-unknown-linux-gnu" });
    expect(report.helpers.map((h) => h.name)).toEqual(exampleHelpers);
    for (const helper of report.helpers) {
      expect(helper.callSitesBefore, helper.name).toBeGreaterThan(0);
      expect(helper.callsLeft, helper.name).toBe(helper.callSitesBefore);
      expect(helper.symbol, helper.name).toBe("local");
      expect(helper.inlined).toBe(false);
    }
    expect(report.summary).toMatchObject({ globalHelperSymbols: 0, allInlined: false });
    expect(Object.keys(report.toolchain ?? {})).toEqual(["rustc", "gcc", "ld", "objcopy"]);
    expect(report.safetyChecks?.filter((c) => c.status === "failed")).toEqual([]);
    expect(report.safetyChecks?.find((c) => c.check === "external-data")?.status).toBe("passed");

    // Independently of our reader: every helper is in the object, and every one is LOCAL.
    const rows = symbolRows(object, "rust_helper_");
    expect(rows.filter((r) => r.type === "FUNC").map((r) => r.name).sort()).toEqual(exampleHelpers);
    expect(rows.filter((r) => r.binding !== "LOCAL")).toEqual([]);
  });

  test("linked with main.c, it prints what the out-of-line gcc build prints", () => {
    const expected = outOfLineExampleOutput(gcc, dir);
    expect(expected).toContain("refcount: 1 zero crossing(s), final count 0");
    expect(linkAndRunExample(gcc, dir, "static", [object])).toBe(expected);
  });

  test("the object links into a shared library that exports no helper (the helpers match rustc's PIC)", () => {
    const library = join(dir, "libdriver.so");
    run(gcc, ["-shared", "-o", library, object]);
    const exported = run(llvmReadelf, ["--dyn-syms", "--wide", library]);
    expect(exported).toContain("rust_refcount_cycle");
    expect(exported).not.toContain("rust_helper_");
  });

  test("two Rust objects, each with its own local helpers, link into one program", async () => {
    const second = join(dir, "second.o");
    const { report } = await build({ rustInput: join(fixtures, "second.rs"), helperInputs: [helpers], output: second, rustcArgs: ["-O"], mode: "static", cc: "gcc" });
    expect(report.helpers.map((h) => h.name)).toEqual(["rust_helper_ERR_PTR", "rust_helper_IS_ERR", "rust_helper_refcount_dec_and_test", "rust_helper_refcount_inc"]);
    expect(report.unusedHelpers).toHaveLength(5);
    // Both objects define rust_helper_refcount_inc, each as a local symbol.
    expect(symbolRows(second, "rust_helper_refcount_inc")).toEqual([{ type: "FUNC", binding: "LOCAL", name: "rust_helper_refcount_inc" }]);
    const program = join(dir, "two-objects");
    run(gcc, [`-I${exampleDir}`, "-o", program, join(fixtures, "two_objects.c"), object, second]);
    expect(run(program, [])).toBe("first: 1 zero crossing(s), count 0\nsecond: 1 zero crossing(s), count 0\nis_error(22): 1, is_error(5000): 0\n");

    // The control: the same two links with the helpers left global fail on duplicate symbols.
    const plain = (rs: string, name: string) => {
      const rustObject = join(dir, `${name}-rust.o`);
      run("rustc", ["-O", "--crate-type=lib", "--emit=obj", "-o", rustObject, rs]);
      run(gcc, ["-O2", "-fPIC", "-c", "-o", join(dir, `${name}-helpers.o`), helpers]);
      run("ld", ["-r", "-o", join(dir, `${name}-global.o`), rustObject, join(dir, `${name}-helpers.o`)]);
      return join(dir, `${name}-global.o`);
    };
    expect(() => run(gcc, [`-I${exampleDir}`, "-o", join(dir, "clash"), join(fixtures, "two_objects.c"), plain(lib, "one"), plain(join(fixtures, "second.rs"), "two")])).toThrow(/multiple definition of `rust_helper_/);
  });

  test("the CLI prints the mode on the first line, the table, and nothing on stderr", async () => {
    const cli = await runCli(["build", lib, "--helpers", helpers, "-o", join(dir, "cli.o"), "--rustc-arg=-O", "--mode", "static", "--cc", "gcc"]);
    expect(cli.stderr).toBe("");
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout.split("\n")[0]).toBe(`built ${join(dir, "cli.o")} (mode: static, requested with --mode static)`);
    expect(cli.stdout).toMatch(/rust_helper_refcount_inc\s+1\s+1\s+local/);
    expect(cli.stdout).toContain("9 call(s) left, 0 global helper symbol(s)");
  });

  test("prebuilt objects are linked as they are", async () => {
    const rustObject = join(dir, "prebuilt-rust.o");
    const helperObject = join(dir, "prebuilt-helpers.o");
    run("rustc", ["-O", "--crate-type=lib", "--emit=obj", "-o", rustObject, lib]);
    run(gcc, ["-O2", "-fPIC", "-c", "-o", helperObject, helpers]);
    const output = join(dir, "prebuilt.o");
    const { report } = await build({ rustInput: rustObject, helperInputs: [helperObject], output, mode: "static" });
    expect(report.summary).toMatchObject({ helpers: 9, globalHelperSymbols: 0 });
    expect(Object.keys(report.toolchain ?? {})).toEqual(["ld", "objcopy"]);
    run(gcc, [`-I${exampleDir}`, "-o", join(dir, "prebuilt"), main, output]);
    expect(run(join(dir, "prebuilt"), [])).toContain("list: 5 node(s) left of 11");
  });

  test("rustc's relocation and code model reach the helpers: static + kernel code model has no GOT use", async () => {
    const output = join(dir, "kernel.o");
    await build({ rustInput: lib, helperInputs: [helpers], output, rustcArgs: ["-O", "-Crelocation-model=static", "-Ccode-model=kernel"], mode: "static", cc: "gcc" });
    const relocations = run(llvmReadelf, ["-r", output]);
    expect(relocations).not.toMatch(/GOT/);
    expect(run(llvmReadelf, ["-r", object])).toMatch(/R_X86_64_GOTPCREL/); // the PIC default does use the GOT
  });
});

describe("static mode refuses helpers whose private copies would differ", () => {
  const dir = tempDir("llto-static-safety-");
  const stateful = join(fixtures, "stateful.rs");

  test("a function-local static counter: exit 11, the symbol named, nothing written", async () => {
    const output = join(dir, "counter.o");
    const cli = await runCli(["build", stateful, "--helpers", join(fixtures, "stateful_counter.c"), "-o", output, "--mode", "static", "--cc", "gcc"]);
    expect(cli.exitCode).toBe(exitCodes.unsafeHelpers);
    expect(cli.stderr.split("\n").filter((l) => l.startsWith("error["))).toEqual([expect.stringContaining("error[LLTO_UNSAFE_HELPERS]")]);
    expect(cli.stderr).toContain("static variable `next` (symbol next.0)");
    expect(cli.stderr).toContain("--allow=external-data");
    expect(existsSync(output)).toBe(false);
  });

  test("a global variable: exit 11; --allow=external-data accepts it and says so in the report", async () => {
    const output = join(dir, "global.o");
    const refused = await runCli(["build", stateful, "--helpers", join(fixtures, "stateful_global.c"), "-o", output, "--mode", "static", "--cc", "gcc"]);
    expect(refused.exitCode).toBe(exitCodes.unsafeHelpers);
    expect(refused.stderr).toContain("global variable `rust_helper_last_id`");

    const reportPath = join(dir, "global.json");
    const allowed = await runCli(["build", stateful, "--helpers", join(fixtures, "stateful_global.c"), "-o", output, "--mode", "static", "--cc", "gcc", "--allow=external-data", "--report", reportPath]);
    expect(allowed.exitCode).toBe(0);
    const report = reportSchema.parse(JSON.parse(readFileSync(reportPath, "utf8")));
    expect(report.safetyChecks?.find((c) => c.check === "external-data")).toMatchObject({ status: "overridden", findings: [expect.objectContaining({ symbol: "rust_helper_last_id" })] });
    expect(report.notes).toContain("--allow=external-data accepted: rust_helper_last_id");
    // The variable became local too: it is the object's own copy now.
    expect(symbolRows(output, "rust_helper_last_id")).toEqual([{ type: "OBJECT", binding: "LOCAL", name: "rust_helper_last_id" }]);
  });

  test("an unknown --allow value is a usage error", async () => {
    const cli = await runCli(["build", stateful, "--helpers", join(fixtures, "stateful_counter.c"), "-o", join(dir, "x.o"), "--mode", "static", "--allow=everything"]);
    expect(cli.exitCode).toBe(exitCodes.usage);
    expect(cli.stderr).toContain("external-data");
  });
});

describe("static mode with clang-19, ld.lld and llvm-objcopy", () => {
  test("the example links and runs; the report names the LLVM binutils", async () => {
    const dir = tempDir("llto-static-clang-");
    const output = join(dir, "driver.o");
    const { report } = await build({ rustInput: lib, helperInputs: [helpers], output, rustcArgs: ["-O"], mode: "static", cc: "clang-19" });
    expect(Object.keys(report.toolchain ?? {})).toEqual(["rustc", "clang-19", "ld.lld", "llvm-objcopy"]);
    expect(report.summary.globalHelperSymbols).toBe(0);
    expect(symbolRows(output, "rust_helper_").filter((r) => r.binding !== "LOCAL")).toEqual([]);
    // clang writes .llvm_addrsig; after a relocatable link its symbol indices would be stale.
    expect(run(llvmReadelf, ["-S", output])).not.toContain(".llvm_addrsig");
    run(gcc, [`-I${exampleDir}`, "-o", join(dir, "program"), main, output]);
    expect(run(join(dir, "program"), [])).toContain("refcount: 1 zero crossing(s), final count 0");
  });
});
