import type { IrCallSite, IrFunction, IrModule } from "../ir/types.js";
import { defaultRuleSettings, diagnoseCall, primaryCategory, type Blocker, type CallCategory, type CallDiagnosis, type RuleSettings } from "./diagnose.js";
import type { HelperBodyFacts } from "./helperBody.js";
import { remarkVerdict, type InlineRemark, type RemarkVerdict } from "./remarks.js";
import { targetAttributesOf } from "./targetCompat.js";
import type { TargetModel } from "./targetFeatures.js";

/** One call site's explanation: local-lto's diagnosis, LLVM's verdict, and whether they agree. */
export interface ExplainedCall {
  helper: string;
  caller: string;
  line?: number;
  column?: number;
  category: CallCategory;
  reason: string;
  fix?: string;
  /** LLVM's remark for this call, as -pass-remarks prints it. */
  llvmRemark?: string;
  llvmVerdict?: RemarkVerdict | "none";
  /** local-lto's category and LLVM's verdict say the same (undefined when LLVM was not asked). */
  agrees?: boolean;
}

export interface ExplainInputs {
  rustModule: IrModule;
  /** The helper module as merged (after reconciliation). */
  helperModule: IrModule;
  helperBodies: ReadonlyMap<string, HelperBodyFacts>;
  helpers: readonly string[];
  /** LLVM's remarks from the inline run; undefined when it was not run. */
  remarks?: readonly InlineRemark[];
  /** Attributes the inline step added to Rust callers (--null-pointer-policy=caller). */
  callerAttributes?: readonly { caller: string; attribute: string }[];
  /** Differences reconciliation saw and left alone, with why: appended to the matching reasons. */
  kept?: readonly { helper: string; rule: string; reason: string; needs?: readonly string[] }[];
  /** LLVM's answers about target attributes (unanswered questions are collected for the caller to ask). */
  targets?: TargetModel;
  /** The build's settings, so that a fix never proposes what is already on. */
  settings?: RuleSettings;
}

const attributeCategories = new Set<CallCategory>(["target-features", "no-builtins", "must-match"]);

/** Whether local-lto's first blocker is what LLVM reported. */
export function categoriesAgree(category: CallCategory, verdict: RemarkVerdict | "none", alwaysInline = false): boolean {
  if (verdict === "none") return category === "signature-mismatch";
  if (alwaysInline) return verdict === "inlined" || verdict === "not-inline-viable";
  if (attributeCategories.has(category)) return verdict === "conflicting-attributes";
  if (category === "cost-model") return verdict === "inlined" || verdict === "too-costly" || verdict === "not-inline-viable";
  return category === verdict;
}

/**
 * Explains every call from Rust (and from inlined helper code) to a helper: one entry per call
 * LLVM considered (its remarks), plus the calls it never considered because the Rust declaration's
 * type differs from the C definition. Pure.
 */
export function explainHelperCalls(input: ExplainInputs): ExplainedCall[] {
  const helpers = new Set(input.helpers);
  const triple = input.rustModule.triple ?? input.helperModule.triple;
  const added = new Map<string, string[]>();
  for (const c of input.callerAttributes ?? []) added.set(c.caller, [...(added.get(c.caller) ?? []), c.attribute]);
  // A Rust caller as the inline step saw it: with the attributes it added.
  const asInlined = (fn: IrFunction): IrFunction => {
    const extra = added.get(fn.name);
    return extra ? { ...fn, attributes: { flags: new Set([...fn.attributes.flags, ...extra]), values: fn.attributes.values } } : fn;
  };
  const findFunction = (name: string) => {
    const fn = input.rustModule.functions.get(name) ?? input.helperModule.functions.get(name);
    return fn ? asInlined(fn) : undefined;
  };
  const keptReason = (helper: string, category: string) => input.kept?.find((k) => k.helper === helper && k.rule === category)?.reason;
  const definitionOf = (name: string) => {
    const fn = input.helperModule.functions.get(name);
    return fn && !fn.isDeclaration ? fn : undefined;
  };
  const targetOf = (name: string) => {
    const fn = input.helperModule.functions.get(name) ?? input.rustModule.functions.get(name);
    return fn ? targetAttributesOf(fn.attributes) : undefined;
  };
  const diagnose = (caller: IrFunction, callee: string, site?: IrCallSite): CallDiagnosis =>
    diagnoseCall({
      caller,
      callee: definitionOf(callee),
      calleeName: callee,
      site,
      declaration: input.rustModule.functions.has(caller.name) ? input.rustModule.functions.get(callee) : undefined,
      triple,
      calleeBody: input.helperBodies.get(callee),
      targetOf,
      model: input.targets,
      settings: input.settings ?? defaultRuleSettings,
      bodyNeeds: input.kept?.find((k) => k.helper === callee && k.rule === "target-features")?.needs,
    });

  const out: ExplainedCall[] = [];
  // Calls LLVM never looks at: a declaration whose type differs from the definition.
  for (const fn of input.rustModule.functions.values()) {
    for (const site of fn.callSites) {
      if (!site.callee || !helpers.has(site.callee)) continue;
      const d = diagnose(asInlined(fn), site.callee, site);
      if (d.blockers[0]?.category !== "signature-mismatch") {
        if (input.remarks) continue;
        out.push(fromDiagnosis(d, site.debugLine, keptReason));
        continue;
      }
      const entry = fromDiagnosis(d, site.debugLine, keptReason);
      if (input.remarks) {
        const remark = input.remarks.find((r) => r.caller === fn.name && r.callee === site.callee && (site.debugLine === undefined || r.line === site.debugLine));
        entry.llvmVerdict = remark ? remarkVerdict(remark) : "none";
        entry.llvmRemark = remark?.message;
        entry.agrees = categoriesAgree(entry.category, entry.llvmVerdict);
      }
      out.push(entry);
    }
  }
  if (!input.remarks) return out;

  const seen = new Set<string>();
  for (const remark of input.remarks) {
    if (!helpers.has(remark.callee)) continue;
    if (remark.line !== undefined) {
      const key = `${remark.caller}\0${remark.callee}\0${remark.line}\0${remark.column}\0${remark.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const caller = findFunction(remark.caller);
    const verdict = remarkVerdict(remark);
    if (!caller) {
      out.push({ helper: remark.callee, caller: remark.caller, line: remark.line, column: remark.column, category: "unknown", reason: remark.message, llvmRemark: remark.message, llvmVerdict: verdict, agrees: false });
      continue;
    }
    const site = caller.callSites.find((s) => s.callee === remark.callee && (remark.line === undefined || s.debugLine === remark.line)) ?? caller.callSites.find((s) => s.callee === remark.callee);
    const d = deferUncertain(diagnose(caller, remark.callee, site), verdict);
    const entry = fromDiagnosis(d, remark.line, keptReason);
    entry.column = remark.column;
    entry.llvmRemark = remark.message;
    entry.llvmVerdict = verdict;
    entry.agrees = categoriesAgree(primaryCategory(d), verdict, d.alwaysInline);
    if (entry.category === "cost-model" || d.alwaysInline) {
      entry.category = verdict === "inlined" ? "inlined" : verdict === "too-costly" ? "too-costly" : verdict === "not-inline-viable" ? "not-inline-viable" : entry.category;
      entry.reason = costModelReason(remark, verdict);
      if (d.alwaysInline) entry.reason += " — alwaysinline: LLVM skipped the attribute checks (newer LLVM keeps the target-feature check), and gives the caller the helper's null_pointer_is_valid if it has one";
      entry.fix = verdict === "too-costly" ? tooCostlyFix(remark, input.settings ?? defaultRuleSettings) : undefined;
    }
    out.push(entry);
  }
  return out;
}

/**
 * Blockers local-lto cannot decide (target attributes its model has no answer for) are LLVM's to
 * decide: kept when LLVM reports conflicting attributes, dropped when it does not. So an
 * explanation never contradicts the remark because of something local-lto could not model.
 */
export function deferUncertain(d: CallDiagnosis, verdict: RemarkVerdict): CallDiagnosis {
  if (d.blockers.every((b) => b.certain)) return d;
  const conflicting = verdict === "conflicting-attributes";
  const blockers: Blocker[] = [];
  for (const b of d.blockers) {
    if (b.certain) blockers.push(b);
    else if (conflicting) blockers.push({ ...b, reason: `${b.reason}; LLVM reports conflicting attributes`, certain: true });
  }
  return { ...d, blockers };
}

function fromDiagnosis(d: CallDiagnosis, line: number | undefined, keptReason: (helper: string, category: string) => string | undefined): ExplainedCall {
  const [first, ...rest] = d.blockers;
  if (!first) {
    return { helper: d.callee, caller: d.caller, line, category: "cost-model", reason: "attributes compatible: LLVM's cost model decides" };
  }
  const kept = keptReason(d.callee, first.category);
  const also = rest.length ? `; after that: ${rest.map((b) => b.label).join(", ")}` : "";
  return {
    helper: d.callee,
    caller: d.caller,
    line,
    category: first.category,
    reason: `${first.reason}${kept ? ` (not reconciled: ${kept})` : ""}${also}`,
    fix: [first.fix, ...rest.map((b) => b.fix)].filter((f, i, all) => all.indexOf(f) === i).join("; "),
  };
}

/**
 * LLVM's threshold for a helper call is the base threshold (325 with the inline hint every helper
 * gets, or --inline-threshold when higher) scaled by the cost model's bonuses, so the base that
 * would inline this call is the same fraction of the cost.
 */
export function tooCostlyFix(remark: InlineRemark, settings: RuleSettings): string {
  const cost = Number(remark.cost);
  const threshold = Number(remark.threshold);
  const base = Math.max(settings.inlineThreshold ?? 225, 325);
  const intro = "LLVM judged the helper too big for this call site (local-lto never forces inlining)";
  const smaller = "make the helper smaller, or call it from fewer places";
  if (!Number.isFinite(cost) || !Number.isFinite(threshold) || threshold <= 0) return `${intro}: ${smaller}`;
  const needed = Math.ceil(((cost + 1) * base) / threshold);
  return `${intro}: --inline-threshold=${needed} or about that inlines it (every helper call gets that threshold: code grows); or ${smaller}`;
}

/** A cost-model verdict in local-lto's words (`inlined (cost …, threshold …)`); other verdicts as LLVM says them. */
export function costModelReason(remark: InlineRemark, verdict: RemarkVerdict): string {
  switch (verdict) {
    case "inlined":
      return remark.cost !== undefined ? `inlined (cost ${remark.cost}, threshold ${remark.threshold})` : "inlined";
    case "too-costly":
      return `too costly (cost ${remark.cost} > threshold ${remark.threshold})`;
    case "not-inline-viable":
      return `LLVM never inlines it: ${remark.reason ?? remark.message}`;
    default:
      return remark.message;
  }
}

