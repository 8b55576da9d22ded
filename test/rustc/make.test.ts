/**
 * examples/make: a Kbuild-style Makefile (helpers compiled once with their command line recorded
 * in a .cmd file, one crate per Rust object, --emit=dep-info=… --emit=obj=…, depfiles included),
 * built with `make -j2` as it is and with RUSTC="local-lto rustc".
 */
import { cpSync, mkdtempSync, readFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeCallSites, readElf, symbolState } from "../../src/elf/index.js";
import { repoRoot } from "../support/toolchain.js";
import { runAsync } from "./cargoSupport.js";

const example = join(repoRoot, "examples/make");
const launcher = join(repoRoot, "bin/local-lto");
const objects = ["drivers/refcount.o", "drivers/errors.o", "drivers/list.o"];
const helpers = [...readFileSync(join(example, "helpers/helpers.c"), "utf8").matchAll(/\b(rust_helper_\w+)\(/g)].map((m) => m[1]!);

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), "llto-make-"));
  cpSync(example, dir, { recursive: true });
  return dir;
}

function make(dir: string, args: string[]) {
  return runAsync("make", args, { cwd: dir, env: { ...process.env, MAKEFLAGS: "" } });
}

/** Calls to helpers and helper symbols left in each Rust object. */
function helperUse(dir: string): { calls: number; symbols: string[] } {
  let calls = 0;
  const symbols: string[] = [];
  for (const object of objects) {
    const elf = readElf(new Uint8Array(readFileSync(join(dir, object))));
    for (const sites of analyzeCallSites(elf, new Set(helpers)).calls.values()) calls += sites.length;
    for (const h of helpers) if (symbolState(elf, h) !== "absent") symbols.push(`${object}:${h}`);
  }
  return { calls, symbols };
}

describe("examples/make (Kbuild style)", () => {
  let plain: string;
  let lto: string;
  let output: string;
  beforeAll(async () => {
    [plain, lto] = [copy(), copy()];
    const built = await make(plain, ["-j2"]);
    expect(built.status, built.stderr).toBe(0);
    output = (await runAsync(join(plain, "demo"), [], {})).stdout;
    expect(output).toContain("list: 5 node(s) left of 11");
  });

  it("with RUSTC=\"local-lto rustc\": the same program, no helper call or symbol left in any Rust object", async () => {
    expect(helperUse(plain).calls).toBeGreaterThan(0);
    const built = await make(lto, ["-j2", `RUSTC=${launcher} rustc`]);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stderr).not.toMatch(/jobserver/);
    expect((await runAsync(join(lto, "demo"), [], {})).stdout).toBe(output);
    expect(helperUse(lto)).toEqual({ calls: 0, symbols: [] });
    // The module object's helpers were prepared apart, with -DMODULE (cfg-defines).
    const report = await runAsync(launcher, ["report", "."], { cwd: lto });
    expect(report.stdout).toMatch(/^local-lto \(.*\): 3 crate\(s\) linked helpers, 0 called none/m);
    expect(report.stdout).toMatch(/every helper call inlined, no helper exported$/m);
  });

  it("rebuilds nothing without a change, and the Rust objects when a helper header changes", async () => {
    expect((await make(lto, ["-q", `RUSTC=${launcher} rustc`])).status).toBe(0);
    const later = new Date(Date.now() + 5000);
    for (const dir of [plain, lto]) utimesSync(join(dir, "include/kernel_style.h"), later, later);
    const rustcLines = (text: string) => [...text.matchAll(/--emit=obj=(\S+)/g)].map((m) => m[1]!).sort();
    // Plain rustc's depfiles do not know the header: only the C objects would be rebuilt.
    expect(rustcLines((await make(plain, ["-n"])).stdout)).toEqual([]);
    expect(rustcLines((await make(lto, ["-n", `RUSTC=${launcher} rustc`])).stdout)).toEqual([...objects].sort());
  });
});
