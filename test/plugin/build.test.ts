/**
 * Building, caching and load-testing the plugin (src/toolchain/rustcPlugin.ts) with the real
 * clang++ and rustc, and the reasons it gives when it cannot.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { checkPlugin } from "../../src/tools/plugin/checkPlugin.js";
import { pluginFileName, prepareHelperSet } from "../../src/tools/plugin/helperSet.js";
import { ensureRustcPlugin, type RustcPlugin } from "../../src/tools/plugin/rustcPlugin.js";
import { tempDir } from "../support/toolchain.js";
import { compileHelperBitcode, kernelHelpersC, pluginCacheDir, pluginFor, rustcsUnderTest } from "./pluginSupport.js";

const stableRustc = join(execFileSync("rustc", ["--print", "sysroot"], { encoding: "utf8" }).trim(), "bin/rustc");
const realClangxx = "/usr/lib/llvm-22/bin/clang++";
const realLlvmConfig = "/usr/lib/llvm-22/bin/llvm-config";

describe("building the plugin for the rustc in use", () => {
  for (const { name, rustc } of rustcsUnderTest) {
    test.skipIf(!rustc)(`${name}: built once per LLVM version, then found in the cache`, async () => {
      const first = await pluginFor(rustc!);
      expect(first.dir.startsWith(pluginCacheDir)).toBe(true);
      expect(first.dir).toMatch(name === "stable" ? /\/llvm-22\.1\.2-[0-9a-f]{16}$/ : /\/llvm-22\.1\.4-[0-9a-f]{16}$/);
      expect(first.needsBootstrap).toBe(name === "stable");
      expect(first.headersVersion).toMatch(/^22\./);
      expect(existsSync(first.path)).toBe(true);
      const again = await ensureRustcPlugin({ rustc: rustc!, cacheDir: pluginCacheDir });
      expect(again.ok && again.plugin.built).toBe(false);
      expect(again.ok && again.plugin.path).toBe(first.path);
    });
  }

  test("once built and load-checked for a rustc build, found without asking llvm-config and clang++ again", async () => {
    await pluginFor("rustc");
    // The real tools behind wrappers that log each run.
    const dir = tempDir("llto-plugin-ready-");
    const log = join(dir, "runs.log");
    const wrap = (name: string, real: string) => {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\necho ${name} >> '${log}'\nexec ${real} "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    };
    const tools = { clangxx: wrap("clang++", realClangxx), llvmConfig: wrap("llvm-config", realLlvmConfig) };
    const first = await ensureRustcPlugin({ rustc: "rustc", cacheDir: pluginCacheDir, ...tools });
    expect(first.ok && first.plugin.built).toBe(false);
    const asked = readFileSync(log, "utf8");
    expect(asked).toContain("clang++");
    expect(asked).toContain("llvm-config");
    const again = await ensureRustcPlugin({ rustc: "rustc", cacheDir: pluginCacheDir, ...tools });
    expect(again.ok && again.plugin.path).toBe(first.ok && first.plugin.path);
    expect(again.ok && again.plugin.headersVersion).toBe(first.ok && first.plugin.headersVersion);
    expect(readFileSync(log, "utf8")).toBe(asked);
  });

  test("stable and nightly rustc (LLVM 22.1.2 and 22.1.4) get separate builds", async () => {
    const nightly = rustcsUnderTest.find((r) => r.name === "nightly")!.rustc;
    if (!nightly) return;
    const [a, b] = await Promise.all([pluginFor("rustc"), pluginFor(nightly)]);
    expect(a.dir).not.toBe(b.dir);
  });

  test("doctor's line: ok with the version, or not built yet with the fix (and nothing built)", async () => {
    await pluginFor("rustc");
    expect(await checkPlugin({ rustc: "rustc", cacheDir: pluginCacheDir })).toMatch(/^rustc plugin: ok for rustc 1\.\d+\.\d+ \(LLVM 22\.1\.\d+, headers 22\.1\.\d+, loaded with RUSTC_BOOTSTRAP=1 in rustc's environment only\): \/.*libllto_plugin\.so$/);
    const empty = tempDir("llto-plugin-empty-cache-");
    expect(await checkPlugin({ rustc: "rustc", cacheDir: empty })).toMatch(/^rustc plugin: unavailable: the rustc plugin for LLVM 22\.1\.\d+ is not built yet \(fix: run node scripts\/build-plugin\.mjs/);
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe("why there is no plugin", () => {
  const empty = tempDir("llto-plugin-nothing-");
  const bareEnv = { ...process.env, PATH: empty, LOCAL_LTO_SYSTEM_LLVM_ROOT: empty };

  test("no LLVM headers of rustc's major", async () => {
    const result = await ensureRustcPlugin({ rustc: stableRustc, env: bareEnv, cacheDir: tempDir() });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.reason).toBe("no-headers");
    expect(result.problem.message).toContain("no LLVM 22 development headers");
    expect(result.problem.fix).toContain("apt-get install llvm-22-dev");
  });

  test("headers of another major only", async () => {
    const result = await ensureRustcPlugin({ rustc: stableRustc, env: bareEnv, llvmConfig: "/usr/lib/llvm-19/bin/llvm-config", cacheDir: tempDir() });
    expect(!result.ok && result.problem.reason).toBe("no-headers");
    expect(!result.ok && result.problem.message).toMatch(/saw \/usr\/lib\/llvm-19\/bin\/llvm-config \(LLVM 19\./);
  });

  test("no clang++ of rustc's major", async () => {
    const result = await ensureRustcPlugin({ rustc: stableRustc, env: bareEnv, llvmConfig: realLlvmConfig, cacheDir: tempDir() });
    expect(!result.ok && result.problem.reason).toBe("no-clangxx");
    expect(!result.ok && result.problem.fix).toContain("clang-22");
  });

  test("a rustc that does not answer -vV", async () => {
    const result = await ensureRustcPlugin({ rustc: join(empty, "no-rustc"), cacheDir: tempDir() });
    expect(!result.ok && result.problem.reason).toBe("rustc-failed");
  });

  test("the build fails: the compiler's message comes back", async () => {
    const broken = join(tempDir(), "broken.cpp");
    writeFileSync(broken, "#include \"llvm/IR/Module.h\"\nthis is not C++;\n");
    const cacheDir = tempDir();
    const result = await ensureRustcPlugin({ rustc: stableRustc, source: broken, cacheDir });
    expect(!result.ok && result.problem.reason).toBe("build-failed");
    expect(!result.ok && result.problem.details).toMatch(/broken\.cpp:2:\d+: error:/);
  });

  test("rustc cannot load what was built: load-failed, with rustc's message", async () => {
    // A "clang++" that answers like clang++-22 but links a shared object without the plugin's
    // entry point, as a broken toolchain would.
    const dir = tempDir();
    const fake = join(dir, "clang++");
    writeFileSync(
      fake,
      `#!/bin/sh
for arg; do [ "$arg" = -shared ] && shared=1; done
if [ -n "$shared" ]; then
  while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
  exec ${realClangxx} -shared -fPIC -x c /dev/null -o "$out"
fi
exec ${realClangxx} "$@"
`,
    );
    chmodSync(fake, 0o755);
    const result = await ensureRustcPlugin({ rustc: stableRustc, clangxx: fake, cacheDir: join(dir, "cache") });
    expect(!result.ok && result.problem.reason).toBe("load-failed");
    expect(!result.ok && result.problem.details).toMatch(/-Zllvm-plugins=.*libllto_plugin\.so/);
    expect(!result.ok && result.problem.details).toMatch(/entry point|llvmGetPassPluginInfo/i);
  });
});

describe("helper-set directories", () => {
  let plugin: RustcPlugin;
  const dir = tempDir("llto-plugin-sets-");
  let helpers: string;
  let otherHelpers: string;

  beforeAll(async () => {
    plugin = await pluginFor("rustc");
    helpers = compileHelperBitcode(kernelHelpersC, join(dir, "a.bc"));
    otherHelpers = compileHelperBitcode(kernelHelpersC, join(dir, "b.bc"), "x86_64-unknown-linux-gnu", ["-DUNUSED_DIFFERENCE=1", "-g"]);
  });

  test("named by the helpers' content: same bitcode, same directory; other bitcode, another", async () => {
    const copy = join(dir, "a-copy.bc");
    writeFileSync(copy, readFileSync(helpers));
    const [a, aAgain, b] = await Promise.all([prepareHelperSet(plugin, helpers), prepareHelperSet(plugin, copy), prepareHelperSet(plugin, otherHelpers)]);
    expect(aAgain.dir).toBe(a.dir);
    expect(b.dir).not.toBe(a.dir);
    expect(a.dir).toBe(join(plugin.dir, "helpers", a.hash.slice(0, 32)));
    expect(readFileSync(a.helpersPath).equals(readFileSync(helpers))).toBe(true);
    // A hard link to the build: no copy per set, and dladdr reports the set's own path.
    expect(statSync(a.pluginPath).ino).toBe(statSync(plugin.path).ino);
    expect(a.pluginPath).toBe(join(a.dir, pluginFileName));
  });

  test("parallel preparations of one set agree, and a broken set is repaired", async () => {
    const sets = await Promise.all(Array.from({ length: 6 }, () => prepareHelperSet(plugin, otherHelpers)));
    expect(new Set(sets.map((s) => s.dir)).size).toBe(1);
    unlinkSync(sets[0]!.pluginPath);
    const repaired = await prepareHelperSet(plugin, otherHelpers);
    expect(existsSync(repaired.pluginPath)).toBe(true);
    expect(readFileSync(repaired.helpersPath).equals(readFileSync(otherHelpers))).toBe(true);
  });

  test("an explicit directory is honoured", async () => {
    const target = join(dir, "custom", "set");
    mkdirSync(join(dir, "custom"));
    const set = await prepareHelperSet(plugin, helpers, { dir: target });
    expect(set.dir).toBe(target);
    expect(existsSync(join(target, "helpers.bc"))).toBe(true);
  });
});
