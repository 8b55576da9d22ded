/** handwritten.ll: layouts llvm-dis never prints but people write. */
import { describe, expect, it } from "vitest";
import { findAddressTakenFunctions, parseModule } from "../../src/ir/index.js";
import { fixture } from "./helpers.js";

describe("handwritten.ll", () => {
  const m = parseModule(fixture("handwritten.ll"));

  it("reads one-line bodies and unindented instructions", () => {
    expect(m.functions.get("one")!.instructionCount).toBe(1);
    expect(m.functions.get("two")!.instructionCount).toBe(1);
  });

  it("reads headers, calls and switches spanning lines, and indented labels", () => {
    const multi = m.functions.get("multi")!;
    expect(multi.params.map((p) => p.type)).toEqual(["i32", "i32"]);
    expect(multi.instructionCount).toBe(4);
    expect(multi.callSites).toHaveLength(1);
    expect(multi.callSites[0]).toMatchObject({ callee: "add", isIndirect: false, textLine: 26 });
  });

  it("counts prefix data as a use of the function it names", () => {
    expect(m.functions.get("with_prefix")!.references).toEqual(["only_in_prefix"]);
    expect(findAddressTakenFunctions(m).get("only_in_prefix")).toEqual(["with_prefix"]);
  });

  it("ignores comments after a global", () => {
    expect(m.globals.get("commented")!.references).toEqual(["one"]);
  });

  it("reads globals and attribute groups spanning lines", () => {
    expect(m.globals.get("table")!.references).toEqual(["one", "two"]);
    expect(m.attributeGroups.get(0)!.flags.has("nounwind")).toBe(true);
    expect(m.attributeGroups.get(0)!.values.get("k")).toBe("v");
  });
});

describe("instructions written without the usual spacing", () => {
  it("finds calls after %name=, quoted results and tabs", () => {
    const m = parseModule(
      'declare i32 @g()\ndefine i32 @f() {\n\t%a=call i32 @g()\n  %"b c" = call i32 @g()\n  %d = call i32 @g(), !md !{!" = "}\n  ret i32 %a\n}\n',
    );
    expect(m.functions.get("f")!.callSites.map((c) => c.callee)).toEqual(["g", "g", "g"]);
    expect(m.functions.get("f")!.instructionCount).toBe(4);
  });
});
