/**
 * `--helpers-debug=keep|none` (docs/VARIANTS.md#debug-info): keep follows the user's flags; none
 * builds .c helpers with -g0 and strips debug info from helper bitcode, while the Rust crate's own
 * debug info stays. Checked with llvm-dwarfdump on the object.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { HelpersDebug } from "../../src/pipeline/types.js";
import { clang, exampleDir, llvmBin, run, tempDir } from "../support/toolchain.js";

const lib = join(exampleDir, "lib.rs");
const helpersC = join(exampleDir, "helpers.c");
const dir = tempDir("llto-debug-");
const dwarfdump = join(llvmBin, "llvm-dwarfdump");

/** The compile units' names, and whether llvm-dwarfdump --verify accepts the DWARF. */
function dwarfOf(object: string): { units: string[]; lineFiles: string; verified: boolean } {
  const info = run(dwarfdump, ["--debug-info", object]);
  const units = [...info.matchAll(/DW_TAG_compile_unit[\s\S]*?DW_AT_name\s+\("([^"]+)"\)/g)].map((m) => m[1]!);
  const lineFiles = run(dwarfdump, ["--debug-line", object]);
  const verified = /No errors\./.test(run(dwarfdump, ["--verify", object]));
  return { units, lineFiles, verified };
}

async function buildWith(helper: string, helpersDebug: HelpersDebug | undefined, name: string, ccArgs: string[] = ["-g"]) {
  const output = join(dir, `${name}.o`);
  const { report } = await build({ rustInput: lib, helperInputs: [helper], output, rustcArgs: ["-O", "-g"], ccArgs, helpersDebug, helperCache: false, mode: "inline" });
  expect(report.summary.callsLeft).toBe(0);
  return { output, report };
}

describe.concurrent("helpers' debug info", () => {
  test("keep (the default) with -g: the helpers' compile unit and line table are in the object", async () => {
    const { output } = await buildWith(helpersC, undefined, "keep");
    const dwarf = dwarfOf(output);
    expect(dwarf.units.some((u) => u.endsWith("helpers.c"))).toBe(true);
    expect(dwarf.units.some((u) => u.includes("lib.rs"))).toBe(true);
    expect(dwarf.lineFiles).toContain("kernel_style.h");
    expect(dwarf.verified).toBe(true);
  });

  test("keep without -g in --cc-arg: no helper debug info, as the user's flags say", async () => {
    const { output } = await buildWith(helpersC, "keep", "keep-no-g", []);
    expect(dwarfOf(output).units.some((u) => u.endsWith("helpers.c"))).toBe(false);
  });

  test("none: -g0 wins over --cc-arg=-g; the Rust crate keeps its debug info", async () => {
    const { output } = await buildWith(helpersC, "none", "none");
    const dwarf = dwarfOf(output);
    expect(dwarf.units.some((u) => u.endsWith("helpers.c"))).toBe(false);
    expect(dwarf.lineFiles).not.toContain("kernel_style.h");
    expect(dwarf.units.some((u) => u.includes("lib.rs"))).toBe(true);
    expect(dwarf.verified).toBe(true);
  });

  test("helper bitcode compiled with -g: kept by keep, stripped by none", async () => {
    const bitcode = join(dir, "helpers-g.bc");
    run(clang, ["-c", "-emit-llvm", "-O2", "-g", "--target=x86_64-unknown-linux-gnu", "-o", bitcode, helpersC]);
    const kept = await buildWith(bitcode, "keep", "bc-keep", []);
    expect(kept.report.helperBitcode).toEqual([{ source: bitcode, origin: "input" }]);
    expect(dwarfOf(kept.output).units.some((u) => u.endsWith("helpers.c"))).toBe(true);
    const stripped = await buildWith(bitcode, "none", "bc-none", []);
    expect(stripped.report.helperBitcode).toEqual([{ source: bitcode, origin: "stripped" }]);
    const dwarf = dwarfOf(stripped.output);
    expect(dwarf.units.some((u) => u.endsWith("helpers.c"))).toBe(false);
    expect(dwarf.units.some((u) => u.includes("lib.rs"))).toBe(true);
    expect(dwarf.verified).toBe(true);
  });
});
