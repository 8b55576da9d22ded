/**
 * rustup's proxy (`~/.cargo/bin/rustc`, a link to `rustup`) chooses a toolchain and execs that
 * toolchain's rustc with a few variables of its own (rustup 1.29: CARGO_HOME, RUSTUP_HOME,
 * RUSTUP_TOOLCHAIN, RUSTUP_TOOLCHAIN_SOURCE, RUST_RECURSION_COUNT, LD_LIBRARY_PATH). That costs a
 * repeated small build about 17 ms of its overhead (docs/BENCHMARKS.md, section 5). A repeat
 * whose entry already depends on everything the proxy chooses by (the selection files of
 * rustupSelection.ts, the toolchain's rustc and driver, the environment in the key) can start the
 * toolchain's rustc directly, with exactly the variables the proxy gave it in the first build; so
 * can a later first build, from the same knowledge kept with the remembered `rustc -vV` answer
 * (rustcAnswerCache.ts), which depends on the same choice.
 *
 * What the proxy gave is read, not assumed: the plugin writes the rustc process's own executable
 * and start-up environment (`LOCAL_LTO_PLUGIN_PROCESS`, plugin/link_helpers.cpp). Pure functions,
 * but for isRustupProxyFile.
 */
import { open, realpath } from "node:fs/promises";
import { basename } from "node:path";

/** The executable, arguments (with argv[0]) and start-up environment of the rustc the plugin ran in. */
export interface RustcProcess {
  exe: string;
  argv: string[];
  env: Map<string, string>;
}

/**
 * The plugin's `<exe>\0<argc>\0<argv…><environ…>` file, every string NUL-terminated (undefined
 * when it is not one); environ is `NAME=value` strings. A name or value that is not valid UTF-8
 * cannot be given back exactly through a shell word from Node's strings, so such a file is no
 * answer either.
 */
export function parseRustcProcess(bytes: Buffer): RustcProcess | undefined {
  const text = bytes.toString("utf8");
  if (text.includes("\uFFFD") || !text.endsWith("\0")) return undefined;
  const [exe, count, ...rest] = text.slice(0, -1).split("\0");
  if (!exe || !exe.startsWith("/") || !count || !/^[1-9][0-9]*$/.test(count) || rest.length < Number(count)) return undefined;
  const argv = rest.slice(0, Number(count));
  const pairs = rest.slice(Number(count));
  const env = new Map<string, string>();
  for (const pair of pairs) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) return undefined;
    env.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return { exe, argv, env };
}

/**
 * The variables a proxy may set for the rustc it runs. Any other difference means something else
 * stood between local-lto and rustc (a wrapper, a changed proxy), and the repeat keeps the command
 * as the user gave it.
 */
const PROXY_VARIABLES = new Set([
  "CARGO_HOME",
  "RUSTUP_HOME",
  "RUSTUP_TOOLCHAIN",
  "RUSTUP_TOOLCHAIN_SOURCE",
  "RUST_RECURSION_COUNT",
  "LD_LIBRARY_PATH",
  "DYLD_LIBRARY_PATH",
  "DYLD_FALLBACK_LIBRARY_PATH",
  "PATH",
]);

/** A name a shell can set and test (`NAME=value`, `${NAME}`). Pure. */
export function isVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** How a repeat starts the toolchain's rustc itself, as the proxy did. */
export interface ProxyBypass {
  /** The toolchain's rustc (`<sysroot>/bin/rustc`). */
  rustc: string;
  /** What the proxy set (a value) or removed (undefined), for rustc's environment. */
  set: Record<string, string | undefined>;
  /**
   * Each of those variables as it was before the proxy ran (undefined: unset): the proxy's value
   * may depend on it (LD_LIBRARY_PATH is prepended to, RUST_RECURSION_COUNT counted up), so a
   * repeat whose environment differs there goes back to Node.
   */
  before: [name: string, value: string | null][];
}

/** A remembered bypass, when every variable it was made from has the same value in `env`. Pure. */
export function usableBypass(bypass: ProxyBypass | undefined, env: NodeJS.ProcessEnv): ProxyBypass | undefined {
  return bypass?.before.every(([name, value]) => (env[name] ?? null) === value) ? bypass : undefined;
}

/**
 * How to start a resolved rustc: the toolchain's own rustc with the proxy's variables, when it is
 * rustup's proxy and a remembered bypass still holds in `env` (usableBypass); else as it is. Pure.
 */
export function rustcToStart(rustc: { path: string; direct?: ProxyBypass }, env: NodeJS.ProcessEnv): { file: string; env?: Record<string, string | undefined> } {
  const direct = usableBypass(rustc.direct, env);
  return direct ? { file: direct.rustc, env: direct.set } : { file: rustc.path };
}

/**
 * Whether `realRustc` (a path with its links resolved) is rustup's proxy: rustup installs its
 * proxies as links to its own executable, an ELF (or Mach-O) program. A wrapper script is never
 * taken for it (it may do more than choose a toolchain), whatever its name, nor is a copy of
 * rustup under another name. `head`: the file's first bytes.
 */
export function isRustupProxy(realRustc: string, head: Uint8Array): boolean {
  return basename(realRustc) === "rustup" && head.length >= 4 && !(head[0] === 0x23 && head[1] === 0x21); // not "#!"
}

/** isRustupProxy for a path: its links resolved, its first bytes read (false when it cannot be read). */
export async function isRustupProxyFile(path: string): Promise<boolean> {
  try {
    const real = await realpath(path);
    if (basename(real) !== "rustup") return false;
    const file = await open(real, "r");
    try {
      const head = new Uint8Array(4);
      const { bytesRead } = await file.read(head, 0, 4, 0);
      return isRustupProxy(real, head.subarray(0, bytesRead));
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
}

/**
 * The bypass, or why there is none. `given`: the arguments and environment local-lto started the
 * proxy with; `seen`: what the plugin recorded; `toolchainRustc`: `<sysroot>/bin/rustc` with its links
 * resolved, as `seen.exe` is.
 */
export function proxyBypass(given: { env: NodeJS.ProcessEnv; args: readonly string[] }, seen: RustcProcess, toolchainRustc: { path: string; real: string }): ProxyBypass | { none: string } {
  if (seen.exe !== toolchainRustc.real) return { none: `rustc ran as ${seen.exe}, not ${toolchainRustc.real}` };
  // `+toolchain` is the proxy's argument, not rustc's.
  const args = seen.argv.slice(1);
  if (args.length !== given.args.length || args.some((arg, i) => arg !== given.args[i])) return { none: "the proxy changed rustc's arguments" };
  const givenEnv = given.env;
  const set: Record<string, string | undefined> = {};
  const before: [string, string | null][] = [];
  const names = new Set([...Object.keys(givenEnv).filter((name) => givenEnv[name] !== undefined), ...seen.env.keys()]);
  for (const name of names) {
    const was = givenEnv[name];
    const now = seen.env.get(name);
    if (was === now) continue;
    if (!PROXY_VARIABLES.has(name)) return { none: `the proxy changed ${name}` };
    set[name] = now;
  }
  // Every variable the proxy may set, changed this time or not: one it left alone because it
  // already had the proxy's value (under `rustup run`, LD_LIBRARY_PATH) must keep that value too.
  for (const name of [...PROXY_VARIABLES].sort()) before.push([name, givenEnv[name] ?? null]);
  return { rustc: toolchainRustc.path, set, before };
}
