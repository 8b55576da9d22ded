/**
 * The link path's caller pipeline (docs/ARCHITECTURE.md, "The caller pipeline, scoped to the
 * helpers and their callers"): with local-lto's plugin it runs scoped, without it the narrower
 * pipeline runs and the report says so. Real rustc, clang, rust-lld. What the scoped pipeline
 * buys on real libraries is pinned by test/corpus (xxhash's XXH64 is inlined only with it) and
 * measured by the corpus bench.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import { clang, tempDir } from "../support/toolchain.js";
import { exampleHelperNames, exampleHelpersC, exampleLib, linkAndRunExample, outOfLineExampleOutput } from "../support/example.js";

const dir = tempDir("llto-caller-pipeline-");

describe("link path: the caller pipeline", () => {
  test("with the plugin set up (scripts/setup.sh), the build says nothing about a narrower pipeline and inlines every helper", async () => {
    const object = join(dir, "scoped.o");
    const { report } = await build({ rustInput: exampleLib, helperInputs: [exampleHelpersC], output: object, rustcArgs: ["-O"], mode: "inline" });
    expect(report.notes.filter((n) => n.includes("without local-lto's plugin"))).toEqual([]);
    expect(report.summary).toMatchObject({ callsLeft: 0, globalHelperSymbols: 0 });
    expect(report.helpers.map((h) => h.name)).toEqual(exampleHelperNames);
    expect(linkAndRunExample(clang, dir, "scoped", [object])).toBe(outOfLineExampleOutput(clang, dir));
  });

  test("without the plugin, the build still inlines every helper, and a note names the narrower pipeline, why, and the fix", async () => {
    const noPlugins = join(dir, "no-plugins");
    mkdirSync(noPlugins);
    const object = join(dir, "narrow.o");
    const { report } = await build({
      rustInput: exampleLib,
      helperInputs: [exampleHelpersC],
      output: object,
      rustcArgs: ["-O"],
      mode: "inline",
      env: { ...process.env, LOCAL_LTO_PLUGIN_DIR: noPlugins },
    });
    const note = report.notes.find((n) => n.includes("without local-lto's plugin"));
    expect(note).toMatch(/inliner and two cleanups \(not SROA, EarlyCSE, SCCP\), run over every function/);
    expect(note).toMatch(/not built yet .*node scripts\/build-plugin\.mjs/);
    expect(report.summary).toMatchObject({ callsLeft: 0, globalHelperSymbols: 0 });
    expect(linkAndRunExample(clang, dir, "narrow", [object])).toBe(outOfLineExampleOutput(clang, dir));
  });
});
