/**
 * Loaded into local-lto's Node process with NODE_OPTIONS=--import by the build-cost bench: at
 * exit, writes the process's own CPU time, peak memory and start-up timing (children excluded),
 * so local-lto's own overhead is measured without changing local-lto.
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const target = process.env.LOCAL_LTO_BENCH_USAGE;
if (target) {
  process.on("exit", () => {
    const cpu = process.cpuUsage();
    writeFileSync(
      target,
      JSON.stringify({
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        maxRssKb: process.resourceUsage().maxRSS,
        bootstrapMs: performance.nodeTiming.bootstrapComplete,
        exitMs: performance.now(),
      }),
    );
  });
}
