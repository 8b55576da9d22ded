import type { HelperSelection } from "./helperSelection.js";

/** What the report says about the selection, in both modes. */
export function selectionNotes(selection: HelperSelection): string[] {
  const notes: string[] = [];
  const them = (list: readonly string[]) => (list.length > 1 ? "them" : "it");
  if (selection.undefinedInHelpers.length) {
    notes.push(
      `Rust declares ${selection.undefinedInHelpers.join(", ")} but no helper input defines ${them(selection.undefinedInHelpers)}: ${selection.undefinedInHelpers.length > 1 ? "their calls stay" : "its calls stay"} undefined in the object and count as calls left (pass the helper input that defines ${them(selection.undefinedInHelpers)})`,
    );
  }
  if (selection.filteredOut.length) {
    notes.push(`the helper inputs define ${selection.filteredOut.join(", ")}, which Rust calls, but the naming filters (--helper-prefix, --helper-suffix, --helper-regex) exclude ${them(selection.filteredOut)}: not checked`);
  }
  return notes;
}
