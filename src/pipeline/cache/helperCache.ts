/**
 * A content-addressed cache of helper bitcode (`.c` helpers in inline mode), so a variant's
 * helpers are compiled once and reused by every object built with them (docs/VARIANTS.md).
 *
 * Two levels, as in ccache's direct mode, because the headers a source includes are only known
 * after compiling it:
 *   manifests/<k1>.json  k1 = sha256(clang identity, argv, cwd, source path and bytes, env);
 *                        lists, per past compile, every file it read (clang's -MD depfile) with
 *                        its sha256, and the bitcode that compile produced;
 *   bitcode/<k2>.bc      k2 = sha256(k1, each dependency's path and hash).
 * A lookup hits when every dependency of an entry still has its recorded hash. Writes go to a
 * temporary name and are renamed into place, so concurrent builds never see half a file; a lock
 * per k1 makes parallel builds of the same variant wait for one compile instead of each compiling.
 */
import { createHash } from "node:crypto";
import { copyFile, mkdir, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import createDebug from "debug";
import { helperCompileArgs } from "../../tools/clang.js";
import { parseDepfile } from "./depfile.js";

const debugCache = createDebug("local-lto:cache");

/** Bump when the layout or what a key covers changes: old entries are then simply not found. */
const CACHE_FORMAT = "local-lto helper-bitcode cache 1";
const MAX_MANIFEST_ENTRIES = 8;
/** A lock older than this, or whose owner is gone, is ignored. */
const LOCK_STALE_MS = 120_000;
const LOCK_WAIT_MS = 60_000;

/** Environment variables that change what clang reads or writes. */
const CLANG_ENVIRONMENT = ["CPATH", "C_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "SOURCE_DATE_EPOCH", "CCC_OVERRIDE_OPTIONS", "COMPILER_PATH"];

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
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** k1: everything known before compiling. Pure. */
export function helperCacheKey(parts: HelperCacheKeyParts): string {
  return sha256(JSON.stringify([CACHE_FORMAT, parts.clang.path, parts.clang.version, parts.clang.size, parts.clang.mtimeMs, parts.args, parts.cwd, parts.source, parts.sourceHash, Object.entries(parts.env).sort()]));
}

/** k2: k1 and the files the compile read. Pure. */
export function bitcodeKey(manifestKey: string, deps: readonly (readonly [string, string])[]): string {
  return sha256(JSON.stringify([manifestKey, deps]));
}

interface ManifestEntry {
  deps: [string, string][];
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
  /** Where the bitcode this build uses goes (a copy, so the cache can be cleaned meanwhile). */
  output: string;
  scratchDepfile: string;
}

export interface CachedCompileResult {
  bitcode: string;
  cache: "hit" | "miss" | "off";
  key?: string;
  /** Why the result was not stored or not looked up. */
  reason?: string;
}

/** The default cache directory: LOCAL_LTO_CACHE_DIR, else $XDG_CACHE_HOME/local-lto, else ~/.cache/local-lto. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOCAL_LTO_CACHE_DIR) return resolve(env.LOCAL_LTO_CACHE_DIR);
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "local-lto");
}

const fileHashes = new Map<string, Promise<string | undefined>>();

async function hashFile(path: string): Promise<{ hash: string; text: string } | undefined> {
  try {
    const bytes = await readFile(path);
    return { hash: sha256(bytes), text: bytes.toString("latin1") };
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

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

async function readManifest(path: string): Promise<ManifestEntry[]> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as { format?: string; entries?: ManifestEntry[] };
    return parsed.format === CACHE_FORMAT && Array.isArray(parsed.entries) ? parsed.entries : [];
  } catch {
    return [];
  }
}

/** The bitcode of the first manifest entry whose dependencies are unchanged, verified by its hash. */
async function lookup(cacheDir: string, key: string, cwd: string): Promise<{ bitcode: string; bitcodeKey: string } | undefined> {
  for (const entry of await readManifest(join(cacheDir, "manifests", `${key}.json`))) {
    const current = await Promise.all(entry.deps.map(([path]) => memoHash(resolve(cwd, path))));
    if (!entry.deps.every(([, hash], i) => current[i] === hash)) continue;
    const bitcode = join(cacheDir, "bitcode", `${entry.bitcode}.bc`);
    try {
      if (sha256(await readFile(bitcode)) === entry.sha256) return { bitcode, bitcodeKey: entry.bitcode };
    } catch {
      // Removed by a cleanup: compile again.
    }
  }
  return undefined;
}

async function store(cacheDir: string, key: string, bitcodePath: string, deps: [string, string][]): Promise<string> {
  const bytes = await readFile(bitcodePath);
  const k2 = bitcodeKey(key, deps);
  await mkdir(join(cacheDir, "bitcode"), { recursive: true });
  await mkdir(join(cacheDir, "manifests"), { recursive: true });
  await writeAtomically(join(cacheDir, "bitcode", `${k2}.bc`), bytes);
  const manifestPath = join(cacheDir, "manifests", `${key}.json`);
  const entries = (await readManifest(manifestPath)).filter((e) => e.bitcode !== k2);
  entries.unshift({ deps, bitcode: k2, sha256: sha256(bytes) });
  await writeAtomically(manifestPath, `${JSON.stringify({ format: CACHE_FORMAT, entries: entries.slice(0, MAX_MANIFEST_ENTRIES) })}\n`);
  return k2;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the compile lock for `key`; false when another live build holds it. */
async function tryLock(lockPath: string, attempts = 3): Promise<boolean> {
  if (attempts === 0) return false;
  try {
    const handle = await open(lockPath, "wx");
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  try {
    const [info, owner] = await Promise.all([stat(lockPath), readFile(lockPath, "utf8")]);
    const pid = Number(owner);
    if (Date.now() - info.mtimeMs > LOCK_STALE_MS || !(pid > 0 && isAlive(pid))) {
      await unlink(lockPath).catch(() => undefined);
      return tryLock(lockPath, attempts - 1);
    }
  } catch {
    // Released meanwhile: try again.
    return tryLock(lockPath, attempts - 1);
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  const key = helperCacheKey({
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
    return { bitcode: request.output, cache: "hit", key: found.bitcodeKey };
  };
  fileHashes.clear();
  const first = await hit();
  if (first) return first;

  // Miss: one build compiles, parallel builds of the same key wait for it.
  let locked = false;
  const lockPath = join(cacheDir, "manifests", `${key}.lock`);
  try {
    await mkdir(join(cacheDir, "manifests"), { recursive: true });
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (!(locked = await tryLock(lockPath)) && Date.now() < deadline) {
      await sleep(50);
      fileHashes.clear();
      const waited = await hit();
      if (waited) return waited;
    }
    if (locked) {
      fileHashes.clear();
      const late = await hit();
      if (late) return late;
    }
  } catch (error) {
    debugCache("cache directory %s unusable: %s", cacheDir, (error as Error).message);
    return compileUncached(request, `the cache directory ${cacheDir} is not writable`);
  }

  try {
    await request.compile(request.output, request.scratchDepfile);
    const depText = await readFile(request.scratchDepfile, "utf8").catch(() => undefined);
    if (depText === undefined) return { bitcode: request.output, cache: "miss", reason: "clang wrote no dependency file" };
    const deps: [string, string][] = [];
    for (const path of parseDepfile(depText)) {
      const file = await hashFile(resolve(cwd, path));
      if (!file) return { bitcode: request.output, cache: "miss", reason: `${path} could not be read after the compile` };
      if (TIME_MACROS.test(file.text)) return { bitcode: request.output, cache: "miss", reason: `${path} uses __DATE__, __TIME__ or __TIMESTAMP__` };
      deps.push([path, file.hash]);
    }
    const stored = await store(cacheDir, key, request.output, deps).catch((error: Error) => {
      debugCache("could not store %s: %s", source, error.message);
      return undefined;
    });
    debugCache("miss %s -> %s", source, stored ?? "(not stored)");
    return { bitcode: request.output, cache: "miss", ...(stored ? { key: stored } : { reason: "the cache could not be written" }) };
  } finally {
    if (locked) await unlink(lockPath).catch(() => undefined);
  }
}

async function compileUncached(request: CachedCompileRequest, reason: string): Promise<CachedCompileResult> {
  debugCache("not cached: %s (%s)", request.source, reason);
  await request.compile(request.output, request.scratchDepfile);
  return { bitcode: request.output, cache: "off", reason };
}
