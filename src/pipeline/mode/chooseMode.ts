import { LocalLtoError } from "../../diagnostics/errors.js";
import type { ToolId } from "../../toolchain/catalogue.js";
import type { FoundTool, Toolchain } from "../../toolchain/resolveToolchain.js";
import { describeCc, type CcIdentity } from "../../tools/cc.js";
import type { BuildMode } from "../types.js";
import { inlineModeTools, type BuildInputKind } from "./inlineTools.js";

export interface ModeChoiceInput {
  requested: BuildMode;
  rustKind: BuildInputKind;
  helperKinds: readonly BuildInputKind[];
  /** The compiler `--cc` named; undefined when the user did not name one. */
  cc?: CcIdentity;
  /** Resolved with `--cc` as the clang when `--cc` is a clang, so its verdict covers it. */
  toolchain: Toolchain;
  /** A flag only inline mode can satisfy (`--emit-bc`, `--require-inlined`), which makes auto insist on inline. */
  inlineOnlyFlag?: string;
  /** Tools the user pointed at by flag or environment variable: a path there that does not exist is a mistake to report, not a reason to fall back. */
  explicitTools?: ReadonlySet<ToolId>;
}

export type ModeChoice =
  | { mode: "inline"; reason: string }
  | {
      mode: "static";
      reason: string;
      /** Auto mode fell back: what stopped inline mode and how to enable it. */
      inlineUnavailable?: { problem: string; fix: string };
    };

/** Why inline mode cannot run, in one clause for the report's first line, and the full diagnostic. */
interface InlineBlocker {
  summary: string;
  error: LocalLtoError;
  /** A tool the user named explicitly is not there: auto mode reports it instead of falling back. */
  userMistake?: boolean;
}

function modeInputError(message: string, fix: string): LocalLtoError {
  return new LocalLtoError({ code: "LLTO_MODE_INPUT", message, fix });
}

function toolSummary(tool: FoundTool, toolchain: Toolchain): string {
  const major = toolchain.llvmMajor;
  if (tool.id === "rustc") return tool.verdict === "missing" ? "rustc not found" : "rustc has no LLVM backend";
  if (tool.verdict === "missing") return `${tool.executable}${major !== undefined ? ` for LLVM ${major}` : ""} not found`;
  const found = tool.version ? `${tool.executable} is LLVM ${tool.version.major}` : `${tool.executable} is of unknown version`;
  if (tool.id === "clang" && tool.version && major !== undefined && tool.version.major > major) return `clang ${tool.version.major} is newer than the LLVM ${major} tools`;
  return `${found}, rustc uses LLVM ${major ?? "?"}`;
}

function inlineBlocker(input: ModeChoiceInput): InlineBlocker | undefined {
  const { rustKind, helperKinds, cc, toolchain } = input;
  if (rustKind === "object") {
    return { summary: "the Rust input is an object (no IR to inline into)", error: modeInputError("inline mode needs Rust source or bitcode, and the Rust input is an object", "pass the Rust source, or use --mode static") };
  }
  if (helperKinds.includes("object")) {
    return { summary: "a helper input is an object (no IR to inline)", error: modeInputError("inline mode needs helper C source or bitcode, and a helper input is an object", "pass the helpers' C source, or use --mode static") };
  }
  if (cc && cc.family !== "clang" && helperKinds.includes("c-source")) {
    const major = toolchain.llvmMajor;
    return {
      summary: `--cc ${cc.name} is ${cc.family === "gcc" ? `GCC${cc.version ? ` ${cc.version.major}` : ""}` : describeCc(cc)}, which writes no LLVM bitcode`,
      error: new LocalLtoError({
        code: "LLTO_CC_NOT_CLANG",
        message: `inline mode compiles helpers to LLVM bitcode, and --cc ${cc.name} is ${cc.family === "gcc" ? "GCC" : "not clang"}`,
        fix: `pass --cc=clang${major !== undefined ? `-${major} (or any clang of LLVM ${major} or older)` : ""}, or use --mode static`,
      }),
    };
  }
  for (const id of inlineModeTools(rustKind, helperKinds)) {
    const tool = id === "rustc" ? toolchain.rustcTool : toolchain.tools[id];
    if (tool.problem) return { summary: toolSummary(tool, toolchain), error: tool.problem, userMistake: tool.givenByUser || (tool.verdict === "missing" && !!input.explicitTools?.has(id)) };
  }
  return undefined;
}

/** The one Debian command in a fix, short enough for the report's first line. */
function shortFix(fix: string): string | undefined {
  return fix.match(/apt-get install [\w.+-]+/)?.[0] ?? fix.match(/--cc=[\w.+-]+/)?.[0];
}

function inlineReason(input: ModeChoiceInput): string {
  const clang = input.toolchain.tools.clang;
  const usesClang = input.helperKinds.includes("c-source");
  const clangText = usesClang && clang.version ? `clang ${clang.version.major} and ` : "";
  return `${clangText}LLVM ${input.toolchain.llvmMajor ?? "?"} tools match rustc's LLVM`;
}

/**
 * Which pipeline runs (pure). `inline` and `static` are obeyed or refused with the reason; `auto`
 * prefers inline mode and falls back to static mode when inline mode cannot run, saying why and
 * what would enable it. Rust bitcode can only be built in inline mode; a flag only inline mode
 * can satisfy makes auto behave like `--mode inline` rather than fall back and fail later.
 */
export function chooseMode(input: ModeChoiceInput): ModeChoice {
  const blocker = inlineBlocker(input);
  if (input.requested === "inline") {
    if (blocker) throw blocker.error;
    return { mode: "inline", reason: "requested with --mode inline" };
  }
  if (input.requested === "static") {
    if (input.rustKind === "bitcode") {
      throw modeInputError("static mode compiles Rust with rustc --emit=obj, and the Rust input is bitcode", "pass the Rust source (or an object: llc -filetype=obj with rustc's LLVM), or use --mode inline");
    }
    if (input.inlineOnlyFlag === "--emit-bc") throw modeInputError("--emit-bc writes the merged bitcode of inline mode, and static mode merges no bitcode", "drop --emit-bc, or use --mode inline");
    return { mode: "static", reason: "requested with --mode static" };
  }
  if (!blocker) return { mode: "inline", reason: `auto: ${inlineReason(input)}` };
  if (blocker.userMistake) throw blocker.error;
  // Static mode compiles helper bitcode with --cc, which only a clang can do.
  const helperBitcodeWithoutClang = input.helperKinds.includes("bitcode") && input.cc?.family !== "clang";
  if (input.inlineOnlyFlag || input.rustKind === "bitcode" || helperBitcodeWithoutClang) {
    const why = input.inlineOnlyFlag
      ? `${input.inlineOnlyFlag} needs inline mode`
      : input.rustKind === "bitcode"
        ? "Rust bitcode can only be built in inline mode"
        : "helper bitcode needs inline mode, or a clang as --cc";
    throw new LocalLtoError({
      code: blocker.error.code,
      message: `${blocker.error.message} (${why}, so auto mode cannot fall back to static mode)`,
      fix: blocker.error.fix,
      details: blocker.error.details,
      file: blocker.error.file,
    });
  }
  const fix = shortFix(blocker.error.fix);
  return {
    mode: "static",
    reason: `auto: ${blocker.summary}${fix ? `; inline mode needs ${fix}` : ""}`,
    inlineUnavailable: { problem: blocker.error.message, fix: blocker.error.fix },
  };
}
