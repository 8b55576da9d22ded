/**
 * Helper variants (docs/VARIANTS.md): one set of helper sources, compiled with different defines
 * for different kinds of objects — the kernel compiles its helpers once for built-in code and once
 * with `-DMODULE` for modules. A JSON file names the sources and the variants; a build picks one
 * with `--helpers-variant`. Schema → normalize → a read-only resolved config.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { LocalLtoError, usageError } from "../../diagnostics/errors.js";
import { checkInputIsFile } from "../resolve/checkPaths.js";

const variantName = z.string().regex(/^[A-Za-z0-9_.-]+$/, "variant names use letters, digits, `_`, `.` and `-`");
const define = z.string().regex(/^[A-Za-z_]\w*(=.*)?$/, "a define is NAME or NAME=VALUE");

const variantSchema = z
  .object({
    /** `MODULE` or `NAME=VALUE`, passed as `-D…`. */
    defines: z.array(define).default([]),
    /** More compiler flags for this variant, after the common ones. */
    ccArgs: z.array(z.string()).default([]),
  })
  .strict();

export const helpersConfigSchema = z
  .object({
    /** Helper sources (or bitcode), relative to the config file. */
    helpers: z.array(z.string().min(1)).min(1),
    /** Include directories, relative to the config file, passed as `-I…`. */
    includeDirs: z.array(z.string().min(1)).default([]),
    /** Defines common to every variant. */
    defines: z.array(define).default([]),
    /** Compiler flags common to every variant, passed unchanged. */
    ccArgs: z.array(z.string()).default([]),
    variants: z.record(variantName, variantSchema).default({}),
    /** The variant a build uses when it names none. */
    defaultVariant: variantName.optional(),
  })
  .strict();

/** One variant, ready to compile: absolute sources and the full flag list. */
export interface HelperVariant {
  readonly name: string;
  readonly helpers: readonly string[];
  readonly ccArgs: readonly string[];
}

export interface ResolvedHelpersConfig {
  readonly path: string;
  readonly variants: ReadonlyMap<string, HelperVariant>;
  readonly defaultVariant?: string;
}

function configError(path: string, problem: string): LocalLtoError {
  return new LocalLtoError({
    code: "LLTO_HELPERS_CONFIG",
    message: `helpers config ${path}: ${problem}`,
    fix: "see docs/VARIANTS.md for the format ({ \"helpers\": [\"helpers.c\"], \"variants\": { \"module\": { \"defines\": [\"MODULE\"] } } })",
    file: path,
  });
}

/**
 * Validates and normalizes a parsed config (pure). A config without variants has one, `default`.
 * Flag order per variant: include dirs, common defines, common flags, variant defines, variant flags.
 */
export function resolveHelpersConfig(json: unknown, path: string): ResolvedHelpersConfig {
  const parsed = helpersConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw configError(path, `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
  }
  const config = parsed.data;
  const base = dirname(path);
  const helpers = config.helpers.map((h) => resolve(base, h));
  const common = [...config.includeDirs.map((d) => `-I${resolve(base, d)}`), ...config.defines.map((d) => `-D${d}`), ...config.ccArgs];
  const declared = Object.keys(config.variants).length ? Object.entries(config.variants) : [["default", { defines: [], ccArgs: [] }] as const];
  const variants = new Map<string, HelperVariant>(
    declared.map(([name, v]) => [name, Object.freeze({ name, helpers: Object.freeze([...helpers]), ccArgs: Object.freeze([...common, ...v.defines.map((d) => `-D${d}`), ...v.ccArgs]) })]),
  );
  if (config.defaultVariant !== undefined && !variants.has(config.defaultVariant)) {
    throw configError(path, `defaultVariant "${config.defaultVariant}" is not one of the variants (${[...variants.keys()].join(", ")})`);
  }
  return Object.freeze({ path, variants, defaultVariant: config.defaultVariant ?? (variants.size === 1 ? [...variants.keys()][0] : undefined) });
}

export async function loadHelpersConfig(path: string): Promise<ResolvedHelpersConfig> {
  await checkInputIsFile({ slot: "the helpers config", path });
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LocalLtoError({
      code: "LLTO_INPUT_UNREADABLE",
      message: `cannot read the helpers config ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? String(error))}`,
      fix: "check the path given with --helpers-config",
      file: path,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw configError(path, `not JSON (${(error as Error).message})`);
  }
  return resolveHelpersConfig(json, path);
}

/** The variant a build asked for (or the config's default). */
export function selectVariant(config: ResolvedHelpersConfig, name: string | undefined): HelperVariant {
  const chosen = name ?? config.defaultVariant;
  const names = [...config.variants.keys()];
  if (chosen === undefined) {
    throw usageError(`${config.path} defines several helper variants (${names.join(", ")}) and no defaultVariant`, "choose one with --helpers-variant <name>");
  }
  const variant = config.variants.get(chosen);
  if (!variant) {
    throw usageError(`--helpers-variant ${chosen}: ${config.path} defines ${names.join(", ")}`, `use one of: ${names.join(", ")}`);
  }
  return variant;
}
