/**
 * A reader of LLVM IR text (what llvm-dis prints) for what local-lto needs to know about a
 * module: its functions, calls and globals with their attributes, linkage and source locations.
 * Pure functions, no I/O: run llvm-dis elsewhere and pass the text in.
 */
export { parseModule } from "./module.js";
export { IrParseError } from "./errors.js";
export { findAddressTakenFunctions } from "./addressTaken.js";
export { parseTargetFeatures, parseTriple, type TargetTriple } from "./target.js";
export { hasAttribute } from "./attributes.js";
export { functionType, moduleFlagNumber } from "./queries.js";
export type {
  ComdatKind,
  IrAlias,
  IrAttributes,
  IrCallSite,
  IrDebugLocation,
  IrFunction,
  IrGlobal,
  IrIfunc,
  IrModule,
  IrModuleFlag,
  IrParam,
  UnnamedAddr,
  Visibility,
} from "./types.js";
