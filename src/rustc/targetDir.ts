/**
 * Where local-lto keeps its state for a build: `<target-dir>/local-lto/` (prepared helper sets,
 * the launcher's entries, report.jsonl). Found from rustc's own output location, the way Cargo
 * lays out its target directory. bin/local-lto computes the same (test/rustc/launcher.test.ts).
 */
import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { RustcInvocation } from "./args.js";

/**
 * Cargo writes crates to `<target-dir>/[<triple>/]<profile>/{deps,examples}`, next to the
 * profile's `.fingerprint` directory. Anything else (Make, a hand-written command) keeps the state
 * beside the output: the `--out-dir`, or the directory of `-o` / `--emit=obj=PATH`.
 * `LOCAL_LTO_TARGET_DIR` overrides both.
 */
export function targetDirFor(inv: Pick<RustcInvocation, "outDir" | "output" | "emit" | "target">, cwd: string, env: NodeJS.ProcessEnv): string {
  if (env.LOCAL_LTO_TARGET_DIR) return resolve(cwd, env.LOCAL_LTO_TARGET_DIR);
  if (inv.outDir) {
    const outDir = resolve(cwd, inv.outDir);
    const leaf = basename(outDir);
    if (leaf === "deps" || leaf === "examples") {
      const profile = dirname(outDir);
      if (existsSync(resolve(profile, ".fingerprint"))) {
        const above = dirname(profile);
        // `--target x86_64-unknown-linux-gnu` (or a spec file's stem) adds one level.
        return inv.target && basename(above) === basename(inv.target).replace(/\.json$/, "") ? dirname(above) : above;
      }
    }
    return outDir;
  }
  const file = inv.output ?? inv.emit.find((e) => e.path && e.path !== "-" && (e.kind === "obj" || e.kind === "link"))?.path;
  return file ? dirname(resolve(cwd, file)) : cwd;
}

/** `<target-dir>/local-lto`: everything local-lto writes for a build. */
export function stateDir(targetDir: string): string {
  return resolve(targetDir, "local-lto");
}
