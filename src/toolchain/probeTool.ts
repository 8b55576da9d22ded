import { runTool } from "../process/run.js";
import { processMemo } from "../process/processMemo.js";
import { readCachedBanner, writeCachedBanner } from "./versionCache.js";
import { parseGnuToolVersion, parseLlvmToolVersion, parseRustcVersion, type RustcVersion, type Version } from "./versions.js";

const versionCache = processMemo<string, Promise<Version | undefined>>();
const rustcCache = processMemo<string, Promise<RustcVersion | undefined>>();

/** Runs `<tool> --version` once per path and process; LLVM banners first, GNU banners as fallback. */
export function probeVersion(path: string, args: readonly string[] = ["--version"], env: NodeJS.ProcessEnv = process.env): Promise<Version | undefined> {
  let pending = versionCache.get(path);
  if (!pending) {
    pending = (async () => {
      let banner = await readCachedBanner(path, env);
      if (banner === undefined) {
        const run = await runTool({ file: path, args });
        if (run.exitCode !== 0) return undefined;
        banner = run.stdout + run.stderr;
        await writeCachedBanner(path, banner, env);
      }
      return parseLlvmToolVersion(banner) ?? parseGnuToolVersion(banner);
    })();
    versionCache.set(path, pending);
  }
  return pending;
}

export function probeRustc(path: string): Promise<RustcVersion | undefined> {
  let pending = rustcCache.get(path);
  if (!pending) {
    pending = runTool({ file: path, args: ["-vV"] }).then((run) => (run.exitCode === 0 ? parseRustcVersion(run.stdout) : undefined));
    rustcCache.set(path, pending);
  }
  return pending;
}

/** True when `--version` names LLVM/clang/LLD; GNU binutils answer too but cannot read bitcode. */
export function isLlvmBanner(version: Version | undefined): boolean {
  return !!version && /clang version|LLVM version|LLD /.test(version.text);
}
