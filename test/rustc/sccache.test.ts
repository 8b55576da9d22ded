/**
 * local-lto beside sccache: `RUSTC_WRAPPER=sccache RUSTC_WORKSPACE_WRAPPER=local-lto` (Cargo runs
 * `sccache local-lto rustc …` for workspace members and `sccache rustc …` for the rest), with a
 * private SCCACHE_DIR and server. Debian's sccache (0.4.0-pre.6) runs the workspace members
 * through local-lto but does not cache them (it counts the rustc path after the wrapper as a
 * second input file, fixed in later sccache releases): the members' outputs must be deterministic
 * for a newer sccache to hit, which is checked directly, and the other crates hit.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readElf } from "../../src/elf/index.js";
import { readObjectFacts } from "../../src/verify/objectFacts.js";
import { findExecutable } from "../../src/toolchain/findExecutable.js";
import { cargoBuild, copyWorkspace } from "./cargoSupport.js";

const sccache = findExecutable("sccache", process.env.PATH);

function stats(env: Record<string, string>): { hits: number; misses: number } {
  const run = spawnSync("sccache", ["--show-stats", "--stats-format=json"], { env: { ...process.env, ...env }, encoding: "utf8" });
  const json = JSON.parse(run.stdout) as { stats: { cache_hits: { counts: Record<string, number> }; cache_misses: { counts: Record<string, number> } } };
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return { hits: sum(json.stats.cache_hits.counts), misses: sum(json.stats.cache_misses.counts) };
}

function artifactsOf(dir: string): Map<string, Buffer> {
  const deps = join(dir, "target/release/deps");
  const files = readdirSync(deps).filter((f) => /^lib(ck_ring|plain|ck_sys)-.*\.rlib$/.test(f) || /^hot_loop-[0-9a-f]+$/.test(f));
  return new Map(files.map((f) => [f, readFileSync(join(deps, f))]));
}

describe.skipIf(!sccache)("beside sccache", () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = copyWorkspace();
    const cacheDir = mkdtempSync(join(tmpdir(), "llto-sccache-"));
    // A private cache and a private server (its own port), stopped afterwards.
    env = { RUSTC_WRAPPER: "sccache", SCCACHE_DIR: cacheDir, SCCACHE_SERVER_PORT: String(20000 + (process.pid % 20000)), SCCACHE_IDLE_TIMEOUT: "120" };
    spawnSync("sccache", ["--start-server"], { env: { ...process.env, ...env } });
  });
  afterAll(() => {
    spawnSync("sccache", ["--stop-server"], { env: { ...process.env, ...env } });
  });

  it("builds the same program, every helper inlined, and a second clean build is byte-identical and hits the cache", async () => {
    const first = await cargoBuild(dir, { withLocalLto: true, env });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^local-lto: 2 crate\(s\) linked helpers/m);
    const elf = readElf(new Uint8Array(readFileSync(join(dir, "target/release/hot-loop"))));
    for (const h of readObjectFacts(elf, ["ck_ring_enqueue_spsc__extern", "ck_spinlock_fas_lock__extern", "fixture_mix__extern"]).helpers) expect([h.name, h.callsLeft, h.symbol]).toEqual([h.name, 0, "absent"]);
    const before = stats(env);
    const firstArtifacts = artifactsOf(dir);
    expect(firstArtifacts.size).toBe(4);

    rmSync(join(dir, "target"), { recursive: true });
    const second = await cargoBuild(dir, { withLocalLto: true, env });
    expect(second.status, second.stderr).toBe(0);
    const after = stats(env);
    expect(after.hits).toBeGreaterThan(before.hits);
    // Deterministic: what a cache stores is what the next clean build would make.
    const secondArtifacts = artifactsOf(dir);
    for (const [name, bytes] of firstArtifacts) expect(secondArtifacts.get(name)?.equals(bytes), name).toBe(true);
    expect(existsSync(join(dir, "target/local-lto/report.jsonl"))).toBe(true);
    // The clean build took the prepared helpers from local-lto's cache instead of preparing them again.
    const sets = readdirSync(join(dir, "target/local-lto/sets")).filter((f) => !f.endsWith(".lock"));
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(JSON.parse(readFileSync(join(dir, "target/local-lto/sets", set, "manifest.json"), "utf8")).restoredFrom).toMatch(/rustc-sets/);
  });
});
