import { exampleHelperNames } from "../support/example.js";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeCallSites, readElf, symbolState } from "../../src/elf/index.js";
import { ensureRustcPlugin, type RustcPlugin } from "../../src/tools/plugin/rustcPlugin.js";
import { clang, exampleDir, llvmBin, repoRoot, run } from "../support/toolchain.js";

/**
 * One plugin cache for every test file of a run (never the user's ~/.cache): builds are keyed by
 * LLVM version and source, and a lock makes parallel test files wait for one build.
 */
export const pluginCacheDir = join(tmpdir(), `local-lto-plugin-tests-${process.getuid?.() ?? 0}`);

export const fixtureDir = join(repoRoot, "test/fixtures/plugin");
export const kernelHelpersC = join(exampleDir, "helpers.c");
export const kernelHelpers = exampleHelperNames;

export interface RustcUnderTest {
  name: "stable" | "nightly";
  /** A path to the toolchain's own rustc (not rustup's proxy), or undefined when not installed. */
  rustc: string | undefined;
}

function nightlyRustc(): string | undefined {
  try {
    const sysroot = execFileSync("rustc", ["+nightly", "--print", "sysroot"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const path = join(sysroot, "bin/rustc");
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Stable with RUSTC_BOOTSTRAP=1 (in rustc's environment only) and nightly, when installed. */
export const rustcsUnderTest: RustcUnderTest[] = [
  { name: "stable", rustc: "rustc" },
  { name: "nightly", rustc: nightlyRustc() },
];

const plugins = new Map<string, Promise<RustcPlugin>>();

/** The plugin for `rustc`, built once per test process into the tests' cache. */
export function pluginFor(rustc: string): Promise<RustcPlugin> {
  let pending = plugins.get(rustc);
  if (!pending) {
    pending = ensureRustcPlugin({ rustc, cacheDir: pluginCacheDir }).then((result) => {
      if (!result.ok) throw new Error(`plugin unavailable for ${rustc}: ${result.problem.message}\n${result.problem.details ?? ""}`);
      return result.plugin;
    });
    plugins.set(rustc, pending);
  }
  return pending;
}

/** C helpers to bitcode as local-lto compiles them (clang-22 -O2), for `target` (null: clang's default). */
export function compileHelperBitcode(source: string, output: string, target: string | null = "x86_64-unknown-linux-gnu", extra: string[] = []): string {
  run(clang, ["-c", "-emit-llvm", "-O2", `-I${exampleDir}`, ...(target ? [`--target=${target}`] : []), ...extra, source, "-o", output]);
  return output;
}

export interface HelperFacts {
  name: string;
  callsLeft: number;
  symbol: ReturnType<typeof symbolState>;
}

/** What the object itself shows per helper, read as src/report/objectFacts.ts reads it. */
export function helperFacts(object: string, names: readonly string[] = kernelHelpers): HelperFacts[] {
  const elf = readElf(new Uint8Array(readFileSync(object)));
  const calls = analyzeCallSites(elf, new Set(names)).calls;
  return names.map((name) => ({ name, callsLeft: calls.get(name)?.length ?? 0, symbol: symbolState(elf, name) }));
}

/** Every helper gone: no call left and no symbol of any kind. */
export function expectNoHelperLeft(facts: HelperFacts[]): void {
  const left = facts.filter((f) => f.callsLeft > 0 || f.symbol !== "absent");
  if (left.length) throw new Error(`helpers left: ${JSON.stringify(left)}`);
}

export function disassembleBitcode(bitcode: string): string {
  return run(join(llvmBin, "llvm-dis"), [bitcode, "-o", "-"]);
}

export function sectionNames(object: string): string[] {
  return readElf(new Uint8Array(readFileSync(object))).sections.map((s) => s.name);
}
