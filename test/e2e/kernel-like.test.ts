import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { BuildOptions } from "../../src/pipeline/types.js";
import type { Report } from "../../src/report/schema.js";
import { reportSchema } from "../../src/report/schema.js";
import { clang, llvmBin, repoRoot, run, tempDir } from "../support/toolchain.js";

/**
 * The kernel-like corpus (test/fixtures/kernel-like): helpers built with the x86-64 kernel's C
 * flags, Rust built for the bare-metal soft-float target. Plain merging inlines nothing; local-lto
 * inlines what only attribute noise blocked and explains every call left, in agreement with LLVM.
 */
const fixture = join(repoRoot, "test/fixtures/kernel-like");
const flags = JSON.parse(readFileSync(join(fixture, "flags.json"), "utf8")) as {
  cFlags: string[];
  rustcFlags: string[];
  kernel: { cFlags: string[]; rustcFlags: string[] };
  runnable: { cFlags: string[]; rustcFlags: string[] };
};
// The corpus is a #![no_core] crate (only the host's core is installed): it needs feature gates.
process.env.RUSTC_BOOTSTRAP = "1";

const dir = tempDir("llto-kernel-like-");

function corpusBuild(model: "kernel" | "runnable", name: string, options: Partial<BuildOptions>) {
  return build({
    rustInput: join(fixture, "lib.rs"),
    helperInputs: [join(fixture, "helpers.c")],
    output: join(dir, `${name}.o`),
    rustcArgs: [...flags.rustcFlags, ...flags[model].rustcFlags],
    ccArgs: [...flags.cFlags, ...flags[model].cFlags],
    helperCache: false,
    mode: "inline",
    ...options,
  });
}

const inlined = (report: Report) => report.helpers.filter((h) => h.callsLeft === 0).map((h) => h.name);
const leftWith = (report: Report) =>
  Object.fromEntries(report.helpers.filter((h) => h.callsLeft > 0).map((h) => [h.name, [...new Set((h.reasons ?? []).filter((r) => r.category !== "inlined").map((r) => r.category))].sort().join(",")]));

/** Every call left has a reason per call site, and LLVM's remark says the same for every call site explained. */
function expectEveryCallExplained(report: Report): void {
  for (const h of report.helpers) {
    const notInlined = (h.reasons ?? []).filter((r) => r.category !== "inlined");
    if (h.callsLeft > 0) expect(notInlined.length, h.name).toBeGreaterThanOrEqual(h.callsLeft);
    for (const r of h.reasons ?? []) {
      expect(r.llvmAgrees, `${r.caller} → ${h.name}: ${r.reason} / LLVM: ${r.llvmRemark}`).toBe(true);
      if (r.category !== "inlined") expect(r.fix, `${h.name}: a fix is named`).toBeTruthy();
    }
  }
}

const mustMatch = /sanitize|safestack|shadowcallstack|sample-profile|noprofile|denormal|strictfp|sign-return-address|branch-protection/;

describe("kernel-like corpus: kernel C flags, bare-metal soft-float Rust", () => {
  let plain: Report;
  let keep: Report;
  let caller: Report;

  beforeAll(async () => {
    [plain, keep, caller] = await Promise.all([
      corpusBuild("kernel", "plain", { reconcile: "off", explain: true }).then((r) => r.report),
      corpusBuild("kernel", "keep", { explain: true, nullPointerPolicy: "keep" }).then((r) => r.report),
      // Default options: --null-pointer-policy=caller.
      corpusBuild("kernel", "caller", { explain: true }).then((r) => r.report),
    ]);
  }, 240_000);

  test("plain merging (--reconcile=off) leaves every helper call out of line", () => {
    expect(plain.summary.callSitesBefore).toBe(25);
    expect(plain.summary.callsLeft).toBe(25);
    expect(inlined(plain)).toEqual([]);
    expect(plain.reconciliation).toEqual([]);
    const categories = leftWith(plain);
    expect(categories.rust_helper_refcount_inc).toBe("no-builtins");
    expect(categories.rust_helper_crc32).toBe("target-features");
    expect(categories.rust_helper_is_aligned).toBe("signature-mismatch");
    expectEveryCallExplained(plain);
    expect(() => reportSchema.parse(plain)).not.toThrow();
  });

  test("--null-pointer-policy=keep: every call blocked only by attribute noise is inlined, the rest explained", () => {
    // Noise only: no-builtins (no loop, no call) and null_pointer_is_valid on bodies without memory access.
    expect(inlined(keep)).toEqual(["rust_helper_ERR_PTR", "rust_helper_IS_ERR", "rust_helper_PTR_ERR"]);
    const categories = leftWith(keep);
    expect(categories).toMatchObject({
      rust_helper_refcount_inc: "null-pointer-is-valid",
      rust_helper_list_add_tail: "null-pointer-is-valid",
      rust_helper_count_nonzero: "no-builtins",
      rust_helper_crc32: "target-features",
      rust_helper_is_aligned: "signature-mismatch",
      rust_helper_mix: "too-costly",
      rust_helper_slow_path: "noinline",
    });
    expect(keep.helpers.find((h) => h.name === "rust_helper_count_nonzero")!.reasons![0]!.reason).toContain("not reconciled: its body has a loop");
    // LLVM itself says what the crc32 intrinsic needs, and the fix names the flags (never --reconcile=on, which is on).
    const crc = keep.helpers.find((h) => h.name === "rust_helper_crc32")!.reasons![0]!;
    expect(crc.reason).toContain("it calls llvm.x86.sse42.crc32.64.64, and LLVM selects it only with +crc32");
    expect(crc.fix).toContain("--rustc-arg=-Ctarget-feature=+crc32");
    expect(crc.fix).not.toContain("--reconcile=on");
    expect(keep.helpers.find((h) => h.name === "rust_helper_refcount_inc")!.reasons![0]!.fix).toContain("--null-pointer-policy=caller (the default)");
    expectEveryCallExplained(keep);
    expect(keep.reconciliation!.length).toBeGreaterThan(0);
    expect(keep.reconciliation!.filter((line) => mustMatch.test(line))).toEqual([]);
    expect(keep.reconciliation).toContain(
      "rust_helper_IS_ERR: dropped null_pointer_is_valid: its body has no memory access, address arithmetic or call, so the attribute cannot change what it means",
    );
  });

  test("default options (--null-pointer-policy=caller): all but the explained helpers inlined, each marked caller reported", () => {
    expect(leftWith(caller)).toEqual({
      rust_helper_count_nonzero: "no-builtins",
      rust_helper_crc32: "target-features",
      rust_helper_is_aligned: "signature-mismatch",
      rust_helper_mix: "too-costly",
      rust_helper_slow_path: "noinline",
    });
    expect(caller.summary.callsLeft).toBe(7);
    expect(caller.reconciliation).toContain(
      "Rust caller kl_list: null_pointer_is_valid added (--null-pointer-policy=caller) so that the inlined rust_helper_INIT_LIST_HEAD, rust_helper_list_add_tail, rust_helper_list_empty keep C's null-pointer semantics",
    );
    // Callers whose helpers stay out of line anyway are not marked.
    expect(caller.reconciliation!.some((l) => l.startsWith("Rust caller kl_count:") || l.startsWith("Rust caller kl_crc:"))).toBe(false);
    expectEveryCallExplained(caller);
  });
});

describe("kernel-like corpus: the program behaves the same", () => {
  const builds = ["off", "keep", "caller", "drop"] as const;
  const outputs = new Map<string, string>();
  let reference = "";

  beforeAll(async () => {
    // Out of line: rustc's and clang's own objects, linked as they are.
    const rustObject = join(dir, "ref-rust.o");
    const helperObject = join(dir, "ref-helpers.o");
    const mainObject = join(dir, "main.o");
    run("rustc", [...flags.rustcFlags, ...flags.runnable.rustcFlags, "--crate-type=lib", "--emit=obj", "-o", rustObject, join(fixture, "lib.rs")]);
    run(clang, ["--target=x86_64-unknown-none", ...flags.cFlags, "-c", "-o", helperObject, join(fixture, "helpers.c")]);
    run(clang, ["-O2", "-c", "-o", mainObject, join(fixture, "main.c")]);
    run(clang, ["-no-pie", "-o", join(dir, "ref"), mainObject, rustObject, helperObject]);
    reference = run(join(dir, "ref"), []);
    await Promise.all(
      builds.map(async (b) => {
        await corpusBuild("runnable", `run-${b}`, {
          ...(b === "off" ? { reconcile: "off" as const } : {}),
          ...(b === "keep" || b === "drop" ? { nullPointerPolicy: b } : {}),
          emitBitcode: join(dir, `run-${b}.bc`),
        });
        run(clang, ["-no-pie", "-o", join(dir, `run-${b}`), mainObject, join(dir, `run-${b}.o`)]);
        outputs.set(b, run(join(dir, `run-${b}`), []));
      }),
    );
  }, 240_000);

  test("out of line, plain merge, and every policy print the same", () => {
    expect(reference).toContain("refcount: 1 0");
    expect(reference).toContain("list: 1 1 1");
    for (const b of builds) expect(outputs.get(b), b).toBe(reference);
  });

  test("policy caller keeps the Rust caller's null check that C semantics need; drop lets LLVM delete it", () => {
    const nullCheckAfterO2 = (b: string) => {
      const optimized = run(`${llvmBin}/opt`, ["-O2", "-S", join(dir, `run-${b}.bc`), "-o", "-"]);
      const fn = optimized.slice(optimized.indexOf("@kl_empty_or_null("));
      return /icmp (eq|ne) ptr %head, null/.test(fn.slice(0, fn.indexOf("\n}\n")));
    };
    const callerIr = run(`${llvmBin}/llvm-dis`, [join(dir, "run-caller.bc"), "-o", "-"]);
    const header = callerIr.split("\n").find((l) => l.startsWith("define") && l.includes("@kl_empty_or_null("))!;
    const group = header.match(/#(\d+)/)![1]!;
    expect(callerIr).toMatch(new RegExp(`attributes #${group} = \\{[^}]*null_pointer_is_valid`));
    expect(nullCheckAfterO2("caller")).toBe(true);
    expect(nullCheckAfterO2("drop")).toBe(false);
  });
});
