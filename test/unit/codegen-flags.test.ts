import { describe, expect, test } from "vitest";
import { analyzeRustcArgs } from "../../src/tools/rustcArgs.js";
import { classifyCodegenFlags, codegenLlvmOptions } from "../../src/tools/rustcCodegenFlags.js";

describe("rustc codegen flags (pure)", () => {
  test("-C llvm-args is split on whitespace like rustc, in order; -Z emit-stack-sizes becomes -stack-size-section", () => {
    const facts = analyzeRustcArgs(["-O", "-Cllvm-args=-align-all-functions=6 -x86-branches-within-32B-boundaries", "-C", "llvm-args=-inline-threshold=400", "-Zemit-stack-sizes"]);
    // -inline-threshold goes to the inline step once, through inlineThresholdFrom (LLVM refuses it twice).
    expect(codegenLlvmOptions(facts.codegenFlags)).toEqual(["-stack-size-section", "-align-all-functions=6", "-x86-branches-within-32B-boundaries"]);
    expect(facts.refusedCodegenFlags).toEqual([]);
  });

  test("-C no-vectorize-loops turns local-lto's vectorizer off", () => {
    expect(analyzeRustcArgs(["-Cno-vectorize-loops"]).codegenFlags.vectorizeLoops).toBe(false);
    expect(analyzeRustcArgs([]).codegenFlags.vectorizeLoops).toBe(true);
  });

  test("refused keys are refused unless their value changes nothing; unknown keys are refused", () => {
    const { refused } = classifyCodegenFlags(
      [["lto", "off"], ["lto", "fat"], ["split-debuginfo", "off"], ["split-debuginfo", "packed"], ["strip", "symbols"], ["frobnicate", "yes"]],
      [["relax-elf-relocations", "yes"], ["relax-elf-relocations", "no"], ["print-type-sizes", ""], ["branch-protection", "bti"]],
    );
    expect(refused.map((r) => r.flag)).toEqual(["-Clto=fat", "-Csplit-debuginfo=packed", "-Cfrobnicate=yes", "-Zrelax-elf-relocations=no"]);
  });
});
