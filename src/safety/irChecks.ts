/**
 * Safety checks read from the helper module's IR (inline mode), before
 * `llvm-link --internalize --only-needed` gives every Rust object a private copy of the helpers
 * (docs/SAFETY.md). Each check finds something for which a private copy per object would not
 * behave like the one shared, exported helper did. Pure: modules in, results out.
 *
 * Only what the merge keeps matters. `--only-needed` links what the Rust module references and
 * what that reaches; it always links appending globals (`llvm.used`, `llvm.compiler.used`,
 * `llvm.global_ctors`/`dtors`) and module asm (checked with llvm-link 22: IRMover links every
 * appending-linkage global and appends module asm whatever the flags).
 */
import { isAbsolute, join } from "node:path";
import { findAddressTakenFunctions } from "../ir/addressTaken.js";
import type { IrDebugLocation, IrModule } from "../ir/types.js";
import { safetyCheckIds, type SafetyCheckId, type SafetyCheckResult, type SafetyFinding, type SafetyOverrides } from "./types.js";

export const irCheckDescriptions: Record<SafetyCheckId, string> = {
  "external-data": "mutable data (global variables, static variables inside helpers) would be duplicated: each object would get its own state",
  "address-taken": "a helper's address is used as a value: function-pointer identity would differ between copies",
  "weak-or-comdat": "weak, linkonce or COMDAT definitions: the linker would no longer choose one definition for the program",
  "thread-local": "thread-local variables would be duplicated: each object would get its own per-thread copy",
  constructors: "constructors/destructors (llvm.global_ctors/dtors) would run once per object instead of once per program",
  "used-lists": "llvm.used/llvm.compiler.used (`__attribute__((used))`) members are kept, and duplicated, in every object",
  "module-asm": "module-level asm that defines symbols or sections would be assembled into every object",
  "duplicate-symbol": "a symbol defined by both the Rust module and the helpers: the merge would silently keep Rust's",
};

/** Appending globals the merge always links, whatever the Rust module uses. */
const ALWAYS_LINKED = ["llvm.used", "llvm.compiler.used", "llvm.global_ctors", "llvm.global_dtors"] as const;

export interface IrCheckNames {
  /** The Rust input, named in duplicate-symbol findings when the Rust module has no debug info. */
  rustInput?: string;
  /**
   * The helper input that defines a symbol (or, for module asm, `undefined`), for findings when the
   * helper module has no debug info: the symbol and its input are then what the message names.
   */
  helperInputOf?: (symbol: string | undefined, check: SafetyCheckId) => string | undefined;
}

type Where = Pick<SafetyFinding, "file" | "line">;
type Locate = (symbol: string | undefined, debug: IrDebugLocation | undefined) => Where;

/** Where a finding points: a source line from debug info, when the module has it. */
function located(debug: IrDebugLocation | undefined): Where {
  if (!debug) return {};
  const file = isAbsolute(debug.file) || !debug.directory ? debug.file : join(debug.directory, debug.file);
  return debug.line > 0 ? { file, line: debug.line } : { file };
}

function at(where: Where): string {
  if (!where.file) return "";
  return where.line ? ` (${where.file}:${where.line})` : ` (in ${where.file})`;
}

/**
 * What `--only-needed` keeps of the helper module, and for each kept symbol the roots that pull it
 * in: helper symbols the Rust module references, and the always-linked appending globals.
 * Edges: calls, other uses of `@name` in bodies and initializers, aliases, and COMDAT groups
 * (linking one member links the group).
 */
export function reachableFromRoots(module: IrModule, roots: readonly string[]): Map<string, string[]> {
  const comdatMembers = new Map<string, string[]>();
  const addMember = (comdat: string | undefined, name: string) => {
    if (comdat === undefined) return;
    const list = comdatMembers.get(comdat);
    if (list) list.push(name);
    else comdatMembers.set(comdat, [name]);
  };
  for (const fn of module.functions.values()) addMember(fn.comdat, fn.name);
  for (const g of module.globals.values()) addMember(g.comdat, g.name);

  const successors = (name: string): string[] => {
    const fn = module.functions.get(name);
    if (fn) {
      if (fn.isDeclaration) return [];
      const out = [...fn.references];
      for (const site of fn.callSites) if (site.callee !== null) out.push(site.callee);
      if (fn.comdat !== undefined) out.push(...(comdatMembers.get(fn.comdat) ?? []));
      return out;
    }
    const g = module.globals.get(name);
    if (g) return g.comdat !== undefined ? [...g.references, ...(comdatMembers.get(g.comdat) ?? [])] : g.references;
    return module.aliases.get(name)?.references ?? module.ifuncs.get(name)?.references ?? [];
  };
  const exists = (name: string) => module.functions.has(name) || module.globals.has(name) || module.aliases.has(name) || module.ifuncs.has(name);

  // One walk per root: helper modules are small (the kernel's has a few hundred helpers), and
  // naming every helper that pulls a symbol in is what makes a finding actionable.
  const pulledBy = new Map<string, string[]>();
  for (const root of roots) {
    if (!exists(root)) continue;
    const seen = new Set<string>([root]);
    const queue = [root];
    while (queue.length) {
      const name = queue.pop()!;
      const list = pulledBy.get(name);
      if (list) list.push(root);
      else pulledBy.set(name, [root]);
      for (const next of successors(name)) {
        if (!seen.has(next) && exists(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  return pulledBy;
}

function viaText(roots: readonly string[] | undefined, self: string): string {
  const others = (roots ?? []).filter((r) => r !== self);
  if (others.length === 0) return "";
  const shown = others.slice(0, 3).join(", ");
  return `; pulled in by ${shown}${others.length > 3 ? ` and ${others.length - 3} more` : ""}`;
}

/** clang names a function-local `static int next` in `f` `f.next` (`f.next.1` after a rename). */
function staticLocalOwner(module: IrModule, name: string): { fn: string; variable: string } | undefined {
  const dot = name.indexOf(".");
  if (dot <= 0) return undefined;
  const fn = name.slice(0, dot);
  if (!module.functions.get(fn) || module.functions.get(fn)!.isDeclaration) return undefined;
  return { fn, variable: name.slice(dot + 1).replace(/\.\d+$/, "") };
}

function isGlobalDefinition(g: { hasInitializer: boolean; isSpecial: boolean }): boolean {
  return g.hasInitializer && !g.isSpecial;
}

function externalData(module: IrModule, kept: Map<string, string[]>, locate: Locate): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  for (const g of module.globals.values()) {
    if (!kept.has(g.name) || !isGlobalDefinition(g) || g.isConstant || g.threadLocal !== undefined) continue;
    const where = locate(g.name, g.debug);
    const owner = g.linkage === "internal" || g.linkage === "private" ? staticLocalOwner(module, g.name) : undefined;
    const what = owner
      ? `static variable \`${owner.variable}\` in ${owner.fn}()`
      : g.linkage === "internal" || g.linkage === "private"
        ? `static variable \`${g.name}\``
        : `global variable \`${g.name}\`${g.linkage === "common" ? " (common)" : ""}`;
    const consequence =
      g.linkage === "internal" || g.linkage === "private"
        ? "each object would get its own copy, so its state would no longer be shared"
        : "each object would get its own copy, and neither C code nor the other objects would see the state it keeps";
    findings.push({ check: "external-data", symbol: g.name, ...where, helpers: kept.get(g.name), message: `${what}${at(where)} is mutable state: ${consequence}${viaText(kept.get(g.name), g.name)}` });
  }
  return findings;
}

function threadLocal(module: IrModule, kept: Map<string, string[]>, locate: Locate): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  for (const g of module.globals.values()) {
    if (!kept.has(g.name) || !isGlobalDefinition(g) || g.threadLocal === undefined) continue;
    const where = locate(g.name, g.debug);
    findings.push({
      check: "thread-local",
      symbol: g.name,
      ...where,
      helpers: kept.get(g.name),
      message: `thread-local variable \`${g.name}\`${at(where)}: each object would get its own per-thread copy${viaText(kept.get(g.name), g.name)}`,
    });
  }
  return findings;
}

const WEAK_LINKAGES = new Set(["weak", "weak_odr", "linkonce", "linkonce_odr"]);

function weakOrComdat(module: IrModule, kept: Map<string, string[]>, locate: Locate): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  const consider = (name: string, linkage: string, comdat: string | undefined, isDefinition: boolean, debug: IrDebugLocation | undefined) => {
    if (!kept.has(name) || !isDefinition) return;
    const weak = WEAK_LINKAGES.has(linkage);
    if (!weak && comdat === undefined) return;
    const where = locate(name, debug);
    const what = weak ? `${linkage} definition of \`${name}\`${comdat !== undefined ? ` in COMDAT group \`${comdat}\`` : ""}` : `\`${name}\` in COMDAT group \`${comdat}\``;
    const why = weak
      ? "made internal, it could no longer be overridden by a strong definition or merged with the program's other copies"
      : "the linker would keep one copy per object instead of one per program";
    findings.push({ check: "weak-or-comdat", symbol: name, ...where, helpers: kept.get(name), message: `${what}${at(where)}: ${why}${viaText(kept.get(name), name)}` });
  };
  for (const fn of module.functions.values()) consider(fn.name, fn.linkage, fn.comdat, !fn.isDeclaration, fn.debug);
  for (const g of module.globals.values()) consider(g.name, g.linkage, g.comdat, isGlobalDefinition(g), g.debug);
  for (const a of module.aliases.values()) consider(a.name, a.linkage, undefined, true, undefined);
  return findings;
}

/**
 * Defined helper functions whose address is used other than by a direct call, by code the merge
 * keeps or by the Rust module. Calls through a mismatched signature are calls, not identity uses.
 */
function addressTaken(module: IrModule, rust: IrModule | undefined, kept: Map<string, string[]>, locate: Locate): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  const isKeptDefinition = (name: string) => kept.has(name) && module.functions.get(name)?.isDeclaration === false;
  for (const [fnName, users] of findAddressTakenFunctions(module)) {
    if (!isKeptDefinition(fnName)) continue;
    const fn = module.functions.get(fnName)!;
    const identityUsers = users.filter((user) => {
      if (!kept.has(user)) return false;
      const userFn = module.functions.get(user);
      // A call whose type differs from the callee's is listed by findAddressTakenFunctions, but
      // it is only a call; a real use of the value is in `references`.
      return !userFn || userFn.references.includes(fnName);
    });
    if (identityUsers.length === 0) continue;
    const where = locate(fnName, fn.debug);
    findings.push({
      check: "address-taken",
      symbol: fnName,
      ...where,
      helpers: kept.get(fnName),
      message: `the address of \`${fnName}\`${at(where)} is used as a value by ${identityUsers.map((u) => `\`${u}\``).join(", ")}: each object's copy would have a different address${viaText(kept.get(fnName), fnName)}`,
    });
  }
  if (rust) {
    const rustUsers = new Map<string, string[]>();
    const add = (target: string, user: string) => {
      if (!isKeptDefinition(target)) return;
      const list = rustUsers.get(target);
      if (!list) rustUsers.set(target, [user]);
      else if (!list.includes(user)) list.push(user);
    };
    for (const fn of rust.functions.values()) for (const r of fn.references) add(r, fn.name);
    for (const g of rust.globals.values()) if (!ALWAYS_LINKED.includes(g.name as (typeof ALWAYS_LINKED)[number])) for (const r of g.references) add(r, g.name);
    for (const [fnName, users] of rustUsers) {
      const where = locate(fnName, module.functions.get(fnName)!.debug);
      const shown = users.slice(0, 3).map((u) => `\`${u}\``).join(", ") + (users.length > 3 ? ` and ${users.length - 3} more` : "");
      findings.push({
        check: "address-taken",
        symbol: fnName,
        ...where,
        helpers: [fnName],
        message: `the Rust code uses the address of \`${fnName}\`${at(where)} as a value (in ${shown}): each object's copy would have a different address`,
      });
    }
  }
  return findings;
}

function debugOf(module: IrModule, name: string): IrDebugLocation | undefined {
  return module.functions.get(name)?.debug ?? module.globals.get(name)?.debug;
}

function constructors(module: IrModule, locate: Locate): SafetyFinding[] {
  const list = [
    ...module.globalCtors.map((fn) => ({ fn, kind: "constructor", list: "llvm.global_ctors" })),
    ...module.globalDtors.map((fn) => ({ fn, kind: "destructor", list: "llvm.global_dtors" })),
  ];
  return list.map(({ fn, kind, list: listName }) => {
    const where = locate(fn, debugOf(module, fn));
    return { check: "constructors", symbol: fn, ...where, message: `${kind} \`${fn}\`${at(where)} would run once per object instead of once per program (${listName})` };
  });
}

function usedLists(module: IrModule, locate: Locate): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  for (const [names, listName] of [
    [module.usedGlobals, "llvm.used"],
    [module.compilerUsedGlobals, "llvm.compiler.used"],
  ] as const) {
    for (const name of new Set(names)) {
      const where = locate(name, debugOf(module, name));
      findings.push({
        check: "used-lists",
        symbol: name,
        ...where,
        message: `\`${name}\`${at(where)} is in ${listName} (\`__attribute__((used))\`): every object would keep its own copy, whether a helper uses it or not`,
      });
    }
  }
  return findings;
}

/**
 * What a line of module asm defines, if anything: a label (not `.L` local or numeric), a symbol
 * assignment, a common symbol, a symbol version, or a section switch. `.macro` bodies are skipped:
 * macros are expanded where they are used, so defining one in every object is harmless.
 */
export function moduleAsmDefinitions(lines: readonly string[]): string[] {
  const found: string[] = [];
  let inMacro = 0;
  for (const rawLine of lines) {
    for (let statement of rawLine.split(";")) {
      statement = statement.replace(/(^|\s)#.*$/, "").replace(/\/\*.*?\*\//g, "").trim();
      if (!statement) continue;
      const directive = statement.match(/^(\.[A-Za-z_][\w.]*)/)?.[1]?.toLowerCase();
      if (directive === ".macro" || directive === ".rept" || directive === ".irp" || directive === ".irpc") {
        inMacro++;
        continue;
      }
      if (directive === ".endm" || directive === ".endr") {
        inMacro = Math.max(0, inMacro - 1);
        continue;
      }
      if (inMacro > 0) continue;
      const label = statement.match(/^("[^"]+"|[A-Za-z_.$][\w.$]*)\s*:(?!:)/)?.[1];
      if (label && !label.startsWith(".L") && !/^\d/.test(label)) {
        found.push(`label ${label.replace(/"/g, "")}`);
        statement = statement.slice(statement.indexOf(":") + 1).trim();
        if (!statement) continue;
      }
      const d = statement.match(/^(\.[A-Za-z_][\w.]*)\s*(.*)$/);
      if (d) {
        const name = d[1]!.toLowerCase();
        const arg = d[2]!.split(",")[0]!.trim();
        if (name === ".section" || name === ".pushsection") found.push(`section ${arg}`);
        else if (name === ".data" || name === ".bss") found.push(`section ${name}`);
        else if ([".set", ".equ", ".equiv", ".comm", ".lcomm", ".symver"].includes(name)) found.push(`symbol ${arg} (${name})`);
        continue;
      }
      const assignment = statement.match(/^([A-Za-z_.$][\w.$]*)\s*=[^=]/)?.[1];
      if (assignment) found.push(`symbol ${assignment} (=)`);
    }
  }
  return found;
}

function moduleAsm(module: IrModule, locate: Locate): SafetyFinding[] {
  const defined = moduleAsmDefinitions(module.moduleAsm);
  if (defined.length === 0) return [];
  const shown = defined.slice(0, 4).join(", ") + (defined.length > 4 ? ` and ${defined.length - 4} more` : "");
  const symbol = defined.find((d) => d.startsWith("label ") || d.startsWith("symbol "))?.split(" ")[1];
  const where = locate(undefined, undefined);
  return [{ check: "module-asm", ...(symbol ? { symbol } : {}), ...where, message: `module-level asm${at(where)} defines ${shown}: it would be assembled into every object (duplicate symbols or duplicated section contents)` }];
}

function isExportedDefinition(module: IrModule, name: string): { debug?: IrDebugLocation } | undefined {
  const fn = module.functions.get(name);
  if (fn) return !fn.isDeclaration && fn.linkage !== "internal" && fn.linkage !== "private" && fn.linkage !== "available_externally" ? { debug: fn.debug } : undefined;
  const g = module.globals.get(name);
  if (g) return isGlobalDefinition(g) && g.linkage !== "internal" && g.linkage !== "private" && g.linkage !== "available_externally" ? { debug: g.debug } : undefined;
  const a = module.aliases.get(name);
  if (a) return a.linkage !== "internal" && a.linkage !== "private" ? {} : undefined;
  return undefined;
}

function duplicateSymbols(module: IrModule, rust: IrModule, names: IrCheckNames, locate: Locate): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  const candidates = [...module.functions.keys(), ...module.globals.keys(), ...module.aliases.keys()].sort();
  for (const name of candidates) {
    if (name.startsWith("llvm.")) continue;
    const helperSide = isExportedDefinition(module, name);
    if (!helperSide) continue;
    const rustSide = isExportedDefinition(rust, name);
    if (!rustSide) continue;
    const where = locate(name, helperSide.debug);
    const rustWhere = located(rustSide.debug);
    const rustText = rustWhere.file ? `the Rust module${at(rustWhere)}` : names.rustInput ? `the Rust crate ${names.rustInput}` : "the Rust module";
    findings.push({
      check: "duplicate-symbol",
      symbol: name,
      ...where,
      message: `\`${name}\` is defined by both ${rustText} and the helpers${at(where)}: the merge would keep Rust's and the helpers' callers of it would silently use that one`,
    });
  }
  return findings;
}

/**
 * Runs every IR check on the (linked) helper module. `usedHelperNames`: the helper symbols the
 * Rust module references, i.e. what `--only-needed` links. `rustModule` is needed for
 * duplicate-symbol (not-applicable without it) and for addresses the Rust code takes.
 */
export function checkHelperModule(
  helperModule: IrModule,
  rustModule: IrModule | undefined,
  usedHelperNames: readonly string[],
  overrides: SafetyOverrides,
  names: IrCheckNames = {},
): SafetyCheckResult[] {
  const alwaysLinked = ALWAYS_LINKED.filter((n) => helperModule.globals.has(n));
  const kept = reachableFromRoots(helperModule, [...[...usedHelperNames].sort(), ...alwaysLinked]);
  for (const special of alwaysLinked) kept.delete(special);
  const locateFor =
    (check: SafetyCheckId): Locate =>
    (symbol, debug) => {
      const where = located(debug);
      if (where.file) return where;
      const input = names.helperInputOf?.(symbol, check);
      return input ? { file: input } : {};
    };
  const found: Partial<Record<SafetyCheckId, SafetyFinding[]>> = {
    "external-data": externalData(helperModule, kept, locateFor("external-data")),
    "address-taken": addressTaken(helperModule, rustModule, kept, locateFor("address-taken")),
    "weak-or-comdat": weakOrComdat(helperModule, kept, locateFor("weak-or-comdat")),
    "thread-local": threadLocal(helperModule, kept, locateFor("thread-local")),
    constructors: constructors(helperModule, locateFor("constructors")),
    "used-lists": usedLists(helperModule, locateFor("used-lists")),
    "module-asm": moduleAsm(helperModule, locateFor("module-asm")),
    "duplicate-symbol": rustModule ? duplicateSymbols(helperModule, rustModule, names, locateFor("duplicate-symbol")) : undefined,
  };
  return safetyCheckIds.map((check) => {
    const findings = found[check];
    const status = findings === undefined ? "not-applicable" : findings.length === 0 ? "passed" : overrides.has(check) ? "overridden" : "failed";
    return { check, description: irCheckDescriptions[check], status, findings: findings ?? [] };
  });
}

/** The helper-module symbols the Rust module references (declares): what `--only-needed` links. */
export function helperSymbolsUsedByRust(rustModule: IrModule, helperModule: IrModule): string[] {
  const used: string[] = [];
  const definesNonLocal = (name: string) => {
    const fn = helperModule.functions.get(name);
    if (fn) return !fn.isDeclaration && fn.linkage !== "internal" && fn.linkage !== "private";
    const g = helperModule.globals.get(name);
    if (g) return g.hasInitializer && g.linkage !== "internal" && g.linkage !== "private";
    const a = helperModule.aliases.get(name) ?? helperModule.ifuncs.get(name);
    return !!a && a.linkage !== "internal" && a.linkage !== "private";
  };
  for (const fn of rustModule.functions.values()) if (fn.isDeclaration && definesNonLocal(fn.name)) used.push(fn.name);
  for (const g of rustModule.globals.values()) if (!g.hasInitializer && !g.isSpecial && definesNonLocal(g.name)) used.push(g.name);
  return used.sort();
}
