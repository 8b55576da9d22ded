import { afterAll, expect, it } from "vitest";
import { analyzeCallSites, readElf } from "../../src/elf/index.js";
import { Workdir, fixture } from "./helpers/toolchain.js";

/**
 * The proof over a large object: a ~1.3 MB rustc object of unoptimised code with full debug info
 * (1000+ sections, 20 000+ relocations), asking for every external function it calls, the way C
 * helpers appear in a Rust object, so that most code sections must be decoded — completely, with
 * the same answer on every run. Its speed is measured by the bench (bench/src/proofCost.ts), not
 * asserted here: wall time on a shared machine is not a test.
 */

const work = new Workdir();
afterAll(() => work.cleanup());

it("reads and scans a 1.4 MB rustc object completely, with the same answer every run", () => {
  work.rustc(fixture("varied.rs"), "big.o", ["-Copt-level=0", "-Cdebuginfo=2", "--edition=2021"]);
  const bytes = work.read("big.o");
  expect(bytes.length).toBeGreaterThan(1_200_000);
  const names = new Set(readElf(bytes).symbols.filter((s) => !s.isDefined && s.index !== 0).map((s) => s.name));
  expect(names.size).toBeGreaterThan(20);

  const answers = new Set<string>();
  let sections = 0;
  let calls = 0;
  for (let run = 0; run < 3; run++) {
    const analysis = analyzeCallSites(readElf(bytes), names);
    calls = [...analysis.calls.values()].reduce((n, list) => n + list.length, 0);
    sections = analysis.sectionsScanned;
    answers.add(JSON.stringify([...analysis.calls].map(([name, list]) => [name, list.length])));
    expect(analysis.decodeErrors).toEqual([]);
  }
  expect(answers.size).toBe(1);
  expect(sections).toBeGreaterThan(100);
  expect(calls).toBeGreaterThan(200);
});
