import type { DiagnosticInit } from "../diagnostics/errors.js";
import type { Report } from "../report/schema.js";

/**
 * `--require-inlined`, decided from the report alone: it passes only when at least one helper was
 * checked and every one is `inlined`. A call left fails with LLTO_CALLS_LEFT (exit 10); otherwise
 * a helper not proven, or no helper at all, fails with LLTO_NOT_PROVEN / LLTO_NOTHING_CHECKED
 * (exit 12): the gate never passes over code it could not read, nor over nothing.
 */
export type GateVerdict =
  | { pass: true }
  | {
      pass: false;
      /** The diagnostic to raise: code, exit class, message naming the helpers, fix. */
      failure: DiagnosticInit;
      callsLeft: string[];
      notProven: string[];
    };

export function gateVerdict(report: Report): GateVerdict {
  const callsLeft = report.helpers.filter((h) => h.verdict === "calls-left");
  const notProven = report.helpers.filter((h) => h.verdict === "not-proven");
  const where = report.command === "build" ? "the object" : report.object;
  const written = report.command === "build" ? "; the object was not written" : "";
  const names = { callsLeft: callsLeft.map((h) => h.name), notProven: notProven.map((h) => h.name) };

  if (report.helpers.length === 0) {
    return {
      pass: false,
      ...names,
      failure: {
        code: "LLTO_NOTHING_CHECKED",
        message: `no helper was checked in ${report.command === "build" ? "the object (the helper selection matched no function the Rust code calls)" : report.object}: --require-inlined cannot pass over nothing${written}`,
        fix:
          report.command === "build"
            ? "check --helper-prefix against the helper names (bindgen --wrap-static-fns names them <name>__extern), or pass --all-helpers"
            : "name the helpers you expect inlined with --helper NAME (repeatable), or set --helper-prefix",
      },
    };
  }
  if (callsLeft.length > 0) {
    const left = callsLeft.map((h) => `${h.name} (${h.callsLeft})`).join(", ");
    const also = notProven.length ? `; not proven: ${names.notProven.join(", ")}` : "";
    return {
      pass: false,
      ...names,
      failure: {
        code: "LLTO_CALLS_LEFT",
        message: `${report.summary.callsLeft} helper call(s) left in ${where}: ${left}${also}${written}`,
        fix: report.command === "build" ? "see why with --explain, or drop --require-inlined to accept out-of-line calls" : "rebuild the object with the helpers inlined (local-lto build), or drop --require-inlined",
      },
    };
  }
  if (notProven.length > 0) {
    const detail = notProven.map((h) => `${h.name} (${h.notProven?.[0] ?? "not proven"})`).join("; ");
    return {
      pass: false,
      ...names,
      failure: {
        code: "LLTO_NOT_PROVEN",
        message: `${notProven.length} helper(s) not proven inlined in ${where}: ${detail}${written}`,
        fix: notProvenFix(report),
      },
    };
  }
  return { pass: true };
}

function notProvenFix(report: Report): string {
  const reasons = report.helpers.flatMap((h) => h.notProven ?? []).join("\n");
  if (/no call decoder/.test(reasons)) return "local-lto can prove inlining in x86-64 and aarch64 objects only: drop --require-inlined and check the object yourself (llvm-objdump -dr)";
  if (/stripped|local symbols/.test(reasons)) return "inspect the unstripped file (before strip, or without -Wl,-x / -s), or the .o files it was linked from";
  if (/code that no symbol names/.test(reasons)) {
    return "inspect the file as linked, before single symbols were removed (objcopy --strip-symbol, strip -N); if none were, code without a symbol is reached: see the report's notProven lines";
  }
  if (/address is used/.test(reasons)) return "the helper's address is taken (a function pointer): calls through it stay out of line; see the report's notProven lines";
  return "see the report's notProven lines; if the decoder is wrong about valid code, please report it with the object";
}

/** The diagnostic of a failing gate (for an error class that carries the report); a bug to ask of a passing one. */
export function gateFailure(report: Report): DiagnosticInit {
  const gate = gateVerdict(report);
  if (gate.pass) throw new Error("gateFailure: the report passes --require-inlined");
  return gate.failure;
}

/** `inspect` on an object whose machine has no call decoder (riscv64, ppc64le, s390x, ELF32 …). */
export function cannotProveArchitecture(object: string, architecture: string): DiagnosticInit {
  return {
    code: "LLTO_CANNOT_PROVE",
    message: `${object} is ${architecture} code: local-lto has call decoders for x86-64 and aarch64 only, so it cannot count the helper calls left in it`,
    fix: "check this object's calls yourself (llvm-objdump -dr), or inspect an x86-64 or aarch64 build of the same code",
    file: object,
  };
}
