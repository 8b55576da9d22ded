import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { addToIndex, entryName, indexFileName, validIndex, writeIndexedEntry } from "../../src/files/launcherIndex.js";

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
    expect(lookup(dir, "first")).toBe("");
    expect(lookup(dir, "third")).toBe(entryName("third"));
  });

  test("one index file per key length: the launcher sources only its own, and a length with no key left has none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llto-index-"));
    // "abc" and "xyz" share index-3.sh; "longer" has index-6.sh; "é" is 2 bytes, as dash counts it.
    for (const key of ["abc", "longer", "xyz", "é"]) await writeIndexedEntry(dir, key, { key }, `llto_x=${key}\n`, Date.now(), 3);
    expect(readdirSync(dir).filter((f) => f.startsWith("index-")).sort()).toEqual(["index-2.sh", "index-3.sh", "index-6.sh"]);
    expect(indexFileName("é")).toBe("index-2.sh");
    expect(readFileSync(join(dir, "index-3.sh"), "utf8")).not.toContain("longer");
    // "abc" was the oldest of four with room for three: gone from its file, which still names "xyz".
    expect(lookup(dir, "abc")).toBe("");
    expect(lookup(dir, "xyz")).toBe(entryName("xyz"));
    expect(lookup(dir, "longer")).toBe(entryName("longer"));
    expect(lookup(dir, "é")).toBe(entryName("é"));
    // Two more: "longer" and "xyz" go; "fourth" takes index-6.sh over, and no key of 3 bytes is left, nor its file.
    await writeIndexedEntry(dir, "fourth", { key: "fourth" }, "llto_x=4\n", Date.now(), 3);
    await writeIndexedEntry(dir, "fifth", { key: "fifth" }, "llto_x=5\n", Date.now(), 3);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as object)).toEqual(["é", "fourth", "fifth"]);
    expect(readdirSync(dir).filter((f) => f.startsWith("index-")).sort()).toEqual(["index-2.sh", "index-5.sh", "index-6.sh"]);
    expect(lookup(dir, "longer")).toBe("");
    expect(lookup(dir, "xyz")).toBe("");
    expect(lookup(dir, "fourth")).toBe(entryName("fourth"));
    // A format-1 index left by an older local-lto is removed at the next write.
    writeFileSync(join(dir, "index.sh"), "case $keytext in\nesac\n");
    await writeIndexedEntry(dir, "sixth", { key: "sixth" }, "llto_x=6\n", Date.now(), 3);
    expect(existsSync(join(dir, "index.sh"))).toBe(false);
  });
});

/** What bin/local-lto does with the index: source the file of its key's length (dash counts bytes) with $keytext set. */
function lookup(dir: string, key: string): string {
  return execFileSync("dash", ["-c", `keytext=$1; llto_entry=; f="$2/index-\${#keytext}.sh"; [ -f "$f" ] && . "$f"; printf %s "$llto_entry"`, "sh", key, dir], { encoding: "utf8" });
}

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
