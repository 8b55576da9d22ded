import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The LLVM that matches rustc 1.95 on this machine and in CI (scripts/setup.sh installs it). */
export const llvmBin = "/usr/lib/llvm-22/bin";
export const clang = `${llvmBin}/clang`;
export const llvmReadelf = `${llvmBin}/llvm-readelf`;
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const exampleDir = join(repoRoot, "examples/kernel-style");
/** What bin/local-lto starts: the bundle (scripts/bundle.mjs). */
export const cliPath = join(repoRoot, "dist/bundle/main.mjs");

/**
 * The e2e suite runs twice (vitest.config.ts's projects): as set up, where auto mode takes the link
 * path on this stable rustc, and with LOCAL_LTO_RUSTC_BOOTSTRAP=1, where it takes the plugin path.
 * Tests whose figures differ between the paths ask this.
 */
export const pluginPathRun = process.env.LOCAL_LTO_RUSTC_BOOTSTRAP === "1";

/** The report table's "calls before" cell: the plugin path cannot count calls rustc inlines itself. */
export function callsBeforeCell(count: number | string): string {
  return pluginPathRun ? "-" : String(count);
}

/** An environment without the plugin path's opt-in, for tests of auto mode's choice on stable rustc. */
export const withoutOptIn = { LOCAL_LTO_RUSTC_BOOTSTRAP: "" } as const;

export function tempDir(prefix = "llto-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs a command that must succeed and returns its stdout. */
export function run(file: string, args: string[], cwd?: string): string {
  return execFileSync(file, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Relocation type names in an object, counted, as llvm-readelf sees them. */
export function relocationKinds(object: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of run(llvmReadelf, ["-r", object]).split("\n")) {
    const match = line.match(/\s(R_[A-Z0-9_]+)\s/);
    if (match) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return counts;
}
