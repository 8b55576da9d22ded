import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./proc.js";

/** The repository this bench belongs to (bench/dist/ → ../..). */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
export const benchDir = join(repoRoot, "bench");
/** What bin/local-lto starts (scripts/bundle.mjs). */
export const localLtoCli = join(repoRoot, "dist/bundle/main.mjs");

/** The compilers and tools every section uses; all found before any work starts. */
export interface BenchTools {
  node: string;
  rustc: string;
  /** rustc nightly for the hardened builds (`-Z` options); undefined when not installed. */
  rustcNightly?: string;
  llvmBin: string;
  clang: string;
  llvmLink: string;
  opt: string;
  llc: string;
  ldLld: string;
  llvmNm: string;
  objdump: string;
  valgrind?: string;
}

export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function llvmMajorOfRustc(rustc: string): Promise<number | undefined> {
  const result = await run(rustc, ["-vV"]);
  const match = result.stdout.match(/^LLVM version: (\d+)/m);
  return match ? Number(match[1]) : undefined;
}

export async function findTools(): Promise<BenchTools> {
  const rustc = process.env.LOCAL_LTO_RUSTC ?? which("rustc");
  if (!rustc) throw new Error("rustc not found: install Rust (see README set-up)");
  const major = await llvmMajorOfRustc(rustc);
  const llvmBin = process.env.LOCAL_LTO_LLVM_DIR ?? `/usr/lib/llvm-${major ?? 22}/bin`;
  const tool = (name: string) => {
    const path = join(llvmBin, name);
    if (!existsSync(path)) throw new Error(`${path} not found: run ./scripts/setup.sh (LLVM ${major} tools)`);
    return path;
  };
  let rustcNightly: string | undefined;
  const rustup = which("rustup");
  if (rustup) {
    const found = await run(rustup, ["which", "rustc", "--toolchain", "nightly"]);
    if (found.exitCode === 0 && existsSync(found.stdout.trim())) rustcNightly = found.stdout.trim();
  }
  return {
    node: process.execPath,
    rustc,
    rustcNightly,
    llvmBin,
    clang: tool("clang"),
    llvmLink: tool("llvm-link"),
    opt: tool("opt"),
    llc: tool("llc"),
    ldLld: tool("ld.lld"),
    llvmNm: tool("llvm-nm"),
    objdump: tool("llvm-objdump"),
    valgrind: which("valgrind"),
  };
}
