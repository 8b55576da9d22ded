export { parseModule } from "./module.js";
export { IrParseError } from "./errors.js";
export { findAddressTakenFunctions } from "./addressTaken.js";
export { parseTargetFeatures, parseTriple, type TargetTriple } from "./target.js";
export { hasAttribute } from "./attributes.js";
export { functionType } from "./queries.js";
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
