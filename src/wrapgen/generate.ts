/**
 * `generateWrappers`: bindgen's `--wrap-static-fns` output for a header, from clang's own parser.
 * Debian's bindgen 0.60 predates `--wrap-static-fns`; this writes the same two files (`extern.c`
 * with `<name>__extern` definitions, Rust declarations with `#[link_name]`) for the subset of C
 * that static inline APIs use, with records sized and aligned by clang so Rust can own them.
 *
 * clang runs three or more times over the header: the whole AST (which static functions, which
 * records), one type probe (each function's type tree), zero or more field probes (records passed
 * by value), one layout probe (sizes, alignments, offsets, enum signedness).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import { formatCommand, runTool } from "../process/run.js";
import { findExecutable } from "../toolchain/findExecutable.js";
import { readHeaderFacts, selectFunctions } from "./headerFacts.js";
import { cDeclaration, externC } from "./printC.js";
import { rustBindings, unsupportedReason, type RustEnum, type RustRecord } from "./printRust.js";
import { probePrefix, probeSource, readProbeAnswers, type ProbeAnswers, type TypeQuestion, type ValueQuestion } from "./probes.js";
import type { AstDumper, CType, GeneratedWrappers, GenerateWrappersOptions, HeaderFacts, SkippedFunction, TypeLayout, WrappedFunction } from "./types.js";

type RecordType = Extract<CType, { kind: "record" }>;
type EnumType = Extract<CType, { kind: "enum" }>;

/** The records and enums a type uses, split by whether C passes the record by value. */
export interface TypeUses {
  byValue: Map<string, RecordType>;
  byPointer: Map<string, RecordType>;
  enums: Map<string, EnumType>;
}

export function emptyUses(): TypeUses {
  return { byValue: new Map(), byPointer: new Map(), enums: new Map() };
}

/** Adds what `type` uses to `uses` (pure). A function type's parameters are values again. */
export function collectUses(type: CType, uses: TypeUses, throughPointer = false): TypeUses {
  switch (type.kind) {
    case "pointer":
      collectUses(type.pointee, uses, true);
      break;
    case "typedef":
      collectUses(type.underlying, uses, throughPointer);
      break;
    case "array":
      collectUses(type.element, uses, throughPointer);
      break;
    case "function":
      collectUses(type.result, uses);
      for (const param of type.params) collectUses(param, uses);
      break;
    case "record":
      (throughPointer ? uses.byPointer : uses.byValue).set(type.name, { ...type, quals: undefined });
      break;
    case "enum":
      uses.enums.set(type.name, { ...type, quals: undefined });
      break;
    default:
      break;
  }
  return uses;
}

interface ClangRunner {
  dump: AstDumper;
}

/** The clang command line for one dump (pure). */
export function astDumpArgs(file: string, cflags: readonly string[], filtered: boolean): string[] {
  return ["-x", "c", "-fsyntax-only", ...cflags, "-Xclang", "-ast-dump=json", ...(filtered ? ["-Xclang", `-ast-dump-filter=${probePrefix}`] : []), file];
}

function clangRunner(clang: string, cflags: readonly string[], work: string, cwd: string | undefined): ClangRunner {
  let count = 0;
  return {
    async dump(source, filtered) {
      const file = join(work, `probe${count++}.c`);
      await writeFile(file, source);
      const args = astDumpArgs(file, cflags, filtered);
      const run = await runTool({ file: clang, args, cwd });
      if (run.spawnError) {
        throw new LocalLtoError({ code: "LLTO_TOOL_MISSING", message: `clang could not be started (${run.spawnError}): ${clang}`, fix: "pass the clang to parse with (option clang, or LOCAL_LTO_CLANG)" });
      }
      if (run.exitCode !== 0) {
        throw new LocalLtoError({
          code: "LLTO_CC_FAILED",
          message: "clang could not parse the header for the wrapper generator",
          fix: "fix the errors below, or pass the flags the header needs (pkg-config --cflags, -D…)",
          details: `${formatCommand(run.command)}\n${run.stderr.trimEnd().split("\n").slice(-30).join("\n")}`,
        });
      }
      return run.stdout;
    },
  };
}

function recordSpelling(record: RecordType): string {
  return cDeclaration(record);
}

/**
 * Fields of the records C passes by value, with their types from clang, following by-value fields
 * to their own records. A record that cannot be declared field for field in Rust (bitfields,
 * anonymous members, incomplete, unions, unsupported field types) is `bad`, with the reason.
 */
async function resolveByValueRecords(
  clang: ClangRunner,
  include: string,
  facts: HeaderFacts,
  start: Iterable<RecordType>,
): Promise<{ fields: Map<string, { name: string; type: CType; offset: number }[]>; bad: Map<string, string> }> {
  const fields = new Map<string, { name: string; type: CType; offset: number }[]>();
  const bad = new Map<string, string>();
  const fieldRecords = new Map<string, string[]>();
  let pending = [...start];
  while (pending.length > 0) {
    const typeQuestions: TypeQuestion[] = [];
    const valueQuestions: ValueQuestion[] = [];
    const asked: { record: RecordType; names: string[] }[] = [];
    for (const record of pending) {
      if (fields.has(record.name) || bad.has(record.name)) continue;
      const spelling = recordSpelling(record);
      const known = facts.records.get(spelling);
      const problem = !known || !known.complete ? "is incomplete" : record.tag === "union" ? "is a union" : known.fields.some((f) => f.bitfield) ? "has bitfields" : known.fields.some((f) => !f.name) ? "has anonymous members" : undefined;
      if (problem) {
        bad.set(record.name, `${spelling}, passed by value, ${problem}`);
        continue;
      }
      const index = asked.length;
      const names = known!.fields.map((f) => f.name);
      names.forEach((name, f) => {
        typeQuestions.push({ key: `field_${index}_${f}`, expression: `((${spelling} *)0)->${name}` });
        valueQuestions.push({ key: `offset_${index}_${f}`, expression: `__builtin_offsetof(${spelling}, ${name})` });
      });
      asked.push({ record, names });
      fields.set(record.name, []);
    }
    if (asked.length === 0) break;
    const answers = readProbeAnswers(await clang.dump(probeSource(include, typeQuestions, valueQuestions), true));
    const next: RecordType[] = [];
    asked.forEach(({ record, names }, index) => {
      const list: { name: string; type: CType; offset: number }[] = [];
      const nested: string[] = [];
      names.forEach((name, f) => {
        const type = answers.types.get(`field_${index}_${f}`);
        const offset = answers.values.get(`offset_${index}_${f}`);
        if (!type || offset === undefined) {
          bad.set(record.name, `clang gave no type or offset for ${recordSpelling(record)}.${name}`);
          return;
        }
        const reason = unsupportedReason(type);
        if (reason) bad.set(record.name, `${recordSpelling(record)}.${name}: ${reason}`);
        const uses = collectUses(type, emptyUses());
        for (const inner of uses.byValue.values()) {
          nested.push(inner.name);
          next.push(inner);
        }
        list.push({ name, type, offset });
      });
      fields.set(record.name, list);
      fieldRecords.set(record.name, nested);
    });
    pending = next;
  }
  // A record is bad when a record it holds by value is bad.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, nested] of fieldRecords) {
      const inner = nested.find((n) => bad.has(n));
      if (!bad.has(name) && inner !== undefined) {
        bad.set(name, `holds ${inner} by value, which ${bad.get(inner)}`);
        changed = true;
      }
    }
  }
  return { fields, bad };
}

/**
 * The clang to parse with when none is given: `$LOCAL_LTO_CLANG`, else `clang` on PATH, else the
 * newest `clang-N` on PATH (Debian installs only versioned names). Any version parses a header;
 * it need not match rustc's LLVM, as nothing it writes is linked.
 */
export function defaultClang(pathVariable = process.env.PATH ?? ""): string {
  if (process.env.LOCAL_LTO_CLANG) return process.env.LOCAL_LTO_CLANG;
  for (const name of ["clang", ...Array.from({ length: 15 }, (_, i) => `clang-${30 - i}`)]) {
    const found = findExecutable(name, pathVariable);
    if (found) return found;
  }
  return "clang";
}

/** Generates bindgen's `extern.c` and the Rust bindings for the header's static functions. */
export async function generateWrappers(options: GenerateWrappersOptions): Promise<GeneratedWrappers> {
  const clangPath = options.clang ?? defaultClang();
  const suffix = options.suffix ?? "__extern";
  const include = resolve(options.cwd ?? process.cwd(), options.header);
  const work = await mkdtemp(join(tmpdir(), "local-lto-wrapgen-"));
  try {
    const clang = options.dumpAst ? { dump: options.dumpAst } : clangRunner(clangPath, options.cflags ?? [], work, options.cwd);
    const facts = readHeaderFacts(JSON.parse(await clang.dump(`#include "${include}"\n`, false)));
    const selected = selectFunctions(facts.functions, options.allow);
    if (selected.length === 0) {
      throw new LocalLtoError({
        code: "LLTO_USAGE",
        message: `no static function defined by ${options.header} matches ${options.allow ?? "anything"}`,
        fix: "check the pattern, and the flags the header needs to define its inline API (e.g. _LGPL_SOURCE, XXH_INLINE_ALL)",
      });
    }

    const typeAnswers: ProbeAnswers = readProbeAnswers(
      await clang.dump(probeSource(include, selected.map((fn, i) => ({ key: `fn_${i}`, expression: fn.name })), []), true),
    );
    const skipped: SkippedFunction[] = [];
    let candidates: WrappedFunction[] = [];
    selected.forEach((fn, i) => {
      const type = typeAnswers.types.get(`fn_${i}`);
      if (!type || type.kind !== "function") {
        skipped.push({ name: fn.name, reason: `clang gave ${type ? `a ${type.kind}` : "no"} type for it` });
        return;
      }
      const reason = unsupportedReason(type);
      if (reason) {
        skipped.push({ name: fn.name, reason });
        return;
      }
      candidates.push({ name: fn.name, wrapperName: `${fn.name}${suffix}`, type, paramNames: fn.paramNames, inline: fn.inline, file: fn.file });
    });

    const byValue = new Map<string, RecordType>();
    const withFields = new Map<string, RecordType>();
    const fieldsPattern = options.recordFields && new RegExp(options.recordFields.source, options.recordFields.flags.replace(/[gy]/g, ""));
    for (const fn of candidates) {
      const fnUses = collectUses(fn.type, emptyUses());
      for (const [name, record] of fnUses.byValue) byValue.set(name, record);
      for (const [name, record] of fnUses.byPointer) if (fieldsPattern?.test(name)) withFields.set(name, record);
    }
    const { fields, bad } = await resolveByValueRecords(clang, include, facts, [...byValue.values(), ...withFields.values()]);
    candidates = candidates.filter((fn) => {
      const badRecord = [...collectUses(fn.type, emptyUses()).byValue.keys()].find((name) => bad.has(name));
      if (badRecord !== undefined) skipped.push({ name: fn.name, reason: bad.get(badRecord)! });
      return badRecord === undefined;
    });

    // Everything the kept functions and their by-value records use.
    const uses = emptyUses();
    for (const fn of candidates) collectUses(fn.type, uses);
    for (const [name, record] of withFields) if (!bad.has(name)) uses.byValue.set(name, record);
    for (let grew = true; grew; ) {
      grew = false;
      for (const name of [...uses.byValue.keys()]) {
        for (const field of fields.get(name) ?? []) {
          const before = uses.byValue.size + uses.byPointer.size + uses.enums.size;
          collectUses(field.type, uses);
          if (uses.byValue.size + uses.byPointer.size + uses.enums.size !== before) grew = true;
        }
      }
    }
    const allRecords = new Map<string, RecordType>([...uses.byPointer, ...uses.byValue]);
    const completeRecords = [...allRecords.values()].filter((r) => facts.records.get(recordSpelling(r))?.complete === true);
    const enums = [...uses.enums.values()];
    const valueQuestions: ValueQuestion[] = [];
    completeRecords.forEach((record, i) => {
      valueQuestions.push({ key: `size_${i}`, expression: `sizeof(${recordSpelling(record)})` });
      valueQuestions.push({ key: `align_${i}`, expression: `_Alignof(${recordSpelling(record)})` });
    });
    enums.forEach((entry, i) => {
      const spelling = cDeclaration(entry);
      valueQuestions.push({ key: `esize_${i}`, expression: `sizeof(${spelling})` });
      valueQuestions.push({ key: `esigned_${i}`, expression: `((${spelling})-1 < 0)` });
    });
    const layoutAnswers = valueQuestions.length > 0 ? readProbeAnswers(await clang.dump(probeSource(include, [], valueQuestions), true)) : { types: new Map(), values: new Map() };
    const value = (key: string) => {
      const found = layoutAnswers.values.get(key);
      if (found === undefined) throw new Error(`clang gave no value for ${key}`);
      return found;
    };

    const layouts = new Map<string, TypeLayout>();
    completeRecords.forEach((record, i) => layouts.set(record.name, { size: value(`size_${i}`), align: value(`align_${i}`) }));
    const rustRecords = new Map<string, RustRecord>();
    for (const record of allRecords.values()) {
      rustRecords.set(record.name, { name: record.name, tag: record.tag, layout: layouts.get(record.name), fields: uses.byValue.has(record.name) ? fields.get(record.name) : undefined });
    }
    const rustEnums = new Map<string, RustEnum>();
    enums.forEach((entry, i) => rustEnums.set(entry.name, { name: entry.name, size: value(`esize_${i}`), signed: value(`esigned_${i}`) !== 0 }));

    return {
      externC: externC(options.includeAs ?? options.header, candidates),
      bindingsRs: rustBindings({ functions: candidates, records: rustRecords, enums: rustEnums, skipped, useCore: options.useCore ?? false }),
      wrapped: candidates,
      skipped,
      layouts,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
