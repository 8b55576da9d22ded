import { writeCacheFile } from "../files/writeAtomically.js";
import { LocalLtoError } from "../diagnostics/errors.js";
import { moduleFlagNumber, parseModule } from "../ir/index.js";
import { runTool } from "../process/run.js";
import { llvmToolFailure, tail } from "./failure.js";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { RustcArgsFacts } from "./rustcArgs.js";
import { sha256Hex } from "../files/contentHash.js";

export interface RustCompileResult {
  output: string;
  /** rustc's warnings, passed on to the user. */
  diagnostics: string;
}

/**
 * rustc's argv (pure): the user's flags unchanged, then what local-lto owns. A crate type
 * defaults to `lib` (an object to link into something else), where rustc's own default is `bin`.
 */
export function rustcArguments(source: string, output: string, emit: "llvm-bc" | "obj", userArgs: readonly string[], facts: RustcArgsFacts): string[] {
  return [...userArgs, ...(facts.crateTypeGiven ? [] : ["--crate-type=lib"]), `--emit=${emit}`, "-o", output, source];
}

/**
 * Runs rustc. Inline mode asks for `llvm-bc`: rustc runs its whole optimisation pipeline, so the
 * bitcode is what `--emit=obj` would have handed to codegen. Static mode asks for `obj`, which any
 * rustc can give, whatever its backend.
 */
/** rustc reported errors in the user's crate: its own message, in every mode. */
export function rustcRejected(source: string, stderr: string): LocalLtoError {
  return new LocalLtoError({
    code: "LLTO_RUSTC_FAILED",
    message: `rustc could not compile ${source}`,
    fix: "fix the errors rustc reports below (the flags given with --rustc-arg were passed unchanged)",
    file: source,
    details: tail(stderr, 60),
  });
}

/**
 * `rustc`: the user's rustc, or with `env`, the toolchain's rustc started as rustup's proxy would
 * start it (src/toolchain/rustupProxy.ts).
 */
export async function compileRust(rustc: string, source: string, output: string, emit: "llvm-bc" | "obj", userArgs: readonly string[], facts: RustcArgsFacts, cwd?: string, env?: Record<string, string | undefined>): Promise<RustCompileResult> {
  const run = await runTool({ file: rustc, args: rustcArguments(source, output, emit, userArgs, facts), cwd, ...(env ? { env } : {}) });
  if (run.spawnError) throw llvmToolFailure(run, { tool: "rustc" });
  if (run.exitCode !== 0) throw rustcRejected(source, run.stderr);
  return { output, diagnostics: run.stderr };
}

export type RelocationModel = "static" | "pic" | "pie";

/** How rustc generates code for the user's flags: what the helper object must agree with to link. */
export interface RustCodegen {
  triple?: string;
  relocationModel: RelocationModel;
  /** LLVM's name (`small`, `kernel`, …); `small` when rustc leaves the target's default. */
  codeModel: string;
}

const codeModelNames = ["tiny", "small", "kernel", "medium", "large"];

/**
 * Reads the relocation and code model from rustc's LLVM IR text (pure). rustc writes the
 * `PIC Level` module flag for pic and pie, `PIE Level` for pie only, and `Code Model` only when
 * it is not the target's default small model (rustc_codegen_llvm's module setup, rustc 1.95).
 */
export function rustCodegenFromIr(irText: string): RustCodegen {
  const module = parseModule(irText);
  const pic = moduleFlagNumber(module, "PIC Level");
  const pie = moduleFlagNumber(module, "PIE Level");
  const codeModel = moduleFlagNumber(module, "Code Model");
  return {
    triple: module.triple,
    relocationModel: pie ? "pie" : pic ? "pic" : "static",
    codeModel: (codeModel !== undefined ? codeModelNames[codeModel] : undefined) ?? "small",
  };
}

/**
 * The user's rustc flags that can change code generation of an empty crate: the target, the
 * sysroot and search paths (a custom target's `core`), `-C` and `-Z` options. Lint levels, cfgs
 * and crate names are left out so the probe cannot fail where the real crate would not.
 */
export function codegenProbeArgs(userArgs: readonly string[]): string[] {
  const kept: string[] = [];
  const takesValue = new Set(["--target", "-C", "--codegen", "-Z", "--sysroot", "-L"]);
  for (let i = 0; i < userArgs.length; i++) {
    const arg = userArgs[i]!;
    if (takesValue.has(arg) && i + 1 < userArgs.length) {
      kept.push(arg, userArgs[++i]!);
    } else if (/^(--target=|--codegen=|--sysroot=|-C.|-Z.|-L.)/.test(arg)) {
      kept.push(arg);
    }
  }
  return kept;
}

/**
 * Asks rustc itself: compile an empty `no_std` crate with the user's codegen flags to IR and read
 * the module flags (about 75 ms). rustc has no stable `--print` for the relocation model, and the
 * defaults differ between targets (`x86_64-unknown-linux-gnu` is pic, kernel targets static).
 * Undefined when rustc cannot (a non-LLVM backend, a target without `core`): the caller says so.
 */
export async function probeRustCodegen(rustc: string, userArgs: readonly string[], cwd: string): Promise<RustCodegen | undefined> {
  const run = await runTool({
    file: rustc,
    args: [...codegenProbeArgs(userArgs), "--crate-type=lib", "--crate-name=local_lto_probe", "--emit=llvm-ir", "-o", "-", "-"],
    cwd,
    input: "#![no_std]\n",
  });
  if (run.exitCode !== 0) return undefined;
  try {
    return rustCodegenFromIr(run.stdout);
  } catch {
    return undefined;
  }
}

/** The `llvm-target` of a target spec as `rustc --print target-spec-json` prints it (pure). */
export function parseLlvmTarget(specJson: string): string | undefined {
  try {
    const spec = JSON.parse(specJson) as { "llvm-target"?: unknown };
    return typeof spec["llvm-target"] === "string" ? spec["llvm-target"] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The LLVM triple clang must compile helpers for: the `llvm-target` of rustc's target, which is
 * not always the Rust target's name (`riscv64gc-unknown-linux-gnu` is `riscv64-unknown-linux-gnu`
 * to LLVM, `x86_64-unknown-none` is `x86_64-unknown-none-elf`, and clang does not know the Rust
 * names). Without `--target` it is rustc's host, whose Rust name is its LLVM triple on the hosts
 * rustup ships. `--print target-spec-json` is unstable, so only this one query runs with
 * `RUSTC_BOOTSTRAP=1` — it prints a spec and compiles nothing. When rustc refuses, a JSON spec
 * file is read directly, and a target name is taken as the triple.
 */
export async function llvmTargetTriple(rustc: string, facts: RustcArgsFacts, host: string, cwd: string): Promise<string> {
  if (!facts.target) return host;
  const run = await runTool({ file: rustc, args: ["--print", "target-spec-json", "-Z", "unstable-options", "--target", facts.target], cwd, env: { RUSTC_BOOTSTRAP: "1" } });
  const printed = run.exitCode === 0 ? parseLlvmTarget(run.stdout) : undefined;
  if (printed) return printed;
  if (!facts.target.endsWith(".json")) return facts.target;
  return readSpecFile(resolve(cwd, facts.target));
}

async function readSpecFile(path: string): Promise<string> {
  let spec: { "llvm-target"?: string };
  try {
    spec = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new LocalLtoError({
      code: "LLTO_TARGET_SPEC",
      message: `cannot read the target spec ${path}: ${(error as Error).message}`,
      fix: "pass --rustc-arg=--target=<a readable JSON target spec or a target name>",
      file: path,
    });
  }
  if (!spec["llvm-target"]) {
    throw new LocalLtoError({ code: "LLTO_TARGET_SPEC", message: `${path} has no "llvm-target"`, fix: "add llvm-target to the target spec", file: path });
  }
  return spec["llvm-target"];
}

/**
 * A crate whose only code is one caller per helper (`__llto_caller_N` calls helper N), so rustc's
 * attributes for this crate's functions can be read without compiling the crate (pure). No `core`:
 * the target may have none (kernel targets), so the crate brings the three lang items rustc 1.89+
 * requires of any crate; the calls need nothing else.
 */
export function callerProbeSource(helpers: readonly string[]): { source: string; callers: Map<string, string> } {
  const callers = new Map<string, string>();
  const decls: string[] = [];
  const fns: string[] = [];
  helpers.forEach((helper, i) => {
    const caller = `__llto_caller_${i}`;
    callers.set(caller, helper);
    decls.push(`    #[link_name = ${JSON.stringify(helper)}] fn h${i}();`);
    fns.push(`#[no_mangle]\npub unsafe extern "C" fn ${caller}() { h${i}() }`);
  });
  const source = [
    "#![feature(no_core, lang_items)]",
    "#![no_core]",
    "#![allow(internal_features, improper_ctypes, non_snake_case)]",
    '#[lang = "pointee_sized"] pub trait PointeeSized {}',
    '#[lang = "meta_sized"] pub trait MetaSized: PointeeSized {}',
    '#[lang = "sized"] pub trait Sized: MetaSized {}',
    'extern "C" {',
    ...decls,
    "}",
    ...fns,
    "",
  ].join("\n");
  return { source, callers };
}

/** Where a caller probe is remembered between builds, and what identifies the rustc that wrote it. */
export interface CallerProbeCache {
  dir: string;
  /** `rustc -vV`'s whole output: one commit hash is one compiler, whichever rustup proxy ran it. */
  rustcIdentity: string;
}

/**
 * The cache key of a caller probe (pure): the compiler, the probe's argv and source, and the
 * content of a JSON target spec the flags name (read by the caller). Undefined when the flags
 * name a target spec whose content is not known: such a probe is never reused.
 */
export function callerProbeKey(rustcIdentity: string, args: readonly string[], source: string, targetSpecs: ReadonlyMap<string, string | undefined>): string | undefined {
  if ([...targetSpecs.values()].some((content) => content === undefined)) return undefined;
  return sha256Hex(JSON.stringify([CALLER_PROBE_FORMAT, rustcIdentity, args, source, [...targetSpecs]])).slice(0, 32);
}

const CALLER_PROBE_FORMAT = 1;

/** The JSON target specs an argv names (`--target x.json`, `--target=x.json`), resolved against cwd (pure). */
export function targetSpecPaths(args: readonly string[], cwd: string): string[] {
  const paths: string[] = [];
  args.forEach((arg, i) => {
    const value = arg === "--target" ? args[i + 1] : arg.startsWith("--target=") ? arg.slice("--target=".length) : undefined;
    if (value?.endsWith(".json")) paths.push(resolve(cwd, value));
  });
  return paths;
}

/**
 * rustc's IR for the caller probe with the crate's codegen flags (`-O`, `-C…`, `-Z…`, target):
 * its callers carry the attributes every function of the real crate carries (target CPU and
 * features, frame pointers, probe-stack…), which is what reconciliation compares helpers with.
 * Undefined when rustc cannot compile it (then the helpers are used as they are, and said so).
 * With a cache, the IR is kept by compiler, flags and helper names: the probe is a rustc start
 * (about 140 ms) on the way to every build's own rustc.
 */
export async function compileCallerProbe(rustc: string, userArgs: readonly string[], helpers: readonly string[], cwd: string, cache?: CallerProbeCache): Promise<{ irText: string; callers: Map<string, string> } | undefined> {
  const { source, callers } = callerProbeSource(helpers);
  const optimize = userArgs.includes("-O") ? ["-O"] : [];
  const args = [...codegenProbeArgs(userArgs), ...optimize, "--crate-type=lib", "--crate-name=local_lto_caller_probe", "--emit=llvm-ir", "-o", "-", "-"];
  let cached: string | undefined;
  if (cache) {
    const specs = new Map(await Promise.all(targetSpecPaths(args, cwd).map(async (path) => [path, await readFile(path, "utf8").catch(() => undefined)] as const)));
    const key = callerProbeKey(cache.rustcIdentity, args, source, specs);
    if (key) cached = join(cache.dir, "caller-probes", `${key}.ll`);
    const irText = cached ? await readFile(cached, "utf8").catch(() => undefined) : undefined;
    if (irText) return { irText, callers };
  }
  const run = await runTool({
    file: rustc,
    args,
    cwd,
    input: source,
    // The probe uses no_core, an unstable feature; it compiles nothing of the user's.
    env: { RUSTC_BOOTSTRAP: "1" },
  });
  if (run.exitCode !== 0) return undefined;
  if (cached) await writeCacheFile(cached, run.stdout);
  return { irText: run.stdout, callers };
}
