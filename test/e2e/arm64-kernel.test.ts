import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { BuildOptions } from "../../src/pipeline/types.js";
import type { Report } from "../../src/report/schema.js";
import { clang, repoRoot, run, tempDir } from "../support/toolchain.js";

/**
 * arm64, the kernel's second architecture: helpers with the arm64 kernel's C flags
 * (`-mgeneral-regs-only -mbranch-protection=pac-ret+bti -fno-delete-null-pointer-checks
 * -fno-builtin-wcslen …`) beside a Rust caller for `aarch64-unknown-none-softfloat` with
 * `-Zbranch-protection=bti,pac-ret`. LLVM accepts their target attributes, so local-lto must not
 * blame target features: with default options every call is inlined, and every explanation
 * agrees with LLVM's own remark. Real rustc, clang and LLVM (docs/INLINING.md §5).
 */
const fixture = join(repoRoot, "test/fixtures/arm64-kernel");
const flags = JSON.parse(readFileSync(join(fixture, "flags.json"), "utf8")) as { cFlags: string[]; rustcFlags: string[] };
// A #![no_core] crate (no core for this target is installed) and -Z flags, as the kernel.
process.env.RUSTC_BOOTSTRAP = "1";
const dir = tempDir("llto-arm64-kernel-");
// The helpers are compiled here, as kbuild compiles them, for the LLVM triple of rustc's
// aarch64-unknown-none-softfloat (aarch64-unknown-none): local-lto's own helper compile passes
// rustc's target *name* to clang, which rejects this one (reported to the pipeline's owner).
const helpersBitcode = join(dir, "helpers.bc");

function corpusBuild(name: string, options: Partial<BuildOptions>): Promise<Report> {
  return build({
    rustInput: join(fixture, "lib.rs"),
    helperInputs: [helpersBitcode],
    output: join(dir, `${name}.o`),
    rustcArgs: flags.rustcFlags,
    cacheDir: join(dir, "cache"),
    mode: "inline",
    explain: true,
    ...options,
  }).then((r) => r.report);
}

const reasons = (report: Report) => report.helpers.flatMap((h) => (h.reasons ?? []).map((r) => ({ helper: h.name, ...r })));

describe("arm64 kernel flags: LLVM accepts the target attributes, and so does local-lto", () => {
  let plain: Report;
  let byDefault: Report;
  let keep: Report;

  beforeAll(async () => {
    run(clang, ["--target=aarch64-unknown-none", ...flags.cFlags, "-c", "-emit-llvm", "-o", helpersBitcode, join(fixture, "helpers.c")]);
    [plain, byDefault, keep] = await Promise.all([corpusBuild("plain", { reconcile: "off" }), corpusBuild("default", {}), corpusBuild("keep", { nullPointerPolicy: "keep" })]);
  }, 240_000);

  test("the object is AArch64 and every helper is called from Rust", () => {
    expect(byDefault.target).toMatch(/^aarch64-unknown-none/);
    expect(byDefault.summary.callSitesBefore).toBe(11);
  });

  test("default options inline every call, no helper symbol is exported", () => {
    expect(byDefault.summary.callsLeft).toBe(0);
    expect(byDefault.summary.globalHelperSymbols).toBe(0);
  });

  test("no explanation blames target features, and every one agrees with LLVM's remark, in every build", () => {
    for (const report of [plain, byDefault, keep]) {
      for (const r of reasons(report)) {
        expect(r.category, `${r.helper}: ${r.reason}`).not.toBe("target-features");
        expect(r.llvmAgrees, `${r.caller} → ${r.helper}: ${r.reason} / LLVM: ${r.llvmRemark}`).toBe(true);
      }
    }
  });

  test("without reconciliation LLVM refuses for no-builtin-wcslen first, then null_pointer_is_valid", () => {
    const left = reasons(plain).filter((r) => r.category !== "inlined");
    expect(plain.summary.callsLeft).toBeGreaterThan(0);
    for (const r of left) {
      expect(r.category).toBe("no-builtins");
      expect(r.reason).toMatch(/^no-builtin-wcslen on the helper only .*; after that: null_pointer_is_valid/);
    }
  });

  test("--null-pointer-policy=keep leaves only what null_pointer_is_valid blocks, with the default as the fix", () => {
    const left = reasons(keep).filter((r) => r.category !== "inlined");
    expect(left.length).toBeGreaterThan(0);
    for (const r of left) {
      expect(r.category).toBe("null-pointer-is-valid");
      expect(r.fix).toContain("--null-pointer-policy=caller (the default)");
    }
  });
});
