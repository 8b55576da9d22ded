import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { BuildOptions } from "../../src/pipeline/types.js";
import type { Report } from "../../src/report/schema.js";
import { clang, run, tempDir } from "../support/toolchain.js";

/**
 * Inline as C would (docs/INLINING.md §3.2): a bindgen-style wrapper (`mix__extern`) of a
 * `static inline` function is weighed with C's inline-hint threshold (325), not the 225 of a plain
 * function, and a threshold given with --inline-threshold or to rustc as -Cllvm-args reaches the
 * inline step. Real rustc, clang and LLVM.
 */
const dir = tempDir("llto-inline-policy-");

const block = `  a ^= b * 0x9E3779B97F4A7C15ul; a = (a << 31) | (a >> 33); a *= 0xC2B2AE3D27D4EB4Ful;
  b ^= a >> 29; b *= 0x165667B19E3779F9ul; a += b ^ (b >> 32);
  if (a & 1) a = a * 3 + b; else a = a / 7 + (b >> 3);
`;
/** A static inline function of `blocks` blocks and its bindgen --wrap-static-fns wrapper. */
const helpers = (blocks: number) =>
  `static inline unsigned long mix(unsigned long a, unsigned long b) {\n${block.repeat(blocks)}  return a ^ b;\n}\nunsigned long mix__extern(unsigned long a, unsigned long b) { return mix(a, b); }\n`;
// Three callers, so no call is the last one to the helper (LLVM's large bonus for that).
const rust = `extern "C" { #[link_name = "mix__extern"] fn mix(a: u64, b: u64) -> u64; }
#[no_mangle] pub extern "C" fn one(a: u64, b: u64) -> u64 { unsafe { mix(a, b) } }
#[no_mangle] pub extern "C" fn two(a: u64, b: u64) -> u64 { unsafe { mix(b, a) ^ 1 } }
#[no_mangle] pub extern "C" fn three(a: u64, b: u64) -> u64 { unsafe { mix(a + 1, b) } }
`;

function buildMix(name: string, blocks: number, options: Partial<BuildOptions> = {}): Promise<Report> {
  const c = join(dir, `${name}.c`);
  writeFileSync(c, helpers(blocks));
  return build({ rustInput: join(dir, "lib.rs"), helperInputs: [c], output: join(dir, `${name}.o`), rustcArgs: ["-O"], ccArgs: ["-O2"], allHelperFunctions: true, mode: "inline", explain: true, ...options }).then((r) => r.report);
}

const reasons = (report: Report) => report.helpers.flatMap((h) => h.reasons ?? []);

describe("helpers count as inline functions; the threshold reaches the inline step", () => {
  let medium: Report;
  let large: Report;
  let largeFlag: Report;
  let largeRustc: Report;
  let cCallsLeft: number;

  beforeAll(async () => {
    writeFileSync(join(dir, "lib.rs"), rust);
    [medium, large, largeFlag, largeRustc] = await Promise.all([
      buildMix("medium", 3),
      buildMix("large", 4),
      buildMix("large-flag", 4, { inlineThreshold: 1000 }),
      buildMix("large-rustc", 4, { rustcArgs: ["-O", "-Cllvm-args=-inline-threshold=1000"] }),
    ]);
    // The same three callers in C, calling the static inline function itself.
    writeFileSync(join(dir, "c.c"), `#include "medium.c"\nunsigned long one(unsigned long a, unsigned long b) { return mix(a, b); }\nunsigned long two(unsigned long a, unsigned long b) { return mix(b, a) ^ 1; }\nunsigned long three(unsigned long a, unsigned long b) { return mix(a + 1, b); }\n`);
    cCallsLeft = (run(clang, ["-O2", "-S", "-emit-llvm", "-o", "-", join(dir, "c.c")]).match(/call .*@mix\(/g) ?? []).length;
  }, 240_000);

  test("a wrapper costlier than a plain function's 225 but under C's inline-hint 325 is inlined, as C inlines it", () => {
    expect(cCallsLeft).toBe(0);
    expect(medium.summary.callsLeft).toBe(0);
    for (const r of reasons(medium)) {
      expect(r).toMatchObject({ category: "inlined", llvmAgrees: true });
      const m = /inlined \(cost (-?\d+), threshold (\d+)\)/.exec(r.reason)!;
      expect(Number(m[2])).toBeGreaterThanOrEqual(325);
    }
    // Not the last call to it: the cost is the helper's own, above a plain function's threshold.
    expect(reasons(medium).some((r) => /cost 2[3-9]\d,/.test(r.reason))).toBe(true);
  });

  test("too costly even so: the fix names a threshold, and --inline-threshold or rustc's -Cllvm-args reach the inline step", () => {
    expect(large.summary.callsLeft).toBe(3);
    const left = reasons(large).find((r) => r.category === "too-costly")!;
    expect(left.fix).toMatch(/--inline-threshold=\d+ or about that inlines it/);
    expect(largeFlag.summary.callsLeft).toBe(0);
    expect(largeRustc.summary.callsLeft).toBe(0);
    for (const r of [...reasons(largeFlag), ...reasons(largeRustc)]) expect(r.reason).toMatch(/threshold 1000\)/);
  });
});
