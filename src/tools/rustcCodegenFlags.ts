/**
 * Which rustc flags change the object rustc would write, and how local-lto's own code generation
 * (rust-lld or llc, after the merge) honours each one — or refuses it by name. rustc records most
 * of its codegen choices in the bitcode (function attributes, module flags); the rest are
 * TargetMachine options and LLVM command-line options that live only in rustc's process, and
 * those are what this table is about (rustc_codegen_llvm/src/back/write.rs, rustc 1.95).
 * Pure. Checked against rustc's own objects in test/e2e/codegen-flags.test.ts.
 */

/** How local-lto deals with one `-C`/`-Z` key. */
export type FlagHandling =
  /** rustc writes its effect into the bitcode: attributes, module flags, or passes it already ran. */
  | "in-bitcode"
  /** It only affects linking, metadata, diagnostics or files beside the object: not the object. */
  | "not-in-object"
  /** local-lto's code generation is given the equivalent option (see `CodegenFlagFacts`). */
  | "honoured"
  /** It changes the object in a way local-lto's code generation cannot reproduce. */
  | "refused";

const codegenKeys: Record<string, FlagHandling> = {
  "opt-level": "honoured",
  "llvm-args": "honoured",
  "no-vectorize-loops": "honoured",
  "no-vectorize-slp": "honoured",
  "code-model": "in-bitcode",
  "relocation-model": "in-bitcode",
  "target-cpu": "in-bitcode",
  "target-feature": "in-bitcode",
  "soft-float": "in-bitcode",
  debuginfo: "in-bitcode",
  "dwarf-version": "in-bitcode",
  panic: "in-bitcode",
  "force-frame-pointers": "in-bitcode",
  "force-unwind-tables": "in-bitcode",
  "no-redzone": "in-bitcode",
  "no-stack-check": "in-bitcode",
  "overflow-checks": "in-bitcode",
  "debug-assertions": "in-bitcode",
  "instrument-coverage": "in-bitcode",
  "profile-generate": "in-bitcode",
  "profile-use": "in-bitcode",
  passes: "in-bitcode",
  "no-prepopulate-passes": "in-bitcode",
  "symbol-mangling-version": "in-bitcode",
  "collapse-macro-debuginfo": "in-bitcode",
  "control-flow-guard": "in-bitcode",
  "jump-tables": "in-bitcode",
  metadata: "in-bitcode",
  "codegen-units": "in-bitcode",
  "inline-threshold": "in-bitcode",
  "unsafe-allow-abi-mismatch": "not-in-object",
  "extra-filename": "not-in-object",
  "embed-bitcode": "not-in-object",
  remark: "not-in-object",
  "save-temps": "not-in-object",
  incremental: "not-in-object",
  ar: "not-in-object",
  "default-linker-libraries": "not-in-object",
  dlltool: "not-in-object",
  "link-arg": "not-in-object",
  "link-args": "not-in-object",
  "link-dead-code": "not-in-object",
  "link-self-contained": "not-in-object",
  linker: "not-in-object",
  "linker-features": "not-in-object",
  "linker-flavor": "not-in-object",
  "prefer-dynamic": "not-in-object",
  "relro-level": "not-in-object",
  rpath: "not-in-object",
  strip: "not-in-object",
  lto: "refused",
  "linker-plugin-lto": "refused",
  "split-debuginfo": "refused",
};

const unstableKeys: Record<string, FlagHandling> = {
  "function-sections": "honoured",
  "trap-unreachable": "honoured",
  "emit-stack-sizes": "honoured",
  "branch-protection": "in-bitcode",
  "cf-protection": "in-bitcode",
  "function-return": "in-bitcode",
  "patchable-function-entry": "in-bitcode",
  "no-jump-tables": "in-bitcode",
  "fixed-x18": "in-bitcode",
  regparm: "in-bitcode",
  "reg-struct-return": "in-bitcode",
  "dwarf-version": "in-bitcode",
  "direct-access-external-data": "in-bitcode",
  sanitizer: "in-bitcode",
  "sanitizer-cfi-normalize-integers": "in-bitcode",
  "sanitizer-cfi-generalize-pointers": "in-bitcode",
  "sanitizer-kcfi-arity": "in-bitcode",
  "sanitizer-memory-track-origins": "in-bitcode",
  "sanitizer-recover": "in-bitcode",
  "instrument-mcount": "in-bitcode",
  "instrument-xray": "in-bitcode",
  plt: "in-bitcode",
  "tls-model": "in-bitcode",
  "stack-protector": "in-bitcode",
  "min-function-alignment": "in-bitcode",
  "mutable-noalias": "in-bitcode",
  "box-noalias": "in-bitcode",
  "coverage-options": "in-bitcode",
  "location-detail": "in-bitcode",
  "embed-source": "in-bitcode",
  "share-generics": "in-bitcode",
  "inline-mir": "in-bitcode",
  "inline-mir-threshold": "in-bitcode",
  "inline-mir-hint-threshold": "in-bitcode",
  "mir-opt-level": "in-bitcode",
  "randomize-layout": "in-bitcode",
  "remap-cwd-prefix": "in-bitcode",
  "remap-path-scope": "in-bitcode",
  "crate-attr": "in-bitcode",
  "llvm-plugins": "in-bitcode",
  "hint-mostly-unused": "in-bitcode",
  // The kernel's `-Zllvm_module_flag=frame-pointer:u32:2:max`: rustc writes the module flag into
  // the module, llvm-link merges it by its own behaviour (max), and code generation reads it there.
  "llvm-module-flag": "in-bitcode",
  // `"tune-cpu"` on every function (the x86-64 kernel's -Ztune-cpu=generic).
  "tune-cpu": "in-bitcode",
  "verify-llvm-ir": "not-in-object",
  "unstable-options": "not-in-object",
  "binary-dep-depinfo": "not-in-object",
  "human-readable-cgu-names": "not-in-object",
  "emit-thin-lto": "not-in-object",
  "export-executable-symbols": "not-in-object",
  "pre-link-arg": "not-in-object",
  "pre-link-args": "not-in-object",
  threads: "not-in-object",
  "time-passes": "not-in-object",
  "time-llvm-passes": "not-in-object",
  "macro-backtrace": "not-in-object",
  "ui-testing": "not-in-object",
  "track-diagnostics": "not-in-object",
  "treat-err-as-bug": "not-in-object",
  "terminal-urls": "not-in-object",
  "verbose-asm": "not-in-object",
  "no-parallel-backend": "not-in-object",
  "relax-elf-relocations": "refused",
  "use-ctors-section": "refused",
  "unique-section-names": "refused",
  "large-data-threshold": "refused",
  "debuginfo-compression": "refused",
  "split-dwarf-kind": "refused",
  "split-dwarf-inlining": "refused",
  "virtual-function-elimination": "refused",
  "codegen-backend": "refused",
  "small-data-threshold": "refused",
};

/** How the codegen flags are honoured (local-lto's own code generation reads these). */
export interface CodegenFlagFacts {
  /** LLVM options from `-C llvm-args` (split on whitespace, as rustc does), for every LLVM tool local-lto runs. */
  llvmArgs: string[];
  /** `-Z emit-stack-sizes`: a `.stack_sizes` section (LLVM's `-stack-size-section`). */
  emitStackSizes: boolean;
  /** `-C no-vectorize-loops` keeps local-lto's pipeline from vectorizing loops too. */
  vectorizeLoops: boolean;
}

/** A flag local-lto cannot honour, with why. */
export interface RefusedFlag {
  flag: string;
  reason: string;
}

function isNo(value: string): boolean {
  return ["no", "n", "off", "false"].includes(value);
}

/**
 * Values for which a refused key changes nothing (`-C lto=off`, `-C split-debuginfo=off`, …):
 * accepted, since the object is the same as without the flag.
 */
function harmlessValue(key: string, value: string): boolean {
  if (key === "lto" || key === "linker-plugin-lto") return isNo(value) || value === "";
  if (key === "split-debuginfo") return value === "off";
  if (key === "unique-section-names") return !isNo(value);
  if (key === "codegen-backend") return value === "llvm";
  if (key === "relax-elf-relocations") return value === "" || !isNo(value);
  return false;
}

const refusalReasons: Record<string, string> = {
  lto: "whole-program LTO already sees the helpers; build that crate with plain rustc",
  "linker-plugin-lto": "the object would be LLVM bitcode for the final link, which already sees the helpers; build that crate with plain rustc",
  "split-debuginfo": "local-lto writes one object and no .dwo files",
  "split-dwarf-kind": "local-lto writes one object and no .dwo files",
  "split-dwarf-inlining": "local-lto writes one object and no .dwo files",
};

/**
 * Reads the `-C`/`-Z` flags (given as [key, value] pairs in order) into what local-lto's code
 * generation must do, and the flags it must refuse: a refused key, or a key this table does not
 * know (an unknown flag may change the object, so it is never silently dropped).
 */
export function classifyCodegenFlags(codegen: readonly (readonly [string, string])[], unstable: readonly (readonly [string, string])[]): { facts: CodegenFlagFacts; refused: RefusedFlag[] } {
  const facts: CodegenFlagFacts = { llvmArgs: [], emitStackSizes: false, vectorizeLoops: true };
  const refused: RefusedFlag[] = [];
  for (const [key, value] of codegen) {
    const handling = codegenKeys[key];
    if (key === "llvm-args") facts.llvmArgs.push(...value.split(/\s+/).filter(Boolean));
    if (key === "no-vectorize-loops") facts.vectorizeLoops = false;
    if (handling === "refused" && !harmlessValue(key, value)) refused.push({ flag: `-C${key}=${value}`, reason: refusalReasons[key] ?? "local-lto's code generation cannot reproduce it" });
    if (handling === undefined) refused.push({ flag: `-C${key}${value ? `=${value}` : ""}`, reason: "local-lto does not know whether it changes the object" });
  }
  for (const [key, value] of unstable) {
    const handling = unstableKeys[key];
    if (key === "emit-stack-sizes") facts.emitStackSizes = !isNo(value);
    if (handling === "refused" && !harmlessValue(key, value)) refused.push({ flag: `-Z${key}=${value}`, reason: refusalReasons[key] ?? "local-lto's code generation cannot reproduce it" });
    if (handling === undefined && !key.startsWith("print-") && !key.startsWith("dump-")) refused.push({ flag: `-Z${key}${value ? `=${value}` : ""}`, reason: "local-lto does not know whether it changes the object" });
  }
  return { facts, refused };
}

/**
 * The LLVM options that give local-lto's code generation the same TargetMachine rustc would set
 * up. `-inline-threshold` is left out: the inline step takes it from `inlineThresholdFrom`
 * (src/inlining/inlinePolicy.ts), and LLVM refuses an option given twice.
 */
export function codegenLlvmOptions(facts: CodegenFlagFacts): string[] {
  return [...(facts.emitStackSizes ? ["-stack-size-section"] : []), ...facts.llvmArgs.filter((a) => !/^--?inline-threshold(=|$)/.test(a))];
}
