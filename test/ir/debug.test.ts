/** debug.ll: source locations through DISubprogram, DILocation and DIGlobalVariableExpression. */
import { describe, expect, it } from "vitest";
import { parseModule } from "../../src/ir/index.js";
import { fixture } from "./helpers.js";

describe("debug.ll", () => {
  const m = parseModule(fixture("debug.ll"));

  it("locates functions, definitions and declarations, through their DIFile", () => {
    expect(m.functions.get("outer")!.debug).toEqual({ file: "dbg.c", directory: "/home/u/pro\\j", line: 10 });
    expect(m.functions.get("inner")!.debug).toEqual({ file: "inner.h", directory: "/home/u/inc", line: 4 });
    expect(m.functions.get("declared")!.debug).toEqual({ file: "/usr/include/decl.h", line: 99 });
    expect(m.functions.get("nodebug")!.debug).toBeUndefined();
  });

  it("locates calls, numbered and inline DILocations alike", () => {
    expect(m.functions.get("outer")!.callSites.map((c) => c.debugLine)).toEqual([12, 77, undefined]);
  });

  it("does not count debug records as instructions", () => {
    expect(m.functions.get("outer")!.instructionCount).toBe(4);
  });

  it("locates globals", () => {
    expect(m.globals.get("counter")!.debug).toEqual({ file: "dbg.c", directory: "/home/u/pro\\j", line: 3 });
    expect(m.globals.get("nodir")!.debug).toEqual({ file: "/usr/include/decl.h", line: 5 });
  });

  it("reads named metadata and module flags", () => {
    expect(m.namedMetadata.get("llvm.ident")).toEqual(["clang version 22.1.8", "rustc version 1.95.0"]);
    expect(m.moduleFlags).toEqual([
      { behavior: 7, key: "Dwarf Version", value: "i32 5" },
      { behavior: 2, key: "Debug Info Version", value: "i32 3" },
    ]);
    expect(m.namedMetadata.get("llvm.dbg.cu")![0]).toMatch(/^distinct !DICompileUnit\(language: DW_LANG_C11/);
  });
});
