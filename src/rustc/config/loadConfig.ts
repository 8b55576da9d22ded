/**
 * Finds, reads and validates the rustc mode's configuration, then applies the environment's
 * overrides: schema → normalize → a read-only `RustcConfig` (docs/INTEGRATION.md).
 *
 * Where it is looked for, first found wins:
 * 1. `LOCAL_LTO_CONFIG=<file>` (a file in local-lto.toml's format);
 * 2. `local-lto.toml` in rustc's working directory (Cargo runs rustc in the workspace root for
 *    workspace members), else `[workspace.metadata.local-lto]` or `[package.metadata.local-lto]`
 *    in the Cargo.toml there;
 * 3. the same two beside the target directory (`<target-dir>/..`), which is where registry crates
 *    (run by Cargo in their own directory) find the workspace's configuration.
 * With none of these, `LOCAL_LTO_HELPERS` alone is a configuration (paths relative to rustc's
 * working directory). The launcher (bin/local-lto) looks in the same places.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname, join, relative, resolve } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { LocalLtoError } from "../../diagnostics/errors.js";
import type { HelperInput, HelperNaming } from "../../pipeline/resolve/resolvedBuild.js";
import type { HelpersDebug, NullPointerPolicy } from "../../pipeline/types.js";
import { splitShellWords } from "../../process/shellWords.js";
import type { SafetyCheckId } from "../../safety/types.js";
import { parseKbuildCmd } from "./kbuildCmd.js";
import { configKeys, rustcConfigSchema, type RustcConfigFile } from "./schema.js";

/**
 * Environment variables that override a configuration key, or are one. bin/local-lto puts the
 * same list in its key for prepared helper sets (test/rustc/launcher.test.ts compares them).
 */
export const configEnvVars = {
  LOCAL_LTO_HELPERS: "helpers",
  LOCAL_LTO_CC_ARGS: "cc-args",
  LOCAL_LTO_PKG_CONFIG: "pkg-config",
  LOCAL_LTO_HELPER_PREFIX: "helper-prefix",
  LOCAL_LTO_HELPER_SUFFIX: "helper-suffix",
  LOCAL_LTO_HELPER_REGEX: "helper-regex",
  LOCAL_LTO_REQUIRE_INLINED: "require-inlined",
  LOCAL_LTO_CRATES: "crates",
} as const;

/** Where the configuration came from, for messages and the report. */
export interface ConfigSource {
  kind: "local-lto.toml" | "Cargo.toml" | "LOCAL_LTO_CONFIG" | "environment";
  /** The file read (none for the environment alone). */
  path?: string;
  /** The table the keys are in: `workspace.metadata.local-lto` in a Cargo.toml, empty in local-lto.toml. */
  table: string;
}

export interface RustcConfig {
  readonly source: ConfigSource;
  /** Configuration files read: a change to one rebuilds the crates that linked helpers. */
  readonly files: readonly string[];
  /** Relative paths (helpers, `-I` in cc-args) are relative to this directory; the C compiler runs in it. */
  readonly baseDir: string;
  readonly helpers: readonly HelperInput[];
  readonly ccArgs: readonly string[];
  readonly pkgConfig: readonly string[];
  readonly helperNaming: HelperNaming;
  readonly requireInlined: boolean;
  /** Crate names (`-` written `_`, as rustc's `--crate-name`); undefined: every crate that is not host code. */
  readonly crates?: readonly string[];
  readonly allow: readonly SafetyCheckId[];
  readonly helpersDebug: HelpersDebug;
  readonly reconcile: boolean;
  readonly nullPointerPolicy: NullPointerPolicy;
  /** `--cfg` names that become `-D` flags for the helpers of the crates built with them. */
  readonly cfgDefines: readonly string[];
}

function configError(where: string, problem: string, fix: string): LocalLtoError {
  return new LocalLtoError({ code: "LLTO_CONFIG", message: `${where}: ${problem}`, fix, file: where.replace(/:\d+:\d+$/, "") });
}

const formatFix = "see docs/INTEGRATION.md#configuration for the keys and their types";

/** `helpers[0]`, `workspace.metadata.local-lto.cc-args`: a key path as a reader finds it in the file. */
function keyPath(table: string, path: readonly PropertyKey[]): string {
  let text = table;
  for (const part of path) text += typeof part === "number" ? `[${part}]` : `${text ? "." : ""}${String(part)}`;
  return text || "(top level)";
}

/** The table, validated; every problem named by its key path (pure). */
export function validateConfig(value: unknown, file: string, table: string): RustcConfigFile {
  const parsed = rustcConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const near = configKeys.find((k) => k.replace(/[-_]/g, "") === key.replace(/[-_]/g, "").toLowerCase());
    throw configError(`${file}: ${keyPath(table, [...issue.path, key])}`, "unknown key", near ? `write ${near}` : `the keys are: ${configKeys.join(", ")}`);
  }
  let at: unknown = value;
  for (const part of issue.path) at = at && typeof at === "object" ? (at as Record<PropertyKey, unknown>)[part as PropertyKey] : undefined;
  const missing = issue.code === "invalid_type" && at === undefined;
  throw configError(`${file}: ${keyPath(table, issue.path)}`, missing ? "missing (required)" : issue.message, formatFix);
}

function parseTomlFile(text: string, file: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
      throw configError(`${file}:${error.line}:${error.column}`, `not valid TOML: ${reason}`, "fix the syntax at that line and column");
    }
    throw error;
  }
}

/** `[workspace.metadata.local-lto]`, else `[package.metadata.local-lto]`, of a parsed Cargo.toml. */
function cargoMetadataTable(manifest: Record<string, unknown>): { table: string; value: unknown } | undefined {
  for (const section of ["workspace", "package"]) {
    const metadata = (manifest[section] as Record<string, unknown> | undefined)?.metadata as Record<string, unknown> | undefined;
    if (metadata && typeof metadata === "object" && "local-lto" in metadata) return { table: `${section}.metadata.local-lto`, value: metadata["local-lto"] };
  }
  return undefined;
}

interface FoundTable {
  source: ConfigSource;
  value: unknown;
  files: string[];
}

async function readTomlTable(path: string, kind: ConfigSource["kind"], cwd: string): Promise<FoundTable | undefined> {
  const shown = relative(cwd, path) || path;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (kind === "LOCAL_LTO_CONFIG") {
      throw configError(`LOCAL_LTO_CONFIG=${path}`, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, "point LOCAL_LTO_CONFIG at a local-lto.toml file, or unset it");
    }
    return undefined;
  }
  if (kind === "Cargo.toml") {
    // Only parse manifests that can hold the table: most crates' Cargo.toml never mention it.
    if (!text.includes("local-lto")) return undefined;
    const table = cargoMetadataTable(parseTomlFile(text, shown));
    return table ? { source: { kind, path, table: table.table }, value: table.value, files: [path] } : undefined;
  }
  return { source: { kind, path, table: "" }, value: parseTomlFile(text, shown), files: [path] };
}

/** The directories a configuration is looked for in, in order (see the file comment). */
function configDirs(cwd: string, targetDir: string | undefined): string[] {
  return [...new Set([cwd, ...(targetDir ? [dirname(targetDir)] : [])])];
}

/**
 * Every file whose appearance or change can change which configuration applies: what a run
 * without configuration depends on (the launcher re-checks them before running rustc directly).
 */
export function configCandidates(cwd: string, targetDir: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (env.LOCAL_LTO_CONFIG) return [resolve(cwd, env.LOCAL_LTO_CONFIG)];
  return configDirs(cwd, targetDir).flatMap((dir) => [join(dir, "local-lto.toml"), join(dir, "Cargo.toml")]);
}

/** The first configuration table found (see the file comment), or undefined. */
async function findTable(cwd: string, targetDir: string | undefined, env: NodeJS.ProcessEnv): Promise<FoundTable | undefined> {
  if (env.LOCAL_LTO_CONFIG) return readTomlTable(resolve(cwd, env.LOCAL_LTO_CONFIG), "LOCAL_LTO_CONFIG", cwd);
  for (const dir of configDirs(cwd, targetDir)) {
    if (existsSync(join(dir, "local-lto.toml"))) return readTomlTable(join(dir, "local-lto.toml"), "local-lto.toml", cwd);
    const cargo = await readTomlTable(join(dir, "Cargo.toml"), "Cargo.toml", cwd);
    if (cargo) return cargo;
  }
  return undefined;
}

function envBoolean(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw configError(`${name}=${value}`, "expected 1, 0, true or false", `set ${name}=1 or ${name}=0`);
}

function envWords(name: string, value: string): string[] {
  try {
    return splitShellWords(value);
  } catch (error) {
    throw configError(`${name}=${value}`, (error as Error).message, "close the quote");
  }
}

/**
 * The environment's overrides as a table in the file's format (pure): lists are words separated
 * by spaces (or commas for LOCAL_LTO_CRATES), quoted as a shell would quote them.
 */
export function envOverrides(env: NodeJS.ProcessEnv): Partial<RustcConfigFile> {
  const table: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(configEnvVars)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (key === "require-inlined") table[key] = envBoolean(name, value);
    else if (key === "crates") table[key] = value.split(/[\s,]+/).filter(Boolean);
    else if (key === "helpers" || key === "pkg-config") table[key] = envWords(name, value);
    else if (key === "cc-args") table[key] = envWords(name, value);
    else table[key] = value;
  }
  return table as Partial<RustcConfigFile>;
}

function helperKind(path: string): HelperInput["kind"] | undefined {
  const ext = extname(path);
  return ext === ".c" ? "c-source" : ext === ".bc" ? "bitcode" : undefined;
}

/**
 * The configuration for a rustc run in `cwd`, or undefined when there is none (rustc then runs
 * as it is). Throws LLTO_CONFIG for a malformed file, an unknown key, a wrong type, a helper file
 * that does not exist, or a bad regular expression.
 */
export async function loadRustcConfig(cwd: string, targetDir: string | undefined, env: NodeJS.ProcessEnv): Promise<RustcConfig | undefined> {
  const found = await findTable(cwd, targetDir, env);
  const overrides = envOverrides(env);
  if (!found && overrides.helpers === undefined) return undefined;
  const source: ConfigSource = found?.source ?? { kind: "environment", table: "" };
  const where = source.path ? relative(cwd, source.path) || source.path : "the environment (LOCAL_LTO_*)";
  if (found && (typeof found.value !== "object" || found.value === null || Array.isArray(found.value))) {
    throw configError(`${where}: ${source.table || "(top level)"}`, "expected a table", formatFix);
  }
  const merged = { ...(found?.value as Record<string, unknown> | undefined), ...overrides };
  const config = validateConfig(merged, where, source.table);
  const baseDir = source.path ? dirname(source.path) : cwd;

  const helpers = (config.helpers ?? []).map((file, index): HelperInput => {
    const path = resolve(baseDir, file);
    const kind = helperKind(path);
    const key = overrides.helpers ? "LOCAL_LTO_HELPERS" : `${where}: ${keyPath(source.table, ["helpers", index])}`;
    if (!kind) throw configError(key, `${file} is neither C (.c) nor LLVM bitcode (.bc)`, "name the helpers' C sources (e.g. bindgen --wrap-static-fns' extern.c)");
    if (!existsSync(path)) throw configError(key, `${file} does not exist (looked for ${path})`, `paths are relative to ${source.path ? "the configuration file" : "the working directory"}`);
    return { path, kind };
  });
  let pattern: RegExp | undefined;
  if (config["helper-regex"] !== undefined) {
    try {
      pattern = new RegExp(config["helper-regex"]);
    } catch (error) {
      throw configError(`${where}: ${keyPath(source.table, ["helper-regex"])}`, `not a regular expression: ${(error as Error).message}`, "write a JavaScript regular expression matching whole helper names, e.g. \".*__extern\"");
    }
  }
  const userCcArgs = config["cc-args"] === undefined ? [] : typeof config["cc-args"] === "string" ? envWords(`${where}: ${keyPath(source.table, ["cc-args"])}`, config["cc-args"]) : config["cc-args"];
  const kbuild = await readKbuildCommands(config["helpers-cmd"] ?? [], baseDir, `${where}: ${keyPath(source.table, ["helpers-cmd"])}`);
  helpers.push(...kbuild.helpers);
  const ccArgs = [...kbuild.ccArgs, ...userCcArgs];
  return Object.freeze({
    source,
    files: [...(found?.files ?? []), ...kbuild.files],
    baseDir,
    helpers,
    ccArgs,
    pkgConfig: config["pkg-config"] ?? [],
    helperNaming: {
      ...(config["helper-prefix"] ? { prefix: config["helper-prefix"] } : {}),
      ...(config["helper-suffix"] ? { suffix: config["helper-suffix"] } : {}),
      ...(pattern ? { pattern } : {}),
    },
    requireInlined: config["require-inlined"] ?? false,
    ...(config.crates ? { crates: config.crates.map((c) => c.replace(/-/g, "_")) } : {}),
    allow: (config.allow ?? []) as SafetyCheckId[],
    helpersDebug: config["helpers-debug"] ?? "keep",
    reconcile: config.reconcile ?? true,
    nullPointerPolicy: config["null-pointer-policy"] ?? "caller",
    cfgDefines: config["cfg-defines"] ?? [],
  });
}

/**
 * The helpers and C flags of Kbuild `.cmd` files (kbuildCmd.ts): every file must record the same
 * flags, since the helpers are compiled with one set. The `.cmd` files are dependencies: Kbuild
 * rewrites one when it compiles the helpers with other flags.
 */
async function readKbuildCommands(files: readonly string[], baseDir: string, where: string): Promise<{ helpers: HelperInput[]; ccArgs: string[]; files: string[] }> {
  const helpers: HelperInput[] = [];
  let ccArgs: string[] | undefined;
  const paths: string[] = [];
  for (const [index, file] of files.entries()) {
    const path = resolve(baseDir, file);
    const at = `${where}[${index}]`;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw configError(at, `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, "build the helper object with Kbuild first (it writes the .cmd file), or name the helpers' sources with helpers = […]");
    }
    let command;
    try {
      command = parseKbuildCmd(text);
    } catch (error) {
      throw configError(at, `${file}: ${(error as Error).message}`, "name a Kbuild .cmd file (.<object>.cmd beside the object Kbuild built)");
    }
    if (ccArgs && JSON.stringify(ccArgs) !== JSON.stringify(command.ccArgs)) {
      throw configError(at, `${file} records other C flags than ${files[0]}`, "local-lto compiles every helper with one set of flags: name .cmd files of objects compiled alike");
    }
    ccArgs = command.ccArgs;
    helpers.push({ path: resolve(baseDir, command.source), kind: "c-source" });
    paths.push(path);
  }
  return { helpers, ccArgs: ccArgs ?? [], files: paths };
}

/** Whether a crate is one the configuration builds with helpers. */
export function selectsCrate(config: Pick<RustcConfig, "crates">, crateName: string): boolean {
  return !config.crates || config.crates.includes(crateName.replace(/-/g, "_"));
}
