// Cold-start timing of the IR reader as the CLI runs it: one parse in a fresh process, compiled
// output (run `npm run build` first, or point IR_DIST at another build's ir/index.js).
//   node test/ir/perf-cold.mjs module.ll [runs]
// Prints wall time and the main thread's CPU time (from /proc, 10 ms ticks) for each run: on a
// busy machine the second stays meaningful when the first does not.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [file, runsArg, child] = process.argv.slice(2);
if (!file) {
  console.error("usage: node test/ir/perf-cold.mjs module.ll [runs]");
  process.exit(2);
}

if (child === "--child") {
  const entry = process.env.IR_DIST ?? new URL("../../dist/ir/index.js", import.meta.url).href;
  const { parseModule } = await import(entry);
  const text = readFileSync(file, "utf8");
  const ticks = () => {
    try {
      const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return NaN;
    }
  };
  const k0 = ticks();
  const t0 = performance.now();
  const m = parseModule(text);
  const wall = performance.now() - t0;
  const cpu = (ticks() - k0) * 10;
  console.log(JSON.stringify({ wall, cpu, mb: text.length / 1e6, functions: m.functions.size }));
} else {
  const runs = Number(runsArg ?? 5);
  const results = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), file, "1", "--child"], { encoding: "utf8" });
    results.push(JSON.parse(out));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const { mb, functions } = results[0];
  console.log(
    `${file}: ${mb.toFixed(1)} MB, ${functions} functions; cold parse over ${runs} runs: ` +
      `wall median ${median(results.map((r) => r.wall)).toFixed(0)} ms (min ${Math.min(...results.map((r) => r.wall)).toFixed(0)}), ` +
      `main-thread CPU median ${median(results.map((r) => r.cpu))} ms`,
  );
}
