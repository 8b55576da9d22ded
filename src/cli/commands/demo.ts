import { runDemo } from "../../demo/runDemo.js";
import { renderReport } from "../../report/renderTable.js";
import { useColor } from "../errorBoundary.js";

export async function runDemoCommand(): Promise<number> {
  const color = useColor(process.stdout);
  const demo = await runDemo();
  const before = demo.outOfLine.report;
  const out = [
    "local-lto demo: examples/kernel-style (Rust driver lib.rs, C helpers helpers.c, C main main.c)",
    "",
    "== before: out-of-line build (rustc -O --emit=obj, clang -O2 -c helpers.c) ==",
    `the Rust object makes ${before.summary.callsLeft} call(s) to ${before.helpers.length} helper(s); helpers.o exports ${demo.outOfLine.exportedHelpers.length} helper symbol(s)`,
    renderReport(before, { color }),
    "",
    "== after: local-lto build ==",
    renderReport(demo.localLto.report, { color }),
    "",
    "== program output ==",
    demo.outOfLine.output.trimEnd().replace(/^/gm, "  "),
    demo.sameOutput ? "identical output from the out-of-line and the local-lto program" : "OUTPUT DIFFERS between the two programs:\n" + demo.localLto.output.replace(/^/gm, "  local-lto: "),
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  const ok = demo.sameOutput && demo.localLto.report.summary.allInlined && demo.localLto.report.summary.globalHelperSymbols === 0;
  return ok ? 0 : 1;
}
