import { describe, expect, it } from "vitest";
import { codegenValue, emitKinds, optLevel, parseRustcArgs } from "../../src/rustc/args.js";
import { helperSetArgs } from "../../src/rustc/helperSetArgs.js";
import { rustcOutputs } from "../../src/rustc/outputs.js";

/** Cargo 1.95's command line for a release rlib (as logged from a real build). */
const cargoLib = [
  "--crate-name", "ck_ring", "--edition=2021", "ck-ring/src/lib.rs", "--error-format=json", "--json=diagnostic-rendered-ansi,artifacts,future-incompat",
  "--crate-type", "lib", "--emit=dep-info,metadata,link", "-C", "opt-level=3", "-C", "embed-bitcode=no", "--check-cfg", "cfg(docsrs,test)",
  "--check-cfg", "cfg(feature, values())", "-C", "metadata=a4d34c7415e9987a", "-C", "extra-filename=-51b7a56e5ebf5d5a",
  "--out-dir", "/w/target/release/deps", "-C", "strip=debuginfo", "-L", "dependency=/w/target/release/deps",
  "--extern", "ck_sys=/w/target/release/deps/libck_sys-1.rlib", "-L", "native=/w/target/release/build/ck-sys-2/out",
];

describe("parseRustcArgs", () => {
  it("reads Cargo's command line", () => {
    const inv = parseRustcArgs(cargoLib);
    expect(inv.input).toBe("ck-ring/src/lib.rs");
    expect(inv.crateName).toBe("ck_ring");
    expect(inv.crateTypes).toEqual(["lib"]);
    expect(emitKinds(inv)).toEqual(["dep-info", "metadata", "link"]);
    expect(inv.outDir).toBe("/w/target/release/deps");
    expect(codegenValue(inv, "extra-filename")).toBe("-51b7a56e5ebf5d5a");
    expect(optLevel(inv)).toBe("3");
    expect(inv.errorFormat).toBe("json");
    expect(inv.json).toBe("diagnostic-rendered-ansi,artifacts,future-incompat");
    expect(inv.informational).toBe(false);
  });

  it("reads every spelling of options and values", () => {
    const inv = parseRustcArgs(["-Copt-level=2", "--codegen", "target-cpu=native", "--codegen=panic=abort", "-Zshare-generics", "-Z", "time-passes", "-obin/x.o", "--crate-type=lib,staticlib", "--emit", "obj=out/a.o", "--emit=dep-info=out/a.d", "--target=aarch64-unknown-linux-gnu", "main.rs"]);
    expect(inv.codegen).toEqual([["opt-level", "2"], ["target-cpu", "native"], ["panic", "abort"]]);
    expect(inv.unstable).toEqual([["share-generics", undefined], ["time-passes", undefined]]);
    expect(inv.output).toBe("bin/x.o");
    expect(inv.crateTypes).toEqual(["lib", "staticlib"]);
    expect(inv.emit).toEqual([{ kind: "obj", path: "out/a.o" }, { kind: "dep-info", path: "out/a.d" }]);
    expect(inv.target).toBe("aarch64-unknown-linux-gnu");
    expect(inv.input).toBe("main.rs");
  });

  it("does not take an option's value for the input", () => {
    for (const option of ["-L", "--extern", "--cfg", "--cap-lints", "-A", "--edition", "--remap-path-prefix", "--sysroot"]) {
      expect(parseRustcArgs([option, "value", "lib.rs"]).input, option).toBe("lib.rs");
    }
  });

  it("marks informational invocations", () => {
    for (const argv of [["-vV"], ["--version"], ["-", "--print=cfg", "--crate-name", "___"], ["-C", "help"], ["-Zhelp"], ["--explain", "E0308"], ["--help"]]) {
      const inv = parseRustcArgs(argv);
      expect(inv.informational || inv.print.length > 0, argv.join(" ")).toBe(true);
    }
    expect(parseRustcArgs(["-", "--print=cfg"]).input).toBe("-");
  });

  it("takes -O as opt-level 3 and the last -C opt-level", () => {
    expect(optLevel(parseRustcArgs(["-O", "x.rs"]))).toBe("3");
    expect(optLevel(parseRustcArgs(["-Copt-level=1", "-C", "opt-level=s", "x.rs"]))).toBe("s");
    expect(optLevel(parseRustcArgs(["x.rs"]))).toBe("0");
  });
});

describe("helperSetArgs", () => {
  it("keeps the target and the flags that change attributes, in one spelling", () => {
    const a = helperSetArgs(parseRustcArgs([...cargoLib, "-C", "target-cpu=x86-64-v3", "-Zfunction-sections=no", "--target", "x86_64-unknown-linux-gnu"]));
    expect(a).toEqual(["--target=x86_64-unknown-linux-gnu", "-Copt-level=3", "-Ctarget-cpu=x86-64-v3", "-Zfunction-sections=no"]);
    const b = helperSetArgs(parseRustcArgs(["--target=x86_64-unknown-linux-gnu", "-Copt-level=3", "-Ctarget-cpu=x86-64-v3", "-Z", "function-sections=no", "lib.rs", "-C", "metadata=1", "-C", "incremental=/x"]));
    expect(b).toEqual(a);
  });

  it("differs between crates only in what matters", () => {
    const other = cargoLib.map((a) => (a.startsWith("metadata=") ? "metadata=ffff" : a.startsWith("extra-filename=") ? "extra-filename=-ffff" : a === "ck_ring" ? "plain" : a));
    expect(helperSetArgs(parseRustcArgs(other))).toEqual(helperSetArgs(parseRustcArgs(cargoLib)));
    expect(helperSetArgs(parseRustcArgs([...cargoLib, "-C", "panic=abort"]))).not.toEqual(helperSetArgs(parseRustcArgs(cargoLib)));
  });
});

describe("rustcOutputs", () => {
  it("names Cargo's outputs", () => {
    const out = rustcOutputs(parseRustcArgs(cargoLib), ["lib"], "/w");
    expect(out.files.map((f) => [f.kind, f.path, f.proof])).toEqual([
      ["dep-info", "/w/target/release/deps/ck_ring-51b7a56e5ebf5d5a.d", undefined],
      ["metadata", "/w/target/release/deps/libck_ring-51b7a56e5ebf5d5a.rmeta", undefined],
      ["link:lib", "/w/target/release/deps/libck_ring-51b7a56e5ebf5d5a.rlib", "rlib"],
    ]);
    expect(out.depInfo).toBe("/w/target/release/deps/ck_ring-51b7a56e5ebf5d5a.d");
  });

  it("names a binary, a static library and a cdylib", () => {
    const inv = parseRustcArgs(["--crate-name", "app", "src/main.rs", "--emit=link", "--out-dir", "o", "-C", "extra-filename=-1"]);
    expect(rustcOutputs(inv, ["bin", "staticlib", "cdylib"], "/w").files.map((f) => [f.path, f.proof])).toEqual([
      ["/w/o/app-1", "linked"],
      ["/w/o/libapp-1.a", "staticlib"],
      ["/w/o/libapp-1.so", "linked"],
    ]);
  });

  it("follows explicit paths and -o as rustc does", () => {
    const make = parseRustcArgs(["--emit=obj=build/a.o,dep-info=build/.a.o.d", "--crate-type=lib", "src/a.rs"]);
    expect(rustcOutputs(make, ["lib"], "/k").files.map((f) => f.path)).toEqual(["/k/build/a.o", "/k/build/.a.o.d"]);
    const single = parseRustcArgs(["--emit=obj", "-o", "out/y.o", "--crate-type=lib", "y.rs"]);
    expect(rustcOutputs(single, ["lib"], "/k").files.map((f) => f.path)).toEqual(["/k/out/y.o"]);
    // Several kinds with -o: rustc adapts the extension per kind (and warns).
    const several = parseRustcArgs(["--emit=obj,dep-info", "-o", "out/y.o", "--crate-type=lib", "y.rs"]);
    expect(rustcOutputs(several, ["lib"], "/k").files.map((f) => f.path)).toEqual(["/k/out/y.o", "/k/out/y.d"]);
  });
});
