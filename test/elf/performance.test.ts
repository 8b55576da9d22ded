import { performance } from "node:perf_hooks";
import { afterAll, expect, it } from "vitest";
import { analyzeCallSites, readElf } from "../../src/elf/index.js";
import { Workdir, fixture } from "./helpers/toolchain.js";

/** The brief: readElf + findCallsTo on a ~1.3 MB rustc object well under 100 ms. */

const work = new Workdir();
afterAll(() => work.cleanup());

it("reads and scans a 1.4 MB rustc object in well under 100 ms", () => {
  // Unoptimised code with full debug info: many code sections, symbols and relocations.
  work.rustc(fixture("varied.rs"), "big.o", ["-Copt-level=0", "-Cdebuginfo=2", "--edition=2021"]);
  const bytes = work.read("big.o");
  expect(bytes.length).toBeGreaterThan(1_200_000);
  const names = new Set(["memcpy", "memset", "helper", "_ZN4core9panicking5panic17h0000000000000000E"]);
  const times: number[] = [];
  let calls = 0;
  let instructions = 0;
  for (let run = 0; run < 7; run++) {
    const started = performance.now();
    const elf = readElf(bytes);
    const analysis = analyzeCallSites(elf, names);
    times.push(performance.now() - started);
    calls = [...analysis.calls.values()].reduce((n, list) => n + list.length, 0);
    instructions = analysis.sectionsScanned;
    expect(analysis.decodeErrors).toEqual([]);
  }
  times.sort((a, b) => a - b);
  const median = times[3]!;
  console.log(`readElf + analyzeCallSites on ${bytes.length} bytes: median ${median.toFixed(1)} ms, best ${times[0]!.toFixed(1)} ms; ${instructions} code sections, ${calls} calls found`);
  expect(calls).toBeGreaterThan(0);
  expect(median).toBeLessThan(100);
});
