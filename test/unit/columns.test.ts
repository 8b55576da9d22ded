import { describe, expect, it } from "vitest";
import pc from "picocolors";
import { formatColumns, visibleWidth } from "../../src/report/columns.js";

/** The terminal tables' formatter (src/report/columns.ts): pure, so checked on its own. */
describe("formatColumns", () => {
  it("pads each column to its widest cell, right-aligns where asked, two spaces between, nothing trailing", () => {
    const text = formatColumns(["helper", "calls left", "verdict"], [["rust_helper_refcount_inc", "0", "inlined"], ["x", "12", "calls left"]], ["left", "right", "left"]);
    expect(text.split("\n")).toEqual([
      "helper                    calls left  verdict",
      "rust_helper_refcount_inc           0  inlined",
      "x                                 12  calls left",
    ]);
  });

  it("does not count colour escapes, and counts a wide character twice", () => {
    expect(visibleWidth(pc.createColors(true).red("calls left"))).toBe(10);
    expect(visibleWidth("/tmp/構築/a.o")).toBe(13);
    const text = formatColumns(["a", "b"], [[pc.createColors(true).green("0"), "x"], ["構築", "y"]]);
    const lines = text.split("\n").map((l) => visibleWidth(l));
    expect(lines).toEqual([7, 7, 7]);
  });
});
