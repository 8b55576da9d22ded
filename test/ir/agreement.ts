/**
 * Compares the reader's view of a module with LLVM's own: symbols (llvm-nm), call graph edges and
 * externally callable functions (opt print-callgraph), instruction counts (opt func-properties).
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { findAddressTakenFunctions, parseModule, type IrModule } from "../../src/ir/index.js";
import { assemble, callGraph, instructionCounts, nmSymbols } from "./helpers.js";

const WEAK_LINKAGES = new Set(["weak", "weak_odr", "linkonce", "linkonce_odr", "common"]);
const LOCAL_LINKAGES = new Set(["internal", "private"]);

/** Parses `ll` and checks the result against LLVM's tools; returns the module for more checks. */
export function expectAgreesWithLlvm(ll: string): IrModule {
  const module = parseModule(readFileSync(ll, "utf8"));
  const { bc, dispose } = assemble(ll); // llvm-as accepts (and verifies) what the reader parsed
  try {
    expectSymbolsAgree(module, bc);
    expectInstructionCountsAgree(module, bc);
  } finally {
    dispose();
  }
  expectCallGraphAgrees(module, ll);
  return module;
}

function expectSymbolsAgree(module: IrModule, bc: string): void {
  const ours = new Map<string, string>();
  const state = (linkage: string, defined: boolean): string => {
    if (!defined) return linkage === "extern_weak" ? "w" : "U";
    return `defined${LOCAL_LINKAGES.has(linkage) ? " local" : ""}${WEAK_LINKAGES.has(linkage) ? " weak" : ""}`;
  };
  const add = (name: string, linkage: string, defined: boolean): void => {
    // Private and llvm.* symbols are not in the bitcode symbol table; numbered ones are renamed
    // __unnamed_N there; a leading \01 only stops mangling.
    if (linkage === "private" || name.startsWith("llvm.") || /^\d+$/.test(name)) return;
    ours.set(name.replace(/^\x01/, ""), state(linkage, defined));
  };
  for (const f of module.functions.values()) add(f.name, f.linkage, !f.isDeclaration && f.linkage !== "available_externally");
  for (const g of module.globals.values()) add(g.name, g.linkage, g.hasInitializer && g.linkage !== "available_externally");
  for (const a of module.aliases.values()) add(a.name, a.linkage, true);
  for (const i of module.ifuncs.values()) add(i.name, i.linkage, true);

  const theirs = new Map<string, string>();
  for (const { name, kind } of nmSymbols(bc)) {
    if (name.startsWith("__unnamed_")) continue;
    // Symbols defined by module asm are only known to the assembler.
    if (module.moduleAsm.length > 0 && !ours.has(name)) continue;
    if (kind === "U" || kind === "w") theirs.set(name, kind);
    else {
      const local = kind === kind.toLowerCase();
      const weak = kind === "W" || kind === "V" || kind === "C";
      theirs.set(name, `defined${local ? " local" : ""}${weak ? " weak" : ""}`);
    }
  }
  expect(sorted(ours)).toEqual(sorted(theirs));
}

function expectCallGraphAgrees(module: IrModule, ll: string): void {
  const graph = callGraph(ll);
  const ours = new Map<string, { direct: Record<string, number>; external: number }>();
  for (const f of module.functions.values()) {
    const direct: Record<string, number> = {};
    let external = 0;
    for (const site of f.callSites) {
      if (site.isInlineAsm || site.isIndirect) external++;
      else direct[llvmName(site.callee!)] = (direct[llvmName(site.callee!)] ?? 0) + 1;
    }
    ours.set(llvmName(f.name), { direct, external });
  }
  const theirs = new Map<string, { direct: Record<string, number>; external: number }>();
  for (const [name, node] of graph.nodes) {
    theirs.set(name, { direct: Object.fromEntries(node.direct), external: node.external });
  }
  expect(sorted(ours)).toEqual(sorted(theirs));

  // The external node calls every function that is visible outside the module or whose address
  // is taken (Function::hasAddressTaken, which counts @llvm.used and constructor lists too).
  const addressTaken = findAddressTakenFunctions(module);
  const bookkeeping = new Set([
    ...module.usedGlobals,
    ...module.compilerUsedGlobals,
    ...module.globalCtors,
    ...module.globalDtors,
  ]);
  const predicted = [...module.functions.values()]
    .filter((f) => !LOCAL_LINKAGES.has(f.linkage) || addressTaken.has(f.name) || bookkeeping.has(f.name))
    .map((f) => llvmName(f.name))
    .sort();
  expect(predicted).toEqual([...graph.externallyCallable].sort());
}

function expectInstructionCountsAgree(module: IrModule, bc: string): void {
  // Function blocks are written in module order, which is the order of the text.
  const defined = [...module.functions.values()].filter((f) => !f.isDeclaration);
  const counts = instructionCounts(bc);
  expect(defined.map((f) => [f.name, f.instructionCount])).toEqual(defined.map((f, i) => [f.name, counts[i]]));
  expect(counts).toHaveLength(defined.length);
}

/** LLVM's printers show numbered (unnamed) functions with an empty name. */
function llvmName(name: string): string {
  return /^\d+$/.test(name) ? "" : name;
}

function sorted<V>(m: Map<string, V>): Array<[string, V]> {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
