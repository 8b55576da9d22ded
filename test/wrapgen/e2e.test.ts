/**
 * The wrapper generator with the real clang: its output for sample.h is the recorded one, the
 * wrappers compile with clang, the bindings with rustc, and Rust calling every wrapper gets C's
 * results — out of line and through local-lto.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { generateWrappers } from "../../src/wrapgen/index.js";
import { clang, llvmBin, repoRoot, run, tempDir } from "../support/toolchain.js";
import { runCli } from "../support/cli.js";
import { sampleOptions } from "../fixtures/wrapgen/options.mjs";

const fixtureDir = join(repoRoot, "test/fixtures/wrapgen");
const options = { ...sampleOptions(fixtureDir), clang };
const expectedOutput = "wrapgen_check: 3629\n";

describe("generated wrappers with the real compilers", () => {
  const dir = tempDir("llto-wrapgen-");

  test("clang's dumps give what was recorded (rerun record.mjs if clang or sample.h changed)", async () => {
    const generated = await generateWrappers(options);
    expect(generated.externC).toBe(readFileSync(join(fixtureDir, "expected-extern.c"), "utf8"));
    expect(generated.bindingsRs).toBe(readFileSync(join(fixtureDir, "expected-bindings.rs"), "utf8"));
    writeFileSync(join(dir, "extern.c"), generated.externC);
    writeFileSync(join(dir, "bindings.rs"), generated.bindingsRs);
    copyFileSync(join(fixtureDir, "program.rs"), join(dir, "program.rs"));
  });

  test("extern.c compiles and exports one `<name>__extern` per wrapped function", () => {
    run(clang, ["-O2", `-I${fixtureDir}`, "-c", join(dir, "extern.c"), "-o", join(dir, "extern.o")]);
    const defined = run(`${llvmBin}/llvm-nm`, ["--defined-only", "--extern-only", join(dir, "extern.o")])
      .trim()
      .split("\n")
      .map((line) => line.split(" ").pop());
    expect(defined).toHaveLength(14);
    expect(defined.every((name) => name?.endsWith("__extern"))).toBe(true);
    expect(defined).toContain("pair_make__extern");
  });

  test("Rust calls every wrapper through the bindings and gets C's results: struct by value, callbacks, alignment", () => {
    run("rustc", ["-O", "--edition=2021", "--crate-type=lib", "--emit=obj", "-o", join(dir, "program.o"), join(dir, "program.rs")]);
    run(clang, [join(fixtureDir, "main.c"), join(dir, "program.o"), join(dir, "extern.o"), "-o", join(dir, "out-of-line")]);
    expect(run(join(dir, "out-of-line"), [])).toBe(expectedOutput);
  });

  const buildWithLocalLto = async (object: string) => {
    const cli = await runCli([
      "build",
      join(dir, "program.rs"),
      "--helpers",
      join(dir, "extern.c"),
      "-o",
      object,
      "--rustc-arg=-O",
      "--rustc-arg=--edition=2021",
      `--cc-arg=-I${fixtureDir}`,
      "--all-helpers",
      "--explain",
      "--json",
    ]);
    expect(cli.exitCode, cli.stderr).toBe(0);
    return JSON.parse(cli.stdout) as { summary: { helpers: number; callsLeft: number }; helpers: { name: string; callsLeft: number; reasons?: { category: string }[] }[] };
  };

  test("the same program through local-lto: same output; today only the struct passed by value stays a call", async () => {
    const report = await buildWithLocalLto(join(dir, "inlined.o"));
    expect(report.summary.helpers).toBe(14); // the program calls every wrapper
    run(clang, [join(fixtureDir, "main.c"), join(dir, "inlined.o"), "-o", join(dir, "inlined")]);
    expect(run(join(dir, "inlined"), [])).toBe(expectedOutput);
    // rustc declares `pair_sum(p: pair_t)` as `i64 ({ i64, i64 })`, clang defines it as
    // `i64 (i64, i64)`: the same machine ABI, different IR, so LLVM sees an indirect call.
    const left = report.helpers.filter((h) => h.callsLeft > 0);
    expect(left.map((h) => [h.name, h.callsLeft, h.reasons?.map((r) => r.category)])).toEqual([["pair_sum__extern", 1, ["signature-mismatch"]]]);
  });

  test.fails("issue 10 target: a struct passed by value is inlined too (0 calls left)", async () => {
    const report = await buildWithLocalLto(join(dir, "target.o"));
    expect(report.summary.callsLeft).toBe(0);
  });

  test("a header clang rejects is a compile error with clang's message", async () => {
    const broken = join(dir, "broken.h");
    writeFileSync(broken, "static inline int f(void) { return missing; }\n");
    await expect(generateWrappers({ header: broken, clang })).rejects.toMatchObject({ code: "LLTO_CC_FAILED", details: expect.stringMatching(/use of undeclared identifier 'missing'/) });
  });
});
