/**
 * The data the wrapper generator hands between its stages: functions found in clang's AST, their
 * types as clang's type trees describe them, and record layouts as clang computed them.
 */

export interface Qualifiers {
  const?: boolean;
  volatile?: boolean;
  restrict?: boolean;
}

/**
 * A C type as clang's JSON type tree gives it, sugar kept (typedef names are printed in the C
 * wrapper as the header spells them and become `pub type` aliases on the Rust side).
 */
export type CType = (
  | { kind: "builtin"; name: string }
  | { kind: "pointer"; pointee: CType }
  /** `typedefNamed`: an anonymous record or enum, which C and Rust name by its typedef. */
  | { kind: "record"; tag: "struct" | "union"; name: string; typedefNamed?: boolean }
  | { kind: "enum"; name: string; typedefNamed?: boolean }
  | { kind: "typedef"; name: string; underlying: CType }
  | { kind: "function"; result: CType; params: CType[]; variadic: boolean }
  | { kind: "array"; element: CType; size: number | null }
  | { kind: "unsupported"; spelling: string; reason: string }
) & { quals?: Qualifiers };

/** A `static` function definition the header provides, as the AST lists it. */
export interface StaticFunction {
  name: string;
  /** Declared parameter names; "" for an unnamed parameter. */
  paramNames: string[];
  /** `inline` was written (with `-O0`, some libraries' inline macros expand to nothing). */
  inline: boolean;
  /** The file that declares it (expansion location), when clang's dump gave one. */
  file?: string;
  line?: number;
  /** The function's type as clang prints it, for messages. */
  spelling: string;
}

/** A record's fields as the AST lists them (only needed for records passed by value). */
export interface RecordFields {
  /** How C names the type: `struct foo`, or a typedef name for an anonymous record. */
  spelling: string;
  complete: boolean;
  fields: { name: string; bitfield: boolean }[];
}

/** What the header's AST says, reduced to what the generator needs. */
export interface HeaderFacts {
  functions: StaticFunction[];
  /** Keyed by the record's C spelling (`struct foo`, `union bar`, or the typedef of an anonymous one). */
  records: Map<string, RecordFields>;
}

/** Size and alignment clang computed for a type (`sizeof`, `_Alignof`). */
export interface TypeLayout {
  size: number;
  align: number;
}

export interface WrappedFunction {
  name: string;
  wrapperName: string;
  type: Extract<CType, { kind: "function" }>;
  paramNames: string[];
  inline: boolean;
  file?: string;
}

export interface SkippedFunction {
  name: string;
  reason: string;
}

export interface GenerateWrappersOptions {
  /** The header to parse, as bindgen's `header`. */
  header: string;
  /** How `extern.c` includes the header (default: the `header` path as given). */
  includeAs?: string;
  /** C flags for parsing and for compiling the wrappers (e.g. `pkg-config --cflags`, `-D…`, `-O2`). */
  cflags?: readonly string[];
  /** Which static functions to wrap, matched against the name (bindgen's `--allowlist-function`). Default: all. */
  allow?: RegExp;
  /**
   * Records that get their fields in Rust although only pointers to them are passed (by default
   * such records are opaque, sized and aligned by clang), e.g. a list head Rust code must
   * initialise the way a C macro would. A record that cannot be declared field for field stays opaque.
   */
  recordFields?: RegExp;
  /** clang to parse with (default: `$LOCAL_LTO_CLANG`, else `clang` or the newest `clang-N` on PATH). */
  clang?: string;
  /** Paths to `core::ffi` instead of `std::os::raw` (bindgen's `--use-core --ctypes-prefix ::core::ffi`). */
  useCore?: boolean;
  /** The wrapper suffix (bindgen's `--wrap-static-fns-suffix`; default `__extern`). */
  suffix?: string;
  /** Working directory for clang (relative paths in `header` and `cflags`). */
  cwd?: string;
  /**
   * Replaces running clang: given a probe source and whether the dump is filtered to the
   * generator's probes, returns clang's JSON dump. Tests replay recorded dumps with it.
   */
  dumpAst?: AstDumper;
}

/** How the generator asks clang for a JSON AST dump of a source text. */
export type AstDumper = (source: string, filtered: boolean) => Promise<string>;

export interface GeneratedWrappers {
  /** bindgen's `extern.c`: `#include "<header>"`, then one `<name>__extern` definition per function. */
  externC: string;
  /** The Rust declarations (`#[link_name = "<name>__extern"]`) and the types they use. */
  bindingsRs: string;
  wrapped: WrappedFunction[];
  skipped: SkippedFunction[];
  /** Layouts clang computed for the records the bindings define, by Rust name. */
  layouts: Map<string, TypeLayout>;
}
