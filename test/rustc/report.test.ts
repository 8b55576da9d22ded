import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { latestPerUnit, parseRunLines, renderBuildSummary, summarizeRuns, type RunLine } from "../../src/rustc/buildReport.js";
import { entryName, entryScript, indexFileName, indexScript, readLaunchEntry, writeLaunchEntry, type LaunchEntry } from "../../src/rustc/launchEntries.js";

const row = (name: string, callsLeft: number, symbol: "absent" | "global" = "absent") => ({
  name,
  callSitesBefore: null,
  mismatchedCallSitesBefore: null,
  callsLeft,
  calls: [],
  addressReferences: 0,
  symbol,
  inlined: callsLeft === 0,
  verdict: callsLeft === 0 ? ("inlined" as const) : ("calls-left" as const),
});

const lines: RunLine[] = [
  { schema: "local-lto/rustc-run/1", crate: "plain", unit: "plain-1", action: "no-helpers", crateTypes: ["lib"], optLevel: "3" },
  { schema: "local-lto/rustc-run/1", crate: "ring", unit: "ring-2", action: "compiled", optLevel: "3", linked: [{ module: "ring.x-cgu.0", helpers: ["a__extern", "b__extern"] }], helpers: [row("a__extern", 0), row("b__extern", 0)], summary: { helpers: 2, callsLeft: 0, globalHelperSymbols: 0, notProven: 0, allInlined: true } },
  { schema: "local-lto/rustc-run/1", crate: "app", unit: "app-3", action: "failed", optLevel: "3", linked: [{ module: "app.y-cgu.1", helpers: ["a__extern"] }], helpers: [row("a__extern", 2)], summary: { helpers: 1, callsLeft: 2, globalHelperSymbols: 0, notProven: 0, allInlined: false }, gate: { required: true, applied: true, pass: false, code: "LLTO_CALLS_LEFT", message: "crate app: a__extern: 2 call(s) left" } },
];

describe("the build's report", () => {
  it("reads its lines back, skipping what is not one, and keeps the latest per unit", () => {
    const text = `${lines.map((l) => JSON.stringify(l)).join("\n")}\nnot json\n{"schema":"other"}\n${JSON.stringify({ ...lines[1], action: "no-helpers" })}\n`;
    const parsed = parseRunLines(text);
    expect(parsed).toHaveLength(4);
    expect(latestPerUnit(parsed).map((l) => [l.unit, l.action])).toEqual([
      ["plain-1", "no-helpers"],
      ["app-3", "failed"],
      ["ring-2", "no-helpers"],
    ]);
    // The launcher's own short line (bin/local-lto) is a valid line.
    expect(parseRunLines('{"schema":"local-lto/rustc-run/1","build":"b1","crate":"x","unit":"x-9","action":"no-helpers","crateTypes":["lib"],"optLevel":"3"}\n')).toHaveLength(1);
  });

  it("sums up and renders: crates, helpers, calls left, failures", () => {
    const s = summarizeRuns(lines);
    expect([s.crates, s.linkedCrates, s.helpers, s.callsLeft, s.failed.length]).toEqual([3, 2, ["a__extern", "b__extern"], 2, 1]);
    const text = renderBuildSummary(lines, { color: false, heading: "local-lto" });
    expect(text).toMatch(/^local-lto: 2 crate\(s\) linked helpers, 1 called none \(3 compiled with the plugin\)$/m);
    expect(text).toMatch(/^ring\s+2\s+0\s+0\s+inlined$/m);
    expect(text).toMatch(/^app\s+1\s+2\s+0\s+failed \(LLTO_CALLS_LEFT\)$/m);
    expect(text).toMatch(/^2 helper\(s\) linked, 2 call\(s\) left, 0 global helper symbol\(s\)$/m);
    expect(text).toMatch(/^failed: app: crate app: a__extern: 2 call\(s\) left$/m);
  });
});

describe("the launcher's entries", () => {
  const entry: LaunchEntry = {
    action: "plugin",
    pluginPath: "/t/local-lto/plugin/ab/libllto_plugin.so",
    setDir: "/t/local-lto/sets/cd",
    bootstrap: true,
    manglingPin: "legacy",
    crates: ["hot_loop", "ck_ring"],
    config: { files: ["/w/local-lto.toml"], requireInlined: true, allow: ["address-taken"], sourcePath: "/w/local-lto.toml" },
    dependencies: ["/w/local-lto.toml", "/w/it's here.h", "/w/$HOME `x`.h"],
    absent: ["/w/gone.toml"],
  };

  it("are shell the launcher (dash) sources, every value exactly as written", () => {
    const index = indexScript({ "rustc|a b|*|$X": entryName("rustc|a b|*|$X"), "other": "0123" });
    const probe = [
      index,
      entryScript(entry),
      'llto_dep() { for f do printf "dep=%s\\n" "$f"; done; }',
      'llto_absent() { for f do printf "absent=%s\\n" "$f"; done; }',
    ];
    const script = `keytext='rustc|a b|*|$X'\n${probe[0]}\nprintf 'entry=%s\\n' "$llto_entry"\n${probe[2]}\n${probe[3]}\n${probe[1]}\nprintf 'plugin=%s\\nbootstrap=%s\\npin=%s\\ncrates=%s\\n' "$llto_e_plugin" "$llto_e_bootstrap" "$llto_e_pin" "$llto_e_crates"\n`;
    const out = execFileSync("dash", ["-c", script], { encoding: "utf8" });
    expect(out.split("\n")).toEqual([
      `entry=${entryName("rustc|a b|*|$X")}`,
      "dep=/w/local-lto.toml",
      "dep=/w/it's here.h",
      "dep=/w/$HOME `x`.h",
      "absent=/w/gone.toml",
      `plugin=${entry.pluginPath}`,
      "bootstrap=1",
      "pin=legacy",
      "crates=hot_loop ck_ring",
      "",
    ]);
    // A key text the index does not name leaves llto_entry empty.
    expect(execFileSync("dash", ["-c", `llto_entry=; keytext=nothing\n${index}\nprintf '%s' "$llto_entry"`], { encoding: "utf8" })).toBe("");
  });

  it("are written with their index and read back by Node", async () => {
    const state = join(mkdtempSync(join(tmpdir(), "llto-entries-")), "launch");
    await writeLaunchEntry(state, "key one", entry, Date.now() - 60_000);
    await writeLaunchEntry(state, "key two", { action: "plain", dependencies: ["/w/Cargo.toml"], absent: [] }, Date.now());
    expect(await readLaunchEntry(state, "key one")).toEqual(entry);
    expect((await readLaunchEntry(state, "key two"))?.action).toBe("plain");
    expect(await readLaunchEntry(state, "key three")).toBeUndefined();
    // The name the launcher passes (LOCAL_LTO_LAUNCH_ENTRY) is read without hashing; the key text inside decides.
    expect(await readLaunchEntry(state, "key one", entryName("key one"))).toEqual(entry);
    expect(await readLaunchEntry(state, "key one", entryName("key two"))).toBeUndefined();
    expect(await readLaunchEntry(state, "key one", "../key-one")).toEqual(entry);
    // "key one" and "key two" are both 7 bytes long: one index file names both.
    const index = readFileSync(join(state, indexFileName("key one")), "utf8");
    expect(index).toContain(`'key one') llto_entry=${entryName("key one")} ;;`);
    expect(index).toContain(`'key two') llto_entry=${entryName("key two")} ;;`);
    // The entry is dated when its facts were read: a file changed since is newer than it.
    expect(statSync(join(state, `${entryName("key one")}.sh`)).mtimeMs).toBeLessThan(Date.now() - 50_000);
  });
});
