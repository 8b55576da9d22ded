import { LocalLtoError } from "../../diagnostics/errors.js";
import { runTool } from "../../process/run.js";
import { findExecutable } from "../../toolchain/findExecutable.js";
import { parseGnuToolVersion, parseLlvmToolVersion, type Version } from "../../toolchain/versions.js";

/** What kind of C compiler `--cc` names: it decides the flags, the linker, and whether inline mode can use it. */
export type CcFamily = "gcc" | "clang" | "unknown";

export interface CcIdentity {
  /** As the user wrote it (`gcc`, `clang-19`, `/opt/x/bin/cc`). */
  name: string;
  path: string;
  family: CcFamily;
  version?: Version;
  /** `-dumpmachine`: the triple the compiler targets by default (gcc cannot be told another one). */
  machine?: string;
}

/**
 * The family and version from `<cc> --version` (pure). clang says `clang version N` (vendors
 * prefix it); GCC's first line ends with its version and its banner names the FSF, whatever
 * the driver is called (`cc`, `x86_64-linux-gnu-gcc-12`). Apple clang numbers its releases
 * apart from LLVM's, so its major says nothing about the bitcode it writes.
 */
export function parseCcBanner(banner: string): { family: CcFamily; version?: Version } {
  const llvm = parseLlvmToolVersion(banner);
  if (llvm && /clang version/.test(llvm.text)) return { family: "clang", version: /Apple/.test(llvm.text) ? undefined : llvm };
  if (/Free Software Foundation|\(GCC\)/.test(banner)) return { family: "gcc", version: parseGnuToolVersion(banner) };
  return { family: "unknown" };
}

const identities = new Map<string, Promise<CcIdentity>>();

/** Finds and identifies a C compiler once per process; a name that is not runnable is a clear error. */
export function identifyCCompiler(name: string, env: NodeJS.ProcessEnv = process.env): Promise<CcIdentity> {
  const path = findExecutable(name, env.PATH);
  if (!path) {
    return Promise.reject(
      new LocalLtoError({
        code: "LLTO_TOOL_MISSING",
        exit: "toolMissing",
        message: `the C compiler ${name} was not found${name.includes("/") ? "" : " on PATH"}`,
        fix: name === "cc" ? "install a C compiler (Debian: apt-get install gcc), or pass --cc=<gcc or clang>" : "correct --cc, or install that compiler",
      }),
    );
  }
  let pending = identities.get(path);
  if (!pending) {
    pending = Promise.all([runTool({ file: path, args: ["--version"] }), runTool({ file: path, args: ["-dumpmachine"] })]).then(([version, machine]) => {
      if (version.exitCode !== 0 && machine.exitCode !== 0) {
        throw new LocalLtoError({
          code: "LLTO_TOOL_FAILED",
          exit: "toolFailed",
          message: `the C compiler ${path} answered neither --version nor -dumpmachine`,
          fix: "pass --cc=<path to gcc or clang>",
          details: version.stderr.trim() || version.spawnError || undefined,
        });
      }
      const parsed = parseCcBanner(version.stdout + version.stderr);
      const triple = machine.exitCode === 0 ? machine.stdout.trim() : undefined;
      return { name, path, ...parsed, ...(triple ? { machine: triple } : {}) };
    });
    identities.set(path, pending);
  }
  return pending;
}

/** The compiler in messages: `gcc 12`, `clang 19 (clang-19)`, `gcc 12 (cc)`, or its path. */
export function describeCc(cc: CcIdentity): string {
  if (cc.family === "unknown") return cc.path;
  const what = `${cc.family}${cc.version ? ` ${cc.version.major}` : ""}`;
  return cc.name === cc.family ? what : `${what} (${cc.name})`;
}
