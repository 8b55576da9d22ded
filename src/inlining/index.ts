/**
 * Why LLVM inlines a C helper into Rust or not, and which attribute differences between the two
 * are harmless enough to remove (docs/INLINING.md). Pure rule logic: IR text and parsed modules in,
 * decisions and explanations out; the pipeline stages in src/pipeline/reconcile and
 * src/pipeline/explain do the I/O.
 */
export { diagnoseCall, primaryCategory, type Blocker, type BlockerCategory, type CallCategory, type CallDiagnosis } from "./diagnose.js";
export { explainHelperCalls, categoriesAgree, type ExplainedCall } from "./explain.js";
export { readHelperBodies, type HelperBodyFacts } from "./helperBody.js";
export { mustMatchMismatches } from "./mustMatch.js";
export { noBuiltinSet, noBuiltinsMissingInCaller } from "./noBuiltins.js";
export { planReconciliation, asmUsesVectorRegisters, type NullPointerPolicy, type ReconcilePlan, type CallerAttributeChange } from "./reconcilePlan.js";
export { parseInlineRemarks, remarkVerdict, RemarkParseError, type InlineRemark, type RemarkVerdict } from "./remarks.js";
export { rewriteFunctionAttributes, tokenizeAttributeGroup, addCallAttribute, AttributeRewriteError, type FunctionAttributeEdit } from "./rewriteAttributes.js";
export { compareTargets, targetAttributesOf, type TargetComparison } from "./targetCompat.js";
export { x86FeatureBits, impliedClosure, knownX86Cpus, x86IgnoredFeatures } from "./x86Features.js";
