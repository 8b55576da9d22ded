import { writeCacheFile } from "../files/writeAtomically.js";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { defaultCacheDir } from "./cacheDir.js";
import { sha256Hex } from "../files/contentHash.js";

/**
 * `--version` banners of LLVM tools, remembered across runs by the executable's identity (inode,
 * size, mtime): every build otherwise starts eight processes just to ask. rustc's `-vV` is kept
 * apart, with what chose the toolchain (rustcAnswerCache.ts): rustup's proxy answers for whichever
 * toolchain the directory or environment selects.
 */
interface CachedBanner {
  path: string;
  ino: number;
  size: number;
  mtimeMs: number;
  banner: string;
}

/** `question` is what was asked, when it is not `--version` (e.g. rustc's sysroot for one `-vV`). */
function entryPath(toolPath: string, env: NodeJS.ProcessEnv, question = ""): string {
  return join(defaultCacheDir(env), "tool-versions", `${sha256Hex(question ? `${toolPath}\0${question}` : toolPath).slice(0, 32)}.json`);
}

async function identity(toolPath: string): Promise<Omit<CachedBanner, "banner" | "path"> | undefined> {
  try {
    const info = await stat(toolPath);
    return { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}

export async function readCachedBanner(toolPath: string, env: NodeJS.ProcessEnv = process.env, question = ""): Promise<string | undefined> {
  if (env.LOCAL_LTO_NO_TOOL_CACHE) return undefined;
  try {
    const [cached, now] = await Promise.all([readFile(entryPath(toolPath, env, question), "utf8").then((text) => JSON.parse(text) as CachedBanner), identity(toolPath)]);
    const same = now && cached.path === toolPath && cached.ino === now.ino && cached.size === now.size && cached.mtimeMs === now.mtimeMs;
    return same ? cached.banner : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: an unwritable cache directory only costs the probe next time. */
export async function writeCachedBanner(toolPath: string, banner: string, env: NodeJS.ProcessEnv = process.env, question = ""): Promise<void> {
  if (env.LOCAL_LTO_NO_TOOL_CACHE) return;
  const now = await identity(toolPath);
  if (!now) return;
  await writeCacheFile(entryPath(toolPath, env, question), JSON.stringify({ path: toolPath, ...now, banner } satisfies CachedBanner));
}
