/**
 * Property tests (fast-check, fixed seed, small budget) for the IR reader and the CLI's argument
 * space: whatever the input, the reader fails only with its own error, and the CLI ends with a
 * documented exit code — never 70, never a stack trace. (The ELF reader's: test/elf/properties.test.ts.)
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exitCodes } from "../../src/diagnostics/errors.js";
import { IrParseError, parseModule } from "../../src/ir/index.js";
import { runCli } from "../support/cli.js";
import { clang, exampleDir, tempDir } from "../support/toolchain.js";

const seed = Number(process.env.LOCAL_LTO_FC_SEED ?? 20261202);
const dir = tempDir("llto-props-");

describe("the IR reader on damaged IR", () => {
  const ir = execFileSync(clang, ["-S", "-emit-llvm", "-O2", "-g", "-o", "-", join(exampleDir, "helpers.c")], { encoding: "utf8" });

  it("reads clang's real IR", () => {
    expect(parseModule(ir).functions.size).toBeGreaterThan(5);
  });

  it("throws nothing but IrParseError on cut, spliced or byte-flipped IR", () => {
    fc.assert(
      fc.property(fc.nat(ir.length), fc.nat(ir.length), fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 8 }), (a, b, kind, junk) => {
        const [from, to] = a < b ? [a, b] : [b, a];
        const damaged = kind === 0 ? ir.slice(0, from) : kind === 1 ? ir.slice(0, from) + ir.slice(to) : kind === 2 ? ir.slice(0, from) + junk + ir.slice(from) : ir.slice(from, to);
        try {
          parseModule(damaged);
        } catch (error) {
          if (!(error instanceof IrParseError)) throw error;
        }
      }),
      { seed, numRuns: 300 },
    );
  });
});

describe("the CLI's argument space", () => {
  const lib = join(exampleDir, "lib.rs");
  const helpers = join(exampleDir, "helpers.c");
  writeFileSync(join(dir, "empty.c"), "");
  const words = [
    "build", "inspect", "doctor", lib, helpers, join(dir, "empty.c"), join(dir, "nope.rs"), dir, "/dev/null",
    "--helpers", "-o", join(dir, "out.o"), "--report", "-", "--mode", "plugin", "static", "inline", "auto", "bogus",
    "--rustc-arg=-O", "--rustc-arg=--print=cfg", "--cc-arg=-E", "--cc-args", "'unterminated", "--pkg-config", "no-such-lib",
    "--helper-regex", "(", "--allow", "nothing", "--inline-threshold", "x", "--codegen-opt-level", "9", "--require-inlined", "--json", "--explain",
  ];

  it("ends every random command line with a documented exit code, never 70, never a stack trace", async () => {
    const lines = fc.sample(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 7 }), { seed, numRuns: 14 });
    const documented = new Set<number>([0, ...Object.values(exitCodes)].filter((code) => code !== exitCodes.internal));
    for (const args of lines) {
      const cli = await runCli(args);
      expect(documented.has(cli.exitCode), `${args.join(" ")} → ${cli.exitCode}\n${cli.stderr}`).toBe(true);
      expect(cli.stderr).not.toMatch(/internal error|\n\s+at .*\.js:\d+/);
    }
  });
});
