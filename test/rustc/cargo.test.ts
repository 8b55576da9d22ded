/**
 * Real Cargo, offline (Debian's crate sources), on test/fixtures/cargo-workspace: a -sys crate
 * whose build.rs compiles Concurrency Kit wrappers with `cc`, a generic library over it, a binary
 * with a hot loop, and a crate that calls no helper. Built with and without local-lto: the same
 * program output; in local-lto's executable no helper call and no helper symbol (the proof
 * code on the linked file); rebuilds exactly where a helper's header changed, none without change.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseRunLines } from "../../src/rustc/buildReport.js";
import { until } from "../support/launcherRuns.js";
import { cargoBuild, copyWorkspace, executableFacts, expectedMix, rebuilt, runProgram, startCargoBuild } from "./cargoSupport.js";

describe("cargo build with local-lto", () => {
  let dir: string;
  let plainOutput: string;
  beforeAll(async () => {
    dir = copyWorkspace();
    const plain = await cargoBuild(dir, { withLocalLto: false });
    expect(plain.status, plain.stderr).toBe(0);
    plainOutput = await runProgram(dir);
  });

  it("out of line, the plain build calls the helpers and exports them (what local-lto removes)", async () => {
    const facts = executableFacts(dir);
    expect(facts.reduce((n, h) => n + h.callsLeft, 0)).toBeGreaterThan(0);
    expect(facts.some((h) => h.symbol === "global")).toBe(true);
  });

  it("builds the same program with every helper call inlined and no helper symbol left", async () => {
    const run = await cargoBuild(dir, { withLocalLto: true });
    expect(run.status, run.stderr).toBe(0);
    expect(await runProgram(dir)).toBe(plainOutput);
    for (const h of executableFacts(dir)) {
      expect(h.callsLeft, h.name).toBe(0);
      expect(h.symbol, h.name).toBe("absent");
    }
    // The summary at the end: the crates that linked helpers, and the verdict.
    expect(run.stderr).toMatch(/^local-lto: 2 crate\(s\) linked helpers, 2 called none \(4 compiled with the plugin\)$/m);
    expect(run.stderr).toMatch(/^ck_ring\s+\d+\s+0\s+0\s+inlined$/m);
    expect(run.stderr).toMatch(/^hot_loop\s+\d+\s+0\s+0\s+inlined$/m);
    expect(run.stderr).toMatch(/0 call\(s\) left, 0 global helper symbol\(s\) — every helper call inlined, no helper exported$/m);
    // The generic ring is compiled in hot-loop, in several codegen units (the release default), each linking its own copies.
    const lines = parseRunLines(readFileSync(join(dir, "target/local-lto/report.jsonl"), "utf8"));
    const hot = lines.filter((l) => l.crate === "hot_loop").at(-1)!;
    expect(hot.linked!.length).toBeGreaterThan(1);
    expect(hot.linked!.flatMap((m) => m.helpers)).toEqual(expect.arrayContaining(["ck_ring_enqueue_spsc__extern", "ck_spinlock_fas_lock__extern"]));
  });

  it("rebuilds nothing when nothing changed", async () => {
    const run = await cargoBuild(dir, { withLocalLto: true });
    expect(run.status, run.stderr).toBe(0);
    expect(rebuilt(run)).toEqual([]);
    expect([...run.artifacts.keys()].sort()).toEqual(["cc", "ck_ring", "ck_sys", "hot-loop", "plain"]);
    expect(run.stderr).toMatch(/^local-lto: no crate compiled by local-lto in this build/m);
  });

  it("rebuilds exactly the crates that inlined a changed header, and the program takes the new code", async () => {
    const header = join(dir, "include/fixture_config.h");
    writeFileSync(header, readFileSync(header, "utf8").replace("x * 3u + 1u", "x * 5u + 1u"));
    // Plain Cargo does not know the header (ck-sys's build script does not track it): nothing to rebuild.
    const plain = await cargoBuild(dir, { withLocalLto: false });
    expect(rebuilt(plain)).toEqual([]);
    const run = await cargoBuild(dir, { withLocalLto: true });
    expect(run.status, run.stderr).toBe(0);
    expect(rebuilt(run)).toEqual(["ck_ring", "hot-loop"]);
    const output = await runProgram(dir);
    expect(output).toContain(`mix=${expectedMix(output, 5)}`);
    expect(plainOutput).toContain(`mix=${expectedMix(plainOutput, 3)}`);
    expect(rebuilt(await cargoBuild(dir, { withLocalLto: true }))).toEqual([]);
  });

  it("rebuilds the same crates when the configuration changes", async () => {
    const config = join(dir, "local-lto.toml");
    writeFileSync(config, `${readFileSync(config, "utf8")}# changed\n`);
    const run = await cargoBuild(dir, { withLocalLto: true });
    expect(run.status, run.stderr).toBe(0);
    expect(rebuilt(run)).toEqual(["ck_ring", "hot-loop"]);
  });

  it("after cargo clean, the launcher runs rustc with the plugin from the first crate on (Node only for the proofs)", async () => {
    rmSync(join(dir, "target"), { recursive: true });
    const run = await cargoBuild(dir, { withLocalLto: true, env: { LOCAL_LTO_LAUNCHER_TRACE: "1" } });
    expect(run.status, run.stderr).toBe(0);
    const decisions = run.stderr.split("\n").filter((l) => l.startsWith("local-lto launcher: ") && !l.includes("target-dir"));
    expect(decisions.filter((d) => d.includes("node no-entry") || d.includes("stale-entry"))).toEqual([]);
    expect(decisions.filter((d) => d.endsWith(": plugin")).length).toBe(4);
    expect(decisions.filter((d) => d.endsWith(": node proof")).length).toBe(2);
    // The header still says `x * 5u + 1u` (changed above): the rebuilt program takes it.
    const output = await runProgram(dir);
    expect(output).toContain(`mix=${expectedMix(output, 5)}`);
  });

  // The proofs after the launcher's rustc go to the proof server (docs/MODES.md, "The proof
  // server"): the same report lines, the same program, as when the launcher starts Node for each.
  it("the proofs through the proof server: the same report lines as Node's", async () => {
    const reportLines = () =>
      parseRunLines(readFileSync(join(dir, "target/local-lto/report.jsonl"), "utf8"))
        .filter((l) => l.action === "compiled")
        // Units record what they linked as rustc's threads finish them: in no fixed order.
        .map(({ durationMs: _, build: __, ...line }) => ({ ...line, linked: [...(line.linked ?? [])].sort((a, b) => a.module.localeCompare(b.module)) }))
        .sort((a, b) => a.unit.localeCompare(b.unit));
    rmSync(join(dir, "target"), { recursive: true });
    const node = await cargoBuild(dir, { withLocalLto: true, env: { LOCAL_LTO_LAUNCHER_TRACE: "1", LOCAL_LTO_NO_SERVER: "1" } });
    expect(node.status, node.stderr).toBe(0);
    expect(node.stderr).not.toContain("proof-server connected");
    const viaNode = reportLines();
    // A build that finds no server starts one: the next build's proofs are the server's.
    rmSync(join(dir, "target"), { recursive: true });
    expect((await cargoBuild(dir, { withLocalLto: true })).status).toBe(0);
    const cache = process.env.LOCAL_LTO_CACHE_DIR!;
    await until("the server listens", () => readdirSync(cache).some((f) => /^proof-.*\.sock$/.test(f)));
    rmSync(join(dir, "target"), { recursive: true });
    const served = await cargoBuild(dir, { withLocalLto: true, env: { LOCAL_LTO_LAUNCHER_TRACE: "1" } });
    expect(served.status, served.stderr).toBe(0);
    expect(served.stderr.match(/proof-server connected/g)?.length).toBe(2);
    expect(served.stderr).not.toMatch(/proof-server fallback/);
    expect(reportLines()).toEqual(viaNode);
    for (const h of executableFacts(dir)) expect(h.callsLeft, h.name).toBe(0);
    expect(await runProgram(dir)).toContain("mix=");
  });
});

describe("Cargo's profile settings", () => {
  let dir: string;
  let expected: string;
  beforeAll(async () => {
    dir = copyWorkspace();
    const plain = await cargoBuild(dir, { withLocalLto: false });
    expect(plain.status, plain.stderr).toBe(0);
    expected = await runProgram(dir);
  });

  const settings: [string, Record<string, string>][] = [
    ["debug info (-g)", { CARGO_PROFILE_RELEASE_DEBUG: "2" }],
    ["panic=abort", { CARGO_PROFILE_RELEASE_PANIC: "abort" }],
    ["one codegen unit, embed-bitcode", { CARGO_PROFILE_RELEASE_CODEGEN_UNITS: "1", RUSTFLAGS: "-Cembed-bitcode=yes" }],
  ];
  for (const [name, env] of settings) {
    it(`${name}: same output, every call inlined`, async () => {
      const run = await cargoBuild(dir, { withLocalLto: true, env });
      expect(run.status, run.stderr).toBe(0);
      expect(await runProgram(dir)).toBe(expected);
      for (const h of executableFacts(dir)) expect([h.name, h.callsLeft, h.symbol]).toEqual([h.name, 0, "absent"]);
    });
  }

  it("strip=symbols: the linked file cannot be proven, and the gate says so (naming the crate and the fix)", async () => {
    const failing = await cargoBuild(dir, { withLocalLto: true, env: { CARGO_PROFILE_RELEASE_STRIP: "symbols" } });
    expect(failing.status).not.toBe(0);
    expect(failing.stderr).toMatch(/^error\[LLTO_NOT_PROVEN\]: crate hot_loop: .*not proven/m);
    expect(failing.stderr).toMatch(/^ {2}fix: keep the symbol table in the linked file \(profile strip = "debuginfo" or "none"\)/m);
    const relaxed = await cargoBuild(dir, { withLocalLto: true, env: { CARGO_PROFILE_RELEASE_STRIP: "symbols", LOCAL_LTO_REQUIRE_INLINED: "0" } });
    expect(relaxed.status, relaxed.stderr).toBe(0);
    expect(await runProgram(dir)).toBe(expected);
  });

  it("dev profile (opt-level 0, incremental): builds and runs, helpers linked privately, nothing rebuilt the second time", async () => {
    const run = await cargoBuild(dir, { withLocalLto: true, profile: "dev" });
    expect(run.status, run.stderr).toBe(0);
    expect(await runProgram(dir, "debug")).toBe(expected);
    expect(run.stderr).toMatch(/^hot_loop\s+\d+\s+\d+\s+0\s+linked, not inlined \(opt-level 0\)$/m);
    // No helper is exported from the executable: each unit has its own private copy.
    for (const h of executableFacts(dir, "debug")) expect(h.symbol === "global" || h.symbol === "weak", h.name).toBe(false);
    expect(rebuilt(await cargoBuild(dir, { withLocalLto: true, profile: "dev" }))).toEqual([]);
  });

  it("reads the configuration from [workspace.metadata.local-lto] in Cargo.toml", async () => {
    const config = readFileSync(join(dir, "local-lto.toml"), "utf8").replace(/^#.*\n/gm, "");
    rmSync(join(dir, "local-lto.toml"));
    writeFileSync(join(dir, "Cargo.toml"), `${readFileSync(join(dir, "Cargo.toml"), "utf8")}\n[workspace.metadata.local-lto]\n${config}`);
    const run = await cargoBuild(dir, { withLocalLto: true });
    expect(run.status, run.stderr).toBe(0);
    expect(rebuilt(run)).toEqual(expect.arrayContaining(["ck_ring", "hot-loop"]));
    expect(await runProgram(dir)).toBe(expected);
    for (const h of executableFacts(dir)) expect([h.name, h.callsLeft, h.symbol]).toEqual([h.name, 0, "absent"]);
  });

  it("a build that fails before any crate was compiled says so (a user trial: it said everything was fresh)", async () => {
    // A workspace of its own: in this one everything is fresh by now, and Cargo would compile nothing.
    const failing = await cargoBuild(copyWorkspace(), { withLocalLto: true, env: { LOCAL_LTO_HELPERS: "no-such-helpers.c" } });
    expect(failing.status).not.toBe(0);
    expect(failing.stderr).toMatch(/^error\[LLTO_CONFIG\]: .*no-such-helpers\.c/m);
    expect(failing.stderr).toMatch(/^local-lto: cargo failed \(exit \d+\) before local-lto finished compiling any crate: the errors above say why$/m);
    expect(failing.stderr).not.toContain("everything was fresh");
  });
});

describe("Ctrl-C during local-lto cargo build (a user trial: exit 130 without a word)", () => {
  it("exits 130 and says it was stopped", async () => {
    const dir = copyWorkspace();
    const build = startCargoBuild(dir);
    // Cargo has started compiling once the target directory holds its build plan's first outputs.
    await until("cargo compiles", () => existsSync(join(dir, "target/release/build")), 60_000);
    await new Promise((r) => setTimeout(r, 500));
    process.kill(-build.pid, "SIGINT");
    const { code, stderr } = await build.exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/^local-lto: stopped by SIGINT$/m);
  }, 120_000);
});
