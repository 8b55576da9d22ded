import { resolveAttributes } from "./attributes.js";
import type { BodyBuilder } from "./body.js";
import { IrParseError } from "./errors.js";
import type { FunctionHeader } from "./functions.js";
import { structorFunctions, type GlobalVariableLine } from "./globals.js";
import type { MetadataTable } from "./metadata.js";
import type { Signatures } from "./signatures.js";
import type { IrAttributes, IrFunction, IrGlobal, IrModule } from "./types.js";

export interface PendingFunction {
  fn: IrFunction;
  header: FunctionHeader;
  body: BodyBuilder | null;
}

/** A global whose debug location or llvm.* contents are still to be read. */
export interface PendingGlobal {
  global: IrGlobal;
  line: GlobalVariableLine;
  text: string;
}

export interface ResolveInput {
  module: IrModule;
  metadata: MetadataTable;
  functions: PendingFunction[];
  globals: PendingGlobal[];
  namedMetadataOperands: Map<string, string[]>;
  signatures: Signatures;
  empty: IrAttributes;
}

/**
 * Everything that needs the whole text, done once it is read: attribute groups (printed last),
 * metadata (printed last), callees (often declared after their callers) and their types.
 */
export function resolveModule(input: ResolveInput): void {
  const { module: m, metadata: md, empty } = input;
  const groups = m.attributeGroups;
  let where = 0;
  const missing = (id: number): never => {
    throw new IrParseError(where, `attribute group #${id} is not defined`);
  };

  const signatures = new Map<IrFunction, number>();
  const signatureOf = (fn: IrFunction): number => {
    let id = signatures.get(fn);
    if (id === undefined) {
      id = input.signatures.of(
        fn.returnType,
        fn.params.map((p) => p.type),
        fn.isVarArg,
      );
      signatures.set(fn, id);
    }
    return id;
  };

  for (const { fn, header, body } of input.functions) {
    where = fn.textLine;
    fn.attributes = resolveAttributes(header.attributes, groups, empty, missing);
    if (header.dbg !== undefined) {
      const loc = md.subprogramLocation(header.dbg);
      if (loc) fn.debug = loc;
    }
    if (!body) continue;
    fn.instructionCount = body.instructionCount;
    const refs = body.references();
    if (refs.length > 0) fn.references = fn.references.length > 0 ? [...new Set([...fn.references, ...refs])] : refs;
    const sites = body.sites;
    for (let k = 0; k < sites.length; k++) {
      const site = sites[k]!;
      where = site.textLine;
      const name = body.calleeNames[k]!;
      const target = name === null ? undefined : m.functions.get(name);
      if (target) site.callee = target.name;
      if (!site.isInlineAsm) {
        const signature = body.signatures[k]!;
        site.isIndirect = target === undefined || (signature >= 0 && signature !== signatureOf(target));
      }
      const group = body.attributeGroups[k]!;
      if (group >= 0) site.attributes = groups.get(group) ?? missing(group);
      else {
        const raw = body.rawAttributes?.get(k);
        if (raw) site.attributes = resolveAttributes(raw, groups, empty, missing);
      }
      const dbgId = body.dbgIds[k]!;
      const dbg = dbgId >= 0 ? md.get(dbgId) : body.inlineDbg?.get(k);
      if (dbg !== undefined) {
        const line = md.locationLine(dbg);
        if (line !== undefined) site.debugLine = line;
      }
    }
    fn.callSites = sites;
  }

  for (const { global, line, text } of input.globals) {
    if (line.dbg !== undefined) {
      const loc = md.globalVariableLocation(line.dbg);
      if (loc) global.debug = loc;
    }
    if (!global.isSpecial || !line.initializer) continue;
    switch (global.name) {
      case "llvm.used":
        m.usedGlobals.push(...line.references);
        break;
      case "llvm.compiler.used":
        m.compilerUsedGlobals.push(...line.references);
        break;
      case "llvm.global_ctors":
        m.globalCtors.push(...structorFunctions(text, line.initializer));
        break;
      case "llvm.global_dtors":
        m.globalDtors.push(...structorFunctions(text, line.initializer));
        break;
    }
  }

  const flags = input.namedMetadataOperands.get("llvm.module.flags") ?? [];
  for (const op of flags) {
    const flag = md.moduleFlag(op);
    if (flag) m.moduleFlags.push(flag);
  }
  for (const [name, ops] of input.namedMetadataOperands) m.namedMetadata.set(name, md.resolveNamedOperands(ops));
}
