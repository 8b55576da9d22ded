import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { emptyTargetFacts, targetKey, verdictKey, type TargetAttributes } from "../../src/inlining/targetFeatures.js";
import { answerQuestions } from "../../src/pipeline/reconcile/llvmFacts.js";
import { runCli } from "../support/cli.js";
import { factsFixtureDir, readRecordedFacts } from "../support/llvmFacts.js";
import { llvmBin, tempDir } from "../support/toolchain.js";

/**
 * The LLVM answers the unit tests replay (test/fixtures/llvm-facts/*.json) are still what the
 * installed LLVM says, and the build's own cache of them lives where it is told (never the real
 * ~/.cache in tests) and is read by the next build.
 */
const fromKey = (key: string): TargetAttributes => {
  const [cpu, tuneCpu, features] = JSON.parse(key) as (string | null)[];
  return { cpu: cpu ?? undefined, tuneCpu: tuneCpu ?? undefined, features: features ?? undefined };
};

describe("recorded LLVM answers agree with the installed LLVM", () => {
  const files = readdirSync(factsFixtureDir).filter((f) => f.endsWith(".json"));

  test.each(files)("%s", async (file) => {
    const recorded = readRecordedFacts(file.replace(/\.json$/, ""));
    for (const [triple, facts] of Object.entries(recorded)) {
      const verdicts = Object.keys(facts.targets.verdicts).map((k) => {
        const [caller, callee] = k.split("\n");
        return { caller: fromKey(caller!), callee: fromKey(callee!) };
      });
      const targets = Object.keys(facts.targets.bits).map(fromKey);
      const live = { targets: emptyTargetFacts(), intrinsics: {} };
      const scratch = tempDir("llto-facts-check-");
      let n = 0;
      await answerQuestions(
        { tools: { opt: `${llvmBin}/opt` }, triple, scratchFile: (f) => join(scratch, `${++n}-${f}`), declarationOf: () => undefined },
        { data: live, tried: new Set(), markDirty: () => undefined },
        (model) => {
          for (const v of verdicts) model.inlinable(v.caller, v.callee);
          for (const t of targets) model.bits(t);
        },
      );
      for (const v of verdicts) expect(live.targets.verdicts[verdictKey(v.caller, v.callee)], `${triple}: ${verdictKey(v.caller, v.callee)}`).toBe(facts.targets.verdicts[verdictKey(v.caller, v.callee)]);
      for (const t of targets) expect(live.targets.bits[targetKey(t)], `${triple}: ${targetKey(t)}`).toEqual(facts.targets.bits[targetKey(t)]);
    }
  }, 300_000);
});

describe("the build's cache of LLVM's answers", () => {
  const dir = tempDir("llto-facts-cache-");
  const rust = join(dir, "lib.rs");
  const helpers = join(dir, "helpers.c");
  writeFileSync(rust, `extern "C" { fn rust_helper_pop(x: u64) -> u32; }\n#[no_mangle] pub extern "C" fn count(x: u64) -> u32 { unsafe { rust_helper_pop(x) } }\n`);
  // Built for a CPU with POPCNT, beside rustc's default x86-64: LLVM refuses, local-lto reconciles.
  writeFileSync(helpers, "unsigned rust_helper_pop(unsigned long long x) { return __builtin_popcountll(x); }\n");
  const args = (cache: string, out: string) => ["build", rust, "--helpers", helpers, "-o", join(dir, out), "--rustc-arg=-O", "--cc-arg=-O2", "--cc-arg=-march=x86-64-v2", "--explain", "--json", `--cache-dir=${cache}`];

  test("is written under --cache-dir, and a later build reads it", async () => {
    const cache = join(dir, "cache");
    const first = await runCli(args(cache, "a.o"), { env: { XDG_CACHE_HOME: join(dir, "xdg") } });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).summary.callsLeft).toBe(0);
    const stored = readdirSync(join(cache, "llvm-facts"));
    expect(stored).toHaveLength(1);
    expect(existsSync(join(dir, "xdg", "local-lto", "llvm-facts"))).toBe(false);
    // Tamper with the cached verdict (x86-64 ← x86-64-v2 refused): the next build believes the
    // cache, so the helper is not reconciled — proof that it was read instead of asking LLVM.
    const file = join(cache, "llvm-facts", stored[0]!);
    const facts = JSON.parse(readFileSync(file, "utf8"));
    const refused = Object.entries(facts.targets.verdicts as Record<string, boolean>).filter(([, v]) => v === false).map(([k]) => k);
    expect(refused.length).toBeGreaterThan(0);
    for (const k of Object.keys(facts.targets.verdicts)) facts.targets.verdicts[k] = true;
    facts.targets.bits = {};
    writeFileSync(file, JSON.stringify(facts));
    const second = await runCli(args(cache, "b.o"), { env: { XDG_CACHE_HOME: join(dir, "xdg") } });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).reconciliation ?? []).toEqual([]);
  }, 120_000);

  test("is not written with LOCAL_LTO_NO_TOOL_CACHE", async () => {
    const cache = join(dir, "no-cache");
    const run = await runCli(args(cache, "c.o"), { env: { LOCAL_LTO_NO_TOOL_CACHE: "1" } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(join(cache, "llvm-facts"))).toBe(false);
  }, 120_000);
});
