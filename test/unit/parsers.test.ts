import { describe, expect, test } from "vitest";
import { parseBitcodeProducerError, parseLlvmToolVersion, parseRustcVersion } from "../../src/toolchain/versions.js";
import { analyzeRustcArgs } from "../../src/tools/rustcArgs.js";
import { classifyInputHead } from "../../src/pipeline/compile/classifyInput.js";
import { checkTargetsMatch } from "../../src/pipeline/merge/checkTargets.js";
import { llcArguments } from "../../src/tools/llc.js";
import { helperCompileArgs } from "../../src/tools/clang.js";
import { filterBenignLinkWarnings } from "../../src/tools/llvmLink.js";
import { LocalLtoError } from "../../src/diagnostics/errors.js";

describe("version banners", () => {
  test("rustc -vV (recorded from rustc 1.95)", () => {
    const parsed = parseRustcVersion(
      "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\ncommit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860\ncommit-date: 2026-04-14\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n",
    );
    expect(parsed?.llvm?.major).toBe(22);
    expect(parsed?.host).toBe("x86_64-unknown-linux-gnu");
    expect(parsed?.release.minor).toBe(95);
  });
  test("rustc without an LLVM backend line", () => {
    expect(parseRustcVersion("rustc 1.95.0\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\n")?.llvm).toBeUndefined();
  });
  test.each([
    ["Debian clang version 22.1.8 (1~deb12u1)\nTarget: x86_64-pc-linux-gnu", 22],
    ["LLVM (http://llvm.org/):\n  LLVM version 14.0.6\n  Optimized build.", 14],
    ["Debian LLVM version 22.1.8\n  Optimized build.", 22],
    ["Debian LLD 22.1.8 (compatible with GNU linkers)", 22],
    ["Homebrew clang version 19.1.7", 19],
  ])("%s", (banner, major) => {
    expect(parseLlvmToolVersion(banner)?.major).toBe(major);
  });
  test("GNU ld is not an LLVM tool", () => {
    expect(parseLlvmToolVersion("GNU ld (GNU Binutils for Debian) 2.40")).toBeUndefined();
  });
  test("bitcode reader errors name producer and reader (recorded from llvm-link 14)", () => {
    const parsed = parseBitcodeProducerError("llvm-link: a.bc: error: Opaque pointers are only supported in -opaque-pointers mode (Producer: 'LLVM22.1.8' Reader: 'LLVM 14.0.6')");
    expect(parsed).toEqual({ producer: "LLVM22.1.8", producerMajor: 22, reader: "LLVM 14.0.6" });
  });
});

describe("rustc flags", () => {
  test("-O is opt-level 3; -C opt-level in its spellings; s/z codegen at 2", () => {
    expect(analyzeRustcArgs(["-O"]).codegenOptLevel).toBe("3");
    expect(analyzeRustcArgs([]).codegenOptLevel).toBe("0");
    expect(analyzeRustcArgs(["-Copt-level=1"]).codegenOptLevel).toBe("1");
    expect(analyzeRustcArgs(["-C", "opt-level=2"]).codegenOptLevel).toBe("2");
    expect(analyzeRustcArgs(["--codegen=opt-level=s"]).codegenOptLevel).toBe("2");
  });
  test("target, crate type and unstable codegen switches", () => {
    const facts = analyzeRustcArgs(["--target", "x86_64-unknown-none", "--crate-type=rlib", "-Zfunction-sections=no", "-Z", "trap-unreachable=no"]);
    expect(facts).toMatchObject({ target: "x86_64-unknown-none", crateTypeGiven: true, functionSections: false, trapUnreachable: false });
    expect(analyzeRustcArgs(["--target=aarch64-unknown-none"]).target).toBe("aarch64-unknown-none");
  });
  test.each([["--emit=obj"], ["-o"], ["-ofoo"], ["--out-dir=x"]])("%s is owned by local-lto", (flag) => {
    expect(() => analyzeRustcArgs([flag])).toThrow(LocalLtoError);
  });
});

describe("input classification", () => {
  const bc = new Uint8Array([0x42, 0x43, 0xc0, 0xde, 1, 2]);
  test("bitcode by content whatever the name; sources by extension", () => {
    expect(classifyInputHead("x.o", bc, "helpers")).toBe("bitcode");
    expect(classifyInputHead("x.rs", new TextEncoder().encode("fn"), "rust")).toBe("rust-source");
    expect(classifyInputHead("x.c", new TextEncoder().encode("int"), "helpers")).toBe("c-source");
  });
  test.each([
    ["empty.rs", new Uint8Array(), "LLTO_INPUT_EMPTY"],
    ["fake.bc", new TextEncoder().encode("text"), "LLTO_INPUT_CORRUPT"],
    ["x.c", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2]), "LLTO_INPUT_FOREIGN"],
    ["x.c", new TextEncoder().encode("!<arch>\n"), "LLTO_INPUT_FOREIGN"],
    ["x.txt", new TextEncoder().encode("hello"), "LLTO_INPUT_KIND"],
  ])("%s → %s", (name, head, code) => {
    try {
      classifyInputHead(name, head, "helpers");
      expect.unreachable();
    } catch (error) {
      expect((error as LocalLtoError).code).toBe(code);
    }
  });
});

describe("target compatibility", () => {
  const layout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128";
  const rust = { source: "a.rs", triple: "x86_64-unknown-linux-gnu", dataLayout: layout };
  test("vendor-only difference passes silently", () => {
    expect(checkTargetsMatch(rust, { source: "h.bc", triple: "x86_64-pc-linux-gnu", dataLayout: layout })).toEqual({ kind: "vendor-only" });
  });
  test("kernel-style OS difference is allowed with a note", () => {
    expect(checkTargetsMatch({ ...rust, triple: "x86_64-unknown-none-elf" }, { source: "h.bc", triple: "x86_64-pc-linux-gnu", dataLayout: layout }).kind).toBe("compatible");
  });
  test("another architecture or data layout fails", () => {
    expect(() => checkTargetsMatch(rust, { source: "h.bc", triple: "aarch64-unknown-linux-gnu" })).toThrow(/different architectures/);
    expect(() => checkTargetsMatch(rust, { source: "h.bc", triple: "x86_64-pc-linux-gnu", dataLayout: "e-m:e-p:32:32" })).toThrow(/data layout/);
  });
});

describe("argv construction", () => {
  test("llc follows rustc: PIC level, kernel code model, CPU, sections, traps", () => {
    expect(llcArguments({ triple: "x86_64-unknown-linux-gnu", picLevel: 2, targetCpu: "x86-64" }, { optLevel: "3", functionSections: true, trapUnreachable: true, llvmOptions: [] })).toEqual([
      "-O3", "-filetype=obj", "--disable-verify", "-mtriple=x86_64-unknown-linux-gnu", "-relocation-model=pic", "-mcpu=x86-64",
      "-function-sections", "-data-sections", "-trap-unreachable", "-no-trap-after-noreturn",
    ]);
    const kernel = llcArguments({ codeModel: 2, targetFeatures: "-sse,+soft-float" }, { optLevel: "2", functionSections: false, trapUnreachable: false, llvmOptions: [] });
    expect(kernel).toEqual(["-O2", "-filetype=obj", "--disable-verify", "-relocation-model=static", "-code-model=kernel", "-mattr=-sse,+soft-float"]);
  });
  test("clang gets Rust's target and -O2 unless the user chose", () => {
    expect(helperCompileArgs("h.c", "h.bc", "x86_64-unknown-linux-gnu", ["-DMODULE"])).toEqual(["-c", "-emit-llvm", "-O2", "--target=x86_64-unknown-linux-gnu", "-DMODULE", "-o", "h.bc", "h.c"]);
    expect(helperCompileArgs("h.c", "h.bc", "x86_64-unknown-linux-gnu", ["-Os", "--target=x86_64-pc-linux-gnu"])).toEqual(["-c", "-emit-llvm", "-Os", "--target=x86_64-pc-linux-gnu", "-o", "h.bc", "h.c"]);
  });
  test("only the known-benign llvm-link warning is filtered", () => {
    const stderr = "warning: Linking two modules of different target triples: 'h.bc' is 'x86_64-pc-linux-gnu' whereas 'llvm-link' is 'x86_64-unknown-linux-gnu'\n\nwarning: something else\n";
    expect(filterBenignLinkWarnings(stderr)).toBe("warning: something else");
  });
});

describe("rust-lld backend and the Rust function list", () => {
  test("llvm-nm output: functions only (t/T/w/W), names kept whole", async () => {
    const { parseDefinedFunctions } = await import("../../src/tools/llvmNm.js");
    const nm = "---------------- T rust_count_errors\n---------------- t _ZN4core3fmt5write17h0E\n---------------- D GLOBAL_DATA\n---------------- r .Lanon.1\n---------------- W weak_fn\n";
    expect(parseDefinedFunctions(nm)).toEqual(["rust_count_errors", "_ZN4core3fmt5write17h0E", "weak_fn"]);
  });
  test("rust-lld argv: one LTO run with our pipeline, rustc's trap settings, forced attributes after -mllvm", async () => {
    const { rustLldArguments } = await import("../../src/tools/rustLld.js");
    const args = rustLldArguments("m.bc", "o.o", { optLevel: "3", functionSections: true, trapUnreachable: true, llvmOptions: [] }, { noinlineList: "f.csv", forceAttributes: ["caller:null_pointer_is_valid"] });
    expect(args.slice(0, 3)).toEqual(["-flavor", "gnu", "-r"]);
    expect(args).toContain("--lto-CGO3");
    expect(args.find((a) => a.startsWith("--lto-newpm-passes="))).toMatch(/^--lto-newpm-passes=forceattrs,cgscc\(inline/);
    expect(args.join(" ")).toContain("-mllvm -trap-unreachable -mllvm -no-trap-after-noreturn");
    expect(args.join(" ")).toContain("-mllvm -force-attribute=caller:null_pointer_is_valid -mllvm -forceattrs-csv-path=f.csv");
    expect(args.slice(-3)).toEqual(["m.bc", "-o", "o.o"]);
  });
});
