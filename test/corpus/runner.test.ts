/** The corpus runner's pure parts: callgrind totals, per-iteration cost, remarks, identity. */
import { describe, expect, test } from "vitest";
import { missedInlineRemarks } from "../../bench/src/corpus/builds.js";
import { callgrindTotal, iterationCost } from "../../bench/src/corpus/measure.js";
import { helperFreeIdentity, linkNames } from "../../bench/src/corpus/run.js";
import type { ElfFunction } from "../../bench/src/elfFunctions.js";

describe("corpus runner", () => {
  test("callgrind's totals line, and the cost of one iteration from two counts", () => {
    const dump = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nfl=(1) main.c\nfn=(1) main\n5 12\nsummary: 2138025\ntotals: 2138026\n";
    expect(callgrindTotal(dump)).toBe(2138026);
    expect(callgrindTotal("events: Ir\nsummary: 77\n")).toBe(77);
    expect(() => callgrindTotal("events: Ir\n")).toThrow(/no totals/);
    expect(iterationCost([1206409, 2266409], [20000, 40000]).perIteration).toBe(53);
    expect(() => iterationCost([1, 2], [40000, 20000])).toThrow(/larger/);
  });

  test("LLVM's missed-inline remarks about a wrapper, and only those", () => {
    const stderr = [
      "remark: <unknown>:0:0: 'XXH_INLINE_XXH3_64bits_update__extern' not inlined into 'corpus_run' because too costly to inline (cost=3465, threshold=562)",
      "remark: <unknown>:0:0: '_ZN4main6finish17h7b6e219e9c09f5f9E' not inlined into 'corpus_run' because it should never be inlined (cost=never): noinline function attribute",
      "warning: something else",
    ].join("\n");
    expect(missedInlineRemarks(stderr, ["XXH_INLINE_XXH3_64bits_update__extern"])).toEqual([
      "<unknown>:0:0: 'XXH_INLINE_XXH3_64bits_update__extern' not inlined into 'corpus_run' because too costly to inline (cost=3465, threshold=562)",
    ]);
  });

  test("the wrappers a bindings file links to", () => {
    expect(linkNames('extern "C" {\n    #[link_name = "ck_ring_size__extern"]\n    pub fn ck_ring_size(ring: *const ck_ring) -> u32;\n}\n')).toEqual(["ck_ring_size__extern"]);
  });

  test("identity covers the functions that reference no helper, and finds a differing one", () => {
    const fn = (name: string, bytes: number[], relocations: string[] = []): ElfFunction => ({ name, local: false, bytes: new Uint8Array(bytes), relocations });
    const reference = [fn("calls_helper", [1, 2], ["3 42 ck_ring_size__extern-4"]), fn("pure", [0xc3]), fn("other", [0x90, 0xc3])];
    const same = helperFreeIdentity(reference, [fn("calls_helper", [9]), fn("pure", [0xc3]), fn("other", [0x90, 0xc3])], new Set(["ck_ring_size__extern"]));
    expect(same).toEqual({ compared: ["pure", "other"], identical: 2, differing: [], missing: [] });
    const changed = helperFreeIdentity(reference, [fn("pure", [0xc3]), fn("other", [0xcc, 0xc3])], new Set(["ck_ring_size__extern"]));
    expect(changed.differing).toEqual(["other"]);
  });
});
