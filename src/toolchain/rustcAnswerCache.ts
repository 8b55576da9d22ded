import { readFile, realpath } from "node:fs/promises";
import { changedIdentities, identityOf, type FileIdentity } from "../files/fileIdentity.js";
import { join } from "node:path";
import { writeCacheFile } from "../files/writeAtomically.js";
import { defaultCacheDir } from "./cacheDir.js";
import { rustupSelectionFiles } from "./rustupSelection.js";
import { isRustupProxyFile, isVariableName, type ProxyBypass } from "./rustupProxy.js";
import { sha256Hex } from "../files/contentHash.js";

/**
 * rustc's `-vV` and sysroot, remembered across builds: asking costs every build a process start
 * through rustup's proxy (about 70 ms before rustc can start, docs/BENCHMARKS.md). rustup's proxy
 * answers for whichever toolchain the environment, its settings and a `rust-toolchain` file select,
 * so the answer is kept with what chose it, the way a repeated build's entry is
 * (src/pipeline/plugin/replayEntry.ts): the environment rustup reads and the working directory in
 * the key; the executable asked, the compiler it answered for (`<sysroot>/bin/rustc`) and rustup's
 * settings file by identity (inode, size, mtime, ctime: `rustup update` and `rustup default`
 * change them); every `rust-toolchain` file that was absent, still absent. Only rustc itself and
 * rustup's proxy are remembered (a wrapper script may answer from anything); LOCAL_LTO_NO_TOOL_CACHE
 * turns it off.
 */
const FORMAT = 1;

/** The environment rustup's choice of toolchain depends on (besides files). */
const RUSTUP_ENVIRONMENT = ["RUSTUP_TOOLCHAIN", "RUSTUP_HOME", "HOME"] as const;

interface RustcAnswer {
  format: number;
  keyText: string;
  identities: FileIdentity[];
  absent: string[];
  versionText: string;
  sysroot: string;
  /**
   * For rustup's proxy, once a build has seen it run rustc (src/toolchain/rustupProxy.ts): how to
   * start the toolchain's rustc as the proxy does. Valid with the answer, since it depends on the
   * same choice of toolchain; its `before` values are checked by whoever uses it.
   */
  proxy?: { rustc: string; set: [string, string | null][]; before: [string, string | null][] };
}

/** What is remembered for a rustc. */
export interface RememberedRustc {
  versionText: string;
  sysroot: string;
  proxy?: ProxyBypass;
}

function keyText(rustc: string, env: NodeJS.ProcessEnv, cwd: string): string {
  return JSON.stringify([rustc, cwd, ...RUSTUP_ENVIRONMENT.map((name) => env[name] ?? null)]);
}

function answerPath(key: string, env: NodeJS.ProcessEnv): string {
  return join(defaultCacheDir(env), "tool-versions", `rustc-${sha256Hex(key).slice(0, 32)}.json`);
}

/** The remembered answer for `rustc` asked from `cwd`, if nothing that decided it changed. */
export async function readRustcAnswer(rustc: string, env: NodeJS.ProcessEnv, cwd: string): Promise<RememberedRustc | undefined> {
  if (env.LOCAL_LTO_NO_TOOL_CACHE) return undefined;
  const key = keyText(rustc, env, cwd);
  let stored: RustcAnswer;
  try {
    stored = JSON.parse(await readFile(answerPath(key, env), "utf8")) as RustcAnswer;
  } catch {
    return undefined;
  }
  if (stored.format !== FORMAT || stored.keyText !== key) return undefined;
  const [changed, appeared] = await Promise.all([changedIdentities(stored.identities), Promise.all(stored.absent.map(identityOf))]);
  if (changed.length > 0 || appeared.some((a) => a !== undefined)) return undefined;
  const proxy = storedBypass(stored.proxy);
  return { versionText: stored.versionText, sysroot: stored.sysroot, ...(proxy ? { proxy } : {}) };
}

/**
 * The stored bypass, when it has the shape written (the names go into a shell script the
 * launcher sources, and into rustc's environment): anything else is no bypass. Pure.
 */
export function storedBypass(stored: unknown): ProxyBypass | undefined {
  const pairs = (value: unknown): value is [string, string | null][] =>
    Array.isArray(value) && value.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string" && isVariableName(pair[0]) && (pair[1] === null || typeof pair[1] === "string"));
  const proxy = stored as { rustc?: unknown; set?: unknown; before?: unknown } | undefined;
  if (!proxy || typeof proxy.rustc !== "string" || !proxy.rustc.startsWith("/") || !pairs(proxy.set) || !pairs(proxy.before)) return undefined;
  return { rustc: proxy.rustc, set: Object.fromEntries(proxy.set.map(([name, value]) => [name, value ?? undefined])), before: proxy.before };
}

/**
 * Best effort: adds to the remembered answer for `rustc` (rustup's proxy) how to start the
 * toolchain's rustc without it, as a build just learnt; later builds then start rustc ~17 ms
 * sooner. Nothing is kept when there is no answer for this key.
 */
export async function rememberProxyBypass(rustc: string, env: NodeJS.ProcessEnv, cwd: string, bypass: ProxyBypass): Promise<void> {
  if (env.LOCAL_LTO_NO_TOOL_CACHE) return;
  const key = keyText(rustc, env, cwd);
  const file = answerPath(key, env);
  const stored = JSON.parse(await readFile(file, "utf8")) as RustcAnswer;
  if (stored.format !== FORMAT || stored.keyText !== key) return;
  stored.proxy = { rustc: bypass.rustc, set: Object.entries(bypass.set).map(([name, value]) => [name, value ?? null]), before: bypass.before };
  await writeCacheFile(file, JSON.stringify(stored));
}

/** Best effort: remembers an answer rustc just gave (nothing is kept when a file cannot be read). */
export async function writeRustcAnswer(rustc: string, env: NodeJS.ProcessEnv, cwd: string, versionText: string, sysroot: string): Promise<void> {
  if (env.LOCAL_LTO_NO_TOOL_CACHE) return;
  // Only what is known to answer from these files alone: rustc itself, or rustup's proxy. A
  // wrapper script may answer from anything.
  const [self, compiler] = await Promise.all([realpath(rustc).catch(() => ""), realpath(join(sysroot, "bin", "rustc")).catch(() => "")]);
  if (!self || (self !== compiler && !(await isRustupProxyFile(self)))) return;
  const key = keyText(rustc, env, cwd);
  const selection = rustupSelectionFiles(cwd, env);
  const identities = await Promise.all([rustc, join(sysroot, "bin", "rustc"), ...selection.present].map((path) => identityOf(path)));
  if (identities.some((i) => i === undefined)) return;
  const answer: RustcAnswer = { format: FORMAT, keyText: key, identities: identities as FileIdentity[], absent: selection.absent, versionText, sysroot };
  await writeCacheFile(answerPath(key, env), JSON.stringify(answer));
}
