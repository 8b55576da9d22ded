/**
 * Why LLVM inlines a C helper into Rust or not, and which attribute differences between the two
 * are harmless enough to remove (docs/INLINING.md). Pure rule logic: IR text and parsed modules in,
 * decisions and explanations out; what only LLVM knows (target features, intrinsic selection) is
 * asked of it by the pipeline stages in src/pipeline/reconcile and src/pipeline/explain, which do
 * the I/O.
 */
export { diagnoseCall, primaryCategory, defaultRuleSettings, type Blocker, type BlockerCategory, type CallCategory, type CallDiagnosis, type RuleSettings } from "./diagnose.js";
export { explainHelperCalls, categoriesAgree, type ExplainedCall } from "./explain.js";
export { asmUsesVectorRegisters, isFloatingPointOrVectorFeature, isHardeningFeature, isTargetIntrinsic, targetArch, type TargetArch } from "./featureClasses.js";
export { readHelperBodies, type HelperBodyFacts } from "./helperBody.js";
export { IntrinsicFacts, intrinsicProbeModule, readSelection, type TargetIntrinsicCall } from "./intrinsicNeeds.js";
export { mustMatchMismatches } from "./mustMatch.js";
export { noBuiltinSet, noBuiltinsMissingInCaller } from "./noBuiltins.js";
export { planReconciliation, type NullPointerPolicy, type ReconcilePlan, type CallerAttributeChange, type KeptDifference } from "./reconcilePlan.js";
export { parseInlineRemarks, remarkVerdict, RemarkParseError, type InlineRemark, type RemarkVerdict } from "./remarks.js";
export { rewriteFunctionAttributes, tokenizeAttributeGroup, addCallAttribute, AttributeRewriteError, type FunctionAttributeEdit } from "./rewriteAttributes.js";
export { compareTargets, targetAttributesOf, type TargetComparison } from "./targetCompat.js";
export { TargetModel, inlineProbeModule, parseInlinedProbes, parseFeatureList, parseCpuList, planProbes, emptyTargetFacts, targetKey, type TargetAttributes, type TargetFacts } from "./targetFeatures.js";
