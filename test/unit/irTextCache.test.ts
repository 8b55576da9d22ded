import { describe, expect, test } from "vitest";
import { irCacheFile, verifiedIrText } from "../../src/pipeline/cache/irTextCache.js";

describe("the IR text cache's file: the text after a line holding the sha256 of its key and the text", () => {
  const text = "; ModuleID = 'helpers.bc'\ndefine i32 @f() {\n  ret i32 0\n}\n";
  const key = "a".repeat(64);
  test("a file made from a text gives that text back, for its key", () => {
    expect(verifiedIrText(irCacheFile(key, text), key)).toBe(text);
    expect(verifiedIrText(irCacheFile(key, ""), key)).toBe("");
  });
  test("a changed byte, a cut end, another header or none, or a file made for another key: not verified", () => {
    const file = irCacheFile(key, text);
    expect(verifiedIrText(file.replace("ret i32 0", "ret i32 1"), key)).toBeUndefined();
    expect(verifiedIrText(file.slice(0, -2), key)).toBeUndefined();
    expect(verifiedIrText(file.replace("sha256", "sha1"), key)).toBeUndefined();
    expect(verifiedIrText(text, key)).toBeUndefined();
    expect(verifiedIrText("", key)).toBeUndefined();
    // Whole and intact, but the text of other helpers (a file copied onto this key): not used.
    expect(verifiedIrText(irCacheFile("b".repeat(64), text), key)).toBeUndefined();
  });
});
