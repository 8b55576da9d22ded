/** names.ll: module header, module asm, comdats, and names in every spelling. */
import { describe, expect, it } from "vitest";
import { parseModule } from "../../src/ir/index.js";
import { fixture } from "./helpers.js";

describe("names.ll", () => {
  const m = parseModule(fixture("names.ll"));

  it("reads the module header, unescaping strings", () => {
    expect(m.sourceFilename).toBe('src/na"me.c');
    expect(m.triple).toBe("x86_64-unknown-linux-gnu");
    expect(m.dataLayout).toBe("e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128");
    expect(m.moduleAsm).toEqual(['.globl "quoted"', ".set x, 1"]);
  });

  it("reads every comdat kind, quoted names included", () => {
    expect([...m.comdats]).toEqual([
      ["comdat with space", "any"],
      ["plain", "largest"],
      ["exact", "exactmatch"],
      ["nodup", "nodeduplicate"],
      ["same", "samesize"],
    ]);
  });

  it("unquotes and unescapes names: \\01, dots, UTF-8, spaces, numbers", () => {
    expect([...m.globals.keys()]).toEqual(["\u0001foo", "0", "1"]);
    expect([...m.functions.keys()]).toEqual(["rust_helper.1", "café", "2", "with space"]);
    expect(m.globals.get("\u0001foo")!.comdat).toBe("plain");
    expect(m.functions.get("rust_helper.1")).toMatchObject({ linkage: "internal", comdat: "comdat with space" });
    expect(m.functions.get("café")!.callSites[0]).toMatchObject({
      callee: "rust_helper.1",
      calleeOperand: "@rust_helper.1",
      isIndirect: false,
    });
    expect(m.functions.get("with space")!.callSites[0]!.callee).toBe("2");
    expect(m.globals.get("1")!.references).toEqual(["0"]);
  });

  it("records where each entity is written", () => {
    expect(m.functions.get("café")!.textLine).toBe(23);
    expect(m.globals.get("0")!.textLine).toBe(16);
    expect(m.functions.get("café")!.callSites[0]!.textLine).toBe(24);
  });
});
