/**
 * The proof server serves many builds in one process (src/cli/proofServerMain.ts) and forgets
 * what src/process/processMemo.ts remembered before each. A module that kept its own map or set
 * at module level would carry one build's answers (a file's hash, a tool's version) into the next:
 * this test finds any, so that a new memo is made with processMemo or named here as a constant.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "vitest";
import { forgetProcessMemos, processMemo } from "../../src/process/processMemo.js";
import { repoRoot } from "../support/toolchain.js";

/** Module-level collections that are tables filled once as the module loads, never by a build. */
const constantTables = new Set(["src/elf/relocationNames.ts:aarch64"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

test("no module keeps a map or set of its own that a build fills (processMemo, or a constant table)", () => {
  const found: string[] = [];
  for (const file of sources(join(repoRoot, "src"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/^(?:export )?(?:const|let) (\w+)(?:: [^=]+)? = new (?:Map|Set|WeakMap|WeakSet)(?:<[^\n]*>)?\(\);?$/gm)) {
      const name = `${relative(repoRoot, file)}:${m[1]}`;
      if (!constantTables.has(name)) found.push(name);
    }
  }
  expect(found).toEqual([]);
});

test("forgetProcessMemos empties every memo", () => {
  const a = processMemo<string, number>();
  const b = processMemo<string, string>();
  a.set("x", 1);
  b.set("y", "z");
  forgetProcessMemos();
  expect([a.size, b.size]).toEqual([0, 0]);
});
