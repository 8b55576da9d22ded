/**
 * Programs linked from the plugin's objects run and print what the out-of-line build prints
 * (examples/kernel-style: main.c drives the Rust functions, which call the C helpers).
 */
import { linkAndRunExample, outOfLineExampleOutput } from "../support/example.js";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { compileRustWithHelpers } from "../../src/tools/plugin/compileWithHelpers.js";
import type { RustcPlugin } from "../../src/tools/plugin/rustcPlugin.js";
import { clang, exampleDir, run, tempDir } from "../support/toolchain.js";
import { compileHelperBitcode, expectNoHelperLeft, helperFacts, kernelHelpersC, pluginFor, rustcsUnderTest } from "./pluginSupport.js";

const lib = join(exampleDir, "lib.rs");

for (const { name, rustc } of rustcsUnderTest) {
  describe.skipIf(!rustc)(`programs built with ${name} rustc and the plugin`, () => {
    const dir = tempDir(`llto-plugin-run-${name}-`);
    let plugin: RustcPlugin;
    let helpersBc: string;
    let expected: string;

    beforeAll(async () => {
      plugin = await pluginFor(rustc!);
      helpersBc = compileHelperBitcode(kernelHelpersC, join(dir, "helpers.bc"));
      // The out-of-line build: rustc's object, the helpers' object, main.c.
      expected = outOfLineExampleOutput(clang, dir, rustc!);
    });

    // (-Copt-level=0 objects need core's panic machinery to link; behaviour.test.ts checks them.)
    for (const flags of [["-O"], ["-Copt-level=1"], ["-O", "-g"], ["-O", "-Ccodegen-units=16"]]) {
      test(`rustc ${flags.join(" ")}: same output, no helper left, linked without the helpers' object`, async () => {
        const out = join(dir, `plugin${flags.join("")}`);
        mkdirSync(out);
        const result = await compileRustWithHelpers({ plugin, rustcArgs: [...flags, "--crate-type=lib", "--emit=obj", "--out-dir", out, lib], helpersBitcode: helpersBc, cwd: dir });
        expect(result.exitCode, result.stderr).toBe(0);
        const objects = readdirSync(out).filter((f) => f.endsWith(".o")).map((f) => join(out, f));
        expect(objects.length).toBeGreaterThan(0);
        for (const object of objects) expectNoHelperLeft(helperFacts(object));
        // With --out-dir and codegen units asked for, rustc keeps each unit's object and, when only
        // one unit came out, also writes it as lib.o (plain rustc does the same): link the units.
        const units = objects.filter((f) => f.endsWith(".rcgu.o"));
        expect(expected).toContain("refcount: 1 zero crossing(s), final count 0");
        expect(linkAndRunExample(clang, out, "program", units.length ? units : objects)).toBe(expected);
      });
    }
  });
}

describe.skipIf(!rustcsUnderTest[0]!.rustc)("the record under rustc's parallel code generation", () => {
  test("48 codegen units, each linking helpers: 48 whole lines, one per unit", async () => {
    const dir = tempDir("llto-plugin-record-");
    const plugin = await pluginFor("rustc");
    const helpersBc = compileHelperBitcode(kernelHelpersC, join(dir, "helpers.bc"));
    const modules = Array.from(
      { length: 48 },
      (_, i) => `pub mod m${i} {\n    extern "C" { fn rust_helper_PTR_ERR(p: *const u8) -> i64; fn rust_helper_IS_ERR(p: *const u8) -> bool; }\n    #[no_mangle]\n    pub extern "C" fn err_${i}(p: *const u8) -> i64 { unsafe { if rust_helper_IS_ERR(p) { rust_helper_PTR_ERR(p) + ${i} } else { 0 } } }\n}\n`,
    );
    const crate = join(dir, "many.rs");
    writeFileSync(crate, `#![no_std]\n${modules.join("")}`);
    const out = join(dir, "out");
    mkdirSync(out);
    const result = await compileRustWithHelpers({ plugin, rustcArgs: ["-O", "-Ccodegen-units=64", "--crate-type=lib", "--emit=obj", crate, "--out-dir", out], helpersBitcode: helpersBc, cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.record).toHaveLength(48);
    expect(new Set(result.record.map((r) => r.module)).size).toBe(48);
    for (const entry of result.record) {
      expect(entry.helpers).toEqual(["rust_helper_IS_ERR", "rust_helper_PTR_ERR"]);
      expectNoHelperLeft(helperFacts(join(out, `many.${entry.module}.rcgu.o`), entry.helpers));
    }
  });
});
