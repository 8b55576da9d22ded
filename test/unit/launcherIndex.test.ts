import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { addToIndex, entryName, validIndex, writeIndexedEntry } from "../../src/files/launcherIndex.js";

describe("a launcher index stays bounded (src/files/launcherIndex.ts)", () => {
  test("addToIndex: the new key goes last; beyond the limit the oldest go, and are named", () => {
    expect(addToIndex({ a: "A", b: "B" }, "c", "C", 3)).toEqual({ index: { a: "A", b: "B", c: "C" }, evicted: [] });
    const full = addToIndex({ a: "A", b: "B", c: "C" }, "d", "D", 3);
    expect(full).toEqual({ index: { b: "B", c: "C", d: "D" }, evicted: ["A"] });
    expect(Object.keys(full.index)).toEqual(["b", "c", "d"]);
    // A key written again moves to the end, and so is the last to go.
    expect(Object.keys(addToIndex({ a: "A", b: "B", c: "C" }, "a", "A2", 3).index)).toEqual(["b", "c", "a"]);
  });

  test("writeIndexedEntry past its limit: the oldest entry's files are removed, and the launcher's case no longer finds it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llto-index-"));
    for (const key of ["first", "second", "third"]) await writeIndexedEntry(dir, key, { key }, `llto_x=${key}\n`, Date.now(), 2);
    expect(existsSync(join(dir, `${entryName("first")}.sh`))).toBe(false);
    expect(existsSync(join(dir, `${entryName("first")}.json`))).toBe(false);
    expect(existsSync(join(dir, `${entryName("third")}.sh`))).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as object)).toEqual(["second", "third"]);
    // What bin/local-lto does with the index: source it with $keytext set.
    const lookup = (key: string) => execFileSync("/bin/sh", ["-c", `keytext=$1; llto_entry=; . "$2/index.sh"; printf %s "$llto_entry"`, "sh", key, dir], { encoding: "utf8" });
    expect(lookup("first")).toBe("");
    expect(lookup("third")).toBe(entryName("third"));
  });
});

describe("validIndex: only what entryName makes, under key texts without a newline", () => {
  test("an index as written is kept whole", () => {
    const good = { "build|/a|x": "0123456789abcdef0123", "build|/b|y": "fedcba98765432100123" };
    expect(validIndex(JSON.stringify(good))).toEqual(good);
  });
  test("unreadable JSON, null, an array, or names that are not entry names: dropped", () => {
    expect(validIndex("{\"a\":")).toEqual({});
    expect(validIndex("null")).toEqual({});
    expect(validIndex("[1]")).toEqual({});
    // A name goes into index.sh unquoted and into the paths removed when it is dropped.
    expect(validIndex(JSON.stringify({ a: "x' ;; *) rm -rf ~ ;; '", b: "../../etc/passwd", c: 7, "d\ne": "0123456789abcdef0123", f: "0123456789abcdef0123" }))).toEqual({ f: "0123456789abcdef0123" });
  });
});
