/**
 * Every hand-written fixture is valid IR (llvm-as accepts and verifies it) and the reader sees in
 * it what LLVM sees: symbols, call graph edges, externally callable functions, instruction counts.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { expectAgreesWithLlvm } from "./agreement.js";
import { fixturesDir } from "./helpers.js";

describe("hand-written fixtures agree with LLVM", () => {
  const files = readdirSync(fixturesDir).filter((f) => f.endsWith(".ll"));
  it.each(files)("%s", (file) => {
    expectAgreesWithLlvm(join(fixturesDir, file));
  });
});
