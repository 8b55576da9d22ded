import { createHash } from "node:crypto";
import { readFile, realpath } from "node:fs/promises";
import { changedIdentities, identityOf, type FileIdentity } from "../files/fileIdentity.js";
import { basename, join } from "node:path";
import { writeCacheFile } from "../files/writeAtomically.js";
import { defaultCacheDir } from "./cacheDir.js";
import { rustupSelectionFiles } from "./rustupSelection.js";

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
}

function keyText(rustc: string, env: NodeJS.ProcessEnv, cwd: string): string {
  return JSON.stringify([rustc, cwd, ...RUSTUP_ENVIRONMENT.map((name) => env[name] ?? null)]);
}

function answerPath(key: string, env: NodeJS.ProcessEnv): string {
  return join(defaultCacheDir(env), "tool-versions", `rustc-${createHash("sha256").update(key).digest("hex").slice(0, 32)}.json`);
}

/** The remembered answer for `rustc` asked from `cwd`, if nothing that decided it changed. */
export async function readRustcAnswer(rustc: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ versionText: string; sysroot: string } | undefined> {
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
  return changed.length === 0 && appeared.every((a) => a === undefined) ? { versionText: stored.versionText, sysroot: stored.sysroot } : undefined;
}

/** Best effort: remembers an answer rustc just gave (nothing is kept when a file cannot be read). */
export async function writeRustcAnswer(rustc: string, env: NodeJS.ProcessEnv, cwd: string, versionText: string, sysroot: string): Promise<void> {
  if (env.LOCAL_LTO_NO_TOOL_CACHE) return;
  // Only what is known to answer from these files alone: rustc itself, or rustup's proxy. A
  // wrapper script may answer from anything.
  const [self, compiler] = await Promise.all([realpath(rustc).catch(() => ""), realpath(join(sysroot, "bin", "rustc")).catch(() => "")]);
  if (!self || (self !== compiler && !basename(self).startsWith("rustup"))) return;
  const key = keyText(rustc, env, cwd);
  const selection = rustupSelectionFiles(cwd, env);
  const identities = await Promise.all([rustc, join(sysroot, "bin", "rustc"), ...selection.present].map((path) => identityOf(path)));
  if (identities.some((i) => i === undefined)) return;
  const answer: RustcAnswer = { format: FORMAT, keyText: key, identities: identities as FileIdentity[], absent: selection.absent, versionText, sysroot };
  await writeCacheFile(answerPath(key, env), JSON.stringify(answer));
}
