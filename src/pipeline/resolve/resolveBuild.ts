import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { LocalLtoError, usageError } from "../../diagnostics/errors.js";
import { safetyCheckIds } from "../../safety/types.js";
import { classifyInputHead, unreadableInput, type InputKind } from "../compile/classifyInput.js";
import { analyzeRustcArgs } from "../../tools/rustcArgs.js";
import { userBootstraps } from "../../tools/plugin/bootstrapMangling.js";
import { defaultCacheDir } from "../../toolchain/cacheDir.js";
import type { BuildMode, BuildOptions, CodegenOptLevel, HelpersDebug, NullPointerPolicy } from "../types.js";
import type { HelperVariant } from "../variants/helpersConfig.js";
import { checkInputIsFile, checkOutputPaths, type PathSlot } from "./checkPaths.js";
import { splitShellWords } from "../../process/shellWords.js";
import { pkgConfigCflags } from "../../tools/pkgConfig.js";
import { inlineThresholdFrom } from "../../inlining/inlinePolicy.js";
import type { HelperInput, HelperNaming, ResolvedBuild, RustInput } from "./resolvedBuild.js";


/** A choice option as the library receives it: API callers skip the CLI's checks. */
function choice<T extends string>(value: T | undefined, choices: readonly T[], fallback: T, flag: string): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value)) throw usageError(`${flag}=${String(value)} is not a choice`, `use ${choices.map((c) => `${flag}=${c}`).join(" or ")}`);
  return value;
}

async function readHead(path: string): Promise<Uint8Array> {
  try {
    const handle = await open(path, "r");
    try {
      const buffer = new Uint8Array(16);
      const { bytesRead } = await handle.read(buffer, 0, 16, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadableInput(path, error);
  }
}

function isElf(head: Uint8Array): boolean {
  return head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/**
 * One input's kind, from its content and name. Prebuilt ELF objects are static mode's alone; in
 * auto mode the refusal names `--mode static`, but auto mode does not switch by itself: losing
 * inlining because of a stray `.o` in a build script is a choice the user should make.
 */
async function classify(slot: PathSlot, role: "rust" | "helpers", mode: BuildMode): Promise<InputKind | "object"> {
  await checkInputIsFile(slot);
  const head = await readHead(slot.path);
  if (isElf(head) && mode === "static") return "object";
  try {
    return classifyInputHead(slot.path, head, role);
  } catch (error) {
    if (mode === "auto" && isElf(head) && error instanceof LocalLtoError) {
      throw new LocalLtoError({ code: error.code, message: error.message, fix: `${error.fix}; or build with --mode static, which links prebuilt objects (without inlining)`, file: error.file });
    }
    throw error;
  }
}

async function loadVariant(options: BuildOptions, cwd: string): Promise<HelperVariant | undefined> {
  if (options.helpersVariant !== undefined && options.helpersConfig === undefined) {
    throw usageError(`--helpers-variant ${options.helpersVariant} needs a helpers config that defines it`, "pass --helpers-config <file.json> (docs/VARIANTS.md)");
  }
  if (options.helpersConfig === undefined) return undefined;
  // Loaded on demand: the config's schema library costs start-up time for every other build.
  const { loadHelpersConfig, selectVariant } = await import("../variants/helpersConfig.js");
  const config = await loadHelpersConfig(resolve(cwd, options.helpersConfig));
  return selectVariant(config, options.helpersVariant);
}

/** The naming filters; `--all-helpers` (the default since helpers became what the inputs define) drops them. */
export function helperNaming(options: Pick<BuildOptions, "allHelperFunctions" | "helperPrefix" | "helperSuffix" | "helperPattern">): HelperNaming {
  if (options.allHelperFunctions) return {};
  let pattern: RegExp | undefined;
  if (options.helperPattern !== undefined) {
    try {
      pattern = new RegExp(options.helperPattern);
    } catch (error) {
      throw usageError(`--helper-regex ${options.helperPattern} is not a regular expression: ${(error as Error).message}`, "write a JavaScript regular expression that matches whole helper names, e.g. --helper-regex '.*__extern'");
    }
  }
  return {
    ...(options.helperPrefix ? { prefix: options.helperPrefix } : {}),
    ...(options.helperSuffix ? { suffix: options.helperSuffix } : {}),
    ...(pattern ? { pattern } : {}),
  };
}

/**
 * C flags that make the compiler write something other than the object or bitcode local-lto asks
 * for (assembly, preprocessed text, a dependency list, nothing) or write elsewhere: a user error
 * to name, not an LLVM reader's failure on the result.
 */
const ccOutputFlags: [RegExp, string][] = [
  [/^-S$/, "writes assembly"],
  [/^-E$/, "writes preprocessed source"],
  [/^-(M|MM)$/, "writes a dependency list instead of compiling"],
  [/^-fsyntax-only$/, "writes nothing"],
  [/^-###$/, "only prints the commands it would run"],
  [/^-o/, "chooses the output file, which local-lto does"],
  [/^--?(version|help)$/, "prints instead of compiling"],
];

function splitFlagString(text: string): string[] {
  try {
    return splitShellWords(text);
  } catch (error) {
    throw usageError(`--cc-args ${JSON.stringify(text)}: ${(error as Error).message}`, "close the quote, or pass each flag with --cc-arg=<flag>");
  }
}

function checkCcArgs(ccArgs: readonly string[]): void {
  for (const arg of ccArgs) {
    const owned = ccOutputFlags.find(([pattern]) => pattern.test(arg));
    if (owned) {
      throw new LocalLtoError({
        code: "LLTO_CC_ARG_OWNED",
        message: `--cc-arg=${arg} conflicts with local-lto: with it the C compiler ${owned[1]}, and local-lto needs the helpers compiled to ${"bitcode or an object"}`,
        fix: "drop that flag (-MD/-MMD for dependency files are fine)",
      });
    }
  }
}

/**
 * `BuildOptions` → `ResolvedBuild`, once, before any work: every default applied here and nowhere
 * else; a helpers config variant turned into plain helper inputs and flags (its sources before any
 * `--helpers`, its flags before any `--cc-arg` so the user's win, `-g0` last for
 * `--helpers-debug=none`); every input classified; every output checked (docs/SAFETY.md, "what
 * local-lto guarantees about your files").
 */
export async function resolveBuild(options: BuildOptions, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedBuild> {
  const cwd = options.cwd ?? process.cwd();
  const mode = choice<BuildMode>(options.mode, ["auto", "plugin", "inline", "static"], "auto", "--mode");
  for (const check of options.allow ?? []) {
    if (!safetyCheckIds.includes(check)) throw usageError(`--allow=${String(check)} names no safety check`, `use one of: ${safetyCheckIds.join(", ")}`);
  }
  const helpersDebug = choice<HelpersDebug>(options.helpersDebug, ["keep", "none"], "keep", "--helpers-debug");
  const codegenBackend = choice(options.codegenBackend, ["auto", "rust-lld", "llc"] as const, "auto", "--codegen-backend");
  const reconcile = choice(options.reconcile, ["on", "off"] as const, "on", "--reconcile");
  const nullPointerPolicy = choice<NullPointerPolicy>(options.nullPointerPolicy, ["keep", "caller", "drop"], "caller", "--null-pointer-policy");
  const codegenOptLevel = choice<CodegenOptLevel>(options.codegenOptLevel, ["0", "1", "2", "3"], "3", "--codegen-opt-level");

  const variant = await loadVariant(options, cwd);
  const helperPaths = [...(variant?.helpers ?? []), ...options.helperInputs.map((h) => resolve(cwd, h))];
  if (helperPaths.length === 0) throw usageError("no helper input given", "pass at least one --helpers <file.c|file.bc>, or --helpers-config with a variant");
  // The variant's flags, the libraries' pkg-config flags, flag strings, single flags: later ones win.
  const ccArgs = [
    ...(variant?.ccArgs ?? []),
    ...(await pkgConfigCflags(options.pkgConfig ?? [], env, cwd)),
    ...(options.ccArgStrings ?? []).flatMap(splitFlagString),
    ...(options.ccArgs ?? []),
    ...(helpersDebug === "none" ? ["-g0"] : []),
  ];
  checkCcArgs(ccArgs);

  const rustSlot: PathSlot = { slot: "the Rust input", path: resolve(cwd, options.rustInput) };
  const helperSlots: PathSlot[] = helperPaths.map((path) => ({ slot: "the helper input", path }));
  const [rustKind, ...helperKinds] = await Promise.all([classify(rustSlot, "rust", mode), ...helperSlots.map((slot) => classify(slot, "helpers", mode))]);
  const rustcArgs = options.rustcArgs ?? [];
  if (rustKind !== "rust-source" && rustcArgs.length > 0) {
    throw usageError(`--rustc-arg was given but the Rust input is ${rustKind === "object" ? "an object" : "bitcode"}, which rustc does not compile again`, "drop --rustc-arg, or pass the Rust source file");
  }
  if (rustKind === "c-source") throw new Error("internal: a Rust input classified as C");
  const rust: RustInput =
    rustKind === "rust-source"
      ? { kind: "rust-source", path: rustSlot.path, rustcArgs, facts: analyzeRustcArgs(rustcArgs) }
      : rustKind === "bitcode"
        ? { kind: "bitcode", path: rustSlot.path, codegenOptLevel }
        : { kind: "object", path: rustSlot.path };
  const helpers: HelperInput[] = helperPaths.map((path, i) => {
    const kind = helperKinds[i]!;
    if (kind === "rust-source") throw new Error("internal: a helper input classified as Rust");
    return { path, kind };
  });

  const outputs = {
    object: resolve(cwd, options.output),
    ...(options.emitBitcode !== undefined ? { emitBitcode: resolve(cwd, options.emitBitcode) } : {}),
    ...(options.reportPath !== undefined ? { report: options.reportPath === "-" ? "-" : resolve(cwd, options.reportPath) } : {}),
  };
  // path.resolve drops a trailing slash, which says the user named a directory: keep it for the check.
  const asGiven = (resolved: string, raw: string | undefined) => (raw?.endsWith("/") ? `${resolved}/` : resolved);
  const outputSlots: PathSlot[] = [
    { slot: "-o", path: asGiven(outputs.object, options.output) },
    ...(outputs.emitBitcode ? [{ slot: "--emit-bc", path: asGiven(outputs.emitBitcode, options.emitBitcode) }] : []),
    ...(outputs.report && outputs.report !== "-" ? [{ slot: "--report", path: asGiven(outputs.report, options.reportPath) }] : []),
  ];
  const inputSlots: PathSlot[] = [rustSlot, ...helperSlots, ...(options.helpersConfig ? [{ slot: "--helpers-config", path: resolve(cwd, options.helpersConfig) }] : [])];
  await checkOutputPaths(outputSlots, inputSlots);

  const build: ResolvedBuild = {
    cwd,
    env,
    rust,
    helpers,
    variant,
    ccArgs,
    helpersDebug,
    helperNaming: helperNaming(options),
    outputs,
    requireInlined: options.requireInlined ?? false,
    mode,
    codegenBackend,
    tools: options.tools ?? {},
    cc: options.cc,
    linker: options.linker,
    allow: new Set(options.allow ?? []),
    cacheDir: options.helperCache === false ? undefined : options.cacheDir !== undefined ? resolve(cwd, options.cacheDir) : defaultCacheDir(env),
    reconcile: reconcile === "on",
    explain: options.explain ?? false,
    nullPointerPolicy,
    inlineThreshold: inlineThresholdFrom(options.inlineThreshold, rustcArgs),
    // The environment's own RUSTC_BOOTSTRAP opts in when it already bootstraps this crate, as rustc
    // matches it (`1`, or a list naming the --crate-name): the user let rustc be a nightly here.
    rustcBootstrap: options.rustcBootstrap ?? (env.LOCAL_LTO_RUSTC_BOOTSTRAP === "1" || userBootstraps(env.RUSTC_BOOTSTRAP, rustcArgs)),
    keepTemps: options.keepTemps ?? false,
    userBitcode: [rust, ...helpers].filter((input) => input.kind === "bitcode").map((input) => input.path),
  };
  return Object.freeze(build);
}
