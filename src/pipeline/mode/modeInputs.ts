import { open } from "node:fs/promises";
import { isLocalLtoError, LocalLtoError } from "../../diagnostics/errors.js";
import { classifyInput, unreadableInput } from "../compile/classifyInput.js";
import { resolveInputs, resolveInputsWith, type ResolvedInputs } from "../context.js";
import type { BuildMode, BuildOptions } from "../types.js";
import type { BuildInputKind } from "./inlineTools.js";

/** Static mode's inputs: as inline mode's, but prebuilt ELF objects are accepted too. */
export interface StaticInputs extends Omit<ResolvedInputs, "rustKind" | "helperKinds"> {
  rustKind: BuildInputKind;
  helperKinds: BuildInputKind[];
}


async function isElf(path: string): Promise<boolean> {
  try {
    const handle = await open(path, "r");
    try {
      const head = new Uint8Array(4);
      const { bytesRead } = await handle.read(head, 0, 4, 0);
      return bytesRead === 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadableInput(path, error);
  }
}

async function classifyStaticInput(path: string, role: "rust" | "helpers"): Promise<BuildInputKind> {
  return (await isElf(path)) ? "object" : classifyInput(path, role);
}

/** Checks static mode's inputs before any work: objects are linked as they are, everything else as in inline mode. */
export function resolveStaticInputs(options: BuildOptions): Promise<StaticInputs> {
  return resolveInputsWith(options, classifyStaticInput, "file.c|file.o|file.bc");
}

/**
 * Inputs for inline and auto mode: inline mode's checks, unchanged. An ELF object is refused there
 * (it has no IR); in auto mode the fix also names `--mode static`, which links objects as they are.
 * Auto mode does not switch to static mode for an object by itself: losing inlining because of a
 * stray `.o` in a build script is a choice the user should make explicitly.
 */
export async function resolveInlineInputs(options: BuildOptions, requested: BuildMode): Promise<ResolvedInputs> {
  try {
    return await resolveInputs(options);
  } catch (error) {
    if (requested === "auto" && isLocalLtoError(error) && error.code === "LLTO_INPUT_FOREIGN" && error.file && (await isElf(error.file).catch(() => false))) {
      throw new LocalLtoError({ code: error.code, exit: error.exit, message: error.message, fix: `${error.fix}; or build with --mode static, which links prebuilt objects (without inlining)`, file: error.file });
    }
    throw error;
  }
}
