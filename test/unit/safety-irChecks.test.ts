/**
 * The IR safety checks (src/safety/irChecks.ts) on hand-written IR, one failing and one passing
 * module per check, and on what clang -O2 -g writes for a helper file that trips all of them.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseModule } from "../../src/ir/index.js";
import { checkHelperModule, helperSymbolsUsedByRust, moduleAsmDefinitions, reachableFromRoots } from "../../src/safety/irChecks.js";
import { unsafeHelperModuleError } from "../../src/safety/refusal.js";
import { safetyCheckIds, type SafetyCheckId, type SafetyCheckResult } from "../../src/safety/types.js";
import { clang } from "../support/toolchain.js";

const header = `target triple = "x86_64-unknown-linux-gnu"\n`;
const rustCallsCase = parseModule(`${header}declare i64 @rust_helper_case(i64)\ndefine i64 @rust_entry(i64 %x) {\n  %r = call i64 @rust_helper_case(i64 %x)\n  ret i64 %r\n}\n`);

function check(helperIr: string, options: { rust?: string; allow?: SafetyCheckId[] } = {}): SafetyCheckResult[] {
  const helper = parseModule(header + helperIr);
  const rust = options.rust ? parseModule(header + options.rust) : rustCallsCase;
  return checkHelperModule(helper, rust, helperSymbolsUsedByRust(rust, helper), new Set(options.allow ?? []), { rustInput: "case.rs" });
}

function statusOf(results: SafetyCheckResult[], id: SafetyCheckId): string {
  return results.find((r) => r.check === id)!.status;
}

/** Only `id` fails; every other check passes. */
function expectOnlyFailure(results: SafetyCheckResult[], id: SafetyCheckId): SafetyCheckResult {
  expect(results.map((r) => r.check)).toEqual(safetyCheckIds);
  for (const r of results) expect(r.status, r.check).toBe(r.check === id ? "failed" : "passed");
  return results.find((r) => r.check === id)!;
}

function expectAllPassed(results: SafetyCheckResult[]): void {
  for (const r of results) expect(r.status, `${r.check}: ${r.findings.map((f) => f.message).join("; ")}`).toBe("passed");
}

describe("each check, failing and passing input (hand-written IR)", () => {
  test("external-data: a global variable, and a static variable inside a helper", () => {
    const global = expectOnlyFailure(check(`@counter = global i64 0\ndefine i64 @rust_helper_case(i64 %x) {\n  %v = load i64, ptr @counter\n  %n = add i64 %v, %x\n  store i64 %n, ptr @counter\n  ret i64 %n\n}\n`), "external-data");
    expect(global.findings[0]).toMatchObject({ symbol: "counter", helpers: ["rust_helper_case"] });
    expect(global.findings[0]!.message).toContain("global variable `counter`");
    const local = expectOnlyFailure(check(`@rust_helper_case.total = internal global i64 0\ndefine i64 @rust_helper_case(i64 %x) {\n  %v = load i64, ptr @rust_helper_case.total\n  store i64 %x, ptr @rust_helper_case.total\n  ret i64 %v\n}\n`), "external-data");
    expect(local.findings[0]!.message).toContain("static variable `total` in rust_helper_case()");
  });

  test("external-data passes: constant data, and state declared extern (defined elsewhere, shared)", () => {
    expectAllPassed(check(`@table = internal unnamed_addr constant [2 x i64] [i64 1, i64 2]\n@shared = external global i64\ndefine i64 @rust_helper_case(i64 %x) {\n  %p = getelementptr i64, ptr @table, i64 %x\n  %v = load i64, ptr %p\n  store i64 %v, ptr @shared\n  ret i64 %v\n}\n`));
  });

  test("external-data only counts what the merge keeps: state of a helper Rust never calls is dropped", () => {
    const results = check(`@counter = global i64 0\ndefine i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\ndefine i64 @rust_helper_unused() {\n  %v = load i64, ptr @counter\n  ret i64 %v\n}\n`);
    expectAllPassed(results);
  });

  test("the helper that pulls the symbol in is named, through calls", () => {
    const results = check(`@hits = internal global i64 0\ndefine internal void @bump() {\n  store i64 1, ptr @hits\n  ret void\n}\ndefine i64 @rust_helper_case(i64 %x) {\n  call void @bump()\n  ret i64 %x\n}\n`);
    const finding = expectOnlyFailure(results, "external-data").findings[0]!;
    expect(finding.helpers).toEqual(["rust_helper_case"]);
    expect(finding.message).toContain("pulled in by rust_helper_case");
  });

  test("address-taken: a helper-module function's address compared or stored", () => {
    const result = expectOnlyFailure(
      check(`define internal i64 @cb(i64 %x) {\n  ret i64 %x\n}\ndefine i64 @rust_helper_case(i64 %x) {\n  %p = inttoptr i64 %x to ptr\n  %same = icmp eq ptr %p, @cb\n  %r = zext i1 %same to i64\n  ret i64 %r\n}\n`),
      "address-taken",
    );
    expect(result.findings[0]).toMatchObject({ symbol: "cb" });
    expect(result.findings[0]!.message).toContain("used as a value by `rust_helper_case`");
  });

  test("address-taken: the Rust code stores a helper's address", () => {
    const rust = `declare i64 @rust_helper_case(i64)\n@callback = global ptr @rust_helper_case\n`;
    const result = expectOnlyFailure(check(`define i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`, { rust }), "address-taken");
    expect(result.findings[0]!.message).toContain("the Rust code uses the address of `rust_helper_case`");
  });

  test("address-taken passes: direct calls, and the address of an external function (one identity)", () => {
    expectAllPassed(
      check(`declare void @register(ptr)\ndeclare i64 @external_cb(i64)\ndefine internal i64 @twice(i64 %x) {\n  %r = mul i64 %x, 2\n  ret i64 %r\n}\ndefine i64 @rust_helper_case(i64 %x) {\n  call void @register(ptr @external_cb)\n  %r = call i64 @twice(i64 %x)\n  ret i64 %r\n}\n`),
    );
  });

  test("weak-or-comdat: weak and linkonce_odr-in-COMDAT definitions", () => {
    const weak = expectOnlyFailure(check(`define weak i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`), "weak-or-comdat");
    expect(weak.findings[0]!.message).toContain("weak definition of `rust_helper_case`");
    const comdat = expectOnlyFailure(
      check(`$twice = comdat any\ndefine linkonce_odr i64 @twice(i64 %x) comdat {\n  %r = mul i64 %x, 2\n  ret i64 %r\n}\ndefine i64 @rust_helper_case(i64 %x) {\n  %r = call i64 @twice(i64 %x)\n  ret i64 %r\n}\n`),
      "weak-or-comdat",
    );
    expect(comdat.findings[0]).toMatchObject({ symbol: "twice", helpers: ["rust_helper_case"] });
  });

  test("thread-local: a thread-local definition fails; an extern thread-local declaration passes", () => {
    const tls = expectOnlyFailure(check(`@tls = thread_local global i64 0\ndefine i64 @rust_helper_case(i64 %x) {\n  %p = call ptr @llvm.threadlocal.address.p0(ptr @tls)\n  store i64 %x, ptr %p\n  ret i64 %x\n}\ndeclare ptr @llvm.threadlocal.address.p0(ptr)\n`), "thread-local");
    expect(tls.findings[0]!.symbol).toBe("tls");
    expectAllPassed(check(`@tls = external thread_local global i64\ndefine i64 @rust_helper_case(i64 %x) {\n  %p = call ptr @llvm.threadlocal.address.p0(ptr @tls)\n  store i64 %x, ptr %p\n  ret i64 %x\n}\ndeclare ptr @llvm.threadlocal.address.p0(ptr)\n`));
  });

  test("constructors: always linked, whatever Rust uses", () => {
    const result = expectOnlyFailure(
      check(`@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @init, ptr null }]\ndeclare void @register_thing()\ndefine internal void @init() {\n  call void @register_thing()\n  ret void\n}\ndefine i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`),
      "constructors",
    );
    expect(result.findings[0]!.message).toContain("constructor `init`");
    expectAllPassed(check(`@llvm.global_ctors = appending global [0 x { i32, ptr, ptr }] zeroinitializer\ndefine i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`));
  });

  test("used-lists: llvm.compiler.used members, and the state they keep alive", () => {
    const results = check(`@tag = internal constant [2 x i8] c"x\\00"\n@llvm.compiler.used = appending global [1 x ptr] [ptr @tag], section "llvm.metadata"\ndefine i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`);
    expect(expectOnlyFailure(results, "used-lists").findings[0]!.symbol).toBe("tag");
    const stateful = check(`@kept = internal global i32 0\n@llvm.used = appending global [1 x ptr] [ptr @kept], section "llvm.metadata"\ndefine i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`);
    expect(statusOf(stateful, "used-lists")).toBe("failed");
    expect(statusOf(stateful, "external-data")).toBe("failed");
    expect(stateful.find((r) => r.check === "external-data")!.findings[0]!.helpers).toEqual(["llvm.used"]);
  });

  test("module-asm: symbols and sections fail; macros only pass", () => {
    const result = expectOnlyFailure(check(`module asm ".pushsection .rodata.tag"\nmodule asm ".globl helper_tag"\nmodule asm "helper_tag: .byte 1"\nmodule asm ".popsection"\ndefine i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`), "module-asm");
    expect(result.findings[0]!.symbol).toBe("helper_tag");
    expect(result.findings[0]!.message).toContain("section .rodata.tag");
    expectAllPassed(check(`module asm ".macro NOPS n"\nmodule asm "1: nop"\nmodule asm ".endm"\ndefine i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`));
  });

  test("duplicate-symbol: a name both modules define; Rust calling a helper-declared Rust function passes", () => {
    const rust = `declare i64 @rust_helper_case(i64)\ndefine i64 @rust_entry(i64 %x) {\n  %r = call i64 @rust_helper_case(i64 %x)\n  ret i64 %r\n}\n`;
    const result = expectOnlyFailure(check(`define i64 @rust_entry(i64 %x) {\n  ret i64 0\n}\ndefine i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`, { rust }), "duplicate-symbol");
    expect(result.findings[0]!.message).toContain("`rust_entry` is defined by both the Rust crate case.rs and the helpers");
    expectAllPassed(check(`declare i64 @rust_entry(i64)\ndefine i64 @rust_helper_case(i64 %x) {\n  %r = call i64 @rust_entry(i64 %x)\n  ret i64 %r\n}\n`, { rust }));
  });

  test("--allow turns a failure into overridden; duplicate-symbol is not applicable without the Rust module", () => {
    const results = check(`@counter = global i64 0\ndefine i64 @rust_helper_case(i64 %x) {\n  store i64 %x, ptr @counter\n  ret i64 %x\n}\n`, { allow: ["external-data"] });
    expect(statusOf(results, "external-data")).toBe("overridden");
    expect(unsafeHelperModuleError(results)).toBeUndefined();
    const helper = parseModule(`${header}define i64 @rust_helper_case(i64 %x) {\n  ret i64 %x\n}\n`);
    expect(statusOf(checkHelperModule(helper, undefined, ["rust_helper_case"], new Set()), "duplicate-symbol")).toBe("not-applicable");
  });
});

describe("the refusal", () => {
  test("names the first symbol, file:line from debug info, the fix and the --allow flag", () => {
    const helper = parseModule(
      `${header}@counter = global i64 0, !dbg !0\ndefine i64 @rust_helper_case(i64 %x) {\n  store i64 %x, ptr @counter\n  ret i64 %x\n}\n!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())\n!1 = distinct !DIGlobalVariable(name: "counter", scope: !2, file: !3, line: 7, type: !4, isLocal: false, isDefinition: true)\n!2 = distinct !DICompileUnit(language: DW_LANG_C11, file: !3, isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)\n!3 = !DIFile(filename: "helpers.c", directory: "/src")\n!4 = !DIBasicType(name: "long", size: 64, encoding: DW_ATE_signed)\n`,
    );
    const results = checkHelperModule(helper, rustCallsCase, ["rust_helper_case"], new Set());
    const error = unsafeHelperModuleError(results)!;
    expect(error.code).toBe("LLTO_UNSAFE_HELPERS");
    expect(error.exitCode).toBe(11);
    expect(error.message).toContain("global variable `counter` (/src/helpers.c:7)");
    expect(error.file).toBe("/src/helpers.c");
    expect(error.line).toBe(7);
    expect(error.fix).toContain("--allow=external-data");
    expect(error.fix).toContain("extern");
  });

  test("without debug info: the symbol and the helper input", () => {
    const helper = parseModule(`${header}@counter = global i64 0\ndefine i64 @rust_helper_case(i64 %x) {\n  store i64 %x, ptr @counter\n  ret i64 %x\n}\n`);
    const results = checkHelperModule(helper, rustCallsCase, ["rust_helper_case"], new Set(), { helperInputOf: () => "rust/helpers.c" });
    expect(unsafeHelperModuleError(results)!.message).toContain("global variable `counter` (in rust/helpers.c)");
  });
});

describe("module asm", () => {
  test.each([
    [[".globl foo", "foo:", "  .long 0"], ["label foo"]],
    [[".section .init.data,\"aw\"", ".quad 1", ".previous"], ["section .init.data"]],
    [[".set alias_sym, target"], ["symbol alias_sym (.set)"]],
    [["x = 3"], ["symbol x (=)"]],
    [[".comm buf, 64, 8"], ["symbol buf (.comm)"]],
    [[".L.local: nop", "1: nop", "# comment: not a label"], []],
    [[".macro M", "label_in_macro: nop", ".endm"], []],
    [[".ident \"x\"", ".text", "nop"], []],
  ])("%j defines %j", (lines, expected) => {
    expect(moduleAsmDefinitions(lines)).toEqual(expected);
  });
});

describe("on clang -O2 -g output", () => {
  const source = `extern void register_thing(void);
extern void register_cb(int (*)(int));
long rust_helper_global_counter;
static int helper_cb(int x) { return x + 1; }
long rust_helper_next_id(void) { static long next; return ++next; }
long rust_helper_bump(void) { return ++rust_helper_global_counter; }
__thread int tls_var;
int rust_helper_tls(void) { return ++tls_var; }
__attribute__((weak)) int rust_helper_weak(void) { return 1; }
__attribute__((constructor)) static void init_helpers(void) { register_thing(); }
__attribute__((used)) static const char tag[] = "helpers";
static const int table[4] = {1, 2, 3, 4};
int rust_helper_const(int i) { return table[i & 3]; }
void rust_helper_register(void) { register_cb(helper_cb); }
asm(".globl asm_sym\\nasm_sym: .long 0");
`;
  const dir = mkdtempSync(join(tmpdir(), "llto-safety-"));
  writeFileSync(join(dir, "helpers.c"), source);
  const ir = execFileSync(clang, ["-S", "-emit-llvm", "-O2", "-g", "--target=x86_64-unknown-linux-gnu", "-o", "-", "helpers.c"], { cwd: dir, encoding: "utf8" });
  const helper = parseModule(ir);
  const all = ["rust_helper_bump", "rust_helper_const", "rust_helper_next_id", "rust_helper_register", "rust_helper_tls", "rust_helper_weak"];

  test("every finding, each with its source line", () => {
    const results = checkHelperModule(helper, undefined, all, new Set());
    const findings = Object.fromEntries(results.map((r) => [r.check, r.findings.map((f) => `${f.symbol}@${f.line}`)]));
    expect(findings).toEqual({
      "external-data": expect.arrayContaining(["rust_helper_global_counter@3", "rust_helper_next_id.next@5"]),
      "address-taken": ["helper_cb@4"],
      "weak-or-comdat": ["rust_helper_weak@9"],
      "thread-local": ["tls_var@7"],
      constructors: ["init_helpers@10"],
      "used-lists": ["tag@11"],
      "module-asm": ["asm_sym@undefined"],
      "duplicate-symbol": [],
    });
    expect(findings["external-data"]).toHaveLength(2);
    expect(results.find((r) => r.check === "duplicate-symbol")!.status).toBe("not-applicable");
    expect(results.find((r) => r.check === "external-data")!.findings[0]!.file).toMatch(/helpers\.c$/);
  });

  test("only what the used helpers reach: rust_helper_const alone keeps nothing stateful", () => {
    const kept = reachableFromRoots(helper, ["rust_helper_const"]);
    expect([...kept.keys()].sort()).toEqual(["rust_helper_const", "table"]);
    const results = checkHelperModule(helper, undefined, ["rust_helper_const"], new Set());
    for (const id of ["external-data", "address-taken", "weak-or-comdat", "thread-local"] as const) expect(statusOf(results, id), id).toBe("passed");
    // Always linked, whatever Rust uses.
    for (const id of ["constructors", "used-lists", "module-asm"] as const) expect(statusOf(results, id), id).toBe("failed");
  });
});
