/**
 * The rustc mode end to end with the real rustc and local-lto's plugin, through the launcher as
 * Cargo and make run it (`bin/local-lto /path/to/rustc <args>`): outputs, dep-info, diagnostics,
 * exit codes, the proof and the gate.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findCallsTo, readElf, symbolState } from "../../src/elf/index.js";
import { readArchive } from "../../src/elf/readArchive.js";
import { parseRunLines } from "../../src/rustc/buildReport.js";
import { entryName } from "../../src/rustc/launchEntries.js";
import { crates } from "../../bench/src/buildCost.js";
import { repoRoot } from "../support/toolchain.js";

const launcher = join(repoRoot, "bin/local-lto");
const rustc = join(execFileSync("rustc", ["--print", "sysroot"], { encoding: "utf8" }).trim(), "bin/rustc");

const helpersH = "static inline int twice(int x) { return 2 * x + 1; }\n";
const helpersC = '#include "helpers.h"\nint twice__extern(int x) { return twice(x); }\n';
const userRs = 'extern "C" { #[link_name = "twice__extern"] fn twice(x: i32) -> i32; }\npub fn sum(n: i32) -> i32 { let mut s = 0; for i in 0..n { s += unsafe { twice(i) }; } s }\n';
const exportRs = 'extern "C" { #[link_name = "twice__extern"] fn twice(x: i32) -> i32; }\n#[no_mangle]\npub extern "C" fn export_sum(n: i32) -> i32 { let mut s = 0; for i in 0..n { s += unsafe { twice(i) }; } s }\n';
const plainRs = "pub fn describe(x: u64) -> String { format!(\"{x:016x}\") }\npub fn total(v: &[u64]) -> u64 { v.iter().sum() }\n";

function project(config = 'helpers = ["helpers.c"]\nrequire-inlined = true\n'): string {
  const dir = mkdtempSync(join(tmpdir(), "llto-rustc-mode-"));
  writeFileSync(join(dir, "local-lto.toml"), config);
  writeFileSync(join(dir, "helpers.h"), helpersH);
  writeFileSync(join(dir, "helpers.c"), helpersC);
  writeFileSync(join(dir, "user.rs"), userRs);
  writeFileSync(join(dir, "plain.rs"), plainRs);
  writeFileSync(join(dir, "export.rs"), exportRs);
  mkdirSync(join(dir, "out"));
  return dir;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  trace: string[];
}

function viaLauncher(dir: string, args: string[], env: Record<string, string> = {}): Run {
  const run = spawnSync(launcher, [rustc, ...args], { cwd: dir, env: { ...process.env, LOCAL_LTO_LAUNCHER_TRACE: "1", ...env }, encoding: "utf8" });
  const trace = run.stderr.split("\n").filter((l) => l.startsWith("local-lto launcher: ")).map((l) => l.slice(20));
  const stderr = run.stderr.split("\n").filter((l) => !l.startsWith("local-lto launcher: ")).join("\n");
  return { status: run.status, stdout: run.stdout, stderr, trace };
}

function plainRustc(dir: string, args: string[]): Run {
  const run = spawnSync(rustc, args, { cwd: dir, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, trace: [] };
}

const rlibArgs = (name: string, extra: string[] = []) => ["--crate-name", name, "--edition=2021", `${name}.rs`, "--crate-type", "lib", "--emit=dep-info,metadata,link", "-C", "opt-level=3", "-C", "embed-bitcode=no", "-C", "metadata=1234", "-C", "extra-filename=-1234", "--out-dir", "out", ...extra];

function members(path: string): Map<string, Buffer> {
  return new Map(readArchive(new Uint8Array(readFileSync(path))).members.map((m) => [m.name, Buffer.from(m.data)]));
}

function reportLines(dir: string) {
  return parseRunLines(readFileSync(join(dir, "out/local-lto/report.jsonl"), "utf8"));
}

describe("local-lto as rustc", () => {
  let dir: string;
  beforeAll(() => {
    dir = project();
  });

  it("a crate that calls no helper: rustc's own objects and dep-info, then the launcher's fast path", () => {
    expect(plainRustc(dir, rlibArgs("plain")).status).toBe(0);
    const before = { rlib: members(join(dir, "out/libplain-1234.rlib")), d: readFileSync(join(dir, "out/plain-1234.d"), "utf8") };
    const first = viaLauncher(dir, rlibArgs("plain"));
    expect(first.status, first.stderr).toBe(0);
    expect(first.trace).toContain("node no-entry");
    const after = members(join(dir, "out/libplain-1234.rlib"));
    // Every object byte for byte; the metadata differs only in the crate hash (rustc hashes its tracked flags, -Zllvm-plugins among them).
    const objects = [...before.rlib.keys()].filter((m) => m.endsWith(".o"));
    expect(objects.length).toBeGreaterThan(0);
    for (const m of objects) expect(after.get(m)?.equals(before.rlib.get(m)!), m).toBe(true);
    expect(readFileSync(join(dir, "out/plain-1234.d"), "utf8")).toBe(before.d);

    const second = viaLauncher(dir, rlibArgs("plain"));
    expect(second.status).toBe(0);
    expect(second.trace).toEqual([`target-dir ${join(dir, "out")}`, "plugin"]);
    for (const m of objects) expect(members(join(dir, "out/libplain-1234.rlib")).get(m)?.equals(before.rlib.get(m)!), m).toBe(true);
    const lines = reportLines(dir).filter((l) => l.crate === "plain");
    expect(lines.map((l) => l.action)).toEqual(["no-helpers", "no-helpers"]);
  });

  it("a crate that calls a helper: inlined, proven, its files in the dep-info, one report line", () => {
    const run = viaLauncher(dir, rlibArgs("user", ["-C", "codegen-units=16"]));
    expect(run.status, run.stderr).toBe(0);
    for (const [name, data] of members(join(dir, "out/libuser-1234.rlib"))) {
      if (!name.endsWith(".o")) continue;
      const elf = readElf(new Uint8Array(data));
      expect(symbolState(elf, "twice__extern")).toBe("absent");
      expect(findCallsTo(elf, new Set(["twice__extern"])).get("twice__extern") ?? []).toEqual([]);
    }
    const d = readFileSync(join(dir, "out/user-1234.d"), "utf8");
    const firstRule = d.split("\n")[0]!;
    for (const file of ["local-lto.toml", "helpers.c", "helpers.h"]) expect(firstRule).toContain(join(dir, file));
    const line = reportLines(dir).find((l) => l.crate === "user")!;
    expect(line.action).toBe("compiled");
    expect(line.linked?.flatMap((m) => m.helpers)).toContain("twice__extern");
    expect(line.helpers?.map((h) => [h.name, h.verdict, h.symbol])).toEqual([["twice__extern", "inlined", "absent"]]);
    expect(line.gate).toMatchObject({ required: true, applied: true, pass: true });
    // The launcher now runs rustc with the plugin itself, and Node only for the proof, to which it
    // names the entry it ran from (the proof then hashes nothing).
    const seen = join(dir, "proof-env.txt");
    const node = join(dir, "node-logging-entry.sh");
    writeFileSync(node, `#!/bin/sh\nprintf '%s\\n%s\\n' "$LOCAL_LTO_LAUNCH_ENTRY" "$LOCAL_LTO_LAUNCH_TEXT" > '${seen}'\nexec node "$@"\n`, { mode: 0o755 });
    // Node itself, not the proof server (which is given the same environment with the request).
    const again = viaLauncher(dir, rlibArgs("user"), { LOCAL_LTO_NODE: node, LOCAL_LTO_NO_SERVER: "1" });
    expect(again.trace.slice(1)).toEqual(["plugin", "node proof", "proof-server fallback off"]);
    expect(again.status, again.stderr).toBe(0);
    const [given, keyText] = readFileSync(seen, "utf8").split("\n");
    expect(given).toBe(entryName(keyText!));
  });

  it("a static library and a cdylib: this crate's members, and the linked file, proven", () => {
    const args = ["--crate-name", "export", "--edition=2021", "export.rs", "--crate-type", "staticlib", "--crate-type", "cdylib", "--emit=dep-info,link", "-C", "opt-level=3", "-C", "panic=abort", "-C", "extra-filename=-55", "--out-dir", "out/libs"];
    mkdirSync(join(dir, "out/libs"), { recursive: true });
    const run = viaLauncher(dir, args);
    expect(run.status, run.stderr).toBe(0);
    const line = parseRunLines(readFileSync(join(dir, "out/libs/local-lto/report.jsonl"), "utf8")).at(-1)!;
    expect(line).toMatchObject({ crate: "export", action: "compiled", crateTypes: ["staticlib", "cdylib"] });
    expect(line.read).toEqual(expect.arrayContaining(["libexport-55.so"]));
    // Of the static library only this crate's members are read (std's are not this crate's code).
    const members = line.read!.filter((r) => r.startsWith("libexport-55.a("));
    expect(members.length).toBeGreaterThan(0);
    expect(members.every((m) => /^libexport-55\.a\(export-55\./.test(m))).toBe(true);
    expect(line.helpers?.map((h) => [h.name, h.callsLeft, h.symbol])).toEqual([["twice__extern", 0, "absent"]]);
    const so = readElf(new Uint8Array(readFileSync(join(dir, "out/libs/libexport-55.so"))));
    expect(symbolState(so, "twice__extern")).toBe("absent");
    expect(symbolState(so, "export_sum")).toBe("global");
  });

  it("a Kbuild-style object (--emit=obj=…,dep-info=…)", () => {
    const args = ["--edition=2021", "--crate-type=rlib", "-O", "--emit=dep-info=obj/.user.o.d", "--emit=obj=obj/user.o", "user.rs"];
    mkdirSync(join(dir, "obj"), { recursive: true });
    const run = viaLauncher(dir, args);
    expect(run.status, run.stderr).toBe(0);
    const elf = readElf(new Uint8Array(readFileSync(join(dir, "obj/user.o"))));
    expect(symbolState(elf, "twice__extern")).toBe("absent");
    expect(readFileSync(join(dir, "obj/.user.o.d"), "utf8")).toMatch(new RegExp(`^obj/user\\.o: user\\.rs .*${join(dir, "helpers.h")}`, "m"));
    expect(existsSync(join(dir, "obj/local-lto/report.jsonl"))).toBe(true);
  });

  it("sccache's dep-info probe (--emit=dep-info alone): rustc's dep-info plus the helpers' files", () => {
    const run = viaLauncher(dir, ["--crate-name", "user", "--edition=2021", "user.rs", "--crate-type", "lib", "--emit", "dep-info", "-o", "out/probe.d"]);
    expect(run.status, run.stderr).toBe(0);
    const d = readFileSync(join(dir, "out/probe.d"), "utf8");
    const firstRule = d.split("\n")[0]!;
    expect(firstRule.startsWith("out/probe.d: user.rs ")).toBe(true);
    for (const file of ["local-lto.toml", "helpers.c", "helpers.h"]) expect(firstRule).toContain(` ${join(dir, file)}`);
    expect(d).toContain(`\n${join(dir, "helpers.h")}:\n`);
  });

  it("crates the configuration does not name run as they are", () => {
    mkdirSync(join(dir, "out/unselected"), { recursive: true });
    const args = rlibArgs("user").map((a) => (a === "out" ? "out/unselected" : a));
    expect(viaLauncher(dir, args, { LOCAL_LTO_CRATES: "plain" }).status).toBe(0); // Node: reads the configuration, writes the entry
    const run = viaLauncher(dir, args, { LOCAL_LTO_CRATES: "plain" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.trace.at(-1)).toBe("pass-through not-selected");
    const object = [...members(join(dir, "out/unselected/libuser-1234.rlib")).entries()].find(([n]) => n.endsWith(".o"))![1];
    expect(symbolState(readElf(new Uint8Array(object)), "twice__extern")).toBe("undefined");
  });

  it("rustc's diagnostics, JSON messages and exit code pass through untouched", () => {
    writeFileSync(join(dir, "bad.rs"), 'pub fn f() -> u32 { "no" }\n');
    for (const format of [[], ["--error-format=json", "--json=diagnostic-rendered-ansi"]]) {
      const args = ["--crate-name", "bad", "bad.rs", "--crate-type", "lib", "--emit=link", "--out-dir", "out", ...format];
      const expected = plainRustc(dir, args);
      const got = viaLauncher(dir, args);
      expect(got.status).toBe(expected.status);
      expect(expected.status).toBe(1);
      expect(got.stderr).toBe(expected.stderr);
      expect(got.stdout).toBe(expected.stdout);
    }
  });

  it("a failing gate names the crate, the helper and the reason, and leaves no output", () => {
    const gated = project();
    writeFileSync(join(gated, "helpers.c"), '#include "helpers.h"\n__attribute__((noinline)) int twice__extern(int x) { return twice(x); }\n');
    const run = viaLauncher(gated, rlibArgs("user"));
    expect(run.status).toBe(10);
    const errors = run.stderr.split("\n").filter((l) => /^error\[|^ {2}fix:/.test(l));
    expect(errors[0]).toMatch(/^error\[LLTO_CALLS_LEFT\]: crate user: twice__extern: \d+ call\(s\) left \(from .*\) in out\/libuser-1234\.rlib$/);
    expect(errors[1]).toMatch(/^ {2}fix: .*require-inlined = false/);
    expect(existsSync(join(gated, "out/libuser-1234.rlib"))).toBe(false);
    expect(reportLines(gated).at(-1)).toMatchObject({ crate: "user", action: "failed", gate: { code: "LLTO_CALLS_LEFT", pass: false } });
    // Without the gate the same build succeeds, and the report says what was left.
    const relaxed = viaLauncher(gated, rlibArgs("user"), { LOCAL_LTO_REQUIRE_INLINED: "0" });
    expect(relaxed.status, relaxed.stderr).toBe(0);
    expect(reportLines(gated).at(-1)?.summary?.callsLeft).toBeGreaterThan(0);
  });

  it("a malformed configuration stops the build before rustc runs, naming the key", () => {
    const broken = project('helpers = "helpers.c"\n');
    const run = viaLauncher(broken, rlibArgs("user"));
    expect(run.status).toBe(4);
    expect(run.stderr).toMatch(/^error\[LLTO_CONFIG\]: local-lto\.toml: helpers: expected an array of file names\n {2}fix: /m);
    expect(existsSync(join(broken, "out/libuser-1234.rlib"))).toBe(false);
  });

  it("without a configuration, rustc runs as it is", () => {
    const none = project();
    rmSync(join(none, "local-lto.toml"));
    const run = viaLauncher(none, rlibArgs("user"));
    expect(run.status).toBe(0);
    expect(run.trace.at(-1)).toBe("pass-through no-configuration");
    const object = [...members(join(none, "out/libuser-1234.rlib")).entries()].find(([n]) => n.endsWith(".o"))![1];
    const elf = readElf(new Uint8Array(object));
    expect(symbolState(elf, "twice__extern")).toBe("undefined");
    expect(readdirSync(join(none, "out"))).not.toContain("local-lto");
  });
});

/**
 * `rustcPath` in `env` alone builds the rlib with v0 names; through the launcher (Node first, then
 * the launcher's own plugin run) every object of it is byte-identical to that one.
 */
function expectV0ObjectsAsPlain(dir: string, rustcPath: string, env: NodeJS.ProcessEnv): void {
  const plain = spawnSync(rustcPath, rlibArgs("plain"), { cwd: dir, env, encoding: "utf8" });
  expect(plain.status, plain.stderr).toBe(0);
  const own = members(join(dir, "out/libplain-1234.rlib"));
  const objects = [...own.keys()].filter((m) => m.endsWith(".o"));
  expect(objects.length).toBeGreaterThan(0);
  const mangled = objects.flatMap((m) => readElf(new Uint8Array(own.get(m)!)).symbols.filter((s) => s.name.includes("describe") && s.type === "FUNC").map((s) => s.name));
  expect(mangled.length).toBeGreaterThan(0);
  for (const name of mangled) expect(name).toMatch(/^_R/);
  for (const pass of ["node no-entry", "plugin"]) {
    const run = spawnSync(launcher, [rustcPath, ...rlibArgs("plain")], { cwd: dir, env: { ...env, LOCAL_LTO_LAUNCHER_TRACE: "1" }, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr, pass).toContain(`local-lto launcher: ${pass}`);
    const ours = members(join(dir, "out/libplain-1234.rlib"));
    for (const m of objects) expect(ours.get(m)?.equals(own.get(m)!), `${pass}: ${m}`).toBe(true);
  }
}

describe("a stable rustc whose own mangling is v0 (as stable from 1.97 on)", () => {
  // Stable 1.95 mangles `legacy` on its own and `v0` under RUSTC_BOOTSTRAP, so the plugin path pins
  // legacy back. A rustc that mangles v0 either way must not be pinned: this one is stable 1.95 made
  // to mangle v0 unless told otherwise, reporting another commit (so that its load check is its own).
  it("is not pinned to legacy: objects byte-identical to its own, mangled v0", () => {
    const dir = project();
    const wrapper = join(dir, "rustc-v0");
    writeFileSync(
      wrapper,
      `#!/bin/sh
for a do case $a in *symbol-mangling-version*) exec '${rustc}' "$@" ;; -vV) exec '${rustc}' -vV | sed 's/^commit-hash: .*/commit-hash: 0000000000000000000000000000000000000v0/' ;; esac; done
exec '${rustc}' "$@" -Csymbol-mangling-version=v0
`,
      { mode: 0o755 },
    );
    expectV0ObjectsAsPlain(dir, wrapper, process.env);
  });
});

describe("a build whose own environment sets RUSTC_BOOTSTRAP=1 (as the kernel's Makefile exports it)", () => {
  // Plain stable 1.95 then mangles v0, as the plugin's compile does: nothing may be pinned back.
  it("objects byte-identical to plain rustc's in that environment, through Node and through the launcher", () => {
    const dir = project();
    expectV0ObjectsAsPlain(dir, rustc, { ...process.env, RUSTC_BOOTSTRAP: "1" });
  });
});

describe("local-lto rustc (the subcommand)", () => {
  it("runs rustc from LOCAL_LTO_RUSTC with the same behaviour", () => {
    const dir = project();
    const run = spawnSync(launcher, ["rustc", ...rlibArgs("user")], { cwd: dir, env: { ...process.env, LOCAL_LTO_RUSTC: rustc }, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(reportLines(dir).at(-1)).toMatchObject({ crate: "user", action: "compiled" });
  });
});

describe("stable rustc's feature gates under the plugin's RUSTC_BOOTSTRAP (a user trial: a stable build compiled #![feature])", () => {
  const featureRs = "#![feature(never_type)]\npub fn never() -> u8 { 1 }\n";

  it("a crate using #![feature] fails as it does on plain stable, through Node and through the launcher's entry", () => {
    const dir = project();
    writeFileSync(join(dir, "feature.rs"), featureRs);
    expect(plainRustc(dir, rlibArgs("feature")).stderr).toContain("E0554");
    const first = viaLauncher(dir, rlibArgs("feature"));
    expect(first.trace).toContain("node no-entry");
    expect(first.status).toBe(1);
    expect(first.stderr).toContain("error[E0725]: the feature `never_type` is not in the list of allowed features");
    expect(viaLauncher(dir, rlibArgs("plain")).status).toBe(0);
    const again = viaLauncher(dir, rlibArgs("feature"));
    expect(again.trace).toContain("plugin");
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("error[E0725]");
    // Features the flags allow are the user's (and so is a bootstrap the build sets itself).
    expect(viaLauncher(dir, rlibArgs("feature", ["-Zallow-features=never_type"])).status).toBe(0);
  });

  it("rustc started by a build script (CARGO_CFG_* set, CARGO_CRATE_NAME not) runs unchanged: no plugin, no RUSTC_BOOTSTRAP", () => {
    const dir = project();
    writeFileSync(join(dir, "feature.rs"), featureRs);
    expect(viaLauncher(dir, rlibArgs("plain")).status).toBe(0);
    const probe = viaLauncher(dir, rlibArgs("feature"), { CARGO_CFG_TARGET_ARCH: "x86_64" });
    expect(probe.trace).toEqual(["pass-through build-script"]);
    expect(probe.stderr).toContain("E0554");
    // Cargo's own compiles have CARGO_CRATE_NAME.
    expect(viaLauncher(dir, rlibArgs("plain"), { CARGO_CFG_TARGET_ARCH: "x86_64", CARGO_CRATE_NAME: "plain" }).trace).toContain("plugin");
  });

  it("a build script's nightly-feature probe through RUSTC_WORKSPACE_WRAPPER finds none on stable (local-lto cargo build)", () => {
    const dir = project();
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "Cargo.toml"), '[package]\nname = "probed"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\npath = "user.rs"\n');
    writeFileSync(
      join(dir, "build.rs"),
      [
        "use std::{env, fs, path::PathBuf, process::Command};",
        "fn main() {",
        '    let out = PathBuf::from(env::var("OUT_DIR").unwrap());',
        '    let probe = out.join("probe.rs");',
        '    fs::write(&probe, "#![feature(never_type)]\\npub fn f() -> u8 { 1 }\\n").unwrap();',
        '    let rustc = env::var("RUSTC").unwrap();',
        '    let mut cmd = match env::var("RUSTC_WORKSPACE_WRAPPER").ok().filter(|w| !w.is_empty()) { Some(w) => { let mut c = Command::new(w); c.arg(&rustc); c } None => Command::new(&rustc) };',
        '    cmd.args(["--crate-type=lib", "--crate-name=probe", "--emit=obj", "--out-dir"]).arg(&out).arg(&probe);',
        '    if cmd.status().map(|s| s.success()).unwrap_or(false) { println!("cargo:rustc-cfg=nightly_probe_passed"); }',
        '    println!("cargo:rustc-check-cfg=cfg(nightly_probe_passed)");',
        "}",
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, "user.rs"), `#[cfg(nightly_probe_passed)]\ncompile_error!("a nightly-feature probe passed on stable rustc");\n${userRs}`);
    const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_LTO_LAUNCHER_TRACE: "1", CARGO_TERM_COLOR: "never", CARGO_TARGET_DIR: join(dir, "target") };
    for (const key of Object.keys(env)) if (/^(RUSTC_WRAPPER|RUSTC_WORKSPACE_WRAPPER|CARGO_BUILD_|RUSTFLAGS)/.test(key)) delete env[key];
    const run = spawnSync(launcher, ["cargo", "build", "--release"], { cwd: dir, env, encoding: "utf8" });
    expect(run.stderr).not.toContain("a nightly-feature probe passed");
    expect(run.status, run.stderr).toBe(0);
    // The probe's stderr is the build script's, which Cargo keeps beside its output.
    const build = join(dir, "target/release/build");
    const scriptRun = readdirSync(build).find((d) => existsSync(join(build, d, "stderr")))!;
    expect(readFileSync(join(build, scriptRun, "stderr"), "utf8")).toContain("local-lto launcher: pass-through build-script");
  }, 120_000);
});

describe("directories local-lto cannot write (a user trial: exit 70, 'a bug in local-lto')", () => {
  // As root, permissions are not checked: drop the capability that skips them.
  const unprivileged = (args: string[]) => (process.getuid?.() === 0 ? ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", ...args] : args);
  const launchAs = (dir: string, args: string[], env: Record<string, string>) => {
    const [file, ...rest] = unprivileged([launcher, rustc, ...args]);
    const run = spawnSync(file!, rest, { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
    return { status: run.status, stderr: run.stderr };
  };

  it("a read-only cache directory: exit 3, LLTO_FILE_SYSTEM naming it, no output changed", () => {
    const dir = project();
    const cache = join(dir, "ro-cache");
    mkdirSync(cache, { mode: 0o555 });
    const run = launchAs(dir, rlibArgs("user"), { LOCAL_LTO_CACHE_DIR: cache });
    expect(run.stderr).toMatch(/^error\[LLTO_FILE_SYSTEM\]: cannot mkdir .*ro-cache\/\S+: permission denied\n {2}fix: /m);
    expect(run.status).toBe(3);
    expect(existsSync(join(dir, "out/libuser-1234.rlib"))).toBe(false);
  });

  it("a read-only state directory in the target directory, from the launcher's entry: exit 3 naming it (it was rustc's LLVM ERROR, exit 101)", () => {
    const dir = project();
    const cache = join(dir, "cache");
    expect(launchAs(dir, rlibArgs("user"), { LOCAL_LTO_CACHE_DIR: cache }).status).toBe(0);
    const before = readFileSync(join(dir, "out/libuser-1234.rlib"));
    execFileSync("chmod", ["-R", "a-w", join(dir, "out/local-lto")]);
    try {
      const run = launchAs(dir, rlibArgs("user"), { LOCAL_LTO_CACHE_DIR: cache });
      expect(run.stderr).toContain(`error[LLTO_FILE_SYSTEM]: cannot write in ${join(dir, "out/local-lto")}: permission denied`);
      expect(run.status).toBe(3);
      expect(readFileSync(join(dir, "out/libuser-1234.rlib")).equals(before)).toBe(true);
    } finally {
      execFileSync("chmod", ["-R", "u+w", join(dir, "out/local-lto")]);
    }
  });
});

describe("a compile that fails after rustc wrote its dep-info (a user trial: Ctrl-C in make, then make took a stale object for up to date)", () => {
  it("the dep-info still names the helpers' files, so a changed header still rebuilds the object", () => {
    const dir = project();
    const args = ["--edition=2021", "--crate-type=rlib", "-O", "--emit=dep-info=obj/.user.o.d", "--emit=obj=obj/user.o", "user.rs"];
    mkdirSync(join(dir, "obj"));
    expect(viaLauncher(dir, args).status).toBe(0);
    const object = readFileSync(join(dir, "obj/user.o"));
    // A type error: rustc writes the dep-info after parsing, then fails (as an interrupted compile does).
    writeFileSync(join(dir, "user.rs"), `${userRs}pub fn broken() -> u32 { "not a number" }\n`);
    const failed = viaLauncher(dir, args);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("mismatched types");
    const d = readFileSync(join(dir, "obj/.user.o.d"), "utf8");
    expect(d).toMatch(new RegExp(`^obj/user\\.o: user\\.rs .*${join(dir, "helpers.h")}`, "m"));
    expect(readFileSync(join(dir, "obj/user.o")).equals(object)).toBe(true);
  });
});

describe("Ctrl-C in make during a compile (a crate that takes seconds)", () => {
  const regex = crates.find((c) => c.id === "regex-syntax")!;
  const cases = [
    { via: "the launcher's entry", depInfo: true },
    { via: "the launcher's entry", depInfo: false },
    { via: "Node (no entry yet)", depInfo: true },
  ];
  for (const { via, depInfo } of cases) {
    it(`through ${via}: exit 130 with the stop named, the object as it was${depInfo ? ", and the dep-info rustc rewrote naming the helpers' files" : " (no dep-info asked for)"}`, async () => {
      const dir = project();
      mkdirSync(join(dir, "obj"));
      const args = [...regex.rustFlags, ...(depInfo ? ["--emit=dep-info=obj/.regex.o.d"] : []), "--emit=obj=obj/regex.o", regex.source];
      const fromEntry = via.startsWith("the launcher");
      if (fromEntry) expect(viaLauncher(dir, args).status).toBe(0);
      const object = fromEntry ? readFileSync(join(dir, "obj/regex.o")) : undefined;
      const child = spawn(launcher, [rustc, ...args], { cwd: dir, env: { ...process.env, LOCAL_LTO_LAUNCHER_TRACE: "1" }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      // rustc has written its dep-info once it has parsed and expanded the crate (Node first prepares the helpers).
      for (let i = 0; i < 300 && !/launcher: (plugin|node no-entry)/.test(stderr); i++) await new Promise((r) => setTimeout(r, 20));
      expect(stderr).toContain(fromEntry ? "launcher: plugin" : "launcher: node no-entry");
      await new Promise((r) => setTimeout(r, fromEntry ? 2000 : 3500));
      process.kill(-child.pid!, "SIGINT");
      expect(await exited).toBe(130);
      expect(stderr).toMatch(/^local-lto: stopped by SIGINT$/m);
      if (object) expect(readFileSync(join(dir, "obj/regex.o")).equals(object)).toBe(true);
      else expect(existsSync(join(dir, "obj/regex.o"))).toBe(false);
      if (depInfo) expect(readFileSync(join(dir, "obj/.regex.o.d"), "utf8")).toMatch(new RegExp(`^obj/regex\\.o: .*${join(dir, "helpers.h")}`, "m"));
    }, 120_000);
  }
});
