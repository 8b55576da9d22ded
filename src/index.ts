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
