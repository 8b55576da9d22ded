/** attributes.ll: attribute groups resolved and merged with inline attributes. */
import { describe, expect, it } from "vitest";
import { hasAttribute, parseModule, type IrAttributes } from "../../src/ir/index.js";
import { fixture } from "./helpers.js";

const plain = (a: IrAttributes) => ({ flags: [...a.flags].sort(), values: Object.fromEntries(a.values) });

describe("attributes.ll", () => {
  const m = parseModule(fixture("attributes.ll"));

  it("parses each group: flags, string attributes, keyword attributes with arguments", () => {
    expect(plain(m.attributeGroups.get(0)!)).toEqual({
      flags: ["nounwind", "null_pointer_is_valid", "sanitize_address"],
      values: { uwtable: "sync", "no-builtin-wcslen": "", "target-cpu": "x86-64", "target-features": "+cmov,+cx8,-avx" },
    });
    expect(plain(m.attributeGroups.get(1)!)).toEqual({
      flags: ["alwaysinline"],
      values: { memory: "read, argmem: none", allocsize: "0", "denormal-fp-math": "preserve-sign,preserve-sign" },
    });
  });

  it("resolves a function's group", () => {
    expect(plain(m.functions.get("helper")!.attributes)).toEqual(plain(m.attributeGroups.get(0)!));
    expect(plain(m.functions.get("ext")!.attributes)).toEqual({ flags: ["noinline", "optnone"], values: { "target-cpu": "znver4" } });
  });

  it("merges inline attributes, escaped strings included, over the group", () => {
    expect(plain(m.functions.get("mixed")!.attributes)).toEqual({
      flags: ["alwaysinline"],
      values: {
        memory: "read, argmem: none",
        allocsize: "0",
        "denormal-fp-math": "preserve-sign,preserve-sign",
        alignstack: "16",
        extra: 'a"b\\c',
      },
    });
  });

  it("merges several groups, the later winning", () => {
    const two = m.functions.get("two")!.attributes;
    expect(two.values.get("target-cpu")).toBe("znver4");
    expect(two.flags.has("noinline") && two.flags.has("sanitize_address")).toBe(true);
  });

  it("resolves call-site groups and inline call-site attributes", () => {
    const [grouped, inline] = m.functions.get("helper")!.callSites;
    expect(plain(grouped!.attributes)).toEqual({ flags: ["nobuiltin", "nounwind"], values: { "no-builtin-wcslen": "" } });
    expect(plain(inline!.attributes)).toEqual({ flags: ["nounwind"], values: { "inline-call-attr": "v" } });
    expect(plain(m.functions.get("none")!.callSites[0]!.attributes)).toEqual({ flags: [], values: {} });
  });

  it("hasAttribute sees flags and valued attributes alike", () => {
    const attrs = m.functions.get("helper")!.attributes;
    expect(hasAttribute(attrs, "uwtable")).toBe(true);
    expect(hasAttribute(attrs, "nounwind")).toBe(true);
    expect(hasAttribute(attrs, "no-builtin-wcslen")).toBe(true);
    expect(hasAttribute(attrs, "optnone")).toBe(false);
  });
});
