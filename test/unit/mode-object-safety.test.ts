import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readElf, type ElfFile } from "../../src/elf/index.js";
import { selectObjectHelpers } from "../../src/pipeline/static/objectSymbols.js";
import { checkHelperObjectSafety, combineSafetyResults, unsafeHelpersError } from "../../src/safety/objectChecks.js";
import type { SafetyCheckId, SafetyCheckResult } from "../../src/safety/types.js";
import { exampleDir, run, tempDir } from "../support/toolchain.js";

/** The checks read objects, so the fixtures are compiled by the real compilers static mode uses. */
const compilers = [
  { name: "gcc", path: "/usr/bin/gcc" },
  { name: "clang-19", path: "/usr/bin/clang-19" },
];
const dir = tempDir("llto-object-safety-");
let counter = 0;

function compile(cc: string, source: string, flags: string[] = ["-O2", "-fPIC", "-ffunction-sections", "-fdata-sections"], ext = "c"): ElfFile {
  const id = counter++;
  const input = join(dir, `f${id}.${ext}`);
  const output = join(dir, `f${id}.o`);
  writeFileSync(input, source);
  run(cc, ["-c", ...flags, "-o", output, input]);
  return readElf(new Uint8Array(readFileSync(output)));
}

function result(results: SafetyCheckResult[], check: SafetyCheckId): SafetyCheckResult {
  return results.find((r) => r.check === check)!;
}

function failedChecks(results: SafetyCheckResult[]): SafetyCheckId[] {
  return results.filter((r) => r.status === "failed").map((r) => r.check);
}

describe.each(compilers)("helper objects from $name", ({ path: cc }) => {
  test("the bundled example's helpers pass every check (PIC and non-PIC)", () => {
    const source = readFileSync(join(exampleDir, "helpers.c"), "utf8").replace('#include "kernel_style.h"', readFileSync(join(exampleDir, "kernel_style.h"), "utf8"));
    for (const flags of [["-O2", "-fPIC"], ["-O2", "-fno-pic", "-mcmodel=kernel"]]) {
      const results = checkHelperObjectSafety(compile(cc, source, flags));
      expect(failedChecks(results)).toEqual([]);
      expect(result(results, "used-lists").status).toBe("not-applicable");
      expect(result(results, "module-asm").status).toBe("not-applicable");
      expect(result(results, "external-data").status).toBe("passed");
    }
  });

  test("a function-local static counter is duplicated state", () => {
    const results = checkHelperObjectSafety(compile(cc, "unsigned long rust_helper_next_id(void) { static unsigned long next; return ++next; }\n"), { source: "ids.c" });
    expect(failedChecks(results)).toEqual(["external-data"]);
    const [finding] = result(results, "external-data").findings;
    expect(finding?.message).toMatch(/static variable `next`/);
    expect(finding?.file).toBe("ids.c");
  });

  test("global variables, initialized or not, are duplicated state; read-only constants are not", () => {
    const results = checkHelperObjectSafety(
      compile(cc, "int rust_helper_zeroed; int rust_helper_set = 3;\nconst int limits[] = {1, 2, 3}; static const char name[] = \"x\";\nint rust_helper_get(int i) { return limits[i] + name[0] + rust_helper_zeroed + rust_helper_set; }\n"),
    );
    expect(result(results, "external-data").findings.map((f) => f.symbol).sort()).toEqual(["rust_helper_set", "rust_helper_zeroed"]);
  });

  test("a common symbol (-fcommon) is a global variable too", () => {
    const results = checkHelperObjectSafety(compile(cc, "int shared_count;\nint rust_helper_count(void) { return ++shared_count; }\n", ["-O2", "-fcommon"]));
    expect(result(results, "external-data").findings.map((f) => f.symbol)).toEqual(["shared_count"]);
  });

  test("thread-local data, constructors, destructors, weak definitions", () => {
    const results = checkHelperObjectSafety(
      compile(
        cc,
        "__thread int per_thread;\nint rust_helper_flag;\nint rust_helper_tls(void) { return ++per_thread + rust_helper_flag; }\n" +
          // External calls: clang evaluates a constructor that only stores a constant at compile time.
          "extern void register_helpers(int);\n__attribute__((constructor)) static void setup(void) { register_helpers(1); }\n__attribute__((destructor)) static void teardown(void) { register_helpers(0); }\n" +
          "__attribute__((weak)) int rust_helper_default(void) { return 1; }\n",
      ),
      { allow: new Set(["external-data"]) },
    );
    expect(failedChecks(results)).toEqual(["weak-or-comdat", "thread-local", "constructors"]);
    expect(result(results, "external-data").status).toBe("overridden");
    expect(result(results, "thread-local").findings.map((f) => f.symbol)).toEqual(["per_thread"]);
    expect(result(results, "constructors").findings.map((f) => f.message).join("\n")).toMatch(/constructor `setup`[\s\S]*destructor `teardown`|destructor `teardown`[\s\S]*constructor `setup`/);
    expect(result(results, "weak-or-comdat").findings.map((f) => f.symbol)).toEqual(["rust_helper_default"]);
  });

  test("an exported helper in a function-pointer table is address-taken; a static one is not", () => {
    const results = checkHelperObjectSafety(
      compile(cc, "int rust_helper_cb(int x) { return x + 1; }\nstatic int private_cb(int x) { return x; }\nint (*const rust_helper_ops[])(int) = { rust_helper_cb, private_cb };\n"),
    );
    expect(failedChecks(results)).toEqual(["address-taken"]);
    expect(result(results, "address-taken").findings.map((f) => f.symbol)).toEqual(["rust_helper_cb"]);
    expect(result(results, "address-taken").findings[0]?.message).toContain("in the helpers");
    // The table itself is RELRO (.data.rel.ro under -fPIC): read-only once relocated, not state.
    expect(result(results, "external-data").status).toBe("passed");
  });

  test("ftrace's __mcount_loc points at each function's start: a location table, not an address use", () => {
    if (cc.includes("clang")) return; // clang's -mrecord-mcount needs -pg and -mfentry too; gcc is what kernels use it with
    const results = checkHelperObjectSafety(compile(cc, "int rust_helper_traced(int x) { return x * 2; }\n", ["-O2", "-pg", "-mfentry", "-mrecord-mcount", "-fno-pic"]));
    expect(failedChecks(results)).toEqual([]);
  });

  test("the Rust side taking a helper's address counts; calling it through the GOT does not", () => {
    const helper = compile(cc, "int rust_helper_cb(int x) { return x + 1; }\n");
    // Stand-ins for Rust objects: what matters is their relocations against the helper.
    const takesAddress = compile(cc, "extern int rust_helper_cb(int);\nvoid *callback(void) { return (void *)rust_helper_cb; }\n");
    const callsThroughGot = compile(cc, "extern int rust_helper_cb(int);\nint twice(int x) { return rust_helper_cb(rust_helper_cb(x)); }\n", ["-O2", "-fPIC", "-fno-plt"]);
    expect(result(checkHelperObjectSafety(helper, { rustObject: takesAddress }), "address-taken").findings[0]?.message).toContain("in the Rust object");
    expect(failedChecks(checkHelperObjectSafety(helper, { rustObject: callsThroughGot }))).toEqual([]);
  });

  test("a symbol the Rust object defines too", () => {
    const helper = compile(cc, "int rust_helper_x(void) { return 1; }\nint shared_name(void) { return 2; }\n");
    const rust = compile(cc, "int shared_name(void) { return 3; }\nextern int rust_helper_x(void);\nint use(void) { return rust_helper_x(); }\n");
    expect(result(checkHelperObjectSafety(helper, { rustObject: rust }), "duplicate-symbol").findings.map((f) => f.symbol)).toEqual(["shared_name"]);
  });
});

test("a COMDAT group (assembled)", () => {
  const asm = '\t.section .text.rust_helper_grouped,"axG",@progbits,rust_helper_grouped,comdat\n\t.globl rust_helper_grouped\n\t.type rust_helper_grouped,@function\nrust_helper_grouped:\n\tret\n';
  const results = checkHelperObjectSafety(compile("/usr/bin/gcc", asm, [], "s"));
  expect(result(results, "weak-or-comdat").findings.map((f) => f.message)).toEqual([expect.stringContaining("COMDAT group `rust_helper_grouped`")]);
});

test("results of several objects combine per check; the refusal names the first symbol and every --allow", () => {
  const a = checkHelperObjectSafety(compile("/usr/bin/gcc", "int rust_helper_state;\nint rust_helper_a(void) { return rust_helper_state; }\n"), { source: "a.c" });
  const b = checkHelperObjectSafety(compile("/usr/bin/gcc", "__thread int t;\nint rust_helper_b(void) { return t; }\n"), { source: "b.c" });
  const combined = combineSafetyResults([a, b]);
  expect(failedChecks(combined)).toEqual(["external-data", "thread-local"]);
  const error = unsafeHelpersError(combined)!;
  expect(error.code).toBe("LLTO_UNSAFE_HELPERS");
  expect(error.exitCode).toBe(11);
  expect(error.message).toContain("`rust_helper_state`");
  expect(error.message).toContain("(and 1 more below)");
  expect(error.fix).toContain("--allow=external-data --allow=thread-local");
  expect(error.file).toBe("a.c");
  expect(error.details?.split("\n")).toHaveLength(2);
  expect(unsafeHelpersError(combineSafetyResults([checkHelperObjectSafety(compile("/usr/bin/gcc", "int rust_helper_ok(int x) { return x; }\n"))]))).toBeUndefined();
});

test("helper selection from objects: used, unused, declared but missing, filtered out", () => {
  const helpers = compile("/usr/bin/gcc", "int rust_helper_used(void) { return 1; }\nint rust_helper_unused(void) { return 2; }\nint other(void) { return 3; }\nstatic int rust_helper_static(void) { return 4; }\nint keep(void) { return rust_helper_static(); }\n");
  const rust = compile("/usr/bin/gcc", "extern int rust_helper_used(void), rust_helper_missing(void), other(void);\nint f(void) { return rust_helper_used() + rust_helper_missing() + other(); }\n");
  // Helpers are what the inputs define; a declared rust_helper_* no input defines is a missing helper.
  expect(selectObjectHelpers(rust, [helpers], {})).toEqual({ used: ["other", "rust_helper_used"], unused: ["keep", "rust_helper_unused"], undefinedInHelpers: ["rust_helper_missing"], filteredOut: [] });
  expect(selectObjectHelpers(rust, [helpers], { prefix: "rust_helper_" })).toEqual({ used: ["rust_helper_used"], unused: ["rust_helper_unused"], undefinedInHelpers: ["rust_helper_missing"], filteredOut: ["other"] });
});

describe("static mode's address-taken check uses the proof's call analysis (issue 10)", () => {
  const helperObject = () => compile("/usr/bin/gcc", "int helper(int x) { return x + 1; }\nint other(int x) { return x - 1; }\n");
  const rustLike = () => {
    const object = join(dir, "loop_reload.o");
    run("/usr/lib/llvm-22/bin/llvm-mc", ["-triple=x86_64-linux-gnu", "-filetype=obj", join(import.meta.dirname, "../elf/fixtures/loop_reload.s"), "-o", object]);
    return readElf(new Uint8Array(readFileSync(object)));
  };

  test("a GOT slot reloaded at the loop latch and called through at the loop head is a call, not an address use", () => {
    const results = checkHelperObjectSafety(helperObject(), { rustObject: rustLike() });
    const findings = result(results, "address-taken").findings.map((f) => f.message.replace(/ \(\.text\+(0x[0-9a-f]+).*/, " $1"));
    // loop_reload (.text+0x0) loads twice, both called through; loop_reload_escapes (.text+0x1f)
    // stores its first load at the loop head, and `other` is loaded and never called.
    expect(findings).toEqual(["the address of `helper` is used in the Rust object 0x27", "the address of `other` is used in the Rust object 0x3d"]);
  });
});
