/**
 * Safety checks read from a helper OBJECT (static mode: GCC output has no IR). Static mode links
 * the helpers into every Rust object and makes their symbols local, so each object gets its own
 * copy; each check finds something a private copy would change (see ./types.ts). The IR-based
 * checks of inline mode report in the same shape.
 */
import { basename } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import { analyzeCallSites, type ElfFile, type ElfSection, type ElfSymbol } from "../elf/index.js";
import { safetyCheckIds, type SafetyCheckId, type SafetyCheckResult, type SafetyFinding, type SafetyOverrides } from "./types.js";

const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;
const SHF_TLS = 0x400;
const SHT_INIT_ARRAY = 14;
const SHT_FINI_ARRAY = 15;
const SHT_PREINIT_ARRAY = 16;
const SHT_GROUP = 17;
const SHN_LORESERVE = 0xff00;
const SHN_COMMON = 0xfff2;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;

export const objectCheckDescriptions: Record<SafetyCheckId, string> = {
  "external-data": "writable data (global variables, static locals) would be duplicated: each object gets its own state",
  "address-taken": "a helper's address is used as a value: function-pointer identity would differ between copies",
  "weak-or-comdat": "weak or COMDAT definitions: the linker would no longer pick one of them",
  "thread-local": "thread-local variables would be duplicated per object",
  constructors: "constructors/destructors (.init_array, .ctors, …) would run once per object",
  "used-lists": "llvm.used lists exist only in IR: nothing to check in an object",
  "module-asm": "module-level asm exists only in IR: its symbols are checked as data and functions here",
  "duplicate-symbol": "a symbol defined by both the Rust object and the helpers: localizing it would hide one of them",
};

export interface ObjectSafetyOptions {
  /** The helper input the object came from (its .c or .o), named in findings. */
  source?: string;
  /** The Rust object the helpers are linked into: its uses of helper addresses and its definitions count too. */
  rustObject?: ElfFile;
  /** `--allow`: findings of these checks are reported as overridden instead of failed. */
  allow?: SafetyOverrides;
}

/**
 * Sections that record code locations for tools, not function pointers a program compares:
 * ftrace's `__mcount_loc` and `__patchable_function_entries` point at the first instruction of
 * each function, objtool's `.ibt_endbr_seal` at each ENDBR, `.discard.*` never reaches the image.
 */
function isLocationTable(section: ElfSection): boolean {
  return ["__mcount_loc", "__patchable_function_entries", ".ibt_endbr_seal"].includes(section.name) || section.name.startsWith(".discard");
}

function isNamed(symbol: ElfSymbol): boolean {
  return symbol.index !== 0 && symbol.name !== "" && symbol.type !== "SECTION" && symbol.type !== "FILE" && !symbol.name.startsWith("$") && !symbol.name.startsWith(".L");
}

function sectionOf(elf: ElfFile, symbol: ElfSymbol): ElfSection | undefined {
  return symbol.sectionIndex > 0 && symbol.sectionIndex < SHN_LORESERVE ? elf.sections[symbol.sectionIndex] : undefined;
}

/** Written at run time: SHF_WRITE, except RELRO data (`.data.rel.ro*`), which is only writable until relocated. */
function isWritableData(section: ElfSection): boolean {
  return (section.flags & SHF_ALLOC) !== 0 && (section.flags & SHF_WRITE) !== 0 && (section.flags & (SHF_EXECINSTR | SHF_TLS)) === 0 && !section.name.startsWith(".data.rel.ro");
}

/** gcc names a function-local `static int counter` `counter.0`, clang `function.counter`. */
function describeStatic(name: string): string {
  const gcc = name.match(/^(.+)\.\d+$/);
  if (gcc) return `static variable \`${gcc[1]}\` (symbol ${name})`;
  const clang = name.match(/^([^.]+)\.(.+)$/);
  if (clang) return `static variable \`${clang[2]}\` in ${clang[1]}()`;
  return `static variable \`${name}\``;
}

function externalData(elf: ElfFile): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  for (const symbol of elf.symbols) {
    if (!isNamed(symbol) || !symbol.isDefined || symbol.type === "FUNC" || symbol.type === "GNU_IFUNC" || symbol.type === "TLS") continue;
    if (symbol.sectionIndex === SHN_COMMON || symbol.type === "COMMON") {
      findings.push({ check: "external-data", symbol: symbol.name, message: `global variable \`${symbol.name}\` (common): each object would get its own copy, not the one C code uses` });
      continue;
    }
    const section = sectionOf(elf, symbol);
    if (!section || !isWritableData(section)) continue; // read-only constants are fine to duplicate
    const what = symbol.binding === "LOCAL" ? describeStatic(symbol.name) : `global variable \`${symbol.name}\``;
    findings.push({ check: "external-data", symbol: symbol.name, message: `${what} in ${section.name}: each object would get its own copy, so the state is no longer shared` });
  }
  return findings;
}

function threadLocal(elf: ElfFile): SafetyFinding[] {
  const findings: SafetyFinding[] = elf.symbols
    .filter((s) => isNamed(s) && s.isDefined && s.type === "TLS")
    .map((s) => ({ check: "thread-local" as const, symbol: s.name, message: `thread-local variable \`${s.name}\`: each object would get its own per-thread copy` }));
  const covered = new Set(elf.symbols.filter((s) => s.type === "TLS" && s.isDefined).map((s) => s.sectionIndex));
  for (const section of elf.sections) {
    if ((section.flags & SHF_TLS) !== 0 && section.size > 0 && !covered.has(section.index)) {
      findings.push({ check: "thread-local", message: `thread-local section ${section.name}: its data would be duplicated per object` });
    }
  }
  return findings;
}

/** The function a relocation in a pointer table names: its own symbol, or section + addend. */
function functionNamedBy(elf: ElfFile, symbolIndex: number, addend: number): string | undefined {
  const symbol = elf.symbols[symbolIndex];
  if (!symbol) return undefined;
  if (symbol.type !== "SECTION") return symbol.name || undefined;
  return elf.symbols.find((s) => (s.type === "FUNC" || s.type === "GNU_IFUNC") && s.sectionIndex === symbol.sectionIndex && s.value === symbol.value + addend)?.name;
}

function constructors(elf: ElfFile): SafetyFinding[] {
  const findings: SafetyFinding[] = [];
  for (const section of elf.sections) {
    const byType = section.type === SHT_INIT_ARRAY || section.type === SHT_FINI_ARRAY || section.type === SHT_PREINIT_ARRAY;
    if (!(byType || /^\.(ctors|dtors|init_array|fini_array|preinit_array)(\.|$)/.test(section.name)) || section.size === 0) continue;
    const functions = elf.relocations.filter((r) => r.sectionIndex === section.index).map((r) => functionNamedBy(elf, r.symbolIndex, r.addend));
    const named = [...new Set(functions.filter((f): f is string => !!f))];
    const kind = /fini|dtors/.test(section.name) || section.type === SHT_FINI_ARRAY ? "destructor" : "constructor";
    findings.push({
      check: "constructors",
      symbol: named[0],
      message: `${kind}${named.length ? ` ${named.map((n) => `\`${n}\``).join(", ")}` : ""} in ${section.name}: would run once per object instead of once per program`,
    });
  }
  return findings;
}

function weakOrComdat(elf: ElfFile): SafetyFinding[] {
  const findings: SafetyFinding[] = elf.symbols
    .filter((s) => isNamed(s) && s.isDefined && (s.binding === "WEAK" || s.binding === "GNU_UNIQUE"))
    .map((s) => ({ check: "weak-or-comdat" as const, symbol: s.name, message: `${s.binding === "WEAK" ? "weak" : "unique"} definition of \`${s.name}\`: made local, it could no longer be overridden or merged by the linker` }));
  for (const section of elf.sections) {
    if (section.type !== SHT_GROUP) continue;
    const signature = elf.symbols[section.info]?.name;
    findings.push({ check: "weak-or-comdat", symbol: signature, message: `COMDAT group${signature ? ` \`${signature}\`` : ""} (${section.name}): the linker would keep one copy per object instead of one per program` });
  }
  return findings;
}

/**
 * A helper whose address is used other than by a call: a function-pointer table, `lea fn(%rip)`,
 * a GOT load no call goes through. Checked in the helper object and in the Rust object, for the
 * functions the helpers export (static functions already had a private identity).
 */
function addressTaken(elf: ElfFile, rustObject: ElfFile | undefined): SafetyFinding[] {
  const exported = new Set(elf.symbols.filter((s) => isNamed(s) && s.isDefined && s.binding !== "LOCAL" && (s.type === "FUNC" || s.type === "GNU_IFUNC")).map((s) => s.name));
  const findings: SafetyFinding[] = [];
  const seen = new Set<string>();
  for (const [object, where] of [[elf, "the helpers"], [rustObject, "the Rust object"]] as const) {
    if (!object || exported.size === 0) continue;
    const sectionsByName = new Map(object.sections.map((s) => [s.name, s]));
    for (const [name, references] of analyzeCallSites(object, exported).references) {
      for (const ref of references) {
        const section = sectionsByName.get(ref.section);
        if (section && isLocationTable(section)) continue;
        if (ref.kind === "address-load" && (ref.callsThrough ?? 0) > 0) continue; // a hoisted GOT load that calls go through
        const key = `${name}@${where}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({
          check: "address-taken",
          symbol: name,
          message: `the address of \`${name}\` is used in ${where} (${ref.section}+0x${ref.offset.toString(16)}${ref.relocationType ? `, ${ref.relocationType}` : ""}): each object's copy would have a different address`,
        });
      }
    }
  }
  return findings;
}

function duplicateSymbols(elf: ElfFile, rustObject: ElfFile | undefined): SafetyFinding[] {
  if (!rustObject) return [];
  const rustDefines = new Set(rustObject.symbols.filter((s) => isNamed(s) && s.isDefined && s.binding !== "LOCAL").map((s) => s.name));
  const both = new Set(elf.symbols.filter((s) => isNamed(s) && s.isDefined && s.binding !== "LOCAL" && rustDefines.has(s.name)).map((s) => s.name));
  return [...both].sort().map((name) => ({ check: "duplicate-symbol" as const, symbol: name, message: `\`${name}\` is defined by both the Rust object and the helpers` }));
}

/**
 * Runs every object-level check on one helper object. `used-lists` and `module-asm` are IR
 * constructs and come back not-applicable; address-taken needs the call-site decoder, so it is
 * not-applicable on machines other than x86-64 and aarch64.
 */
export function checkHelperObjectSafety(elf: ElfFile, options: ObjectSafetyOptions = {}): SafetyCheckResult[] {
  const allow = options.allow ?? new Set<SafetyCheckId>();
  const decodable = (e: ElfFile | undefined) => !e || e.machine === EM_X86_64 || e.machine === EM_AARCH64;
  const found: Partial<Record<SafetyCheckId, SafetyFinding[]>> = {
    "external-data": externalData(elf),
    "address-taken": decodable(elf) && decodable(options.rustObject) ? addressTaken(elf, options.rustObject) : undefined,
    "weak-or-comdat": weakOrComdat(elf),
    "thread-local": threadLocal(elf),
    constructors: constructors(elf),
    "duplicate-symbol": duplicateSymbols(elf, options.rustObject),
  };
  return safetyCheckIds.map((check) => {
    const findings = (found[check] ?? []).map((f) => (options.source ? { ...f, file: options.source } : f));
    const status = found[check] === undefined ? "not-applicable" : findings.length === 0 ? "passed" : allow.has(check) ? "overridden" : "failed";
    return { check, description: objectCheckDescriptions[check], status, findings };
  });
}

const statusRank: Record<SafetyCheckResult["status"], number> = { "not-applicable": 0, passed: 1, overridden: 2, failed: 3 };

/** One result per check for several helper objects: the worst status, all findings. */
export function combineSafetyResults(perObject: readonly (readonly SafetyCheckResult[])[]): SafetyCheckResult[] {
  return safetyCheckIds.map((check) => {
    const results = perObject.map((list) => list.find((r) => r.check === check)).filter((r): r is SafetyCheckResult => !!r);
    const status = results.reduce<SafetyCheckResult["status"]>((worst, r) => (statusRank[r.status] > statusRank[worst] ? r.status : worst), "not-applicable");
    return { check, description: objectCheckDescriptions[check], status, findings: results.flatMap((r) => r.findings) };
  });
}

/** The refusal for failed checks: one message naming the first symbol, every finding below, the --allow that accepts them. */
export function unsafeHelpersError(results: readonly SafetyCheckResult[]): LocalLtoError | undefined {
  const failed = results.filter((r) => r.status === "failed");
  const findings = failed.flatMap((r) => r.findings);
  const first = findings[0];
  if (!first) return undefined;
  const more = findings.length > 1 ? ` (and ${findings.length - 1} more below)` : "";
  const where = first.file ? ` (${basename(first.file)})` : "";
  return new LocalLtoError({
    code: "LLTO_UNSAFE_HELPERS",
    message: `unsafe to give each object its own copy of the helpers: ${first.message}${where}${more}`,
    fix: `change the helpers (keep shared state in C code outside them), or accept a private copy per object with ${failed.map((r) => `--allow=${r.check}`).join(" ")} (docs/MODES.md)`,
    file: first.file,
    details: findings.map((f) => `[${f.check}] ${f.message}`).join("\n"),
  });
}

/** Notes for the report: what --allow accepted. */
export function overriddenNotes(results: readonly SafetyCheckResult[]): string[] {
  return results.filter((r) => r.status === "overridden").map((r) => `--allow=${r.check} accepted: ${r.findings.map((f) => f.symbol ?? f.message).join(", ")}`);
}
