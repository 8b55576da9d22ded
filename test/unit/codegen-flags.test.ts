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

describe("the kernel's rustc flags", () => {
  test("-Zllvm_module_flag (KBUILD_RUSTFLAGS on arm64 and x86-64) is carried in the bitcode, in either spelling", () => {
    for (const spelling of ["-Zllvm_module_flag=frame-pointer:u32:2:max", "-Zllvm-module-flag=frame-pointer:u32:2:max"]) {
      expect(analyzeRustcArgs(["-O", spelling]).refusedCodegenFlags).toEqual([]);
    }
  });

  test("every -C/-Z flag of Linux 6.12's KBUILD_RUSTFLAGS (x86-64 and arm64 defconfig) is known: none is refused", () => {
    // scripts/kernel-helpers-check.sh's rust-flags.txt of both architectures, -C and -Z only.
    const kernel = (
      "-Ccode-model=kernel -Ccodegen-units=1 -Cdebug-assertions=n -Cdebuginfo=1 -Cembed-bitcode=n -Cforce-frame-pointers=y " +
      "-Cforce-unwind-tables=n -Cjump-tables=n -Clto=n -Cno-redzone=y -Copt-level=2 -Coverflow-checks=n -Cpanic=abort " +
      "-Crelocation-model=static -Csymbol-mangling-version=v0 -Ctarget-feature=-sse,-sse2,-sse3,-ssse3,-sse4.1,-sse4.2,-avx,-avx2 " +
      "-Zbranch-protection=bti,pac-ret -Zcf-protection=branch -Zfunction-return=thunk-extern -Zfunction-sections=n " +
      "-Zllvm_module_flag=frame-pointer:u32:2:max -Zpatchable-function-entry=16,16 -Ztune-cpu=generic"
    ).split(" ");
    expect(analyzeRustcArgs(kernel).refusedCodegenFlags).toEqual([]);
  });
});
