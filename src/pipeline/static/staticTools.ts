import { LocalLtoError } from "../../diagnostics/errors.js";
import { findExecutable } from "../../toolchain/findExecutable.js";
import { probeVersion } from "../../toolchain/probeTool.js";
import type { Toolchain } from "../../toolchain/resolveToolchain.js";
import type { Version } from "../../toolchain/versions.js";
import { gccProgram, type CcIdentity } from "../../tools/cc.js";

export type BinutilsFlavor = "gnu" | "llvm" | "unknown";

export interface StaticTool {
  /** `ld`, `ld.lld`, `objcopy`, `llvm-objcopy`: for the report and messages. */
  executable: string;
  path: string;
  flavor: BinutilsFlavor;
  version?: Version;
}

export interface StaticTools {
  /** Runs `-r`: GNU ld or ld.lld. */
  linker: StaticTool;
  /** Makes the helpers' symbols local: GNU objcopy or llvm-objcopy. */
  objcopy: StaticTool;
}

/** GNU or LLVM, from a `--version` banner (pure). */
export function binutilsFlavor(banner: string | undefined): BinutilsFlavor {
  if (!banner) return "unknown";
  if (/\bLLD\b|LLVM|llvm-objcopy/.test(banner)) return "llvm";
  if (/\bGNU\b/.test(banner)) return "gnu";
  return "unknown";
}

async function describe(path: string, executable: string): Promise<StaticTool> {
  const version = await probeVersion(path);
  const name = path.split("/").pop() ?? executable;
  return { executable: name, path, flavor: binutilsFlavor(version?.text) !== "unknown" ? binutilsFlavor(version?.text) : /lld|llvm/.test(name) ? "llvm" : "unknown", version };
}

function firstFound(candidates: readonly (string | undefined)[], env: NodeJS.ProcessEnv): string | undefined {
  for (const candidate of candidates) {
    const path = candidate ? findExecutable(candidate, env.PATH) : undefined;
    if (path) return path;
  }
  return undefined;
}

/**
 * The linker and objcopy for static mode. They read and write ELF only, so any version works
 * (no LLVM major to match). The default follows the C compiler, as its own driver would link:
 * GNU ld and objcopy with gcc, ld.lld and llvm-objcopy with clang; each falls back to the other.
 */
export async function resolveStaticTools(cc: CcIdentity | undefined, toolchain: Toolchain, linkerOverride: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<StaticTools> {
  const lld = toolchain.tools.ldLld.path;
  const llvmObjcopy = toolchain.tools.llvmObjcopy.path;
  let linkerPath: string | undefined;
  if (linkerOverride) {
    linkerPath = findExecutable(linkerOverride, env.PATH);
    if (!linkerPath) {
      throw new LocalLtoError({ code: "LLTO_TOOL_MISSING", message: `the linker given by --linker (${linkerOverride}) is not an executable file`, fix: "correct --linker, or drop it to use the linker that goes with the C compiler" });
    }
  } else {
    const gnuFirst = cc?.family !== "clang";
    const gnu = [cc?.family === "gcc" ? await gccProgram(cc, "ld") : undefined, "ld"];
    const llvm = [lld, "ld.lld"];
    linkerPath = firstFound(gnuFirst ? [...gnu, ...llvm] : [...llvm, ...gnu], env);
  }
  if (!linkerPath) {
    throw new LocalLtoError({
      code: "LLTO_TOOL_MISSING",
      message: "static mode needs a linker for `ld -r`, and neither GNU ld nor ld.lld was found",
      fix: "install one (Debian: apt-get install binutils, or lld), or pass --linker=<path>",
    });
  }
  const linker = await describe(linkerPath, "ld");
  const gnuObjcopy = [linker.flavor !== "llvm" && cc?.family === "gcc" ? await gccProgram(cc, "objcopy") : undefined, "objcopy"];
  const llvmObjcopies = [llvmObjcopy, "llvm-objcopy"];
  const objcopyPath = firstFound(linker.flavor === "llvm" ? [...llvmObjcopies, ...gnuObjcopy] : [...gnuObjcopy, ...llvmObjcopies], env);
  if (!objcopyPath) {
    throw new LocalLtoError({
      code: "LLTO_TOOL_MISSING",
      message: "static mode needs objcopy to make helper symbols local, and neither GNU objcopy nor llvm-objcopy was found",
      fix: "install one (Debian: apt-get install binutils, or llvm)",
    });
  }
  return { linker, objcopy: await describe(objcopyPath, "objcopy") };
}
