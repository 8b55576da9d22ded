/**
 * The caller probe's cache (src/tools/rustc.ts): keyed by the compiler, the probe's argv and source,
 * and a JSON target spec's content; the second build asks rustc nothing.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { callerProbeKey, compileCallerProbe, targetSpecPaths } from "../../src/tools/rustc.js";
import { probeRustc } from "../../src/toolchain/probeTool.js";
import { tempDir } from "../support/toolchain.js";

describe("caller probe keys (pure)", () => {
  const specs = new Map<string, string | undefined>();
  const base = callerProbeKey("rustc 1.95.0\ncommit-hash: a", ["-O"], "src", specs)!;

  test("another compiler build, other flags or another source: another key", () => {
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(callerProbeKey("rustc 1.95.0\ncommit-hash: b", ["-O"], "src", specs)).not.toBe(base);
    expect(callerProbeKey("rustc 1.95.0\ncommit-hash: a", ["-O", "-Ctarget-cpu=native"], "src", specs)).not.toBe(base);
    expect(callerProbeKey("rustc 1.95.0\ncommit-hash: a", ["-O"], "src2", specs)).not.toBe(base);
    expect(callerProbeKey("rustc 1.95.0\ncommit-hash: a", ["-O"], "src", new Map())).toBe(base);
  });

  test("a JSON target spec: its content is in the key; unreadable, never cached", () => {
    const a = callerProbeKey("v", ["--target=t.json"], "src", new Map([["/w/t.json", "{1}"]]));
    const b = callerProbeKey("v", ["--target=t.json"], "src", new Map([["/w/t.json", "{2}"]]));
    expect(a).not.toBe(b);
    expect(callerProbeKey("v", ["--target=t.json"], "src", new Map([["/w/t.json", undefined]]))).toBeUndefined();
  });

  test("target spec paths, in both spellings, resolved against the working directory", () => {
    expect(targetSpecPaths(["--target", "k.json", "--target=x86_64-unknown-linux-gnu", "--target=/abs/s.json"], "/w")).toEqual(["/w/k.json", "/abs/s.json"]);
  });
});

describe("the cached probe", () => {
  test("the second probe with the same compiler and flags is read back, rustc not run", async () => {
    const version = await probeRustc("rustc");
    const cache = { dir: tempDir("llto-probe-cache-"), rustcIdentity: version!.text! };
    const first = await compileCallerProbe("rustc", ["-O"], ["rust_helper_a", "rust_helper_b"], process.cwd(), cache);
    expect(first?.irText).toContain("@__llto_caller_1");
    // A "rustc" that fails: only the cache can answer.
    const failing = join(cache.dir, "failing-rustc");
    writeFileSync(failing, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const again = await compileCallerProbe(failing, ["-O"], ["rust_helper_a", "rust_helper_b"], process.cwd(), cache);
    expect(again?.irText).toBe(first?.irText);
    expect([...again!.callers]).toEqual([...first!.callers]);
    // Other flags: not in the cache, so that rustc runs (and fails).
    expect(await compileCallerProbe(failing, ["-O", "-Ctarget-cpu=x86-64-v3"], ["rust_helper_a", "rust_helper_b"], process.cwd(), cache)).toBeUndefined();
  });
});
