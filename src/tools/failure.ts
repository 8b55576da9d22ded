import { LocalLtoError } from "../diagnostics/errors.js";
import { formatCommand, type ToolRun } from "../process/run.js";
import { parseBitcodeProducerError } from "../toolchain/versions.js";

export interface FailureContext {
  /** The tool's role, e.g. "llvm-link (merge)". */
  tool: string;
  /** User-supplied bitcode the tool read, to blame the input rather than local-lto. */
  userBitcode?: readonly string[];
  /** Debian package that provides a matching version of the tool. */
  matchingPackage?: string;
}

/** Last lines of a tool's stderr, enough to see the error without pages of notes. */
export function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).join("\n");
}

/** A helper's inline asm defines a global label, and the helper was inlined more than once. */
export function helperAsmLabelError(label: string, stderr: string): LocalLtoError {
  return new LocalLtoError({
    code: "LLTO_HELPER_ASM_LABEL",
    message: `a helper's inline assembly defines the global label ${label}, which is defined again every time the helper is inlined, and it is inlined more than once`,
    fix: "use a local label in the helper's asm (a numeric label `1:` referenced as `1b`/`1f`, or `%=` in the name, as C `static inline` functions must), or build with --mode static to keep the helper out of line",
    details: tail(stderr),
  });
}

/**
 * rustc's form of the same failure on the plugin path (`error: symbol 'L' is already defined`,
 * then `<inline asm>`), when the label is one the helpers' asm defines (`helperIrText`, their
 * disassembly): otherwise it is the crate's own asm, and rustc's error stands. Pure.
 */
export function helperAsmLabelInRustcError(stderr: string, helperIrText: string): string | undefined {
  const label = stderr.match(/error: symbol '([^']+)' is already defined/)?.[1];
  if (!label || !stderr.includes("<inline asm>")) return undefined;
  const asmTexts = [...helperIrText.matchAll(/\basm (?:sideeffect |alignstack |inteldialect |unwind )*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
  return asmTexts.some((text) => text.includes(`${label}:`)) ? label : undefined;
}

/**
 * Turns an unsuccessful LLVM tool run into one diagnostic. Reader errors on bitcode name their
 * producer, which tells a version mismatch (fixable by the user) from a corrupt file.
 */
export function llvmToolFailure(run: ToolRun, context: FailureContext): LocalLtoError {
  const command = formatCommand(run.command);
  if (run.spawnError) {
    return new LocalLtoError({
      code: "LLTO_TOOL_MISSING",
      message: `${context.tool} could not be started (${run.spawnError}): ${run.command.file}`,
      fix: "run `local-lto doctor` to see which tools were found",
    });
  }
  // Inline asm that defines a global label assembles once per copy: inlining a helper twice
  // defines the label twice. The helper's code, not LLVM, is the cause.
  const asmLabel = run.stderr.match(/<inline asm>:\d+:\d+:? (?:error: )?symbol '([^']+)' is already defined/);
  if (asmLabel) return helperAsmLabelError(asmLabel[1]!, run.stderr);
  const producer = parseBitcodeProducerError(run.stderr);
  if (producer) {
    return new LocalLtoError({
      code: "LLTO_BITCODE_TOO_NEW",
      message: `${context.tool} (${producer.reader}) cannot read bitcode written by ${producer.producer}`,
      fix: `use LLVM tools of major ${producer.producerMajor ?? "the producer's"} or newer${producer.producerMajor ? ` (Debian: apt-get install llvm-${producer.producerMajor})` : ""}, or rebuild the bitcode with the matching compiler`,
      details: tail(run.stderr),
    });
  }
  // LLVM's reader names the file only sometimes ("Unterminated VBR" does not): when the tool read
  // exactly one user-supplied file, that file is the culprit.
  const readUserFiles = (context.userBitcode ?? []).filter((file) => run.command.args.includes(file));
  const culprit = (context.userBitcode ?? []).find((file) => run.stderr.includes(file)) ?? (readUserFiles.length === 1 ? readUserFiles[0] : undefined);
  if (culprit && /Invalid|invalid|Unterminated|Malformed|file too small|Unknown|Corrupted|Never resolved|error: /.test(run.stderr)) {
    return new LocalLtoError({
      code: "LLTO_INPUT_CORRUPT",
      message: `${culprit} is not valid LLVM bitcode (${context.tool}: ${firstErrorLine(run.stderr)})`,
      fix: "rebuild it with rustc --emit=llvm-bc or clang -c -emit-llvm",
      file: culprit,
      details: tail(run.stderr),
    });
  }
  return new LocalLtoError({
    code: "LLTO_TOOL_FAILED",
    message: `${context.tool} failed (${run.signal ? `signal ${run.signal}` : `exit ${run.exitCode}`}): ${firstErrorLine(run.stderr) || "no message"}`,
    fix: `this is likely an LLVM bug or unsupported input; rerun with DEBUG=local-lto:* and report it with the command: ${command}`,
    details: tail(run.stderr),
  });
}

export function firstErrorLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? "";
}

/** Two helper inputs define the same symbol: reported alike whichever linker found it. */
export function duplicateHelperError(symbol: string, details: string): LocalLtoError {
  return new LocalLtoError({
    code: "LLTO_HELPER_DUPLICATE",
    message: `two helper inputs both define ${symbol}`,
    fix: "keep one definition (make the other static, or drop one of the inputs)",
    details,
  });
}
