import { existsSync, readdirSync } from "node:fs";
import { LocalLtoError } from "../diagnostics/errors.js";
import { toolSpecs, type ToolId } from "./catalogue.js";
import { findExecutable } from "./findExecutable.js";
import { isLlvmBanner, probeRustc, probeVersion } from "./probeTool.js";
import { readCachedBanner, writeCachedBanner } from "./versionCache.js";
import { parseRustcVersion, type RustcVersion, type Version } from "./versions.js";
import { readRustcAnswer, writeRustcAnswer } from "./rustcAnswerCache.js";
import type { ProxyBypass } from "./rustupProxy.js";
import { runTool } from "../process/run.js";
import { sha256Hex } from "../files/contentHash.js";

/** Paths given by the user; a flag wins over an environment variable. */
export type ToolOverrides = Partial<Record<ToolId, string>> & {
  /** A directory holding an LLVM installation's tools (`/usr/lib/llvm-22/bin`). */
  llvmDir?: string;
};

export type ToolSource = "flag" | "environment" | "llvm-dir" | "versioned-dir" | "suffixed" | "path" | "rust-sysroot";

export interface FoundTool {
  id: ToolId;
  /** What we looked for, e.g. `llvm-link`. */
  executable: string;
  path?: string;
  source?: ToolSource;
  version?: Version;
  /** ok: usable; missing: not found; mismatch: found but its LLVM major cannot work with rustc's. */
  verdict: "ok" | "missing" | "mismatch";
  /** Why the verdict, and the fix when it is not ok. */
  problem?: LocalLtoError;
  /** Where we looked, for the missing-tool message. */
  searched: string[];
  /** The user named this tool's path (flag or environment variable): its problem is theirs to fix, never a reason to fall back. */
  givenByUser?: boolean;
}

export interface Toolchain {
  /**
   * `direct`: for rustup's proxy, how to start the toolchain's rustc without it, remembered from
   * an earlier build (src/toolchain/rustupProxy.ts; its `before` values still to be checked).
   */
  rustc?: { path: string; version: RustcVersion; source: ToolSource; sysroot?: string; direct?: ProxyBypass };
  /** The LLVM major every bitcode tool must speak: rustc's, else the newest installed. */
  llvmMajor?: number;
  tools: Record<Exclude<ToolId, "rustc">, FoundTool>;
  rustcTool: FoundTool;
}

function debianInstall(spec: (typeof toolSpecs)[ToolId], major: number | undefined): string {
  if (major === undefined) return `install LLVM tools matching rustc's LLVM`;
  const pkg = spec.debianPackage(major);
  return `install ${pkg} (Debian: apt-get install ${pkg})`;
}

/** Where versioned LLVM installations live: Debian/Ubuntu's `/usr/lib/llvm-N`; overridable for other layouts. */
function systemLlvmRoot(env: NodeJS.ProcessEnv): string {
  return env.LOCAL_LTO_SYSTEM_LLVM_ROOT ?? "/usr/lib";
}

/** Newest `/usr/lib/llvm-N` present: the fallback target major when rustc is unavailable. */
function newestInstalledLlvm(root: string): number | undefined {
  try {
    const majors = readdirSync(root)
      .map((name) => name.match(/^llvm-(\d+)$/)?.[1])
      .filter((m): m is string => !!m)
      .map(Number);
    return majors.length ? Math.max(...majors) : undefined;
  } catch {
    return undefined;
  }
}

interface Candidate {
  path: string;
  source: ToolSource;
  /** For a path the user gave: the flag or environment variable it came from (`--opt`, `RUSTC`). */
  givenBy?: string;
}

function candidatesFor(id: ToolId, overrides: ToolOverrides, major: number | undefined, env: NodeJS.ProcessEnv, rustToolsDir?: string): { explicit?: Candidate; usual: Candidate[]; searched: string[] } {
  const spec = toolSpecs[id];
  const fromFlag = overrides[id];
  const envVar = env[spec.envVar] !== undefined ? spec.envVar : id === "rustc" && env.RUSTC !== undefined ? "RUSTC" : undefined;
  const fromEnv = envVar ? env[envVar] : undefined;
  const explicit: Candidate | undefined = fromFlag ? { path: fromFlag, source: "flag", givenBy: spec.flag } : fromEnv ? { path: fromEnv, source: "environment", givenBy: envVar } : undefined;
  const usual: Candidate[] = [];
  const searched: string[] = [];
  const add = (nameOrPath: string, source: ToolSource) => {
    searched.push(nameOrPath);
    const path = findExecutable(nameOrPath, env.PATH);
    if (path && !usual.some((c) => c.path === path)) usual.push({ path, source });
  };
  if (id === "rustLld") {
    // Only rustc's own: its LLVM is rustc's exact LLVM, which no other copy guarantees.
    if (rustToolsDir) add(`${rustToolsDir}/rust-lld`, "rust-sysroot");
    return { explicit, usual, searched };
  }
  const llvmDir = overrides.llvmDir ?? env.LOCAL_LTO_LLVM_DIR;
  if (id !== "rustc") {
    if (llvmDir) add(`${llvmDir}/${spec.executable}`, "llvm-dir");
    if (major !== undefined) {
      add(`${systemLlvmRoot(env)}/llvm-${major}/bin/${spec.executable}`, "versioned-dir");
      add(`${spec.executable}-${major}`, "suffixed");
    }
  }
  add(spec.executable, "path");
  return { explicit, usual, searched };
}

function mismatchProblem(id: ToolId, found: Candidate, version: Version | undefined, major: number, rustcText: string, clangMajor?: number): LocalLtoError {
  const spec = toolSpecs[id];
  const what = version ? (isLlvmBanner(version) ? `LLVM ${version.major}` : `not an LLVM tool (${version.text})`) : "of unknown version";
  const writers = [rustcText, ...(clangMajor !== undefined && clangMajor > (version?.major ?? 0) ? [`clang-${clangMajor}`] : [])].join(" and ");
  const reason =
    id === "clang"
      ? `clang ${version?.major ?? "?"} is newer than LLVM ${major}: its bitcode cannot be read by the LLVM ${major} tools`
      : `${writers} write${writers.includes(" and ") ? "" : "s"} bitcode that ${spec.executable} ${version?.major ?? "?"} cannot read`;
  return new LocalLtoError({
    code: "LLTO_LLVM_MISMATCH",
    message: `${spec.executable} at ${found.path} is ${what}, but ${rustcText} uses LLVM ${major}: ${reason}`,
    fix: `${debianInstall(spec, major)}, or pass ${spec.flag}=<path to the LLVM ${major} ${spec.executable}> (or set ${spec.envVar})`,
  });
}

/**
 * Whether a tool of `version` can work with bitcode of LLVM `major`. The LLVM tools must be the
 * same major as rustc's LLVM (as the kernel requires: IR semantics change between majors, so
 * reading newer bitcode fails and mixing majors risks silent miscompiles). clang may be older:
 * LLVM reads bitcode of older majors, so clang-19 helpers link into LLVM 22 modules.
 */
function fits(id: ToolId, version: Version | undefined, major: number): boolean {
  if (!version || !isLlvmBanner(version)) return false;
  return id === "clang" ? version.major <= major : version.major === major;
}

async function resolveOne(id: Exclude<ToolId, "rustc">, overrides: ToolOverrides, major: number | undefined, rustcText: string, env: NodeJS.ProcessEnv, clangMajor?: number, rustToolsDir?: string): Promise<FoundTool> {
  const spec = toolSpecs[id];
  const { explicit, usual, searched } = candidatesFor(id, overrides, major, env, rustToolsDir);
  const base = { id, executable: spec.executable, searched };
  if (explicit) {
    const path = findExecutable(explicit.path, env.PATH);
    if (!path) {
      return {
        ...base,
        verdict: "missing",
        problem: new LocalLtoError({
          code: "LLTO_TOOL_MISSING",
          message: `${spec.executable} given by ${explicit.givenBy} (${explicit.path}) is not an executable file`,
          fix: `correct the path, or drop ${explicit.givenBy} to let local-lto search /usr/lib/llvm-N/bin and PATH`,
        }),
      };
    }
    const version = await probeVersion(path, spec.versionArgs, env);
    // A path the user gave must be the tool it claims: never misread another program's version,
    // and never let auto mode fall back past the user's own mistake.
    if (!isLlvmBanner(version)) {
      return {
        ...base,
        path,
        source: explicit.source,
        version,
        verdict: "missing",
        givenByUser: true,
        problem: new LocalLtoError({
          code: "LLTO_TOOL_NOT_WHAT_IT_CLAIMS",
          message: `${explicit.givenBy} names ${path}, which is not ${spec.executable}: ${version ? `its --version says "${version.text}"` : "it printed no LLVM version banner"}`,
          fix: `point ${explicit.givenBy} at an LLVM ${spec.executable}${major !== undefined ? ` of major ${major}` : ""} (e.g. /usr/lib/llvm-${major ?? "N"}/bin/${spec.executable}), or drop it to let local-lto search`,
        }),
      };
    }
    const ok = major === undefined ? isLlvmBanner(version) : fits(id, version, major);
    return {
      ...base,
      path,
      source: explicit.source,
      version,
      verdict: ok ? "ok" : "mismatch",
      problem: ok ? undefined : mismatchProblem(id, { path, source: explicit.source }, version, major ?? version?.major ?? 0, rustcText, clangMajor),
    };
  }
  // In order, stopping at the first fit: each probe is a process start, and on a usual machine
  // the first candidate (/usr/lib/llvm-N/bin) fits.
  const probed: (Candidate & { version?: Version })[] = [];
  let good: (typeof probed)[number] | undefined;
  for (const candidate of usual) {
    const entry = { ...candidate, version: await probeVersion(candidate.path, spec.versionArgs, env) };
    probed.push(entry);
    if (major === undefined ? isLlvmBanner(entry.version) : fits(id, entry.version, major)) {
      good = entry;
      break;
    }
  }
  if (good) return { ...base, path: good.path, source: good.source, version: good.version, verdict: "ok" };
  const seen = probed[0];
  if (seen && major !== undefined) {
    return { ...base, path: seen.path, source: seen.source, version: seen.version, verdict: "mismatch", problem: mismatchProblem(id, seen, seen.version, major, rustcText, clangMajor) };
  }
  return {
    ...base,
    verdict: "missing",
    problem: new LocalLtoError({
      code: "LLTO_TOOL_MISSING",
      message: `${spec.executable}${major !== undefined ? ` for LLVM ${major}` : ""} not found (looked for ${searched.join(", ")})`,
      fix: `${debianInstall(spec, major)}, or pass ${spec.flag}=<path> (or set ${spec.envVar})`,
    }),
  };
}

async function resolveRustc(overrides: ToolOverrides, env: NodeJS.ProcessEnv): Promise<{ tool: FoundTool; rustc?: Toolchain["rustc"] }> {
  const spec = toolSpecs.rustc;
  const { explicit, usual, searched } = candidatesFor("rustc", overrides, undefined, env);
  const candidate = explicit ? { ...explicit, path: findExecutable(explicit.path, env.PATH) } : usual[0];
  const base = { id: "rustc" as const, executable: "rustc", searched };
  if (!candidate?.path) {
    return {
      tool: {
        ...base,
        verdict: "missing",
        problem: new LocalLtoError({
          code: "LLTO_TOOL_MISSING",
          message: explicit ? `rustc given by ${explicit.givenBy} (${explicit.path}) is not an executable file` : "rustc not found on PATH",
          fix: explicit ? `correct ${explicit.givenBy}, or drop it to use the rustc on PATH` : `install Rust (https://rustup.rs), or pass ${spec.flag}=<path> (or set ${spec.envVar})`,
        }),
      },
    };
  }
  const cwd = process.cwd();
  const remembered = await readRustcAnswer(candidate.path, env, cwd);
  const version = remembered ? parseRustcVersion(remembered.versionText) : await probeRustc(candidate.path);
  const sysroot = remembered ? remembered.sysroot : version ? await rustcSysroot(candidate.path, version, env) : undefined;
  if (!remembered && version?.text && sysroot) await writeRustcAnswer(candidate.path, env, cwd, version.text, sysroot).catch(() => undefined);
  if (!version) {
    // Not a rustc at all (`RUSTC=/bin/true`): the user's path, named by the variable that gave it.
    return {
      tool: {
        ...base,
        path: candidate.path,
        source: candidate.source,
        verdict: "missing",
        givenByUser: !!explicit,
        problem: new LocalLtoError({
          code: explicit ? "LLTO_TOOL_NOT_WHAT_IT_CLAIMS" : "LLTO_TOOL_MISSING",
          message: `${explicit ? `${explicit.givenBy} names ${candidate.path}, which` : `${candidate.path}`} is not rustc: it did not answer rustc -vV`,
          fix: explicit ? `point ${explicit.givenBy} at rustc (e.g. $(rustup which rustc)), or drop it to use the rustc on PATH` : "install Rust (https://rustup.rs)",
        }),
      },
    };
  }
  if (!version.llvm) {
    return {
      tool: {
        ...base,
        path: candidate.path,
        source: candidate.source,
        verdict: "mismatch",
        problem: new LocalLtoError({
          code: "LLTO_RUSTC_NO_LLVM",
          message: `rustc at ${candidate.path} does not use an LLVM backend (no "LLVM version" in rustc -vV)`,
          fix: "use a rustc built with the LLVM backend (rustup's toolchains are), or --mode static",
        }),
      },
    };
  }
  return {
    tool: { ...base, path: candidate.path, source: candidate.source, version: version.llvm, verdict: "ok" },
    rustc: { path: candidate.path, version, source: candidate.source, sysroot, ...(remembered?.proxy ? { direct: remembered.proxy } : {}) },
  };
}

/**
 * Finds every tool once, in parallel, and gives each a verdict against rustc's LLVM major.
 * Never throws: callers decide which tools they need (see `requireTools`).
 */
export async function resolveToolchain(overrides: ToolOverrides = {}, env: NodeJS.ProcessEnv = process.env): Promise<Toolchain> {
  const { tool: rustcTool, rustc } = await resolveRustc(overrides, env);
  const llvmMajor = rustc?.version.llvm?.major ?? newestInstalledLlvm(systemLlvmRoot(env));
  const rustcText = rustc ? `rustc ${rustc.version.release.major}.${rustc.version.release.minor}` : "the target";
  // clang first: an LLVM tool's mismatch message names the clang whose bitcode it cannot read.
  const clang = await resolveOne("clang", overrides, llvmMajor, rustcText, env);
  const clangMajor = clang.verdict === "ok" ? clang.version?.major : undefined;
  const ids = ["llvmLink", "opt", "llc", "llvmDis", "llvmNm", "rustLld", "ldLld", "llvmObjcopy"] as const;
  // rustup's rustc component keeps rust-lld in <sysroot>/lib/rustlib/<host>/bin.
  const rustToolsDir = rustc?.sysroot ? `${rustc.sysroot}/lib/rustlib/${rustc.version.host}/bin` : undefined;
  const found = await Promise.all(ids.map((id) => resolveOne(id, overrides, llvmMajor, rustcText, env, clangMajor, rustToolsDir)));
  const tools = { clang, ...Object.fromEntries(ids.map((id, i) => [id, found[i]!])) } as Toolchain["tools"];
  return { rustc, rustcTool, llvmMajor, tools };
}

/**
 * `rustc --print sysroot`: where rustup keeps rust-lld and rustc's own LLVM. Remembered per rustc
 * path and `-vV` output (one compiler build), while the directory exists: a process start of its
 * own (about 100 ms of CPU) on every build otherwise.
 */
async function rustcSysroot(rustc: string, version: RustcVersion, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const question = version.text ? `--print sysroot for ${sha256Hex(version.text)}` : undefined;
  const cached = question ? await readCachedBanner(rustc, env, question) : undefined;
  if (cached && existsSync(cached)) return cached;
  const run = await runTool({ file: rustc, args: ["--print", "sysroot"] });
  const sysroot = run.exitCode === 0 && run.stdout.trim() ? run.stdout.trim() : undefined;
  if (sysroot && question) await writeCachedBanner(rustc, sysroot, env, question);
  return sysroot;
}

/** Throws the first problem among the tools a job needs, so a build fails before doing work. */
export function requireTools(toolchain: Toolchain, needed: readonly ToolId[]): void {
  for (const id of needed) {
    const tool = id === "rustc" ? toolchain.rustcTool : toolchain.tools[id];
    if (tool.problem) throw tool.problem;
  }
}

export function toolPath(toolchain: Toolchain, id: Exclude<ToolId, "rustc">): string {
  const path = toolchain.tools[id].path;
  if (!path || toolchain.tools[id].verdict !== "ok") throw toolchain.tools[id].problem ?? new Error(`internal: ${id} not resolved`);
  return path;
}

