import { LocalLtoError } from "../diagnostics/errors.js";
import { classifyCodegenFlags, type CodegenFlagFacts, type RefusedFlag } from "./rustcCodegenFlags.js";
/** An LLVM codegen level. */
export type CodegenOptLevel = "0" | "1" | "2" | "3";

/** What local-lto needs to know from the user's rustc flags (pure). */
export interface RustcArgsFacts {
  /** The effective `-C opt-level` mapped to an LLVM codegen level (s/z → 2, like rustc). */
  codegenOptLevel: CodegenOptLevel;
  /** `--target` as given: a triple or a path to a JSON target spec. */
  target?: string;
  crateTypeGiven: boolean;
  /** `-Z function-sections=no` turns rustc's ELF default off. */
  functionSections: boolean;
  /** `-Z trap-unreachable=no` turns rustc's default off. */
  trapUnreachable: boolean;
  /** What else local-lto's code generation must do to write the object rustc would (rustcCodegenFlags.ts). */
  codegenFlags: CodegenFlagFacts;
  /** Flags inline mode's code generation cannot honour (rustcCodegenFlags.ts); refused there, fine in static mode. */
  refusedCodegenFlags: RefusedFlag[];
}

/**
 * Reads `-C key=value` in its spellings: `-Ckey=v`, `-C key=v`, `--codegen key=v`. The key comes
 * out with `-` for `_`: rustc accepts both (the kernel writes `-Zllvm_module_flag`).
 */
function* optionValues(args: readonly string[], short: "-C" | "-Z", long: string): Generator<[string, string]> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    let body: string | undefined;
    if ((arg === short || arg === long) && i + 1 < args.length) body = args[++i];
    else if (arg.startsWith(short) && arg.length > 2) body = arg.slice(2);
    else if (arg.startsWith(`${long}=`)) body = arg.slice(long.length + 1);
    if (body === undefined) continue;
    const eq = body.indexOf("=");
    const [key, value] = eq < 0 ? [body, ""] : [body.slice(0, eq), body.slice(eq + 1)];
    yield [key.replaceAll("_", "-"), value];
  }
}

const optLevels: Record<string, CodegenOptLevel> = { "0": "0", "1": "1", "2": "2", "3": "3", s: "2", z: "2" };

function isNo(value: string): boolean {
  return ["no", "n", "off", "false"].includes(value);
}

/**
 * Flags that choose rustc's outputs — local-lto owns those — or make rustc print something
 * instead of compiling (`--print cfg`, `-vV`, `--help`, `-C help`): local-lto needs its bitcode.
 */
const ownedFlags = [/^--emit(=|$)/, /^-o$/, /^-o./, /^--out-dir(=|$)/, /^--print(=|$)/, /^-vV$/, /^-V$/, /^--version$/, /^-h$/, /^--help$/, /^--explain(=|$)/, /^-[CZW]help$/, /^-[CZW]$/];

export function analyzeRustcArgs(args: readonly string[]): RustcArgsFacts {
  // rustup's proxy takes `+<toolchain>` as its first argument, for that one run: local-lto's own
  // questions (rustc -vV, its sysroot, the plugin's load check) would be answered by another rustc.
  if (args[0]?.startsWith("+")) {
    const toolchain = args[0].slice(1);
    throw new LocalLtoError({
      code: "LLTO_RUSTC_ARG_OWNED",
      message: `--rustc-arg=${args[0]} chooses rustup's toolchain for the compile alone, but local-lto asks rustc for its version, LLVM and sysroot too, and would build the helpers and the plugin for another rustc`,
      fix: `choose the toolchain for the whole build: RUSTUP_TOOLCHAIN=${toolchain} local-lto build …, or --rustc "$(rustup which --toolchain ${toolchain} rustc)"`,
    });
  }
  for (const [i, arg] of args.entries()) {
    // `-C help` as two words; `-C opt-level=3` is fine.
    if (/^-[CZW]$/.test(arg) && args[i + 1] !== "help") continue;
    if (ownedFlags.some((re) => re.test(arg))) {
      throw new LocalLtoError({
        code: "LLTO_RUSTC_ARG_OWNED",
        message: `--rustc-arg=${arg}${/^-[CZW]$/.test(arg) ? " help" : ""} conflicts with local-lto: ${/^--(emit|out-dir)|^-o/.test(arg) ? "it chooses rustc's output itself" : "it makes rustc print instead of compiling, and local-lto needs the crate compiled"}`,
        fix: /^--(emit|out-dir)|^-o/.test(arg) ? "drop that flag; use -o for the object and --emit-bc to keep the merged bitcode" : "drop that flag (run rustc itself for what it prints)",
      });
    }
  }
  // rustc: -O means opt-level=3 since Rust 1.86 (rust-lang/rust#135439); rustc rejects -O
  // together with -C opt-level, so their order does not matter.
  let codegenOptLevel: CodegenOptLevel = args.includes("-O") ? "3" : "0";
  for (const [key, value] of optionValues(args, "-C", "--codegen")) {
    if (key === "opt-level" && optLevels[value]) codegenOptLevel = optLevels[value]!;
  }
  let target: string | undefined;
  let crateTypeGiven = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--target" && i + 1 < args.length) target = args[++i];
    else if (arg.startsWith("--target=")) target = arg.slice("--target=".length);
    else if (arg === "--crate-type" || arg.startsWith("--crate-type=")) crateTypeGiven = true;
  }
  let functionSections = true;
  let trapUnreachable = true;
  const unstable = [...optionValues(args, "-Z", "-Z")];
  for (const [key, value] of unstable) {
    if (key === "function-sections") functionSections = !isNo(value);
    if (key === "trap-unreachable") trapUnreachable = !isNo(value);
  }
  const { facts: codegenFlags, refused: refusedCodegenFlags } = classifyCodegenFlags([...optionValues(args, "-C", "--codegen")], unstable);
  return { codegenOptLevel, target, crateTypeGiven, functionSections, trapUnreachable, codegenFlags, refusedCodegenFlags };
}

/**
 * The error for flags local-lto's own code generation cannot honour: inline mode only, since in
 * static mode rustc writes the object itself.
 */
export function unsupportedCodegenFlagsError(refused: readonly RefusedFlag[]): LocalLtoError {
  const first = refused[0]!;
  return new LocalLtoError({
    code: "LLTO_RUSTC_ARG_UNSUPPORTED",
    message: `--rustc-arg ${refused.map((r) => r.flag).join(", ")}: ${first.reason}, so inline mode would not write the object rustc would`,
    fix: "drop the flag, or use --mode static (rustc writes the object; helpers linked in and made local, not inlined)",
  });
}
