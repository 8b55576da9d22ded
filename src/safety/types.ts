/**
 * Safety checks on helper modules (docs/SAFETY.md). Internalizing or statically linking helpers
 * gives every Rust object its own private copy; each check finds something for which a private
 * copy would not behave like the one shared helper did. IR-based checks (inline mode) and
 * object-based checks (static mode, where GCC output has no IR) report in this one shape.
 */

export type SafetyCheckId =
  | "external-data" // global variable or function-local static: each object would get its own state
  | "address-taken" // a helper's address escapes: function-pointer identity differs between copies
  | "weak-or-comdat" // weak/linkonce/COMDAT definitions: the linker would otherwise pick one
  | "thread-local" // thread-local data: duplicated per object
  | "constructors" // llvm.global_ctors/dtors, .init_array/.fini_array: would run once per object
  | "used-lists" // llvm.used / llvm.compiler.used: forced-kept symbols duplicated
  | "module-asm" // module-level inline assembly defining symbols or sections
  | "duplicate-symbol"; // a symbol defined both by the Rust module and a helper module

export interface SafetyFinding {
  check: SafetyCheckId;
  /** The offending symbol, when there is one. */
  symbol?: string;
  /** Source location from debug info when present. */
  file?: string;
  line?: number;
  /** The used helpers (or always-linked lists) that pull the symbol into the object, when known. */
  helpers?: string[];
  /** One line: what was found and why a private copy would differ. */
  message: string;
}

export interface SafetyCheckResult {
  check: SafetyCheckId;
  /** What the check protects against, for the report. */
  description: string;
  status: "passed" | "failed" | "overridden" | "not-applicable";
  findings: SafetyFinding[];
}

/** `--allow=<check>`: the user states that a private copy is fine for this check. */
export type SafetyOverrides = ReadonlySet<SafetyCheckId>;

export const safetyCheckIds: readonly SafetyCheckId[] = [
  "external-data",
  "address-taken",
  "weak-or-comdat",
  "thread-local",
  "constructors",
  "used-lists",
  "module-asm",
  "duplicate-symbol",
];
