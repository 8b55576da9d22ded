import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { BuildOptions } from "../../src/pipeline/types.js";
import type { Report } from "../../src/report/schema.js";
import { tempDir } from "../support/toolchain.js";

/**
 * CPU knowledge and intrinsic needs from LLVM itself (docs/INLINING.md §2), with the real rustc and
 * clang: helpers built with `-march=corei7` (as a library's pkg-config may ask) beside rustc's
 * default x86-64 caller. LLVM's own selection decides what an intrinsic needs: `_mm_pause` (SSE2,
 * which every x86-64 has) is inlined, `_mm_crc32_u64` is refused with the exact flags that fix it,
 * and one of them is then tried.
 */
const dir = tempDir("llto-cpu-features-");
// LLVM's answers are cached per tool identity: in this test's own directory, never the user's.
const cacheDir = join(dir, "cache");

const corei7Helpers = `#include <immintrin.h>
unsigned long long rust_helper_crc(unsigned long long crc, unsigned long long v) { return _mm_crc32_u64(crc, v); }
void rust_helper_relax(void) { _mm_pause(); }
long rust_helper_mix(long a, long b) { return (a ^ (b << 3)) * 7; }
`;

const avx2Helpers = `#include <immintrin.h>
int rust_helper_same_bytes(long a, long b) {
  __m256i x = _mm256_set1_epi64x(a), y = _mm256_set1_epi64x(b);
  return _mm256_movemask_epi8(_mm256_cmpeq_epi8(x, y));
}
`;

const rust = `
extern "C" {
    fn rust_helper_crc(crc: u64, v: u64) -> u64;
    fn rust_helper_relax();
    fn rust_helper_mix(a: i64, b: i64) -> i64;
}
#[no_mangle] pub extern "C" fn r_crc(c: u64, v: u64) -> u64 { unsafe { rust_helper_crc(c, v) } }
#[no_mangle] pub extern "C" fn r_spin(n: u32) -> i64 { let mut s = 0; for i in 0..n { unsafe { rust_helper_relax(); s = rust_helper_mix(s, i as i64); } } s }
`;

const rustAvx2 = `
extern "C" { fn rust_helper_same_bytes(a: i64, b: i64) -> i32; }
#[no_mangle] pub extern "C" fn r_same(a: i64, b: i64) -> i32 { unsafe { rust_helper_same_bytes(a, b) } }
`;

function buildWith(name: string, rustSource: string, helpers: string, options: Partial<BuildOptions>): Promise<Report> {
  const rustFile = join(dir, `${name}.rs`);
  const helperFile = join(dir, `${name}.c`);
  writeFileSync(rustFile, rustSource);
  writeFileSync(helperFile, helpers);
  return build({ rustInput: rustFile, helperInputs: [helperFile], output: join(dir, `${name}.o`), mode: "inline", explain: true, cacheDir, ...options }).then((r) => r.report);
}

const row = (report: Report, helper: string) => report.helpers.find((h) => h.name === helper)!;

describe("x86-64: a -march=corei7 helper library beside rustc's default CPU", () => {
  let corei7: Report;
  let fixed: Report;
  let avx2: Report;

  beforeAll(async () => {
    [corei7, fixed, avx2] = await Promise.all([
      buildWith("corei7", rust, corei7Helpers, { rustcArgs: ["-O"], ccArgs: ["-O2", "-march=corei7"] }),
      // The first fix the report proposes.
      buildWith("corei7-fixed", rust, corei7Helpers, { rustcArgs: ["-O", "-Ctarget-cpu=corei7"], ccArgs: ["-O2", "-march=corei7"] }),
      buildWith("avx2", rustAvx2, avx2Helpers, { rustcArgs: ["-O"], ccArgs: ["-O2", "-mavx2"] }),
    ]);
  }, 240_000);

  test("_mm_pause (SSE2, which x86-64 has) and plain code are inlined although the helpers are corei7", () => {
    expect(row(corei7, "rust_helper_relax").callsLeft).toBe(0);
    expect(row(corei7, "rust_helper_mix").callsLeft).toBe(0);
    expect(corei7.reconciliation).toEqual(expect.arrayContaining([expect.stringMatching(/^rust_helper_relax: target-cpu\/tune-cpu\/target-features set to its Rust callers' \(target-cpu x86-64\).*no longer has \+crc32,\+popcnt,\+sse3,\+sse4\.1,\+sse4\.2,\+ssse3 \(LLVM selects its intrinsics without them/)]));
  });

  test("_mm_crc32_u64 needs +crc32: explained from LLVM's selection, with the exact flags and their cost", () => {
    const h = row(corei7, "rust_helper_crc");
    expect(h.callsLeft).toBe(1);
    const reason = h.reasons!.find((r) => r.category !== "inlined")!;
    expect(reason).toMatchObject({ category: "target-features", llvmAgrees: true });
    expect(reason.reason).toContain("the helper has +crc32,+popcnt,+sse3,+sse4.1,+sse4.2,+ssse3 which the caller (target-cpu x86-64) lacks");
    expect(reason.reason).toContain("not reconciled: it calls llvm.x86.sse42.crc32.64.64, and LLVM selects it only with +crc32");
    expect(reason.fix).toContain("--rustc-arg=-Ctarget-cpu=corei7 (makes the whole crate require +crc32,+popcnt,+sse3,+sse4.1,+sse4.2,+ssse3: it no longer runs on CPUs without them)");
    expect(reason.fix).toContain("--rustc-arg=-Ctarget-feature=+crc32 (only what the helper's code needs");
    expect(reason.fix).toContain("--cc-arg=-march=x86-64");
    expect(reason.fix).not.toContain("--reconcile=on");
  });

  test("the proposed --rustc-arg=-Ctarget-cpu=corei7 inlines every call", () => {
    expect(fixed.summary.callsLeft).toBe(0);
    for (const h of fixed.helpers) for (const r of h.reasons ?? []) expect(r).toMatchObject({ category: "inlined", llvmAgrees: true });
  });

  test("an AVX2 intrinsic is refused for the x86-64-v1 Rust caller", () => {
    const reason = row(avx2, "rust_helper_same_bytes").reasons![0]!;
    expect(row(avx2, "rust_helper_same_bytes").callsLeft).toBe(1);
    expect(reason).toMatchObject({ category: "target-features", llvmAgrees: true });
    expect(reason.reason).toMatch(/the helper has .*\+avx2.* which the caller \(target-cpu x86-64\) lacks/);
    expect(reason.reason).toMatch(/not reconciled: it would lose \+avx/);
    expect(reason.fix).not.toContain("--reconcile=on");
  });
});
