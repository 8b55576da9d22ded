import { LocalLtoError } from "../diagnostics/errors.js";
import { formatCommand, runTool } from "../process/run.js";
import { tail } from "./failure.js";
import type { RustCodegen } from "./rustc.js";
import { findExecutable } from "../toolchain/findExecutable.js";
import { parseGnuToolVersion, parseLlvmToolVersion, type Version } from "../toolchain/versions.js";
import { processMemo } from "../process/processMemo.js";

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

const identities = processMemo<string, Promise<CcIdentity>>();

/** Finds and identifies a C compiler once per process; a name that is not runnable is a clear error. */
export function identifyCCompiler(name: string, env: NodeJS.ProcessEnv = process.env): Promise<CcIdentity> {
  const path = findExecutable(name, env.PATH);
  if (!path) {
    return Promise.reject(
      new LocalLtoError({
        code: "LLTO_TOOL_MISSING",
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

export interface HelperObjectTarget {
  cc: CcIdentity;
  /** What rustc generates for the Rust side; undefined when unknown (a prebuilt Rust object). */
  rust?: RustCodegen;
}

const relocationFlag = /^-f(no-)?(pic|PIC|pie|PIE)$/;

/**
 * The C compiler's argv for one helper in static mode (pure). Flags follow the Rust side where
 * the user did not choose: the relocation model (a non-PIC helper in a PIC Rust object breaks
 * any shared-library link with "relocation R_X86_64_32 … recompile with -fPIC"; a PIC helper in
 * a kernel object brings GOT references the kernel cannot resolve), the code model, and
 * function/data sections, which rustc uses too, so `--gc-sections` can drop unused helpers.
 * clang is also given Rust's target, as in inline mode; gcc targets what it was built for.
 * Bitcode input keeps its own triple (clang warns when overriding it).
 */
export function helperObjectArgs(source: string, kind: "c-source" | "bitcode", output: string, target: HelperObjectTarget, userArgs: readonly string[]): string[] {
  const has = (test: (arg: string) => boolean) => userArgs.some(test);
  const args = ["-c"];
  if (!has((a) => /^-O([0-3sgz]|fast)?$/.test(a))) args.push("-O2");
  const triple = target.rust?.triple;
  if (target.cc.family === "clang" && kind === "c-source" && triple && !has((a) => a === "-target" || a.startsWith("--target") || a.startsWith("-target="))) {
    args.push(`--target=${triple}`);
  }
  if (target.rust && !has((a) => relocationFlag.test(a))) {
    args.push(target.rust.relocationModel === "pic" ? "-fPIC" : target.rust.relocationModel === "pie" ? "-fPIE" : "-fno-pic");
  }
  if (target.rust && target.rust.codeModel !== "small" && !has((a) => a.startsWith("-mcmodel="))) args.push(`-mcmodel=${target.rust.codeModel}`);
  if (!has((a) => /^-f(no-)?function-sections$/.test(a))) args.push("-ffunction-sections");
  if (!has((a) => /^-f(no-)?data-sections$/.test(a))) args.push("-fdata-sections");
  return [...args, ...userArgs, "-o", output, source];
}

/** Compiles one helper input (C source, or bitcode when the compiler is clang) to an ELF object. */
export async function compileHelperObject(source: string, kind: "c-source" | "bitcode", output: string, target: HelperObjectTarget, userArgs: readonly string[]): Promise<string> {
  if (kind === "bitcode" && target.cc.family !== "clang") {
    throw new LocalLtoError({
      code: "LLTO_MODE_INPUT",
      message: `${source} is LLVM bitcode, which ${target.cc.name} cannot compile`,
      fix: "pass the helper's C source, or a clang as --cc (clang reads bitcode of its own LLVM major or older)",
      file: source,
    });
  }
  const run = await runTool({ file: target.cc.path, args: helperObjectArgs(source, kind, output, target, userArgs) });
  if (run.spawnError) {
    throw new LocalLtoError({ code: "LLTO_TOOL_MISSING", message: `${target.cc.path} could not be started (${run.spawnError})`, fix: "pass --cc=<a runnable C compiler>" });
  }
  if (run.exitCode !== 0) {
    const tooNew = run.stderr.match(/\(Producer: '([^']*)' Reader: '([^']*)'\)/);
    throw new LocalLtoError({
      code: tooNew ? "LLTO_BITCODE_TOO_NEW" : "LLTO_CC_FAILED",
      message: tooNew ? `${target.cc.name} (${tooNew[2]}) cannot read ${source}, written by ${tooNew[1]}` : `${target.cc.name} could not compile ${source}`,
      fix: tooNew ? "pass a clang of that LLVM major or newer as --cc, or the helper's C source" : `fix the errors below (the flags given with --cc-arg, or with cc-args in local-lto.toml for the rustc mode, were passed unchanged; command: ${formatCommand(run.command)})`,
      file: source,
      details: tail(run.stderr, 60),
    });
  }
  return output;
}

/** What gcc itself would run for `prog` (`ld`, or a cross toolchain's full path). */
export async function gccProgram(cc: CcIdentity, prog: string): Promise<string | undefined> {
  const run = await runTool({ file: cc.path, args: [`-print-prog-name=${prog}`] });
  return run.exitCode === 0 ? run.stdout.trim() || undefined : undefined;
}
