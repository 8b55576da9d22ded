import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { categoriesAgree } from "../../src/inlining/explain.js";
import { parseInlineRemarks, parseScalar, remarkVerdict, RemarkParseError } from "../../src/inlining/remarks.js";
import { repoRoot } from "../support/toolchain.js";

const recorded = join(repoRoot, "test/fixtures/kernel-like/recorded");

describe("LLVM inline remarks (opt -pass-remarks-output YAML, LLVM 22)", () => {
  test("recorded remarks of the kernel-like corpus with --reconcile=off: every call refused", () => {
    const remarks = parseInlineRemarks(readFileSync(join(recorded, "inline-remarks-reconcile-off.yaml"), "utf8"));
    const helperRemarks = remarks.filter((r) => r.callee.startsWith("rust_helper_"));
    expect(helperRemarks.length).toBeGreaterThanOrEqual(24);
    for (const r of helperRemarks) {
      expect(r.kind).toBe("Missed");
      expect(r.name).toBe("NeverInline");
      expect(r.caller).toMatch(/^kl_/);
      expect(r.file).toMatch(/lib\.rs$/);
      expect(r.line).toBeGreaterThan(0);
    }
    const crc = helperRemarks.find((r) => r.callee === "rust_helper_crc32")!;
    expect(crc.reason).toBe("conflicting attributes");
    expect(crc.message).toBe("'rust_helper_crc32' not inlined into 'kl_crc' because it should never be inlined (cost=never): conflicting attributes");
    expect(remarkVerdict(crc)).toBe("conflicting-attributes");
  });

  test("recorded remarks with --null-pointer-policy=caller: inlined, too costly, noinline", () => {
    const remarks = parseInlineRemarks(readFileSync(join(recorded, "inline-remarks-policy-caller.yaml"), "utf8"));
    const byCallee = (name: string) => remarks.filter((r) => r.callee === name);
    const mix = byCallee("rust_helper_mix");
    expect(mix.map((r) => r.name)).toEqual(["TooCostly", "TooCostly", "TooCostly"]);
    expect(mix.find((r) => r.caller === "kl_mix_once")).toMatchObject({ cost: "670", threshold: "337", line: 137, column: 14 });
    expect(remarkVerdict(mix[0]!)).toBe("too-costly");
    const slow = byCallee("rust_helper_slow_path")[0]!;
    expect(slow.reason).toBe("noinline function attribute");
    expect(remarkVerdict(slow)).toBe("noinline");
    const inlined = byCallee("rust_helper_refcount_inc");
    expect(inlined.every((r) => r.kind === "Passed" && r.name === "Inlined")).toBe(true);
    expect(inlined[0]!.message).toMatch(/^'rust_helper_refcount_inc' inlined into 'kl_\w+' with \(cost=-?\d+, threshold=\d+\) at callsite/);
  });

  test("a flow mapping wrapped over lines, quoted scalars, and documents without DebugLoc", () => {
    const yaml = [
      "--- !Missed",
      "Pass:            inline",
      "Name:            NeverInline",
      "DebugLoc:        { File: '/a/very/long/path/with, a comma/lib.rs', ",
      "                   Line: 12, Column: 3 }",
      "Function:        '_ZN3foo3bar17h0123456789abcdefE'",
      "Args:",
      "  - String:          ''''",
      "  - Callee:          rust_helper_x",
      "    DebugLoc:        { File: h.c, Line: 1, ",
      "                       Column: 0 }",
      "  - String:          ''' not inlined into '''",
      "  - Caller:          '_ZN3foo3bar17h0123456789abcdefE'",
      "  - String:          ''' because it should never be inlined '",
      "  - String:          '(cost=never)'",
      "  - String:          ': '",
      "  - Reason:          nullptr definitions incompatible",
      "...",
      "--- !Analysis",
      "Pass:            inline",
      "Name:            CanBeInlined",
      "Function:        f",
      "Args:",
      "  - Callee:          g",
      "  - Caller:          f",
      "...",
      "--- !Missed",
      "Pass:            inline",
      "Name:            NoDefinition",
      "Function:        f",
      "Args:",
      "  - Callee:          memcpy",
      "  - String:          ' will not be inlined into '",
      "  - Caller:          f",
      "  - String:          ' because its definition is unavailable'",
      "...",
      "",
    ].join("\n");
    const remarks = parseInlineRemarks(yaml);
    expect(remarks).toHaveLength(2);
    expect(remarks[0]).toMatchObject({
      caller: "_ZN3foo3bar17h0123456789abcdefE",
      callee: "rust_helper_x",
      file: "/a/very/long/path/with, a comma/lib.rs",
      line: 12,
      column: 3,
      reason: "nullptr definitions incompatible",
    });
    expect(remarks[0]!.message).toBe("'rust_helper_x' not inlined into '_ZN3foo3bar17h0123456789abcdefE' because it should never be inlined (cost=never): nullptr definitions incompatible");
    expect(remarkVerdict(remarks[0]!)).toBe("null-pointer-is-valid");
    expect(remarks[1]).toMatchObject({ name: "NoDefinition", line: undefined });
    expect(remarkVerdict(remarks[1]!)).toBe("no-definition");
  });

  test("scalars: single quotes double their quote, double quotes take escapes", () => {
    expect(parseScalar("'it''s'")).toBe("it's");
    expect(parseScalar('"a\\tb\\x41"')).toBe("a\tbA");
    expect(parseScalar("plain")).toBe("plain");
  });

  test("malformed input is an error with a line number", () => {
    expect(() => parseInlineRemarks("Pass: inline\n")).toThrow(RemarkParseError);
    expect(() => parseInlineRemarks("--- !Missed\nDebugLoc: { File: x\n")).toThrow(/line 2/);
  });

  test("agreement: attribute categories all map to LLVM's 'conflicting attributes'", () => {
    for (const c of ["target-features", "no-builtins", "must-match"] as const) expect(categoriesAgree(c, "conflicting-attributes")).toBe(true);
    expect(categoriesAgree("null-pointer-is-valid", "null-pointer-is-valid")).toBe(true);
    expect(categoriesAgree("null-pointer-is-valid", "conflicting-attributes")).toBe(false);
    expect(categoriesAgree("cost-model", "too-costly")).toBe(true);
    expect(categoriesAgree("cost-model", "inlined")).toBe(true);
    expect(categoriesAgree("cost-model", "conflicting-attributes")).toBe(false);
    expect(categoriesAgree("signature-mismatch", "none")).toBe(true);
    expect(categoriesAgree("target-features", "none")).toBe(false);
  });
});
