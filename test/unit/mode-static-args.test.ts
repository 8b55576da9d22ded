import { describe, expect, test } from "vitest";
import { analyzeRustcArgs } from "../../src/tools/rustcArgs.js";
import { parseCcBanner, type CcIdentity } from "../../src/tools/cc.js";
import { helperObjectArgs } from "../../src/tools/cc.js";
import { rustcArguments } from "../../src/tools/rustc.js";
import { relocatableLinkArgs } from "../../src/tools/ld.js";
import { localizeArgs } from "../../src/tools/objcopy.js";
import { codegenProbeArgs, rustCodegenFromIr, type RustCodegen } from "../../src/tools/rustc.js";
import { binutilsFlavor } from "../../src/pipeline/static/staticTools.js";

/** `echo '#![no_std]' | rustc <flags> --crate-type=lib --emit=llvm-ir -o - -`, recorded from rustc 1.95. */
const probeHeader = `; ModuleID = 'local_lto_probe.a27fece09c467fff-cgu.0'
source_filename = "local_lto_probe.a27fece09c467fff-cgu.0"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"
`;
const recordedProbes: Record<string, string> = {
  default: `${probeHeader}
!llvm.module.flags = !{!0, !1}
!llvm.ident = !{!2}

!0 = !{i32 8, !"PIC Level", i32 2}
!1 = !{i32 2, !"RtLibUseGOT", i32 1}
!2 = !{!"rustc version 1.95.0 (59807616e 2026-04-14)"}
`,
  "-Crelocation-model=static -Ccode-model=kernel": `${probeHeader}
!llvm.module.flags = !{!0, !1}
!llvm.ident = !{!2}

!0 = !{i32 1, !"Code Model", i32 2}
!1 = !{i32 2, !"RtLibUseGOT", i32 1}
!2 = !{!"rustc version 1.95.0 (59807616e 2026-04-14)"}
`,
  "-Crelocation-model=pie": `${probeHeader}
!llvm.module.flags = !{!0, !1, !2}
!llvm.ident = !{!3}

!0 = !{i32 8, !"PIC Level", i32 2}
!1 = !{i32 7, !"PIE Level", i32 2}
!2 = !{i32 2, !"RtLibUseGOT", i32 1}
!3 = !{!"rustc version 1.95.0 (59807616e 2026-04-14)"}
`,
};

describe("rustc's codegen, read from the probe's IR", () => {
  test.each([
    ["default", { triple: "x86_64-unknown-linux-gnu", relocationModel: "pic", codeModel: "small" }],
    ["-Crelocation-model=static -Ccode-model=kernel", { triple: "x86_64-unknown-linux-gnu", relocationModel: "static", codeModel: "kernel" }],
    ["-Crelocation-model=pie", { triple: "x86_64-unknown-linux-gnu", relocationModel: "pie", codeModel: "small" }],
  ])("%s", (flags, expected) => {
    expect(rustCodegenFromIr(recordedProbes[flags]!)).toEqual(expected);
  });

  test("the probe keeps only flags that change codegen", () => {
    expect(codegenProbeArgs(["-O", "--edition=2021", "-D", "warnings", "--target", "x86_64-unknown-none", "-C", "relocation-model=static", "-Ccode-model=kernel", "-Zfunction-sections=no", "--sysroot=/s", "-L", "dependency=/d", "--cfg", "feature=\"x\""])).toEqual([
      "--target",
      "x86_64-unknown-none",
      "-C",
      "relocation-model=static",
      "-Ccode-model=kernel",
      "-Zfunction-sections=no",
      "--sysroot=/s",
      "-L",
      "dependency=/d",
    ]);
  });
});

describe("C compiler banners", () => {
  test.each([
    ["gcc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.\n", "gcc", 12],
    ["cc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.\n", "gcc", 12],
    ["gcc (GCC) 13.2.1 20231011 (Red Hat 13.2.1-4)\n", "gcc", 13],
    ["Debian clang version 19.1.7 (3~deb12u1)\nTarget: x86_64-pc-linux-gnu\nThread model: posix\n", "clang", 19],
    ["clang version 22.1.8\nTarget: x86_64-unknown-linux-gnu\n", "clang", 22],
  ])("%s", (banner, family, major) => {
    const parsed = parseCcBanner(banner);
    expect(parsed.family).toBe(family);
    expect(parsed.version?.major).toBe(major);
  });

  test("Apple clang's own release numbers say nothing about its LLVM major", () => {
    expect(parseCcBanner("Apple clang version 15.0.0 (clang-1500.3.9.4)\nTarget: arm64-apple-darwin23.4.0\n")).toEqual({ family: "clang", version: undefined });
  });

  test("another compiler", () => {
    expect(parseCcBanner("tcc version 0.9.27 (x86_64 Linux)\n").family).toBe("unknown");
  });

  test.each([
    ["GNU ld (GNU Binutils for Debian) 2.40", "gnu"],
    ["Debian LLD 22.1.8 (compatible with GNU linkers)", "llvm"],
    ["GNU objcopy (GNU Binutils for Debian) 2.40", "gnu"],
    ["Debian LLVM version 22.1.8", "llvm"],
    [undefined, "unknown"],
  ])("binutils flavor of %s", (banner, flavor) => {
    expect(binutilsFlavor(banner)).toBe(flavor);
  });
});

describe("argv", () => {
  const gcc: CcIdentity = { name: "gcc", path: "/usr/bin/gcc", family: "gcc" };
  const clang: CcIdentity = { name: "clang-19", path: "/usr/bin/clang-19", family: "clang" };
  const pic: RustCodegen = { triple: "x86_64-unknown-linux-gnu", relocationModel: "pic", codeModel: "small" };
  const kernel: RustCodegen = { triple: "x86_64-unknown-linux-gnu", relocationModel: "static", codeModel: "kernel" };

  test("gcc, for rustc's default PIC output", () => {
    expect(helperObjectArgs("h.c", "c-source", "h.o", { cc: gcc, rust: pic }, [])).toEqual(["-c", "-O2", "-fPIC", "-ffunction-sections", "-fdata-sections", "-o", "h.o", "h.c"]);
  });

  test("gcc, for a static kernel-code-model Rust object", () => {
    expect(helperObjectArgs("h.c", "c-source", "h.o", { cc: gcc, rust: kernel }, ["-DMODULE"])).toEqual(["-c", "-O2", "-fno-pic", "-mcmodel=kernel", "-ffunction-sections", "-fdata-sections", "-DMODULE", "-o", "h.o", "h.c"]);
  });

  test("clang also gets Rust's target; a pie Rust object gets -fPIE", () => {
    expect(helperObjectArgs("h.c", "c-source", "h.o", { cc: clang, rust: { ...pic, relocationModel: "pie" } }, [])).toEqual([
      "-c",
      "-O2",
      "--target=x86_64-unknown-linux-gnu",
      "-fPIE",
      "-ffunction-sections",
      "-fdata-sections",
      "-o",
      "h.o",
      "h.c",
    ]);
  });

  test("the user's choices win, and bitcode keeps its own triple", () => {
    expect(helperObjectArgs("h.bc", "bitcode", "h.o", { cc: clang, rust: kernel }, ["-O1", "-fpie", "-mcmodel=small", "-fno-function-sections", "-fno-data-sections"])).toEqual([
      "-c",
      "-O1",
      "-fpie",
      "-mcmodel=small",
      "-fno-function-sections",
      "-fno-data-sections",
      "-o",
      "h.o",
      "h.bc",
    ]);
  });

  test("unknown Rust codegen (a prebuilt Rust object): the compiler's defaults", () => {
    expect(helperObjectArgs("h.c", "c-source", "h.o", { cc: gcc }, [])).toEqual(["-c", "-O2", "-ffunction-sections", "-fdata-sections", "-o", "h.o", "h.c"]);
  });

  test("rustc, ld -r, objcopy", () => {
    expect(rustcArguments("lib.rs", "rust.o", "obj", ["-O"], analyzeRustcArgs(["-O"]))).toEqual(["-O", "--crate-type=lib", "--emit=obj", "-o", "rust.o", "lib.rs"]);
    expect(rustcArguments("lib.rs", "rust.o", "obj", ["--crate-type=staticlib"], analyzeRustcArgs(["--crate-type=staticlib"]))).toEqual(["--crate-type=staticlib", "--emit=obj", "-o", "rust.o", "lib.rs"]);
    expect(relocatableLinkArgs("out.o", "rust.o", ["a.o", "b.o"])).toEqual(["-r", "-d", "-o", "out.o", "rust.o", "a.o", "b.o"]);
    expect(localizeArgs("list.txt", "in.o", "out.o")).toEqual(["--localize-symbols=list.txt", "--remove-section=.llvm_addrsig", "in.o", "out.o"]);
  });
});
