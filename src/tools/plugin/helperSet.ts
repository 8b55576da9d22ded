/**
 * A helper set: a directory named by the content hash of one helper bitcode file, holding that
 * file as `helpers.bc` and the plugin (a hard link to the build, a copy across file systems).
 * rustc loads the plugin from there; the plugin finds `helpers.bc` beside its own path
 * (dladdr). rustc tracks the `-Zllvm-plugins` path for incremental builds, not the files a plugin
 * reads, so a path that names the helpers' content makes a change of helpers a change rustc sees.
 */
import { writeFileAtomically } from "../../files/writeAtomically.js";
import { copyFile, link, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { sha256Hex } from "../../files/contentHash.js";

/** The plugin's file name, in the build directory and in every helper-set directory. */
export const pluginFileName = "libllto_plugin.so";
const HELPERS_FILE = "helpers.bc";

export interface HelperSet {
  dir: string;
  /** What rustc gets: `-Zllvm-plugins=<pluginPath>`. */
  pluginPath: string;
  helpersPath: string;
  /** sha256 of the helper bitcode. */
  hash: string;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function isComplete(dir: string, plugin: string): Promise<boolean> {
  const [own, built] = await Promise.all([stat(join(dir, pluginFileName)).catch(() => undefined), stat(plugin).catch(() => undefined)]);
  // A link shares the build's inode; a copy has its size. A rebuilt plugin (same key) is alike.
  return !!own && !!built && (own.ino === built.ino || own.size === built.size) && (await isFile(join(dir, HELPERS_FILE)));
}

/**
 * The helper-set directory for `helpersBitcode` (default `<plugin.dir>/helpers/<hash>`), made
 * if missing. Made in a temporary directory and renamed into place, so parallel builds never see
 * half a set.
 */
export async function prepareHelperSet(plugin: { readonly path: string; readonly dir: string }, helpersBitcode: string, options: { dir?: string } = {}): Promise<HelperSet> {
  const bytes = await readFile(helpersBitcode);
  const hash = sha256Hex(bytes);
  const dir = options.dir ?? join(plugin.dir, "helpers", hash.slice(0, 32));
  const set: HelperSet = { dir, pluginPath: join(dir, pluginFileName), helpersPath: join(dir, HELPERS_FILE), hash };
  if (await isComplete(dir, plugin.path)) return set;

  await mkdir(dirname(dir), { recursive: true });
  const staging = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await mkdir(staging);
  try {
    await writeFile(join(staging, HELPERS_FILE), bytes);
    try {
      await link(plugin.path, join(staging, pluginFileName));
    } catch {
      await copyFile(plugin.path, join(staging, pluginFileName)); // another file system
    }
    try {
      await rename(staging, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
      // Made meanwhile by a parallel build, or left broken: keep a complete one, replace a broken one.
      if (!(await isComplete(dir, plugin.path))) {
        await rm(dir, { recursive: true, force: true });
        await rename(staging, dir);
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return set;
}

/**
 * A helper set whose bitcode comes later (`local-lto build` starts rustc first): the plugin linked
 * into `dir` now; `publish` puts the helpers in by an atomic rename, which the plugin waits for
 * (LOCAL_LTO_PLUGIN_WAIT_MS, docs/PLUGIN.md). `dir` is the build's own (a workspace directory):
 * its name is not the content's, so it is not for builds rustc remembers (incremental).
 */
export async function pendingHelperSet(plugin: { readonly path: string }, dir: string): Promise<{ set: HelperSet; publish(helpersBitcode: string): Promise<void> }> {
  await mkdir(dir, { recursive: true });
  try {
    await link(plugin.path, join(dir, pluginFileName));
  } catch {
    await copyFile(plugin.path, join(dir, pluginFileName));
  }
  const set: HelperSet = { dir, pluginPath: join(dir, pluginFileName), helpersPath: join(dir, HELPERS_FILE), hash: "" };
  return {
    set,
    async publish(helpersBitcode: string) {
      const bytes = await readFile(helpersBitcode);
      set.hash = sha256Hex(bytes);
      await writeFileAtomically(set.helpersPath, bytes);
    },
  };
}
