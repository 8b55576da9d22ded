import pc from "picocolors";
import type { Report } from "./schema.js";
import { formatColumns } from "./columns.js";

export interface RenderOptions {
  color: boolean;
}

/** The compact terminal view of a report: one row per helper, then one summary line. */
export function renderReport(report: Report, options: RenderOptions): string {
  const paint = pc.createColors(options.color === true);
  const rows: string[][] = [];
  for (const h of report.helpers) {
    const before = h.callSitesBefore === null ? "-" : String(h.callSitesBefore + (h.mismatchedCallSitesBefore ?? 0));
    const left = h.callsLeft === 0 ? paint.green("0") : paint.red(String(h.callsLeft));
    const symbolText = h.symbol === "global" || h.symbol === "weak" ? paint.red(`${h.symbol}${h.visibility && h.visibility !== "default" ? ` (${h.visibility})` : ""}`) : h.symbol === "undefined" ? paint.yellow(h.symbol) : paint.green(h.symbol);
    const verdict = h.verdict === "inlined" ? paint.green("inlined") : h.verdict === "calls-left" ? paint.red("calls left") : paint.yellow("not proven");
    rows.push([h.name, before, left, symbolText, verdict]);
  }
  const s = report.summary;
  const lines = [
    `${report.command === "build" ? "built" : "inspected"} ${report.object}${report.mode !== "none" ? ` (mode: ${report.mode}${report.modeReason ? `, ${report.modeReason}` : ""})` : ""}`,
    ...(report.helpers.length ? [formatColumns(["helper", "calls before", "calls left", "symbol", "verdict"], rows, ["left", "right", "right", "left", "left"])] : []),
    `${s.helpers} helper(s): ${s.callSitesBefore !== null ? `${s.callSitesBefore} call site(s) before, ` : ""}${s.callsLeft} call(s) left, ${s.globalHelperSymbols} global helper symbol(s)` +
      (s.notProven > 0 ? paint.yellow(`, ${s.notProven} not proven`) : "") +
      (s.helpers === 0 ? paint.yellow(" — nothing checked, nothing proven") : s.allInlined && s.globalHelperSymbols === 0 ? paint.green(" — every helper call inlined, no helper exported") : ""),
  ];
  for (const h of report.helpers) for (const why of h.notProven ?? []) lines.push(`not proven: ${h.name}: ${why}`);
  const referenced = report.helpers.filter((h) => h.addressReferences > 0);
  if (referenced.length) lines.push(`address still used other than by calls: ${referenced.map((h) => `${h.name} (${h.addressReferences})`).join(", ")}`);
  if (report.safetyChecks?.length) lines.push(safetySummary(report.safetyChecks, paint));
  if (report.unusedHelpers.length) lines.push(`not called from Rust (${report.mode === "static" ? "kept as local symbols; a --gc-sections link drops them" : report.mode === "plugin" ? "never linked in" : "dropped by the merge"}): ${report.unusedHelpers.join(", ")}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push(...renderReconciliation(report), ...renderExplanations(report, paint));
  return lines.join("\n");
}

/** One line per attribute change local-lto made (docs/INLINING.md). */
function renderReconciliation(report: Report): string[] {
  return (report.reconciliation ?? []).map((change) => `reconciled: ${change}`);
}

/** One line per explained call site: `caller → helper: category: reason; fix: …`. */
function renderExplanations(report: Report, paint: ReturnType<typeof pc.createColors>): string[] {
  const lines: string[] = [];
  for (const h of report.helpers) {
    for (const r of h.reasons ?? []) {
      const where = r.line !== undefined ? `:${r.line}` : "";
      const verdict = r.category === "inlined" ? paint.green(r.category) : paint.red(r.category);
      const check = r.llvmAgrees === false ? paint.yellow(" [LLVM's remark differs: " + (r.llvmRemark ?? "none") + "]") : "";
      const fix = r.fix && r.category !== "inlined" ? `; fix: ${r.fix}` : "";
      lines.push(`${r.caller}${where} → ${h.name}: ${verdict}: ${r.reason}${fix}${check}`);
    }
  }
  return lines.length ? ["why:", ...lines] : [];
}

/** One line for the safety checks (docs/SAFETY.md): how many passed, and which were overridden or failed. */
function safetySummary(checks: NonNullable<Report["safetyChecks"]>, paint: ReturnType<typeof pc.createColors>): string {
  const named = (status: string) => checks.filter((c) => c.status === status).map((c) => c.check);
  const passed = named("passed").length;
  const overridden = named("overridden");
  const failed = named("failed");
  const notApplicable = named("not-applicable").length;
  const parts = [`${passed} check(s) passed`];
  if (overridden.length) parts.push(paint.yellow(`${overridden.length} overridden (${overridden.join(", ")})`));
  if (failed.length) parts.push(paint.red(`${failed.length} failed (${failed.join(", ")})`));
  if (notApplicable) parts.push(`${notApplicable} not applicable`);
  return `safety: ${parts.join(", ")}`;
}
