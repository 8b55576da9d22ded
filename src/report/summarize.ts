import type { HelperReport, Report } from "./schema.js";

export function summarize(helpers: readonly HelperReport[]): Report["summary"] {
  const known = helpers.every((h) => h.callSitesBefore !== null);
  return {
    helpers: helpers.length,
    callSitesBefore: known ? helpers.reduce((n, h) => n + (h.callSitesBefore ?? 0) + (h.mismatchedCallSitesBefore ?? 0), 0) : null,
    callsLeft: helpers.reduce((n, h) => n + h.callsLeft, 0),
    globalHelperSymbols: helpers.filter((h) => h.symbol === "global" || h.symbol === "weak").length,
    notProven: helpers.filter((h) => h.verdict === "not-proven").length,
    // Over an empty set "every helper inlined" would be a proof about nothing.
    allInlined: helpers.length > 0 && helpers.every((h) => h.verdict === "inlined"),
  };
}
