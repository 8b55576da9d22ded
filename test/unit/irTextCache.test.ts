import { describe, expect, test } from "vitest";
import { irCacheFile, verifiedIrText } from "../../src/pipeline/cache/irTextCache.js";

describe("the IR text cache's file: the text after a line holding its sha256", () => {
  const text = "; ModuleID = 'helpers.bc'\ndefine i32 @f() {\n  ret i32 0\n}\n";
  test("a file made from a text gives that text back", () => {
    expect(verifiedIrText(irCacheFile(text))).toBe(text);
    expect(verifiedIrText(irCacheFile(""))).toBe("");
  });
  test("a changed byte, a cut end, another header or none: not verified", () => {
    const file = irCacheFile(text);
    expect(verifiedIrText(file.replace("ret i32 0", "ret i32 1"))).toBeUndefined();
    expect(verifiedIrText(file.slice(0, -2))).toBeUndefined();
    expect(verifiedIrText(file.replace("sha256", "sha1"))).toBeUndefined();
    expect(verifiedIrText(text)).toBeUndefined();
    expect(verifiedIrText("")).toBeUndefined();
  });
});
