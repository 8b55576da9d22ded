/** The wrapper generator: bindgen's `--wrap-static-fns` output from clang's parser. */
export { generateWrappers, defaultClang, astDumpArgs, collectUses, emptyUses, type TypeUses } from "./generate.js";
export { readHeaderFacts, selectFunctions } from "./headerFacts.js";
export { readType, readTypedefProbe, stripTypedefs } from "./typeTree.js";
export { cDeclaration, cWrapper, externC } from "./printC.js";
export { rustBindings, rustIdentifier, unsupportedReason, RustPrinter, type RustRecord, type RustEnum } from "./printRust.js";
export { parseConcatenatedJson } from "./clangJson.js";
export { probeSource, readProbeAnswers } from "./probes.js";
export { splitShellWords } from "../process/shellWords.js";
export type * from "./types.js";
