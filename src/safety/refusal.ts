/**
 * The refusal for failed IR safety checks (inline mode): one line naming the first offending
 * symbol and where it is, every finding below it, and the two ways out — change the C code, or
 * `--allow=<check>` when a private copy per object is fine (docs/SAFETY.md).
 */
import { LocalLtoError } from "../diagnostics/errors.js";
import type { SafetyCheckId, SafetyCheckResult, SafetyFinding } from "./types.js";

/** What to change in the C code, per check. */
export const safetyFixes: Record<SafetyCheckId, string> = {
  "external-data": "keep the state in a C file linked once into the program and declare it `extern` in the helpers",
  "address-taken": "call the function instead of using its address, or define the function whose address is used outside the helpers",
  "weak-or-comdat": "make the definition strong and non-inline, or move it out of the helpers",
  "thread-local": "define the thread-local variable outside the helpers and declare it `extern __thread` in them",
  constructors: "run the initialisation from code outside the helpers",
  "used-lists": "drop `__attribute__((used))` in the helpers, or move that symbol out of them",
  "module-asm": "move module-level asm that defines symbols or sections out of the helpers",
  "duplicate-symbol": "rename one of the two definitions, or drop the helpers' one",
};

function findingLine(finding: SafetyFinding): string {
  return `[${finding.check}] ${finding.message}`;
}

/** The error for the failed checks, or undefined when none failed (passed, overridden, not-applicable). */
export function unsafeHelperModuleError(results: readonly SafetyCheckResult[]): LocalLtoError | undefined {
  const failed = results.filter((r) => r.status === "failed" && r.findings.length > 0);
  const first = failed[0]?.findings[0];
  if (!first) return undefined;
  const count = failed.reduce((n, r) => n + r.findings.length, 0);
  const checks = failed.map((r) => r.check);
  const more = count > 1 ? ` (${count - 1} more finding${count > 2 ? "s" : ""} below)` : "";
  return new LocalLtoError({
    code: "LLTO_UNSAFE_HELPERS",
    message: `unsafe to give this object a private copy of the helpers: ${first.message}${more}`,
    fix: `${safetyFixes[first.check]}; or, if a private copy per object is fine, pass ${checks.map((c) => `--allow=${c}`).join(" ")} (docs/SAFETY.md)`,
    file: first.file,
    line: first.line,
    details: count > 1 ? failed.flatMap((r) => r.findings).map(findingLine).join("\n") : undefined,
  });
}

/** Notes for the report: what each --allow accepted. */
export function overrideNotes(results: readonly SafetyCheckResult[]): string[] {
  return results
    .filter((r) => r.status === "overridden")
    .map((r) => `--allow=${r.check} accepted ${r.findings.length} finding(s): ${r.findings.map((f) => f.symbol ?? f.message).join(", ")}`);
}
