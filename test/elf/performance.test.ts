import { performance } from "node:perf_hooks";
import { afterAll, expect, it } from "vitest";
import { analyzeCallSites, readElf } from "../../src/elf/index.js";
import { Workdir, fixture } from "./helpers/toolchain.js";

/**
 * The brief: readElf + findCallsTo on a ~1.3 MB rustc object well under 100 ms. The object is
 * unoptimised code with full debug info (1000+ sections, 20 000+ relocations), and the names asked
 * for are every external function it calls, the way C helpers appear in a Rust object, so that
 * most code sections must be decoded.
 */

const work = new Workdir();
afterAll(() => work.cleanup());

it("reads and scans a 1.4 MB rustc object in well under 100 ms", () => {
  work.rustc(fixture("varied.rs"), "big.o", ["-Copt-level=0", "-Cdebuginfo=2", "--edition=2021"]);
  const bytes = work.read("big.o");
  expect(bytes.length).toBeGreaterThan(1_200_000);
  const names = new Set(readElf(bytes).symbols.filter((s) => !s.isDefined && s.index !== 0).map((s) => s.name));
  expect(names.size).toBeGreaterThan(20);

  const times: number[] = [];
  let calls = 0;
  let sections = 0;
  for (let run = 0; run < 9; run++) {
    const started = performance.now();
    const analysis = analyzeCallSites(readElf(bytes), names);
    times.push(performance.now() - started);
    calls = [...analysis.calls.values()].reduce((n, list) => n + list.length, 0);
    sections = analysis.sectionsScanned;
    expect(analysis.decodeErrors).toEqual([]);
  }
  const first = times[0]!;
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `readElf + analyzeCallSites, ${bytes.length} bytes, ${names.size} names: first ${first.toFixed(1)} ms, ` +
      `median ${sorted[4]!.toFixed(1)} ms, best ${sorted[0]!.toFixed(1)} ms; ${sections} code sections decoded, ${calls} calls`,
  );
  expect(sections).toBeGreaterThan(100);
  expect(calls).toBeGreaterThan(200);
  // Best-of because the machine is shared with other test files running in parallel; the first,
  // cold run (no JIT yet) gets a looser bound for the same reason.
  expect(sorted[0]!).toBeLessThan(50);
  expect(first).toBeLessThan(400);
});
