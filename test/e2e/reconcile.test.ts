import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { BuildOptions } from "../../src/pipeline/types.js";
import type { Report } from "../../src/report/schema.js";
import { safetyCheckIds } from "../../src/safety/types.js";
import { clang, run, tempDir } from "../support/toolchain.js";

/**
 * One test per reconciliation rule (docs/INLINING.md): with --reconcile=off LLVM refuses the
 * helper (and local-lto's reason agrees with LLVM's remark), with it LLVM inlines, and a C program
 * prints the same as with rustc's and clang's own out-of-line objects. Each helper is compiled by
 * the test with its own flags, to bitcode, so one Rust crate can call them all.
 */
const dir = tempDir("llto-reconcile-");
const triple = "x86_64-unknown-linux-gnu";

interface RuleHelper {
  name: string;
  flags: string[];
  c: string;
}

const rules: RuleHelper[] = [
  {
    // Rule "target features": a helper built for a newer CPU whose body does not use the extra features.
    name: "march",
    flags: ["-O2", "-march=haswell"],
    c: "long rust_helper_scale(long x) { return x * 3 + (x >> 2); }",
  },
  {
    // Same rule, tuning only: -mtune sets tuning features LLVM compares too.
    name: "mtune",
    flags: ["-O2", "-mtune=znver3"],
    c: "long rust_helper_tuned(long x) { return x ^ (x << 7); }",
  },
  {
    // Rule "no-builtins": -fno-builtin; its one call gets nobuiltin so it can never be read as strlen.
    name: "nobuiltin",
    flags: ["-O2", "-fno-builtin", "-fno-builtin-wcslen"],
    c: "unsigned long strlen(const char *); unsigned long rust_helper_len(const char *s) { return strlen(s) + 1; }",
  },
  {
    // Rule "null_pointer_is_valid, neutral body": pointer arithmetic only.
    name: "errptr",
    flags: ["-O2", "-fno-delete-null-pointer-checks"],
    c: "long rust_helper_is_err(const void *p) { return (unsigned long)p >= (unsigned long)-4095; }",
  },
  {
    // Policy "caller": a load, whose meaning null_pointer_is_valid can change.
    name: "load",
    flags: ["-O2", "-fno-delete-null-pointer-checks"],
    c: "long rust_helper_read(const long *p) { return *p + 1; }",
  },
  {
    // Needs a feature the Rust side lacks (vectors): reported, never "fixed".
    name: "avx2",
    flags: ["-O2", "-mavx2"],
    c: "typedef long v4 __attribute__((vector_size(32))); long rust_helper_vsum(long a, long b) { v4 x = {a, b, a, b}; x = x * x; return x[0] + x[1] + x[2] + x[3]; }",
  },
];

const rulesRust = `
extern "C" {
    fn rust_helper_scale(x: i64) -> i64;
    fn rust_helper_tuned(x: i64) -> i64;
    fn rust_helper_len(s: *const u8) -> usize;
    fn rust_helper_is_err(p: *const u8) -> i64;
    fn rust_helper_read(p: *const i64) -> i64;
    fn rust_helper_vsum(a: i64, b: i64) -> i64;
}
#[no_mangle] pub extern "C" fn r_scale(x: i64) -> i64 { unsafe { rust_helper_scale(x) } }
#[no_mangle] pub extern "C" fn r_tuned(x: i64) -> i64 { unsafe { rust_helper_tuned(x) } }
#[no_mangle] pub extern "C" fn r_len(s: *const u8) -> usize { unsafe { rust_helper_len(s) } }
#[no_mangle] pub extern "C" fn r_is_err(p: *const u8) -> i64 { unsafe { rust_helper_is_err(p) } }
#[no_mangle] pub extern "C" fn r_read(p: *const i64) -> i64 { unsafe { rust_helper_read(p) } }
#[no_mangle] pub extern "C" fn r_vsum(a: i64, b: i64) -> i64 { unsafe { rust_helper_vsum(a, b) } }
`;

const rulesMain = `#include <stdio.h>
long r_scale(long); long r_tuned(long); unsigned long r_len(const char *); long r_is_err(const void *); long r_read(const long *); long r_vsum(long, long);
int main(void) {
  long v = 41;
  printf("%ld %ld %lu %ld %ld %ld %ld\\n", r_scale(100), r_tuned(5), r_len("four"), r_is_err((void *)-12), r_is_err(&v), r_read(&v), r_vsum(2, 3));
  return 0;
}
`;

function compileHelpers(list: RuleHelper[], kind: "bc" | "o"): string[] {
  return list.map((h) => {
    const source = join(dir, `${h.name}.c`);
    writeFileSync(source, `${h.c}\n`);
    const out = join(dir, `${h.name}.${kind}`);
    run(clang, [`--target=${triple}`, ...h.flags, "-c", ...(kind === "bc" ? ["-emit-llvm"] : []), "-o", out, source]);
    return out;
  });
}

function buildRules(name: string, rust: string, helpers: string[], options: Partial<BuildOptions>): Promise<Report> {
  return build({ rustInput: rust, helperInputs: helpers, output: join(dir, `${name}.o`), rustcArgs: ["-O"], mode: "inline", explain: true, ...options }).then((r) => r.report);
}

const row = (report: Report, helper: string) => report.helpers.find((h) => h.name === helper)!;

describe("each reconciliation rule: LLVM refuses without it, inlines with it, same program", () => {
  let off: Report;
  let on: Report;
  let keep: Report;
  const outputs = new Map<string, string>();

  beforeAll(async () => {
    const rust = join(dir, "rules.rs");
    writeFileSync(rust, rulesRust);
    writeFileSync(join(dir, "main.c"), rulesMain);
    const bitcode = compileHelpers(rules, "bc");
    [off, on, keep] = await Promise.all([
      buildRules("off", rust, bitcode, { reconcile: "off" }),
      // Default options: reconciliation on, --null-pointer-policy=caller.
      buildRules("on", rust, bitcode, {}),
      buildRules("keep", rust, bitcode, { nullPointerPolicy: "keep" }),
    ]);
    const objects = compileHelpers(rules, "o");
    const rustObject = join(dir, "rules-rust.o");
    run("rustc", ["-O", "--crate-type=lib", "--emit=obj", "-o", rustObject, rust]);
    const link = (name: string, inputs: string[]) => {
      run(clang, ["-O2", "-o", join(dir, name), join(dir, "main.c"), ...inputs]);
      outputs.set(name, run(join(dir, name), []));
    };
    link("out-of-line", [rustObject, ...objects]);
    for (const b of ["off", "on", "keep"]) link(b, [join(dir, `${b}.o`)]);
  }, 240_000);

  test("LLVM refuses every rule's helper without reconciliation, for the reason local-lto gives", () => {
    const expected: Record<string, string> = {
      rust_helper_scale: "target-features",
      rust_helper_tuned: "target-features",
      rust_helper_len: "no-builtins",
      rust_helper_is_err: "null-pointer-is-valid",
      rust_helper_read: "null-pointer-is-valid",
      rust_helper_vsum: "target-features",
    };
    for (const [helper, category] of Object.entries(expected)) {
      const h = row(off, helper);
      expect(h.callsLeft, helper).toBe(1);
      expect(h.reasons?.[0], helper).toMatchObject({ category, llvmAgrees: true });
    }
    expect(row(off, "rust_helper_tuned").reasons![0]!.reason).toMatch(/^tune-cpu differs: the helper is tuned with \+fast-imm16,\+fast-movbe,\+sbb-dep-breaking/);
  });

  test("with reconciliation LLVM inlines them, except what the body needs or what changes meaning", () => {
    for (const helper of ["rust_helper_scale", "rust_helper_tuned", "rust_helper_len", "rust_helper_is_err", "rust_helper_read"]) {
      expect(row(on, helper).callsLeft, helper).toBe(0);
      expect(row(on, helper).reasons?.[0]).toMatchObject({ category: "inlined", llvmAgrees: true });
    }
    expect(row(on, "rust_helper_vsum").reasons![0]).toMatchObject({ category: "target-features", llvmAgrees: true });
    expect(row(on, "rust_helper_vsum").reasons![0]!.reason).toContain("not reconciled: it would lose +avx");
    // The fix never proposes what is on already (--reconcile=on is the default).
    expect(row(on, "rust_helper_vsum").reasons![0]!.fix).not.toContain("--reconcile=on");
    expect(on.reconciliation).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rust_helper_scale: target-cpu\/tune-cpu\/target-features set to its Rust callers' \(target-cpu x86-64\): .*no longer has .*\+avx2.* \(no floating point or vectors in its body/),
        expect.stringMatching(/^rust_helper_tuned: target-cpu\/tune-cpu\/target-features set to its Rust callers'.*tuning \+fast-imm16,\+fast-movbe,\+sbb-dep-breaking now the callers' \(tuning only\)/),
        'rust_helper_len: dropped "no-builtins": its body has no loop, and its 1 call is marked nobuiltin so no library-call rewrite applies to it',
        "rust_helper_is_err: dropped null_pointer_is_valid: its body has no memory access, address arithmetic or call, so the attribute cannot change what it means",
      ]),
    );
  });

  test("by default (--null-pointer-policy=caller) the load is inlined and the Rust caller it marked reported; keep leaves it, explained", () => {
    expect(on.reconciliation).toContain("Rust caller r_read: null_pointer_is_valid added (--null-pointer-policy=caller) so that the inlined rust_helper_read keeps C's null-pointer semantics");
    expect(row(keep, "rust_helper_read").callsLeft).toBe(1);
    expect(row(keep, "rust_helper_read").reasons![0]).toMatchObject({ category: "null-pointer-is-valid", llvmAgrees: true });
    expect(row(keep, "rust_helper_read").reasons![0]!.fix).toContain("--null-pointer-policy=caller (the default)");
    expect(row(keep, "rust_helper_vsum").callsLeft).toBe(1);
  });

  test("the program prints the same out of line, merged plainly, reconciled, and with policy keep", () => {
    const expected = outputs.get("out-of-line")!;
    expect(expected).toBe("325 645 5 1 0 42 26\n");
    for (const b of ["off", "on", "keep"]) expect(outputs.get(b), b).toBe(expected);
  });
});

describe("attributes that must be equal are never reconciled: the report names the flag to change", () => {
  const mustMatch: RuleHelper[] = [
    { name: "asan", flags: ["-O2", "-fsanitize=address"], c: "long rust_helper_asan(const long *p) { return *p; }" },
    { name: "strict", flags: ["-O2", "-ffp-model=strict"], c: "double rust_helper_strict(double x) { return x * 3.0; }" },
    { name: "denormal", flags: ["-O2", "-fdenormal-fp-math=preserve-sign"], c: "float rust_helper_flush(float x) { return x * 0.5f; }" },
  ];
  const rust = `
extern "C" { fn rust_helper_asan(p: *const i64) -> i64; fn rust_helper_strict(x: f64) -> f64; fn rust_helper_flush(x: f32) -> f32; }
#[no_mangle] pub extern "C" fn m_asan(p: *const i64) -> i64 { unsafe { rust_helper_asan(p) } }
#[no_mangle] pub extern "C" fn m_strict(x: f64) -> f64 { unsafe { rust_helper_strict(x) } }
#[no_mangle] pub extern "C" fn m_flush(x: f32) -> f32 { unsafe { rust_helper_flush(x) } }
`;
  let report: Report;

  beforeAll(async () => {
    const source = join(dir, "must-match.rs");
    writeFileSync(source, rust);
    // ASan's module constructor and globals are what the safety checks exist for; accepted here,
    // where only the attributes are under test (nothing is linked or run).
    report = await buildRules("must-match", source, compileHelpers(mustMatch, "bc"), { allow: [...safetyCheckIds] });
  }, 120_000);

  test("LLVM refuses each; local-lto changes nothing and names the flag", () => {
    expect(report.reconciliation).toEqual([]);
    const reason = (helper: string) => row(report, helper).reasons![0]!;
    expect(reason("rust_helper_asan")).toMatchObject({ category: "must-match", llvmAgrees: true });
    expect(reason("rust_helper_asan").reason).toMatch(/^sanitize_address on the helper only/);
    expect(reason("rust_helper_asan").fix).toContain("-Zsanitizer=address");
    expect(reason("rust_helper_strict")).toMatchObject({ category: "must-match", llvmAgrees: true });
    expect(reason("rust_helper_strict").reason).toMatch(/^strictfp on the helper only/);
    expect(reason("rust_helper_flush")).toMatchObject({ category: "must-match", llvmAgrees: true });
    expect(reason("rust_helper_flush").reason).toMatch(/^denormal-fp-math/);
    for (const h of report.helpers) expect(h.callsLeft, h.name).toBe(1);
  });
});
