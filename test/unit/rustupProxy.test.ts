/**
 * rustup's proxy left out of a repeat's command (src/toolchain/rustupProxy.ts): what the plugin's
 * process file says, what counts as the proxy's doing, and the launcher's check that the
 * variables the proxy's values depend on are as they were (bin/local-lto, `llto_env`).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { isRustupProxy, parseRustcProcess, proxyBypass, rustcToStart } from "../../src/toolchain/rustupProxy.js";
import { replayScript } from "../../src/pipeline/plugin/replayEntry.js";
import { replayEntryWith } from "../support/replayEntry.js";
import { storedBypass } from "../../src/toolchain/rustcAnswerCache.js";
import { repoRoot, tempDir } from "../support/toolchain.js";

const processFile = (exe: string, env: string[], argv = ["rustc", "-O"]) => Buffer.from([exe, String(argv.length), ...argv, ...env, ""].join("\0"));
const toolchain = { path: "/rustup/toolchains/stable/bin/rustc", real: "/rustup/toolchains/stable/bin/rustc" };

describe("the plugin's process file (pure)", () => {
  test("executable, arguments, then NAME=value pairs; a value may hold '=' and be empty", () => {
    const seen = parseRustcProcess(processFile("/r/bin/rustc", ["A=1", "B=x=y", "C="], ["rustc", "", "a=b"]));
    expect(seen?.exe).toBe("/r/bin/rustc");
    expect(seen?.argv).toEqual(["rustc", "", "a=b"]);
    expect([...(seen?.env ?? [])]).toEqual([["A", "1"], ["B", "x=y"], ["C", ""]]);
  });

  test("not one: empty, cut short, a relative executable, a pair without a name, bytes that are not UTF-8", () => {
    expect(parseRustcProcess(Buffer.alloc(0))).toBeUndefined();
    expect(parseRustcProcess(processFile("/r/bin/rustc", ["A=1"]).subarray(0, -1))).toBeUndefined();
    expect(parseRustcProcess(Buffer.from("/r/bin/rustc\x003\0rustc\0"))).toBeUndefined();
    expect(parseRustcProcess(processFile("rustc", ["A=1"]))).toBeUndefined();
    expect(parseRustcProcess(processFile("/r/bin/rustc", ["=1"]))).toBeUndefined();
    expect(parseRustcProcess(Buffer.concat([processFile("/r/bin/rustc", ["A=1"]), Buffer.from([0x42, 0x3d, 0xff, 0])]))).toBeUndefined();
  });

  test("rustup's proxy is a link to rustup, a program: not a script, whatever its name", () => {
    const elf = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]);
    const script = new TextEncoder().encode("#!/bin/sh\n");
    expect(isRustupProxy("/home/u/.cargo/bin/rustup", elf)).toBe(true);
    expect(isRustupProxy("/home/u/.cargo/bin/rustup", script)).toBe(false);
    expect(isRustupProxy("/home/u/.rustup/toolchains/stable/bin/rustc", elf)).toBe(false);
    expect(isRustupProxy("/home/u/bin/rustup-logging-wrapper", elf)).toBe(false);
  });
});

describe("proxyBypass (pure)", () => {
  const givenEnv = { PATH: "/bin", HOME: "/h", LD_LIBRARY_PATH: "/mine", UNCHANGED: "u" };
  const given = { env: givenEnv, args: ["-O", "lib.rs"] };
  const seenBy = (env: Record<string, string>, exe = toolchain.real, argv = ["rustc", "-O", "lib.rs"]) => ({ exe, argv, env: new Map(Object.entries(env)) });

  const before = (values: Record<string, string>) =>
    ["CARGO_HOME", "DYLD_FALLBACK_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "LD_LIBRARY_PATH", "PATH", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "RUSTUP_TOOLCHAIN_SOURCE", "RUST_RECURSION_COUNT"].map((name) => [name, values[name] ?? null]);

  test("what the proxy set or changed goes to rustc; every variable it may set must be as it was before", () => {
    const bypass = proxyBypass(given, seenBy({ PATH: "/bin", HOME: "/h", UNCHANGED: "u", LD_LIBRARY_PATH: "/tc/lib:/mine", RUSTUP_TOOLCHAIN: "stable", RUST_RECURSION_COUNT: "1" }), toolchain);
    expect(bypass).toEqual({
      rustc: toolchain.path,
      set: { LD_LIBRARY_PATH: "/tc/lib:/mine", RUSTUP_TOOLCHAIN: "stable", RUST_RECURSION_COUNT: "1" },
      // PATH too, which it left alone this time (a user trial: a variable already at the proxy's value was never checked again).
      before: before({ PATH: "/bin", LD_LIBRARY_PATH: "/mine" }),
    });
  });

  test("a variable the proxy removed is removed for rustc", () => {
    const bypass = proxyBypass(given, seenBy({ PATH: "/bin", HOME: "/h", UNCHANGED: "u" }), toolchain);
    expect(bypass).toMatchObject({ set: { LD_LIBRARY_PATH: undefined }, before: before({ PATH: "/bin", LD_LIBRARY_PATH: "/mine" }) });
  });

  test("none when rustc was another executable, or something else changed the environment (a wrapper)", () => {
    expect(proxyBypass(given, seenBy(givenEnv, "/elsewhere/rustc"), toolchain)).toEqual({ none: "rustc ran as /elsewhere/rustc, not /rustup/toolchains/stable/bin/rustc" });
    expect(proxyBypass(given, seenBy({ ...givenEnv, UNCHANGED: "changed" }), toolchain)).toEqual({ none: "the proxy changed UNCHANGED" });
    expect(proxyBypass(given, seenBy({ ...givenEnv, WRAPPER_WAS_HERE: "1" }), toolchain)).toEqual({ none: "the proxy changed WRAPPER_WAS_HERE" });
  });

  test("none when the proxy took an argument of its own (`+nightly`)", () => {
    expect(proxyBypass({ env: givenEnv, args: ["+nightly", "-O", "lib.rs"] }, seenBy(givenEnv), toolchain)).toEqual({ none: "the proxy changed rustc's arguments" });
    expect(proxyBypass(given, seenBy(givenEnv, toolchain.real, ["rustc", "-O", "other.rs"]), toolchain)).toEqual({ none: "the proxy changed rustc's arguments" });
  });
});

describe("the launcher's llto_env: a repeat goes back to Node when a variable the proxy's value depends on changed", () => {
  const launcher = readFileSync(join(repoRoot, "bin/local-lto"), "utf8");
  const definition = /\tllto_env\(\) \{[^\n]*\n(?:\t\t[^\n]*\n)*\t\}\n/.exec(launcher)?.[0] ?? "";
  const dir = tempDir("llto-env-");
  const entry = (before: [string, string | null][]) => replayEntryWith({ file: "/bin/true", args: [], env: {}, environmentBefore: before });

  /** Whether the entry stays fresh in an environment (the launcher's dash, its own function). */
  const fresh = (before: [string, string | null][], env: Record<string, string>) => {
    const script = join(dir, "entry.sh");
    writeFileSync(script, replayScript(entry(before)));
    const out = execFileSync("sh", ["-c", `${definition}fresh=1; . "$1"; echo "fresh=$fresh"`, "sh", script], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });
    return out.trim() === "fresh=1";
  };

  test("the launcher defines it", () => expect(definition).toContain("llto_env()"));

  test.each([
    ["the same value", [["LD_LIBRARY_PATH", "/a b/'q'/$x"]], { LD_LIBRARY_PATH: "/a b/'q'/$x" }, true],
    ["another value", [["LD_LIBRARY_PATH", "/a"]], { LD_LIBRARY_PATH: "/b" }, false],
    ["unset, and unset", [["RUST_RECURSION_COUNT", null]], {}, true],
    ["unset, now set", [["RUST_RECURSION_COUNT", null]], { RUST_RECURSION_COUNT: "1" }, false],
    ["unset, now empty", [["RUST_RECURSION_COUNT", null]], { RUST_RECURSION_COUNT: "" }, false],
    ["empty, now unset", [["LD_LIBRARY_PATH", ""]], {}, false],
    ["one of several changed", [["A", "1"], ["B", null]], { A: "1", B: "2" }, false],
  ] as const)("%s", (_, before, env, expected) => {
    expect(fresh(before.map(([n, v]) => [n, v]), env)).toBe(expected);
  });

  test("a name that is not a variable's is refused when the entry is written", () => {
    expect(() => replayScript(entry([["A;rm -rf /", "1"]]))).toThrow(/not a variable name/);
    expect(() => replayScript({ ...entry([]), rustc: { file: "/bin/true", args: [], env: { "X;touch /tmp/owned": "1" } } })).toThrow(/not a variable name/);
  });

  test("a remembered bypass read back from the cache: only of the shape written", () => {
    const good = { rustc: "/tc/bin/rustc", set: [["RUSTUP_TOOLCHAIN", "stable"], ["LD_LIBRARY_PATH", null]], before: [["LD_LIBRARY_PATH", null]] };
    expect(storedBypass(good)).toEqual({ rustc: "/tc/bin/rustc", set: { RUSTUP_TOOLCHAIN: "stable", LD_LIBRARY_PATH: undefined }, before: [["LD_LIBRARY_PATH", null]] });
    expect(storedBypass(undefined)).toBeUndefined();
    expect(storedBypass({ ...good, rustc: "rustc" })).toBeUndefined();
    expect(storedBypass({ ...good, set: [["A;rm -rf ~", "1"]] })).toBeUndefined();
    expect(storedBypass({ ...good, before: [["A", 1]] })).toBeUndefined();
    expect(storedBypass({ ...good, set: {} })).toBeUndefined();
  });
});

describe("rustcToStart", () => {
  const direct = { rustc: "/tc/bin/rustc", set: { RUSTUP_TOOLCHAIN: "stable", RUST_RECURSION_COUNT: "1" }, before: [["LD_LIBRARY_PATH", null], ["RUSTUP_TOOLCHAIN", null]] as [string, string | null][] };
  test("the toolchain's rustc with the proxy's variables while what they were made from holds; else the rustc as resolved", () => {
    expect(rustcToStart({ path: "/home/u/.cargo/bin/rustc", direct }, {})).toEqual({ file: "/tc/bin/rustc", env: direct.set });
    expect(rustcToStart({ path: "/home/u/.cargo/bin/rustc", direct }, { RUSTUP_TOOLCHAIN: "nightly" })).toEqual({ file: "/home/u/.cargo/bin/rustc" });
    expect(rustcToStart({ path: "/usr/bin/rustc" }, {})).toEqual({ file: "/usr/bin/rustc" });
  });
});
