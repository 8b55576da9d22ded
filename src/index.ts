/** The library API: the CLI is a thin layer over these. */
export { build, writeReportFile, HelperCallsLeftError, BuildInterruptedError, type BuildResult, type BuildHooks } from "./pipeline/build.js";
export { resolveBuild } from "./pipeline/resolve/resolveBuild.js";
export type { ResolvedBuild } from "./pipeline/resolve/resolvedBuild.js";
export type { BuildOptions } from "./pipeline/types.js";
export { inspectObject, type InspectOptions } from "./inspect/inspectObject.js";
export { resolveToolchain, type Toolchain, type ToolOverrides } from "./toolchain/resolveToolchain.js";
export { gateVerdict, gateFailure } from "./verify/gate.js";
export { reportSchema, type Report, type HelperReport } from "./report/schema.js";
export { LocalLtoError, exitCodes } from "./diagnostics/errors.js";
export { readElf } from "./elf/index.js";
export { parseModule } from "./ir/index.js";
/** The rustc mode (docs/INTEGRATION.md): what `local-lto rustc`, Cargo's wrapper and the launcher run. */
export { runRustc, type RustcRunOptions } from "./rustc/runRustc.js";
export { parseRustcArgs, type RustcInvocation } from "./rustc/args.js";
export { decideFromArgs, type ArgsDecision } from "./rustc/decide.js";
export { loadRustcConfig, type RustcConfig } from "./rustc/config/loadConfig.js";
export { addDepInfoDependencies } from "./rustc/depInfo.js";
export { readRunLines, latestPerUnit, renderBuildSummary, runLineSchema, type RunLine } from "./rustc/buildReport.js";
