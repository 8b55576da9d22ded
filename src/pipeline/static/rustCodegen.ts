import { parseModule } from "../../ir/index.js";
import { runTool } from "../../process/run.js";
import { moduleFlagNumber } from "../analyze/rustFacts.js";

export type RelocationModel = "static" | "pic" | "pie";

/** How rustc generates code for the user's flags: what the helper object must agree with to link. */
export interface RustCodegen {
  triple?: string;
  relocationModel: RelocationModel;
  /** LLVM's name (`small`, `kernel`, …); `small` when rustc leaves the target's default. */
  codeModel: string;
}

const codeModelNames = ["tiny", "small", "kernel", "medium", "large"];

/**
 * Reads the relocation and code model from rustc's LLVM IR text (pure). rustc writes the
 * `PIC Level` module flag for pic and pie, `PIE Level` for pie only, and `Code Model` only when
 * it is not the target's default small model (rustc_codegen_llvm's module setup, rustc 1.95).
 */
export function rustCodegenFromIr(irText: string): RustCodegen {
  const module = parseModule(irText);
  const pic = moduleFlagNumber(module, "PIC Level");
  const pie = moduleFlagNumber(module, "PIE Level");
  const codeModel = moduleFlagNumber(module, "Code Model");
  return {
    triple: module.triple,
    relocationModel: pie ? "pie" : pic ? "pic" : "static",
    codeModel: (codeModel !== undefined ? codeModelNames[codeModel] : undefined) ?? "small",
  };
}

/**
 * The user's rustc flags that can change code generation of an empty crate: the target, the
 * sysroot and search paths (a custom target's `core`), `-C` and `-Z` options. Lint levels, cfgs
 * and crate names are left out so the probe cannot fail where the real crate would not.
 */
export function codegenProbeArgs(userArgs: readonly string[]): string[] {
  const kept: string[] = [];
  const takesValue = new Set(["--target", "-C", "--codegen", "-Z", "--sysroot", "-L"]);
  for (let i = 0; i < userArgs.length; i++) {
    const arg = userArgs[i]!;
    if (takesValue.has(arg) && i + 1 < userArgs.length) {
      kept.push(arg, userArgs[++i]!);
    } else if (/^(--target=|--codegen=|--sysroot=|-C.|-Z.|-L.)/.test(arg)) {
      kept.push(arg);
    }
  }
  return kept;
}

/**
 * Asks rustc itself: compile an empty `no_std` crate with the user's codegen flags to IR and read
 * the module flags (about 75 ms). rustc has no stable `--print` for the relocation model, and the
 * defaults differ between targets (`x86_64-unknown-linux-gnu` is pic, kernel targets static).
 * Undefined when rustc cannot (a non-LLVM backend, a target without `core`): the caller says so.
 */
export async function probeRustCodegen(rustc: string, userArgs: readonly string[], cwd: string): Promise<RustCodegen | undefined> {
  const run = await runTool({
    file: rustc,
    args: [...codegenProbeArgs(userArgs), "--crate-type=lib", "--crate-name=local_lto_probe", "--emit=llvm-ir", "-o", "-", "-"],
    cwd,
    input: "#![no_std]\n",
  });
  if (run.exitCode !== 0) return undefined;
  try {
    return rustCodegenFromIr(run.stdout);
  } catch {
    return undefined;
  }
}
