import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { removeAbandonedStages, replayEnvironment, replayKeyText, replayScript, STAGE } from "../../src/pipeline/plugin/replayEntry.js";
import { replayEntryWith } from "../support/replayEntry.js";
import { repoRoot, tempDir } from "../support/toolchain.js";

const entry = replayEntryWith;

describe("replay entries (pure)", () => {
  test("the launcher keys builds on the same environment variables, in the same order", () => {
    const launcher = readFileSync(join(repoRoot, "bin/local-lto"), "utf8");
    const list = /for llto_v in ([^;]*); do/.exec(launcher)?.[1] ?? "";
    expect(list.replace(/\\\n/g, " ").split(/\s+/).filter(Boolean)).toEqual([...replayEnvironment]);
  });

  test("the key tells set from empty, and argument boundaries apart", () => {
    expect(replayKeyText("/w", ["a b"], {})).not.toBe(replayKeyText("/w", ["a", "b"], {}));
    expect(replayKeyText("/w", [], { RUSTC: "" })).not.toBe(replayKeyText("/w", [], {}));
    expect(replayKeyText("/w", ["x"], { PATH: "/bin", UNRELATED: "1" })).toBe(replayKeyText("/w", ["x"], { PATH: "/bin" }));
  });

  test("the entry's shell function runs the command word for word, with the stage directory in place of STAGE", () => {
    const dir = tempDir("llto-replay-script-");
    const script = join(dir, "entry.sh");
    const args = ["-c", 'printf "%s|" "$@"; printf "%s|%s" "${SET_ME-unset}" "${UNSET_ME-unset}"', "sh", "a'b c", "$HOME", `${STAGE}/rust.o`, `-o${STAGE}`];
    writeFileSync(script, replayScript(entry({ file: "/bin/sh", args, env: { SET_ME: "it's set", UNSET_ME: undefined } })));
    const out = execFileSync("sh", ["-c", `llto_dep() { :; }; llto_absent() { :; }; llto_present() { :; }; . "$1"; llto_b_run "/stage dir"`, "sh", script], { encoding: "utf8", env: { ...process.env, UNSET_ME: "was set" } });
    expect(out).toBe(`a'b c|$HOME|/stage dir/rust.o|-o/stage dir|it's set|unset`);
  });
});

describe("removeAbandonedStages: a SIGKILLed launcher's run.<pid> goes once its pid is gone and a day has passed", () => {
  test("dead and a day old: removed; dead but recent, alive, or not a launcher's name: kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llto-stages-"));
    const deadPid = () => spawnSync("/bin/true").pid!;
    const old = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    const make = (name: string, aged: boolean) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "stderr"), "");
      if (aged) for (const f of [join(dir, name, "stderr"), join(dir, name)]) utimesSync(f, old, old);
    };
    const abandoned = `run.${deadPid()}`;
    const recent = `run.${deadPid()}`;
    const alive = `run.${process.pid}`;
    make(abandoned, true);
    make(recent, false);
    make(alive, true);
    make("run.next", true);
    expect(await removeAbandonedStages(dir)).toEqual([abandoned]);
    expect(readdirSync(dir).sort()).toEqual([alive, recent, "run.next"].sort());
  });
});
