/**
 * CType → Rust, and the bindings file in bindgen's `--wrap-static-fns` form (pure): one
 * `extern "C"` block per function with `#[link_name = "<name>__extern"]`, the Rust name being the
 * C function's own.
 */
import { wrapperParamNames } from "./printC.js";
import { stripTypedefs, typesWithin } from "./typeTree.js";
import type { CType, SkippedFunction, TypeLayout, WrappedFunction } from "./types.js";

/** A record the bindings define: opaque with clang's size and alignment, or with its fields when passed by value. */
export interface RustRecord {
  name: string;
  tag: "struct" | "union";
  /** clang's layout; undefined for an incomplete record (then a zero-sized opaque type, as bindgen emits). */
  layout?: TypeLayout;
  /** Set when C passes the record by value: Rust needs the fields for the calling convention. */
  fields?: { name: string; type: CType; offset: number }[];
}

export interface RustEnum {
  name: string;
  size: number;
  signed: boolean;
}

export interface RustBindingsInput {
  functions: readonly WrappedFunction[];
  records: ReadonlyMap<string, RustRecord>;
  enums: ReadonlyMap<string, RustEnum>;
  skipped: readonly SkippedFunction[];
  useCore: boolean;
}

const rustKeywords = new Set(
  "as async await box break const continue crate do dyn else enum extern false final fn for gen if impl in let loop macro match mod move mut override priv pub ref return self Self static struct super trait true try type typeof unsafe unsized use virtual where while yield abstract become".split(" "),
);

/** bindgen's rule for a C name that is a Rust keyword: append `_`. */
export function rustIdentifier(name: string): string {
  return rustKeywords.has(name) ? `${name}_` : name;
}

const builtinRust: Record<string, string | { ffi: string }> = {
  bool: "bool",
  _Bool: "bool",
  char: { ffi: "c_char" },
  "signed char": { ffi: "c_schar" },
  "unsigned char": { ffi: "c_uchar" },
  short: { ffi: "c_short" },
  "unsigned short": { ffi: "c_ushort" },
  int: { ffi: "c_int" },
  "unsigned int": { ffi: "c_uint" },
  long: { ffi: "c_long" },
  "unsigned long": { ffi: "c_ulong" },
  "long long": { ffi: "c_longlong" },
  "unsigned long long": { ffi: "c_ulonglong" },
  float: "f32",
  double: "f64",
  __int128: "i128",
  "unsigned __int128": "u128",
};

/** Why Rust cannot declare this type across `extern "C"`, or undefined when it can. */
export function unsupportedReason(type: CType): string | undefined {
  for (const part of typesWithin(type)) {
    if (part.kind === "unsupported") return `${part.spelling}: ${part.reason}`;
    if (part.kind === "builtin" && part.name !== "void" && !(part.name in builtinRust)) return `${part.name} has no Rust equivalent`;
    if (part.kind === "array" && part.size === null) return "an array of unknown size";
  }
  if (type.kind === "function" && type.variadic) return "a variadic function cannot be wrapped";
  return undefined;
}

export class RustPrinter {
  readonly ffi: string;
  readonly option: string;
  /** Typedef names that become `pub type` aliases. */
  readonly aliases = new Map<string, CType>();

  constructor(
    private readonly input: Pick<RustBindingsInput, "records" | "enums" | "useCore">,
  ) {
    this.ffi = input.useCore ? "::core::ffi" : "::std::os::raw";
    this.option = input.useCore ? "::core::option::Option" : "::std::option::Option";
  }

  /** A typedef gets an alias unless it names a function type or `void`, or shares its record's or enum's name. */
  private aliasable(type: Extract<CType, { kind: "typedef" }>): boolean {
    const target = stripTypedefs(type.underlying);
    if (target.kind === "function" || (target.kind === "builtin" && target.name === "void")) return false;
    if ((target.kind === "record" || target.kind === "enum") && target.name === type.name) return false;
    return true;
  }

  type(type: CType, position: "value" | "pointee"): string {
    switch (type.kind) {
      case "builtin": {
        if (type.name === "void") {
          if (position === "pointee") return `${this.ffi}::c_void`;
          throw new Error("void is not a value type");
        }
        const mapped = builtinRust[type.name];
        if (mapped === undefined) throw new Error(`${type.name} has no Rust equivalent`);
        return typeof mapped === "string" ? mapped : `${this.ffi}::${mapped.ffi}`;
      }
      case "typedef":
        // bindgen's default (`size_t_is_usize`, on since 0.61): size_t is usize.
        if (type.name === "size_t" && stripTypedefs(type.underlying).kind === "builtin") return "usize";
        if (!this.aliasable(type)) return this.type(type.underlying, position);
        this.aliases.set(type.name, type.underlying);
        return rustIdentifier(type.name);
      case "record":
      case "enum":
        return rustIdentifier(type.name);
      case "pointer": {
        const target = stripTypedefs(type.pointee);
        if (target.kind === "function") return `${this.option}<${this.functionPointer(target)}>`;
        return `*${target.quals?.const ? "const" : "mut"} ${this.type(type.pointee, "pointee")}`;
      }
      case "array":
        if (type.size === null) throw new Error("an array of unknown size");
        return `[${this.type(type.element, "value")}; ${type.size}usize]`;
      case "function":
        return `${this.option}<${this.functionPointer(type)}>`;
      case "unsupported":
        throw new Error(`${type.spelling}: ${type.reason}`);
    }
  }

  private resultSuffix(result: CType): string {
    const stripped = stripTypedefs(result);
    return stripped.kind === "builtin" && stripped.name === "void" ? "" : ` -> ${this.type(result, "value")}`;
  }

  functionPointer(type: Extract<CType, { kind: "function" }>): string {
    const params = type.params.map((param, index) => `arg${index + 1}: ${this.type(param, "value")}`);
    if (type.variadic) params.push("...");
    return `unsafe extern "C" fn(${params.join(", ")})${this.resultSuffix(type.result)}`;
  }

  declaration(fn: WrappedFunction): string {
    const names = wrapperParamNames(fn).map(rustIdentifier);
    const params = fn.type.params.map((param, index) => `${names[index]}: ${this.type(param, "value")}`);
    return [
      `extern "C" {`,
      `    #[link_name = "${fn.wrapperName}"]`,
      `    pub fn ${rustIdentifier(fn.name)}(${params.join(", ")})${this.resultSuffix(fn.type.result)};`,
      `}`,
    ].join("\n");
  }

  record(record: RustRecord): string {
    const name = rustIdentifier(record.name);
    if (!record.layout) return `#[repr(C)]\npub struct ${name} {\n    _unused: [u8; 0],\n}`;
    const { size, align } = record.layout;
    const checks = [`    assert!(::core::mem::size_of::<${name}>() == ${size}usize);`, `    assert!(::core::mem::align_of::<${name}>() == ${align}usize);`];
    if (!record.fields) {
      // Opaque, but sized and aligned as clang laid it out: Rust can own the C object.
      return [`#[repr(C, align(${align}))]`, `pub struct ${name} {`, `    _opaque: [u8; ${size}usize],`, `}`, `const _: () = {`, ...checks, `};`].join("\n");
    }
    const fields = record.fields.map((field) => `    pub ${rustIdentifier(field.name)}: ${this.type(field.type, "value")},`);
    for (const field of record.fields) checks.push(`    assert!(::core::mem::offset_of!(${name}, ${rustIdentifier(field.name)}) == ${field.offset}usize);`);
    return [`#[repr(C)]`, `#[derive(Debug, Copy, Clone)]`, `pub ${record.tag} ${name} {`, ...fields, `}`, `const _: () = {`, ...checks, `};`].join("\n");
  }

  enumAlias(entry: RustEnum): string {
    const widths: Record<number, [string, string]> = { 1: ["c_schar", "c_uchar"], 2: ["c_short", "c_ushort"], 4: ["c_int", "c_uint"], 8: ["c_long", "c_ulong"] };
    const pair = widths[entry.size];
    if (!pair) throw new Error(`enum ${entry.name} has size ${entry.size}`);
    return `pub type ${rustIdentifier(entry.name)} = ${this.ffi}::${entry.signed ? pair[0] : pair[1]};`;
  }
}

/** The whole bindings file: aliases, records, enums, then one extern block per wrapper. */
export function rustBindings(input: RustBindingsInput): string {
  const printer = new RustPrinter(input);
  const declarations = input.functions.map((fn) => printer.declaration(fn));
  const records = [...input.records.values()].map((record) => printer.record(record));
  // Aliases are found while printing (a field or a declaration may name one); print until no new one appears.
  const aliasLines = new Map<string, string>();
  for (let pending = [...printer.aliases]; pending.length > 0; pending = [...printer.aliases].filter(([name]) => !aliasLines.has(name))) {
    for (const [name, underlying] of pending) aliasLines.set(name, `pub type ${rustIdentifier(name)} = ${printer.type(underlying, "value")};`);
  }
  const enums = [...input.enums.values()].map((entry) => printer.enumAlias(entry));
  const skipped = input.skipped.map((s) => `// not wrapped: ${s.name}: ${s.reason}`);
  const sections = [
    "/* Generated by local-lto's wrapper generator (bindgen --wrap-static-fns form). Do not edit. */",
    [...aliasLines.values()].sort().join("\n"),
    enums.sort().join("\n"),
    records.join("\n"),
    declarations.join("\n"),
    skipped.join("\n"),
  ].filter((section) => section.length > 0);
  return `${sections.join("\n")}\n`;
}
