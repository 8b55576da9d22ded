/** Pure parts of the plugin path: record and error parsers, flags, the rustc command line. */
import { describe, expect, test } from "vitest";
import { pluginRustcCommand } from "../../src/tools/plugin/compileWithHelpers.js";
import { bootstrapNeutralArgs, userBootstraps } from "../../src/tools/plugin/bootstrapMangling.js";
import { parsePluginFailure, parsePluginRecord } from "../../src/tools/plugin/pluginRecord.js";
import { pluginBuildKey, pluginCompileArgs, rustcNeedsBootstrap, type RustcPlugin } from "../../src/tools/plugin/rustcPlugin.js";
import { parseRustcVersion } from "../../src/toolchain/versions.js";

const stableVV = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\ncommit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860\ncommit-date: 2026-04-14\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n";
const nightlyVV = "rustc 1.97.0-nightly (e50aa6fba 2026-05-19)\nbinary: rustc\ncommit-hash: e50aa6fba4e63ab34c72bf9acfd2c307c1155d1a\ncommit-date: 2026-05-19\nhost: x86_64-unknown-linux-gnu\nrelease: 1.97.0-nightly\nLLVM version: 22.1.4\n";

describe("the plugin's record", () => {
  test("one module per line, helpers as written", () => {
    const text = '{"module":"units.1a2b-cgu.0","helpers":["rust_helper_a","rust_helper_b"]}\n{"module":"units.1a2b-cgu.3","helpers":["rust_helper_\\"q"]}\n';
    expect(parsePluginRecord(text)).toEqual([
      { module: "units.1a2b-cgu.0", helpers: ["rust_helper_a", "rust_helper_b"] },
      { module: "units.1a2b-cgu.3", helpers: ['rust_helper_"q'] },
    ]);
  });

  test("empty: no unit linked a helper", () => {
    expect(parsePluginRecord("")).toEqual([]);
  });

  test("a torn or foreign line is a bug, reported with its line number", () => {
    expect(() => parsePluginRecord('{"module":"a","helpers":[]}\n{"module":"b","hel')).toThrow(/line 2 is not JSON/);
    expect(() => parsePluginRecord('{"module":3,"helpers":[]}')).toThrow(/line 1 is not \{"module"/);
  });
});

describe("the plugin's fatal errors in rustc's stderr", () => {
  test("as rustc 1.95 and 1.97 print them", () => {
    const stderr = "rustc-LLVM ERROR: local-lto plugin: cannot read the helper bitcode /x/helpers.bc: No such file or directory\n";
    expect(parsePluginFailure(stderr)).toBe("cannot read the helper bitcode /x/helpers.bc: No such file or directory");
  });
  test("LLVM's default handler, and other LLVM errors that are not ours", () => {
    expect(parsePluginFailure("LLVM ERROR: local-lto plugin: boom\n")).toBe("boom");
    expect(parsePluginFailure("rustc-LLVM ERROR: Cannot select: intrinsic\n")).toBeUndefined();
    expect(parsePluginFailure("error: could not compile\n")).toBeUndefined();
  });
});

describe("building and loading", () => {
  test("stable and beta need RUSTC_BOOTSTRAP=1 for -Z; nightly does not", () => {
    expect(rustcNeedsBootstrap(parseRustcVersion(stableVV)!)).toBe(true);
    expect(rustcNeedsBootstrap(parseRustcVersion(nightlyVV)!)).toBe(false);
    expect(rustcNeedsBootstrap(parseRustcVersion(stableVV.replace("release: 1.95.0", "release: 1.96.0-beta.3"))!)).toBe(true);
  });

  test("flags: no RTTI, position-independent, shared, no libLLVM on the link line", () => {
    const args = pluginCompileArgs(["-I/usr/lib/llvm-22/include", "-std=c++17", "-fno-exceptions"], "22.1.2+k");
    expect(args).toEqual(expect.arrayContaining(["-I/usr/lib/llvm-22/include", "-fno-rtti", "-fPIC", "-shared", "-Wl,-z,undefs", '-DLOCAL_LTO_PLUGIN_VERSION="22.1.2+k"']));
    expect(args.some((a) => /^-l|libLLVM/.test(a))).toBe(false);
  });

  test("the cache key follows rustc's exact LLVM version, the headers and the source", () => {
    const base = { source: "x", llvmVersion: "22.1.2", headersVersion: "22.1.8", clangxxVersion: "clang version 22.1.8", args: ["-O2"] };
    const key = pluginBuildKey(base);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(pluginBuildKey({ ...base, llvmVersion: "22.1.4" })).not.toBe(key);
    expect(pluginBuildKey({ ...base, headersVersion: "22.1.9" })).not.toBe(key);
    expect(pluginBuildKey({ ...base, source: "y" })).not.toBe(key);
    expect(pluginBuildKey({ ...base })).toBe(key);
  });

  test("the rustc command: the user's arguments, then the plugin; RUSTC_BOOTSTRAP only for stable", () => {
    const set = { dir: "/c/set", pluginPath: "/c/set/libllto_plugin.so", helpersPath: "/c/set/helpers.bc", hash: "h" };
    const stable = { needsBootstrap: true, manglingPin: "legacy" } as RustcPlugin;
    const command = pluginRustcCommand("rustc", ["-O", "lib.rs"], set, stable, "/w", { FOO: "1" }, "/t/record.jsonl");
    expect(command.args).toEqual(["-O", "lib.rs", "-Zunstable-options", "-Csymbol-mangling-version=legacy", "-Zallow-features=", "-Zllvm-plugins=/c/set/libllto_plugin.so"]);
    expect(command.env).toEqual({ FOO: "1", RUSTC_BOOTSTRAP: "1", LOCAL_LTO_PLUGIN_RECORD: "/t/record.jsonl", LOCAL_LTO_PLUGIN_HELPERS: undefined });
    const nightly = pluginRustcCommand("rustc", ["-O"], set, { needsBootstrap: false } as RustcPlugin, "/w", {}, "/r");
    expect(nightly.env).not.toHaveProperty("RUSTC_BOOTSTRAP");
    expect(nightly.args).toEqual(["-O", "-Zllvm-plugins=/c/set/libllto_plugin.so"]);
  });

  test("stable under RUSTC_BOOTSTRAP keeps rustc's own symbol mangling and stable's feature gates unless the user chose them", () => {
    const legacy = { needsBootstrap: true, manglingPin: "legacy" } as const;
    const gates = "-Zallow-features=";
    expect(bootstrapNeutralArgs(legacy, ["-O"])).toEqual(["-Zunstable-options", "-Csymbol-mangling-version=legacy", gates]);
    expect(bootstrapNeutralArgs(legacy, ["-Zunstable-options"])).toEqual(["-Csymbol-mangling-version=legacy", gates]);
    expect(bootstrapNeutralArgs(legacy, ["-Csymbol-mangling-version=v0"])).toEqual([gates]);
    expect(bootstrapNeutralArgs(legacy, ["-C", "symbol-mangling-version=v0"])).toEqual([gates]);
    // Features the user allows are theirs.
    expect(bootstrapNeutralArgs(legacy, ["-Zallow-features=never_type"])).toEqual(["-Zunstable-options", "-Csymbol-mangling-version=legacy"]);
    expect(bootstrapNeutralArgs(legacy, ["-Z", "allow-features="])).toEqual(["-Zunstable-options", "-Csymbol-mangling-version=legacy"]);
    // A rustc whose own default is v0 under a RUSTC_BOOTSTRAP that would change it: a stable value, no -Z.
    expect(bootstrapNeutralArgs({ needsBootstrap: true, manglingPin: "v0" }, ["-O"])).toEqual(["-Csymbol-mangling-version=v0", gates]);
    // A stable rustc that RUSTC_BOOTSTRAP does not change: nothing to pin, the gates all the same.
    expect(bootstrapNeutralArgs({ needsBootstrap: true }, ["-O"])).toEqual([gates]);
    // Nightly: no bootstrap, nothing to add.
    expect(bootstrapNeutralArgs({ needsBootstrap: false }, ["-O"])).toEqual([]);
    // The build's own environment already bootstraps this crate, as rustc decides: plain rustc mangles and gates as the plugin's compile does.
    expect(bootstrapNeutralArgs(legacy, ["-O"], "1")).toEqual([]);
    expect(bootstrapNeutralArgs(legacy, ["--crate-name", "user", "-O"], "core,user")).toEqual([]);
    expect(bootstrapNeutralArgs(legacy, ["--crate-name=user"], "user")).toEqual([]);
    expect(bootstrapNeutralArgs(legacy, ["--crate-name", "user"], "other")).toEqual(["-Zunstable-options", "-Csymbol-mangling-version=legacy", gates]);
    // rustc matches the list against --crate-name only; -1 forces stable; an empty value is no value.
    expect(userBootstraps("user", ["user.rs"])).toBe(false);
    expect(userBootstraps("-1", ["--crate-name", "user"])).toBe(false);
    expect(userBootstraps("", ["--crate-name", "user"])).toBe(false);
    expect(userBootstraps(undefined, ["--crate-name", "user"])).toBe(false);
    const set = { dir: "/s", pluginPath: "/s/p.so", helpersPath: "/s/h.bc", hash: "h" };
    const unpinned = pluginRustcCommand("rustc", ["-O"], set, { needsBootstrap: true, manglingPin: "legacy" } as RustcPlugin, "/w", {}, "/r", false);
    expect(unpinned.args).toEqual(["-O", "-Zllvm-plugins=/s/p.so"]);
  });
});
