/**
 * rustc's "symbol already defined" on the plugin path (src/tools/failure.ts): the helper's fault
 * only when the label is one the helpers' own inline asm defines. Pure.
 */
import { describe, expect, test } from "vitest";
import { helperAsmLabelInRustcError } from "../../src/tools/failure.js";

const rustcError = (label: string) =>
  [`error: symbol '${label}' is already defined`, " --> asm.rs:1:1", "  |", "note: instantiated into assembly here", " --> <inline asm>:1:2", "  |", `1 |     ${label}: nop`, ""].join("\n");
const helperIr = 'define void @rust_helper_mark() {\n  call void asm sideeffect "my_global_label: nop", ""()\n  ret void\n}\n';

describe("a helper's global asm label, as rustc reports it", () => {
  test("the label the helpers' asm defines: the helper's fault", () => {
    expect(helperAsmLabelInRustcError(rustcError("my_global_label"), helperIr)).toBe("my_global_label");
  });

  test("a label only the crate's own asm defines: rustc's error stands", () => {
    expect(helperAsmLabelInRustcError(rustcError("crate_label"), helperIr)).toBeUndefined();
  });

  test("another error, or no inline asm involved: nothing", () => {
    expect(helperAsmLabelInRustcError("error[E0425]: cannot find value `x` in this scope", helperIr)).toBeUndefined();
    expect(helperAsmLabelInRustcError("error: symbol 'my_global_label' is already defined\n", helperIr)).toBeUndefined();
  });
});
