/** address-taken.ll: which uses of a function's name make its address escape. */
import { describe, expect, it } from "vitest";
import { findAddressTakenFunctions, parseModule } from "../../src/ir/index.js";
import { fixture } from "./helpers.js";

describe("findAddressTakenFunctions on address-taken.ll", () => {
  const m = parseModule(fixture("address-taken.ll"));
  const taken = findAddressTakenFunctions(m);

  it("reports arguments, stores, comparisons, bundles, tables, vtables and aliases, with their users", () => {
    expect(Object.fromEntries(taken)).toEqual({
      as_argument: ["user"],
      stored: ["user"],
      compared: ["user"],
      in_bundle: ["user"],
      vt_a: ["vtable"],
      vt_b: ["vtable"],
      in_table: ["table"],
      alias_target: ["aliased"],
    });
  });

  it("leaves out direct calls, metadata, blockaddress and the llvm.* lists", () => {
    for (const name of ["called_only", "in_metadata", "metadata_argument", "user", "only_used", "only_compiler_used", "only_ctor", "only_dtor"]) {
      expect(taken.has(name), name).toBe(false);
    }
    expect(m.usedGlobals).toEqual(["only_used"]);
    expect(m.compilerUsedGlobals).toEqual(["only_compiler_used"]);
    expect(m.globalCtors).toEqual(["only_ctor"]);
    expect(m.globalDtors).toEqual(["only_dtor"]);
  });

  it("keeps globals out of the result but in the function's references", () => {
    expect(m.functions.get("user")!.references).toEqual(["as_argument", "stored", "slot", "compared", "in_bundle"]);
  });
});
