/**
 * Helper variants and the helper bitcode cache (docs/VARIANTS.md): one helper source compiled as
 * `builtin` and as `module` (-DMODULE), each variant compiled once and reused by every object
 * built with it. Fixtures: test/fixtures/multi/variants/.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import { parseDepfile } from "../../src/pipeline/cache/depfile.js";
import { helperCacheKey } from "../../src/pipeline/cache/helperCache.js";
import { resolveBuild } from "../../src/pipeline/resolve/resolveBuild.js";
import { resolveHelpersConfig, selectVariant } from "../../src/pipeline/variants/helpersConfig.js";
import { reportSchema } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { clang, llvmBin, repoRoot, run, tempDir } from "../support/toolchain.js";

const fixtures = join(repoRoot, "test/fixtures/multi/variants");
const driver = join(fixtures, "driver.rs");
const config = join(fixtures, "helpers.json");
const dir = tempDir("llto-variants-");

function undefinedSymbols(object: string): string[] {
  return run(join(llvmBin, "llvm-nm"), ["--undefined-only", "--format=just-symbols", object]).split("\n").filter(Boolean);
}

async function buildVariant(variant: string | undefined, cacheDir: string, output: string, extra: { config?: string; helperCache?: boolean } = {}) {
  const { report } = await build({ rustInput: driver, helperInputs: [], helpersConfig: extra.config ?? config, helpersVariant: variant, output, rustcArgs: ["-O"], cacheDir, helperCache: extra.helperCache, mode: "inline" });
  return report;
}

describe("the variant a build selects is the code that is inlined", () => {
  const cache = join(dir, "cache-select");

  test("module: -DMODULE code inlined, the module's __this_module referenced, as a kernel module needs", async () => {
    const object = join(dir, "driver-module.o");
    const report = await buildVariant("module", cache, object);
    expect(report.helpersVariant).toBe("module");
    expect(report.summary).toMatchObject({ callsLeft: 0, globalHelperSymbols: 0 });
    expect(undefinedSymbols(object)).toEqual(["__this_module"]);
    const exe = join(dir, "module-program");
    run(clang, ["-DMODULE", "-o", exe, join(fixtures, "main.c"), object]);
    expect(run(exe, [])).toBe("kind 2, owner 42\n");
  });

  test("builtin (the config's default): no module symbol, built-in code", async () => {
    const object = join(dir, "driver-builtin.o");
    const report = await buildVariant(undefined, cache, object);
    expect(report.helpersVariant).toBe("builtin");
    expect(undefinedSymbols(object)).toEqual([]);
    const exe = join(dir, "builtin-program");
    run(clang, ["-o", exe, join(fixtures, "main.c"), object]);
    expect(run(exe, [])).toBe("kind 1, owner 0\n");
  });

  test("an unknown variant, or a variant without a config, is a usage error", async () => {
    const unknown = await runCli(["build", driver, "--helpers-config", config, "--helpers-variant", "modul", "-o", join(dir, "x.o")]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("--helpers-variant modul: ");
    expect(unknown.stderr).toContain("use one of: builtin, module");
    const noConfig = await runCli(["build", driver, "--helpers", join(fixtures, "helpers.c"), "--helpers-variant", "module", "-o", join(dir, "x.o")]);
    expect(noConfig.exitCode).toBe(2);
    expect(noConfig.stderr).toContain("needs a helpers config");
  });

  test("a malformed config names the file and the field", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ helpers: ["helpers.c"], variants: { module: { define: ["MODULE"] } } }));
    const cli = await runCli(["build", driver, "--helpers-config", bad, "-o", join(dir, "x.o")]);
    expect(cli.exitCode).toBe(4);
    expect(cli.stderr).toMatch(/error\[LLTO_HELPERS_CONFIG\]: helpers config .*bad\.json: variants\.module/);
  });
});

describe("the helper bitcode cache", () => {
  test("a second object with the same variant reuses the bitcode: clang does not run again", async () => {
    const cache = join(dir, "cache-reuse");
    const args = (out: string) => ["build", driver, "--helpers-config", config, "--helpers-variant", "module", "-o", join(dir, out), "--rustc-arg=-O", "--cache-dir", cache, "--json"];
    const first = await runCli(args("reuse-1.o"), { env: { DEBUG: "local-lto:run" } });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(reportSchema.parse(JSON.parse(first.stdout)).helperBitcode).toEqual([expect.objectContaining({ origin: "compiled", cacheKey: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    const clangCompile = /clang(-\d+)? \[ '-c', '-emit-llvm'/;
    expect(first.stderr).toMatch(clangCompile);

    const second = await runCli(args("reuse-2.o"), { env: { DEBUG: "local-lto:run" } });
    expect(second.exitCode, second.stderr).toBe(0);
    const report = reportSchema.parse(JSON.parse(second.stdout));
    expect(report.helperBitcode).toEqual([expect.objectContaining({ origin: "cache-hit" })]);
    expect(report.helperBitcode![0]!.cacheKey).toBe(reportSchema.parse(JSON.parse(first.stdout)).helperBitcode![0]!.cacheKey);
    // The debug log lists every child process: rustc and the LLVM tools, no clang compile
    // (only the version probe every build makes).
    expect(second.stderr).toMatch(/rustc/);
    expect(second.stderr).not.toMatch(clangCompile);
    expect(readFileSync(join(dir, "reuse-2.o"))).toEqual(readFileSync(join(dir, "reuse-1.o")));
  });

  test("the key follows the sources, the headers they include and the defines", async () => {
    // A private copy of the fixtures, so the header can change.
    const tree = join(dir, "tree");
    cpSync(fixtures, tree, { recursive: true });
    const treeConfig = join(tree, "helpers.json");
    const cache = join(dir, "cache-key");
    const origin = async (variant: string, out: string) => (await buildVariant(variant, cache, join(dir, out), { config: treeConfig })).helperBitcode![0]!;

    const module = await origin("module", "key-module.o");
    expect(module.origin).toBe("compiled");
    expect((await origin("module", "key-module-again.o")).origin).toBe("cache-hit");
    // Another define: another key.
    const builtin = await origin("builtin", "key-builtin.o");
    expect(builtin.origin).toBe("compiled");
    expect(builtin.cacheKey).not.toBe(module.cacheKey);
    // An included header changes: compiled again, and the new code is what gets inlined.
    const header = join(tree, "include/owner.h");
    writeFileSync(header, readFileSync(header, "utf8").replace("#define THIS_MODULE (&__this_module)", "#define THIS_MODULE ((struct module *)0)"));
    const changed = await origin("module", "key-module-changed.o");
    expect(changed.origin).toBe("compiled");
    expect(changed.cacheKey).not.toBe(module.cacheKey);
    expect(undefinedSymbols(join(dir, "key-module-changed.o"))).toEqual([]);
    // The source changes: compiled again.
    writeFileSync(join(tree, "helpers.c"), `${readFileSync(join(tree, "helpers.c"), "utf8")}\nint rust_helper_extra(void) { return 3; }\n`);
    expect((await origin("module", "key-module-source.o")).origin).toBe("compiled");
  });

  test("parallel builds of one variant compile it once", async () => {
    const cache = join(dir, "cache-parallel");
    const reports = await Promise.all([1, 2, 3].map((i) => buildVariant("module", cache, join(dir, `parallel-${i}.o`))));
    const origins = reports.map((r) => r.helperBitcode![0]!.origin).sort();
    expect(origins).toEqual(["cache-hit", "cache-hit", "compiled"]);
  });

  test("--no-cache compiles every time and gives the same object", async () => {
    const cache = join(dir, "cache-off");
    const cached = await buildVariant("module", cache, join(dir, "cached.o"));
    const uncached = await buildVariant("module", cache, join(dir, "uncached.o"), { helperCache: false });
    expect(cached.helperBitcode![0]!.origin).toBe("compiled");
    expect(uncached.helperBitcode![0]).toMatchObject({ origin: "compiled", uncached: "--no-cache" });
    expect(readFileSync(join(dir, "uncached.o"))).toEqual(readFileSync(join(dir, "cached.o")));
  });
});

describe("pure parts: config, depfile, cache key", () => {
  test("a config resolves to absolute sources and one flag list per variant", () => {
    const resolved = resolveHelpersConfig(
      { helpers: ["rust/helpers.c"], includeDirs: ["include"], defines: ["CONFIG_RUST=1"], ccArgs: ["-fno-strict-aliasing"], variants: { builtin: {}, module: { defines: ["MODULE"], ccArgs: ["-fno-pic"] } } },
      "/src/linux/local-lto.json",
    );
    expect(resolved.defaultVariant).toBeUndefined();
    expect(selectVariant(resolved, "module")).toEqual({
      name: "module",
      helpers: ["/src/linux/rust/helpers.c"],
      ccArgs: ["-I/src/linux/include", "-DCONFIG_RUST=1", "-fno-strict-aliasing", "-DMODULE", "-fno-pic"],
    });
    expect(() => selectVariant(resolved, undefined)).toThrow(/several helper variants \(builtin, module\) and no defaultVariant/);
    // No variants: one, named default, chosen without --helpers-variant.
    expect(selectVariant(resolveHelpersConfig({ helpers: ["h.c"] }, "/x/c.json"), undefined).name).toBe("default");
  });

  test.each([
    [{}, /helpers: /],
    [{ helpers: ["h.c"], defines: ["-DMODULE"] }, /defines\.0: a define is NAME or NAME=VALUE/],
    [{ helpers: ["h.c"], variants: { "bad name": {} } }, /variants/],
    [{ helpers: ["h.c"], variants: { a: {} }, defaultVariant: "b" }, /defaultVariant "b" is not one of the variants \(a\)/],
    [{ helpers: ["h.c"], extra: true }, /Unrecognized key/],
  ])("config %j is refused", (json, message) => {
    expect(() => resolveHelpersConfig(json, "/c.json")).toThrow(message);
  });

  test("a variant becomes plain inputs and flags: variant first, the user's --cc-arg after, -g0 last", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llto-variant-"));
    await writeFile(join(dir, "x.rs"), "pub fn f() {}\n");
    await writeFile(join(dir, "extra.c"), "int extra;\n");
    const resolved = await resolveBuild({ rustInput: "x.rs", helperInputs: ["extra.c"], output: "x.o", cwd: dir, ccArgs: ["-g", "-DEXTRA"], helpersConfig: config, helpersVariant: "module", helpersDebug: "none" });
    expect(resolved.variant?.name).toBe("module");
    expect(resolved.helpers.map((h) => h.path)).toEqual([join(fixtures, "helpers.c"), join(dir, "extra.c")]);
    expect(resolved.ccArgs).toEqual([`-I${join(fixtures, "include")}`, "-DMODULE", "-g", "-DEXTRA", "-g0"]);
    await expect(resolveBuild({ rustInput: "x.rs", helperInputs: ["extra.c"], output: "x.o", cwd: dir, helpersDebug: "some" as "none" })).rejects.toThrow(/--helpers-debug=some is not a choice/);
  });

  test("clang's depfile: continuations, escaped spaces, $$", () => {
    expect(parseDepfile("/tmp/x/helpers-0.bc: src/helpers.c \\\n  include/a\\ b.h /usr/include/$$dollar.h \\\n  src/helpers.c\n")).toEqual(["src/helpers.c", "include/a b.h", "/usr/include/$dollar.h"]);
  });

  test("the cache key covers compiler, argv, working directory, source and environment", () => {
    const parts = { clang: { path: "/usr/bin/clang", version: "22.1.8", size: 1, mtimeMs: 2 }, args: ["-c", "-DMODULE"], cwd: "/w", source: "/w/h.c", sourceHash: "ab", env: {} };
    const key = helperCacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(helperCacheKey({ ...parts })).toBe(key);
    for (const changed of [
      { ...parts, args: ["-c"] },
      { ...parts, clang: { ...parts.clang, version: "22.1.9" } },
      { ...parts, cwd: "/v" },
      { ...parts, sourceHash: "ac" },
      { ...parts, env: { CPATH: "/inc" } },
    ]) {
      expect(helperCacheKey(changed)).not.toBe(key);
    }
  });
});
