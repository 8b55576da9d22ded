/** The character-level helpers the reader is built on. */
import { describe, expect, it } from "vitest";
import { groupEnd, nameEnd, nameText, openDepth, splitTopLevel, unescapeIr } from "../../src/ir/lexer.js";
import { scanReferences } from "../../src/ir/references.js";
import { constantEnd, normalizeType, typeEnd } from "../../src/ir/syntax.js";

describe("unescapeIr", () => {
  it("decodes \\XX bytes as UTF-8 and \\\\ as a backslash", () => {
    expect(unescapeIr("plain")).toBe("plain");
    expect(unescapeIr("\\01foo")).toBe("\u0001foo");
    expect(unescapeIr("a\\22b")).toBe('a"b');
    expect(unescapeIr("caf\\C3\\A9")).toBe("café");
    expect(unescapeIr("back\\\\slash")).toBe("back\\slash");
    expect(unescapeIr("déjà\\0A")).toBe("déjà\n");
  });
});

describe("names", () => {
  it("ends bare and quoted names", () => {
    const s = '@foo.bar$1(i32) @"with \\22quote\\22"(';
    expect(s.slice(1, nameEnd(s, 1))).toBe("foo.bar$1");
    const q = s.indexOf('@"') + 1;
    expect(nameText(s, q, nameEnd(s, q))).toBe('with "quote"');
  });
});

describe("groups", () => {
  it("balances brackets and skips strings", () => {
    const s = 'f(i32 1, ptr getelementptr (i8, ptr @"a)b", i64 1), { i32, [2 x i8] } <{ i8 }>) tail';
    expect(s.slice(0, groupEnd(s, 1))).toBe('f(i32 1, ptr getelementptr (i8, ptr @"a)b", i64 1), { i32, [2 x i8] } <{ i8 }>)');
    expect(groupEnd("(unclosed", 0)).toBe(-1);
    expect(openDepth("switch i32 %x, label %d [", 0)).toBe(1);
    expect(openDepth('call void @f(ptr @"(") ; (', 0)).toBe(0);
  });

  it("splits at top-level commas only", () => {
    const s = 'i32 1, { i32, i32 } { i32 2, i32 3 }, ptr @"x,y"';
    expect(splitTopLevel(s, 0, s.length).map(([a, b]) => s.slice(a, b))).toEqual([
      "i32 1",
      "{ i32, i32 } { i32 2, i32 3 }",
      'ptr @"x,y"',
    ]);
  });
});

describe("types and constants", () => {
  it("ends types of every kind", () => {
    for (const t of ["i32", "ptr", "ptr addrspace(1)", "{ i64, ptr }", "<{ [4 x i8], ptr }>", "[2 x [3 x i8]]", "<4 x float>", '%"alloc::string::String"', 'target("spirv.Image", i8, 1)', "x86_fp80"]) {
      const s = `${t} rest`;
      expect(s.slice(0, typeEnd(s, 0))).toBe(t);
    }
    expect(typeEnd("noundef i32", 0)).toBe(-1);
  });

  it("normalizes spacing outside quoted names", () => {
    expect(normalizeType("{ i32, ptr }")).toBe(normalizeType("{i32,ptr}"));
    expect(normalizeType('%"a b"')).toBe('%"a b"');
  });

  it("ends constants", () => {
    for (const c of ["@f", "null", "42", "-7", "1.000000e+00", "0xH3C00", 'c"a\\00"', "getelementptr inbounds nuw (i8, ptr @g, i64 8)", "dso_local_equivalent @f", "{ i32 1, ptr @g }"]) {
      const s = `${c}, next`;
      expect(s.slice(0, constantEnd(s, 0))).toBe(c);
    }
  });
});

describe("scanReferences", () => {
  const refs = (s: string) => {
    const out: string[] = [];
    scanReferences(s, 0, s.length, (n) => out.push(n));
    return out;
  };

  it("finds @names in operands and constant expressions", () => {
    expect(refs('store ptr @f, ptr getelementptr (i8, ptr @"g h", i64 1)')).toEqual(["f", "g h"]);
  });

  it("skips strings, quoted locals, metadata, blockaddress functions and comments", () => {
    expect(refs('call void @llvm.x(metadata ptr @m, ptr blockaddress(@bb, %l), ptr %"@x", ptr @kept) ; @comment')).toEqual([
      "llvm.x",
      "kept",
    ]);
    expect(refs('store ptr @a, ptr @b, !dbg !12, !md !{ptr @c}, !s !"@d"')).toEqual(["a", "b"]);
  });
});
