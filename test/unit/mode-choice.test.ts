import { describe, expect, test } from "vitest";
import { LocalLtoError } from "../../src/diagnostics/errors.js";
import { chooseMode, type ModeChoiceInput } from "../../src/pipeline/mode/chooseMode.js";
import type { CcIdentity } from "../../src/tools/cc.js";
import type { ToolId } from "../../src/toolchain/catalogue.js";
import type { FoundTool, Toolchain } from "../../src/toolchain/resolveToolchain.js";
import type { Version } from "../../src/toolchain/versions.js";

const v = (major: number, text = `LLVM version ${major}.1.0`): Version => ({ major, minor: 1, patch: 0, text });

function tool(id: ToolId, executable: string, major: number, extra: Partial<FoundTool> = {}): FoundTool {
  return { id, executable, path: `/usr/lib/llvm-${major}/bin/${executable}`, version: v(major), verdict: "ok", searched: [], ...extra };
}

/** A toolchain as resolveToolchain reports it for rustc 1.95 (LLVM 22), with some tools replaced. */
function toolchain(replace: Partial<Record<Exclude<ToolId, "rustc">, FoundTool>> = {}): Toolchain {
  return {
    rustc: { path: "/usr/bin/rustc", source: "path", version: { release: v(1, "rustc 1.95.0"), host: "x86_64-unknown-linux-gnu", llvm: v(22) } },
    llvmMajor: 22,
    rustcTool: { id: "rustc", executable: "rustc", path: "/usr/bin/rustc", verdict: "ok", searched: [] },
    tools: {
      clang: tool("clang", "clang", 22, { version: v(22, "Debian clang version 22.1.8") }),
      llvmLink: tool("llvmLink", "llvm-link", 22),
      opt: tool("opt", "opt", 22),
      llc: tool("llc", "llc", 22),
      llvmDis: tool("llvmDis", "llvm-dis", 22),
      llvmNm: tool("llvmNm", "llvm-nm", 22),
      rustLld: tool("rustLld", "rust-lld", 22),
      ldLld: tool("ldLld", "ld.lld", 22),
      llvmObjcopy: tool("llvmObjcopy", "llvm-objcopy", 22),
      ...replace,
    },
  };
}

/** What resolveToolchain says about `--llvm-link=/usr/lib/llvm-14/bin/llvm-link`. */
const llvmLink14 = tool("llvmLink", "llvm-link", 14, {
  verdict: "mismatch",
  problem: new LocalLtoError({
    code: "LLTO_LLVM_MISMATCH",
    message: "llvm-link at /usr/lib/llvm-14/bin/llvm-link is LLVM 14, but rustc 1.95 uses LLVM 22: rustc 1.95 and clang-22 write bitcode that llvm-link 14 cannot read",
    fix: "install llvm-22 (Debian: apt-get install llvm-22), or pass --llvm-link=<path to the LLVM 22 llvm-link> (or set LOCAL_LTO_LLVM_LINK)",
  }),
});

const missingLlvmLink = tool("llvmLink", "llvm-link", 22, {
  path: undefined,
  version: undefined,
  verdict: "missing",
  problem: new LocalLtoError({ code: "LLTO_TOOL_MISSING", message: "llvm-link given by --llvm-link (/nonexistent/llvm-link) is not an executable file", fix: "correct the path" }),
});

const gcc: CcIdentity = { name: "gcc", path: "/usr/bin/gcc", family: "gcc", version: v(12, "gcc (Debian 12.2.0-14+deb12u1) 12.2.0"), machine: "x86_64-linux-gnu" };
const clang19: CcIdentity = { name: "clang-19", path: "/usr/bin/clang-19", family: "clang", version: v(19, "Debian clang version 19.1.7") };

function input(overrides: Partial<ModeChoiceInput> = {}): ModeChoiceInput {
  return { requested: "auto", rustKind: "rust-source", helperKinds: ["c-source"], toolchain: toolchain(), ...overrides };
}

function thrown(run: () => unknown): LocalLtoError {
  try {
    run();
  } catch (error) {
    if (error instanceof LocalLtoError) return error;
    throw error;
  }
  throw new Error("expected a LocalLtoError");
}

describe("auto mode", () => {
  test("picks inline mode when rustc's LLVM tools and a clang that fits are there", () => {
    const choice = chooseMode(input());
    expect(choice).toEqual({ mode: "inline", reason: "auto: clang 22 and LLVM 22 tools match rustc's LLVM" });
  });

  test("an older clang (19) still inlines: LLVM 22 reads its bitcode", () => {
    const choice = chooseMode(input({ cc: clang19, toolchain: toolchain({ clang: tool("clang", "clang", 19, { version: v(19, "Debian clang version 19.1.7") }) }) }));
    expect(choice.mode).toBe("inline");
    expect(choice.reason).toContain("clang 19");
  });

  test("LLVM tools older than rustc's: static mode, with why and the command that enables inline mode", () => {
    const choice = chooseMode(input({ toolchain: toolchain({ llvmLink: llvmLink14 }) }));
    expect(choice.mode).toBe("static");
    expect(choice.reason).toBe("auto: llvm-link is LLVM 14, rustc uses LLVM 22; inline mode needs apt-get install llvm-22");
    expect(choice.mode === "static" && choice.inlineUnavailable).toEqual({ problem: llvmLink14.problem!.message, fix: llvmLink14.problem!.fix });
  });

  test("--cc gcc: static mode, and the clang to pass instead", () => {
    const choice = chooseMode(input({ cc: gcc }));
    expect(choice).toMatchObject({ mode: "static", reason: "auto: --cc gcc is GCC 12, which writes no LLVM bitcode; inline mode needs --cc=clang-22" });
  });

  test("--cc gcc does not matter when no helper is C source", () => {
    expect(chooseMode(input({ cc: gcc, helperKinds: ["bitcode"] })).mode).toBe("inline");
  });

  test("a clang newer than the LLVM tools: static mode", () => {
    const clang23 = tool("clang", "clang", 23, { verdict: "mismatch", version: v(23, "clang version 23.0.0"), problem: new LocalLtoError({ code: "LLTO_LLVM_MISMATCH", message: "clang 23", fix: "install clang-22 (Debian: apt-get install clang-22)" }) });
    expect(chooseMode(input({ toolchain: toolchain({ clang: clang23 }) })).reason).toBe("auto: clang 23 is newer than the LLVM 22 tools; inline mode needs apt-get install clang-22");
  });

  test("a tool path the user gave that does not exist is reported, not worked around", () => {
    const error = thrown(() => chooseMode(input({ toolchain: toolchain({ llvmLink: missingLlvmLink }), explicitTools: new Set<ToolId>(["llvmLink"]) })));
    expect(error.code).toBe("LLTO_TOOL_MISSING");
    // Not found by the search (nothing given): fall back.
    expect(chooseMode(input({ toolchain: toolchain({ llvmLink: missingLlvmLink }) })).mode).toBe("static");
  });

  test.each([
    ["--require-inlined", { inlineOnlyFlag: "--require-inlined" }],
    ["--emit-bc", { inlineOnlyFlag: "--emit-bc" }],
    ["Rust bitcode", { rustKind: "bitcode" as const }],
    ["helper bitcode without a clang --cc", { helperKinds: ["bitcode" as const] }],
  ])("%s: no fallback, the doctor's error", (_, extra) => {
    const error = thrown(() => chooseMode(input({ toolchain: toolchain({ llvmLink: llvmLink14 }), ...extra })));
    expect(error.code).toBe("LLTO_LLVM_MISMATCH");
    expect(error.exitCode).toBe(6);
    expect(error.message).toContain("auto mode cannot fall back to static mode");
    expect(error.fix).toContain("apt-get install llvm-22");
  });

  test("helper bitcode with a clang --cc can fall back: static mode compiles it with that clang", () => {
    expect(chooseMode(input({ cc: clang19, helperKinds: ["bitcode"], toolchain: toolchain({ llvmLink: llvmLink14 }) })).mode).toBe("static");
  });

  test("an object among the helpers: only static mode can link it", () => {
    expect(chooseMode(input({ helperKinds: ["c-source", "object"] })).reason).toBe("auto: a helper input is an object (no IR to inline)");
  });
});

describe("explicit modes", () => {
  test("--mode inline with old LLVM tools throws the doctor's error (exit 6) instead of falling back", () => {
    const error = thrown(() => chooseMode(input({ requested: "inline", toolchain: toolchain({ llvmLink: llvmLink14 }) })));
    expect(error).toBe(llvmLink14.problem);
    expect(error.exitCode).toBe(6);
  });

  test("--mode inline --cc gcc", () => {
    const error = thrown(() => chooseMode(input({ requested: "inline", cc: gcc })));
    expect(error.code).toBe("LLTO_CC_NOT_CLANG");
    expect(error.exitCode).toBe(6);
    expect(error.fix).toContain("--cc=clang-22");
  });

  test("--mode inline with an object input", () => {
    expect(thrown(() => chooseMode(input({ requested: "inline", rustKind: "object" }))).code).toBe("LLTO_MODE_INPUT");
  });

  test("--mode static runs even when inline mode could", () => {
    expect(chooseMode(input({ requested: "static" }))).toEqual({ mode: "static", reason: "requested with --mode static" });
  });

  test("--mode static refuses Rust bitcode and --emit-bc (exit 2)", () => {
    expect(thrown(() => chooseMode(input({ requested: "static", rustKind: "bitcode" }))).exitCode).toBe(2);
    expect(thrown(() => chooseMode(input({ requested: "static", inlineOnlyFlag: "--emit-bc" }))).code).toBe("LLTO_MODE_INPUT");
  });

  test("--mode static with --require-inlined is left to the report (exit 10 when a call is left)", () => {
    expect(chooseMode(input({ requested: "static", inlineOnlyFlag: "--require-inlined" })).mode).toBe("static");
  });
});
