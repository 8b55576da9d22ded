/**
 * The corpus's block of docs/BENCHMARKS.md (section 7) and its chart, from the runner's two result
 * files (corpus/results.json: the link path; corpus/results.plugin.json: the plugin path). Pure.
 */
import { groupedBars } from "../svg.js";
import type { CorpusResults } from "./results.js";

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const percent = (value: number, reference: number) => `${value >= reference ? "+" : ""}${fixed(((value - reference) / reference) * 100)}%`;

export function corpusBlock(link: CorpusResults, plugin: CorpusResults | undefined, chartPath: string): string {
  const lines = [
    `Four Debian libraries with inline APIs, used as a \`-sys\` crate would (bindgen-style \`--wrap-static-fns\` wrappers, the library's pkg-config flags; [corpus/](../corpus/README.md)). Instructions per loop iteration under callgrind (repeatable): (a) out of line, local-lto's link path (\`--mode inline\`) and plugin path (\`--mode plugin --rustc-bootstrap\`), (c) the same loop in C with the library's \`static inline\` functions, (d) \`llvm-link\` + full \`opt -O2\` + \`llc\` over the same bitcode. Link path measured ${link.startedAt}${plugin ? `, plugin path ${plugin.startedAt}` : ""} by \`npm run corpus\`${plugin ? " and `npm run corpus -- --mode=plugin`" : ""} (${link.machine.rustc}; ${link.machine.clang}); every command in [corpus/RESULTS.md](../corpus/RESULTS.md)${plugin ? " and [corpus/RESULTS.plugin.md](../corpus/RESULTS.plugin.md)" : ""}.`,
    "",
    "| library | (a) out of line | link path | plugin path | (c) ideal C | (d) full -O2 | link vs (d) | plugin vs (d) | calls left: link, plugin | helper-free Rust functions byte-identical |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
  ];
  for (const entry of link.entries) {
    const p = plugin?.entries.find((e) => e.name === entry.name);
    const per = (e: typeof entry, id: "a" | "b" | "c" | "d") => e.instructions[id].perIteration;
    const d = per(entry, "d");
    const identical = (e: typeof entry) => `${e.identity.identical} of ${e.identity.compared.length}`;
    lines.push(
      `| ${entry.name} | ${fixed(per(entry, "a"))} | ${fixed(per(entry, "b"))} | ${p ? fixed(per(p, "b")) : "—"} | ${fixed(per(entry, "c"))} | ${fixed(d)} | ${percent(per(entry, "b"), d)} | ${p ? percent(per(p, "b"), d) : "—"} | ${entry.localLto.report.summary.callsLeft}, ${p ? p.localLto.report.summary.callsLeft : "—"} | ${identical(entry)}${p ? `, ${identical(p)}` : ""} |`,
    );
  }
  lines.push("", `![Instructions per iteration on the corpus](${chartPath})`);
  return lines.join("\n");
}

export function corpusChart(link: CorpusResults, plugin: CorpusResults | undefined): string {
  const series = [
    { name: "out of line", color: "#9e9e9e" },
    { name: "link path", color: "#1f77b4" },
    ...(plugin ? [{ name: "plugin path", color: "#17becf" }] : []),
    { name: "ideal C", color: "#2ca02c" },
    { name: "full -O2", color: "#ff7f0e" },
  ];
  return groupedBars({
    title: "Real C libraries: instructions per loop iteration (callgrind; lower is better)",
    subtitle: "bindgen-style wrappers of Debian's ck, libbpf, urcu, xxhash, with their pkg-config flags",
    yLabel: "instructions per iteration",
    series,
    panels: [
      {
        title: "corpus",
        groups: link.entries.map((e) => e.name),
        values: link.entries.map((e) => {
          const p = plugin?.entries.find((x) => x.name === e.name);
          return [e.instructions.a.perIteration, e.instructions.b.perIteration, ...(plugin ? [p ? p.instructions.b.perIteration : Number.NaN] : []), e.instructions.c.perIteration, e.instructions.d.perIteration];
        }),
      },
    ],
    format: (v) => v.toFixed(0),
  });
}
