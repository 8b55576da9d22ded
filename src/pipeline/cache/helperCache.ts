/**
 * A content-addressed cache of helper bitcode (`.c` helpers in inline mode), so a variant's
 * helpers are compiled once and reused by every object built with them (docs/VARIANTS.md).
 *
 * Two levels, as in ccache's direct mode, because the headers a source includes are only known
 * after compiling it:
 *   manifests/<k1>.json  k1 = sha256(clang identity, argv, the contents of every response file
 *                        (`@file`) in it, cwd, source path and bytes, the environment variables
 *                        clang reads);
 *                        lists, per past compile, every file it read (clang's -MD depfile) with
 *                        its sha256, every lookup whose answer decided it (includeProbes.ts: a
 *                        header that would shadow one it used, `__has_include` names, missing
 *                        include directories, clang configuration files), and the bitcode;
 *   bitcode/<k2>.bc      k2 = sha256(k1, each dependency's path and hash, each probe).
 * A lookup hits when every dependency of an entry still has its recorded hash and every probe its
 * recorded answer. Where the key cannot be complete (a response file that cannot be read, a
 * `__has_include` computed by a macro, `__DATE__`/`__TIME__`), the compile is not cached and the
 * report says why. Writes go to a temporary name and are renamed into place, so concurrent builds
 * never see half a file; a lock per k1 (proper-lockfile) makes parallel builds of the same variant
 * wait for one compile. An entry that cannot be read or does not verify is removed, never trusted
 * and never left to block its key.
 */
import { writeFileAtomically } from "../../files/writeAtomically.js";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { debugLog } from "../../diagnostics/debugLog.js";
import { CLANG_ENVIRONMENT } from "./clangEnvironment.js";
import { helperCompileArgs } from "../../tools/clang.js";
import { parseDepfile } from "./depfile.js";
import { hasIncludeNames, includeProbes, parseIncludeSearch } from "./includeProbes.js";
import { sha256Hex } from "../../files/contentHash.js";
import { processMemo } from "../../process/processMemo.js";

const debugCache = debugLog("local-lto:cache");

/** Bump when the layout or what a key covers changes: old entries are then simply not found. */
const CACHE_FORMAT = "local-lto helper-bitcode cache 2";
const MAX_MANIFEST_ENTRIES = 8;
/** A lock not refreshed for this long belongs to a build that died (proper-lockfile refreshes it while held). */
const LOCK_STALE_MS = 20_000;
const LOCK_WAIT_MS = 120_000;

/** Macros that make a compile's output depend on the time: such sources are never cached. */
const TIME_MACROS = /__(DATE|TIME|TIMESTAMP)__/;

export interface ClangIdentity {
  path: string;
  /** `clang --version`'s first line. */
  version: string;
}

export interface HelperCacheKeyParts {
  clang: ClangIdentity & { size: number; mtimeMs: number };
  /** clang's argv with the output path replaced by a placeholder. */
  args: readonly string[];
  cwd: string;
  source: string;
  sourceHash: string;
  env: Readonly<Record<string, string>>;
  /** Each response file (`@file`, nested ones too) with the hash of its contents. */
  responseFiles?: readonly (readonly [string, string])[];
}

/** k1: everything known before compiling. Pure. */
export function helperCacheKey(parts: HelperCacheKeyParts): string {
  return sha256Hex(
    JSON.stringify([CACHE_FORMAT, parts.clang.path, parts.clang.version, parts.clang.size, parts.clang.mtimeMs, parts.args, parts.responseFiles ?? [], parts.cwd, parts.source, parts.sourceHash, Object.entries(parts.env).sort()]),
  );
}

/** k2: k1, the files the compile read and the lookups that decided it. Pure. */
export function bitcodeKey(manifestKey: string, deps: readonly (readonly [string, string])[], probes: readonly (readonly [string, boolean])[] = []): string {
  return sha256Hex(JSON.stringify([manifestKey, deps, probes]));
}

interface ManifestEntry {
  deps: [string, string][];
  probes: [string, boolean][];
  bitcode: string;
  sha256: string;
}

export interface CachedCompileRequest {
  clang: ClangIdentity;
  source: string;
  triple: string | undefined;
  ccArgs: readonly string[];
  cwd: string;
  cacheDir: string;
  /** The environment clang runs in: the variables it reads are part of the key. */
  env: NodeJS.ProcessEnv;
  /** Compiles to `output`, writing clang's depfile to `depfile`; throws the compile error. */
  compile(output: string, depfile: string): Promise<void>;
  /** clang's `-E -v` stderr for the same flags: its include search and configuration files. */
  includeSearch(): Promise<string>;
  /** Where the bitcode this build uses goes (a copy, so the cache can be cleaned meanwhile). */
  output: string;
  scratchDepfile: string;
}

export interface CachedCompileResult {
  bitcode: string;
  /** The files the compile read (source and headers, absolute), when known: for dep-info files. */
  dependencies?: string[];
  /** The files it looked for (found or not; includeProbes.ts): a repeat of the build depends on their answers too. */
  probes?: [string, boolean][];
  cache: "hit" | "miss" | "off";
  key?: string;
  /** Why the result was not stored or not looked up. */
  reason?: string;
}

const fileHashes = processMemo<string, Promise<string | undefined>>();

async function hashFile(path: string): Promise<{ hash: string; text: string } | undefined> {
  try {
    const bytes = await readFile(path);
    return { hash: sha256Hex(bytes), text: bytes.toString("latin1") };
  } catch {
    return undefined;
  }
}

/** A file's hash, remembered for one lookup pass (system headers are shared by every helper). */
function memoHash(path: string): Promise<string | undefined> {
  let cached = fileHashes.get(path);
  if (!cached) {
    cached = hashFile(path).then((h) => h?.hash);
    fileHashes.set(path, cached);
  }
  return cached;
}

function isManifestEntry(value: unknown): value is ManifestEntry {
  const entry = value as ManifestEntry;
  return !!entry && Array.isArray(entry.deps) && Array.isArray(entry.probes) && typeof entry.bitcode === "string" && /^[0-9a-f]{64}$/.test(entry.bitcode) && typeof entry.sha256 === "string";
}

/**
 * A manifest's entries. One that cannot be parsed, has another format or is not a file is removed:
 * left in place it would make every later build of its key miss and fail to store again.
 */
async function readManifest(path: string): Promise<ManifestEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") await rm(path, { recursive: true, force: true }).catch(() => undefined);
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { format?: string; entries?: unknown[] };
    if (parsed.format === CACHE_FORMAT && Array.isArray(parsed.entries) && parsed.entries.every(isManifestEntry)) return parsed.entries;
  } catch {
    // malformed: removed below
  }
  debugCache("removing malformed manifest %s", path);
  await rm(path, { force: true }).catch(() => undefined);
  return [];
}

/**
 * The bitcode of the first manifest entry whose dependencies are unchanged and whose probes give
 * the same answers, verified by its hash; a bitcode file that does not verify is removed.
 */
async function lookup(cacheDir: string, key: string, cwd: string): Promise<{ bitcode: string; bitcodeKey: string; dependencies: string[]; probes: [string, boolean][] } | undefined> {
  for (const entry of await readManifest(join(cacheDir, "manifests", `${key}.json`))) {
    if (!entry.probes.every(([path, existed]) => existsSync(path) === existed)) continue;
    const current = await Promise.all(entry.deps.map(([path]) => memoHash(resolve(cwd, path))));
    if (!entry.deps.every(([, hash], i) => current[i] === hash)) continue;
    const bitcode = join(cacheDir, "bitcode", `${entry.bitcode}.bc`);
    try {
      if (sha256Hex(await readFile(bitcode)) === entry.sha256) return { bitcode, bitcodeKey: entry.bitcode, dependencies: entry.deps.map(([path]) => resolve(cwd, path)), probes: entry.probes };
      debugCache("removing corrupt bitcode %s", bitcode);
      await rm(bitcode, { recursive: true, force: true });
    } catch {
      // Removed by a cleanup: compile again.
    }
  }
  return undefined;
}

async function store(cacheDir: string, key: string, bitcodePath: string, deps: [string, string][], probes: [string, boolean][]): Promise<string> {
  const bytes = await readFile(bitcodePath);
  const k2 = bitcodeKey(key, deps, probes);
  await mkdir(join(cacheDir, "bitcode"), { recursive: true });
  await mkdir(join(cacheDir, "manifests"), { recursive: true });
  const bitcodeFile = join(cacheDir, "bitcode", `${k2}.bc`);
  // A directory or other non-file squatting on the name would make every store fail.
  await rm(bitcodeFile, { recursive: true, force: true });
  await writeFileAtomically(bitcodeFile, bytes);
  const manifestPath = join(cacheDir, "manifests", `${key}.json`);
  const entries = (await readManifest(manifestPath)).filter((e) => e.bitcode !== k2);
  entries.unshift({ deps, probes, bitcode: k2, sha256: sha256Hex(bytes) });
  await writeFileAtomically(manifestPath, `${JSON.stringify({ format: CACHE_FORMAT, entries: entries.slice(0, MAX_MANIFEST_ENTRIES) })}\n`);
  return k2;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Response files in clang's argv (`@file`, nested too) with their contents' hashes; undefined when one cannot be read. */
async function responseFileHashes(args: readonly string[], cwd: string, depth = 0): Promise<[string, string][] | undefined> {
  const found: [string, string][] = [];
  for (const arg of args) {
    if (!arg.startsWith("@") || arg.length === 1) continue;
    const path = resolve(cwd, arg.slice(1));
    const file = await hashFile(path);
    if (!file || depth > 8) return undefined;
    found.push([path, file.hash]);
    const nested = await responseFileHashes(file.text.split(/\s+/), cwd, depth + 1);
    if (!nested) return undefined;
    found.push(...nested);
  }
  return found;
}

/**
 * Compiles one helper source through the cache. A cache that cannot be read or written never
 * fails the build: the helper is then compiled as if there were no cache.
 */
export async function compileHelperCached(request: CachedCompileRequest): Promise<CachedCompileResult> {
  const { cacheDir, cwd, source } = request;
  const sourceFile = await hashFile(source);
  if (!sourceFile) return compileUncached(request, "the source could not be read for hashing");
  if (TIME_MACROS.test(sourceFile.text)) return compileUncached(request, "the source uses __DATE__, __TIME__ or __TIMESTAMP__");
  let clangStat;
  try {
    clangStat = await stat(request.clang.path);
  } catch {
    return compileUncached(request, "the compiler could not be identified");
  }
  const env = Object.fromEntries(CLANG_ENVIRONMENT.filter((name) => request.env[name] !== undefined).map((name) => [name, request.env[name]!]));
  const responseFiles = await responseFileHashes(request.ccArgs, cwd);
  if (!responseFiles) return compileUncached(request, "a response file (@file) in the C flags could not be read");
  const key = helperCacheKey({
    responseFiles,
    clang: { ...request.clang, size: clangStat.size, mtimeMs: clangStat.mtimeMs },
    args: helperCompileArgs(source, "<output>", request.triple, request.ccArgs),
    cwd,
    source,
    sourceHash: sourceFile.hash,
    env,
  });

  const hit = async (): Promise<CachedCompileResult | undefined> => {
    const found = await lookup(cacheDir, key, cwd).catch(() => undefined);
    if (!found) return undefined;
    try {
      await copyFile(found.bitcode, request.output);
    } catch {
      return undefined;
    }
    debugCache("hit %s -> %s", source, found.bitcodeKey);
    return { bitcode: request.output, cache: "hit", key: found.bitcodeKey, dependencies: found.dependencies, probes: found.probes };
  };
  fileHashes.clear();
  const first = await hit();
  if (first) return first;

  // Miss: one build compiles, parallel builds of the same key wait for it.
  let release: (() => Promise<void>) | undefined;
  const manifestDir = join(cacheDir, "manifests");
  try {
    await mkdir(manifestDir, { recursive: true });
    // Loaded on a miss only: proper-lockfile brings graceful-fs, which patches node:fs as it loads.
    const { default: lockfile } = await import("proper-lockfile");
    const lockTarget = join(manifestDir, `${key}.json`);
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (!release && Date.now() < deadline) {
      try {
        release = await lockfile.lock(lockTarget, { realpath: false, stale: LOCK_STALE_MS, lockfilePath: join(manifestDir, `${key}.lock`) });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
        await sleep(50);
        fileHashes.clear();
        const waited = await hit();
        if (waited) return waited;
      }
    }
    if (release) {
      fileHashes.clear();
      const late = await hit();
      if (late) return late;
    }
  } catch (error) {
    debugCache("cache directory %s unusable: %s", cacheDir, (error as Error).message);
    if (release) await release().catch(() => undefined);
    return compileUncached(request, `the cache directory ${cacheDir} is not writable`);
  }

  try {
    await request.compile(request.output, request.scratchDepfile);
    const depText = await readFile(request.scratchDepfile, "utf8").catch(() => undefined);
    if (depText === undefined) return { bitcode: request.output, cache: "miss", reason: "clang wrote no dependency file" };
    const depPaths = parseDepfile(depText);
    const deps: [string, string][] = [];
    const hasIncludes: string[] = [];
    for (const path of depPaths) {
      const file = await hashFile(resolve(cwd, path));
      if (!file) return { bitcode: request.output, cache: "miss", reason: `${path} could not be read after the compile` };
      if (TIME_MACROS.test(file.text)) return { bitcode: request.output, cache: "miss", reason: `${path} uses __DATE__, __TIME__ or __TIMESTAMP__` };
      const names = hasIncludeNames(file.text);
      if (!names) return { bitcode: request.output, cache: "miss", reason: `${path} computes a __has_include argument with a macro, so the lookups that decided the compile are not known` };
      hasIncludes.push(...names);
      deps.push([path, file.hash]);
    }
    const search = parseIncludeSearch(await request.includeSearch());
    if (search.configFile) {
      const config = await hashFile(search.configFile);
      if (!config) return { bitcode: request.output, cache: "miss", reason: `clang's configuration file ${search.configFile} could not be read` };
      deps.push([search.configFile, config.hash]);
    }
    const probes = includeProbes({ search, cwd, source, deps: depPaths, hasIncludes, exists: existsSync });
    const stored = await store(cacheDir, key, request.output, deps, probes).catch((error: Error) => {
      debugCache("could not store %s: %s", source, error.message);
      return undefined;
    });
    debugCache("miss %s -> %s (%d deps, %d probes)", source, stored ?? "(not stored)", deps.length, probes.length);
    return { bitcode: request.output, cache: "miss", dependencies: depPaths.map((path) => resolve(cwd, path)), probes, ...(stored ? { key: stored } : { reason: "the cache could not be written" }) };
  } finally {
    if (release) await release().catch(() => undefined);
  }
}

async function compileUncached(request: CachedCompileRequest, reason: string): Promise<CachedCompileResult> {
  debugCache("not cached: %s (%s)", request.source, reason);
  await request.compile(request.output, request.scratchDepfile);
  return { bitcode: request.output, cache: "off", reason };
}
