/**
 * The plugin inside real rustc runs (stable with RUSTC_BOOTSTRAP=1, and nightly when installed):
 * what rustc's objects and bitcode show under the flags users build with, and how it fails.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { compileRustWithHelpers, compileRustWithPendingHelpers, pluginRustcCommand, type CompileWithHelpersResult } from "../../src/tools/plugin/compileWithHelpers.js";
import { pendingHelperSet, prepareHelperSet } from "../../src/tools/plugin/helperSet.js";
import { runTool } from "../../src/process/run.js";
import { pluginRustcEnv, type RustcPlugin } from "../../src/tools/plugin/rustcPlugin.js";
import { llvmBin, run, tempDir } from "../support/toolchain.js";
import {
  compileHelperBitcode,
  disassembleBitcode,
  expectNoHelperLeft,
  fixtureDir,
  helperFacts,
  kernelHelpers,
  kernelHelpersC,
  pluginFor,
  rustcsUnderTest,
  sectionNames,
} from "./pluginSupport.js";

const units = join(fixtureDir, "units.rs");
const noHelpers = join(fixtureDir, "no_helpers.rs");
/** The helpers each module of units.rs calls. */
const unitHelpers: Record<string, string[]> = {
  units_refcount_cycle: ["rust_helper_refcount_dec_and_test", "rust_helper_refcount_inc"],
  units_error_sum: ["rust_helper_IS_ERR", "rust_helper_PTR_ERR"],
  units_make_error: ["rust_helper_ERR_PTR"],
  units_list_fill: ["rust_helper_INIT_LIST_HEAD", "rust_helper_list_add_tail", "rust_helper_list_empty"],
  units_list_del: ["rust_helper_list_del"],
};

/** rustc as a user runs it, without the plugin and without RUSTC_BOOTSTRAP. */
function plainRustc(rustc: string, args: string[], cwd: string): void {
  const env = { ...process.env };
  delete env.RUSTC_BOOTSTRAP;
  execFileSync(rustc, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
}

function objectsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".o"))
    .sort()
    .map((f) => join(dir, f));
}

/** The exported function an object defines (units.rs: one per module). */
function definedUnitFunction(object: string): string | undefined {
  const names = run(join(llvmBin, "llvm-nm"), ["--defined-only", "--extern-only", object]);
  return Object.keys(unitHelpers).find((name) => names.includes(` ${name}\n`)) ?? (names.includes(" units_hash\n") ? "units_hash" : undefined);
}

function expectSuccess(result: CompileWithHelpersResult): void {
  if (result.exitCode !== 0) throw new Error(`rustc failed (${result.exitCode}):\n${result.stderr}`);
}

for (const { name, rustc } of rustcsUnderTest) {
  describe.skipIf(!rustc)(`the plugin in ${name} rustc`, () => {
    const dir = tempDir(`llto-plugin-${name}-`);
    let plugin: RustcPlugin;
    let helpersBc: string;
    const compile = (rustcArgs: string[], helpersBitcode = helpersBc) => compileRustWithHelpers({ plugin, rustcArgs, helpersBitcode, cwd: dir });

    beforeAll(async () => {
      plugin = await pluginFor(rustc!);
      helpersBc = compileHelperBitcode(kernelHelpersC, join(dir, "helpers.bc"));
    });

    test("RUSTC_BOOTSTRAP=1 goes to stable rustc's environment only, never to local-lto's", () => {
      expect(pluginRustcEnv(plugin)).toEqual(name === "stable" ? { RUSTC_BOOTSTRAP: "1" } : {});
      expect(process.env.RUSTC_BOOTSTRAP).toBeUndefined();
      // The load check read how this rustc mangles on its own: 1.95's legacy, which RUSTC_BOOTSTRAP would make v0.
      expect(plugin.manglingPin).toBe(name === "stable" ? "legacy" : undefined);
    });

    test("helpers published while rustc already runs (local-lto build's order): the plugin waits for them, then inlines", async () => {
      const object = join(dir, "pending.o");
      const late = new Promise<string>((resolve) => setTimeout(() => resolve(helpersBc), 1500));
      const started = Date.now();
      const result = await compileRustWithPendingHelpers({ plugin, rustcArgs: ["-O", "-Ccodegen-units=1", "--crate-type=lib", "--emit=obj", units, "-o", object], helpers: late, setDir: join(dir, "pending-set"), cwd: dir });
      expectSuccess(result);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expectNoHelperLeft(helperFacts(object));
      expect(result.record[0]!.helpers).toEqual(kernelHelpers);
    });

    test("helpers that never come: rustc's plugin gives up after the wait, naming the file; a failed preparation is thrown at once", async () => {
      const pending = await pendingHelperSet(plugin, join(dir, "never-set"));
      const command = pluginRustcCommand(plugin.rustc, ["-O", "--crate-type=lib", "--emit=obj", units, "-o", join(dir, "never.o")], pending.set, plugin, dir, { LOCAL_LTO_PLUGIN_WAIT_MS: "300" }, join(dir, "never.jsonl"));
      const result = await runTool(command);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain(`local-lto plugin: the helpers were not ready after 300 ms: ${pending.set.helpersPath}`);
      const failing = Promise.reject(new Error("vetting refused the helpers"));
      await expect(
        compileRustWithPendingHelpers({ plugin, rustcArgs: ["-O", "--crate-type=lib", "--emit=obj", units, "-o", join(dir, "refused.o")], helpers: failing, setDir: join(dir, "refused-set"), cwd: dir }),
      ).rejects.toThrow("vetting refused the helpers");
    });

    test("one codegen unit, -O: every helper inlined, no call and no symbol left; the record names them", async () => {
      const object = join(dir, "cgu1.o");
      const result = await compile(["-O", "-Ccodegen-units=1", "--crate-type=lib", "--emit=obj", units, "-o", object]);
      expectSuccess(result);
      expect(result.stderr).toBe("");
      expectNoHelperLeft(helperFacts(object));
      expect(result.record).toHaveLength(1);
      expect(result.record[0]!.module).toMatch(/^units\.[0-9a-f]+-cgu\.0+$/);
      expect(result.record[0]!.helpers).toEqual(kernelHelpers);
    });

    test("sixteen codegen units: each unit links its own helpers, all inlined; the unit that calls none is untouched", async () => {
      const out = join(dir, "cgu16");
      mkdirSync(out);
      const result = await compile(["-O", "-Ccodegen-units=16", "--crate-type=lib", "--emit=obj", units, "--out-dir", out]);
      expectSuccess(result);
      const objects = objectsIn(out);
      expect(objects.length).toBeGreaterThanOrEqual(6);
      for (const object of objects) expectNoHelperLeft(helperFacts(object));
      // One record line per unit that calls helpers, naming exactly the helpers its module calls.
      const byFunction = new Map<string, string[]>();
      for (const entry of result.record) {
        const object = objects.find((o) => o.endsWith(`.${entry.module}.rcgu.o`));
        expect(object, entry.module).toBeDefined();
        byFunction.set(definedUnitFunction(object!)!, entry.helpers);
      }
      expect(Object.fromEntries(byFunction)).toEqual(unitHelpers);
    });

    test("-Copt-level=0 and sixteen units: each unit keeps its own internal copies, none exported", async () => {
      const out = join(dir, "o0");
      mkdirSync(out);
      const result = await compile(["-Copt-level=0", "-Ccodegen-units=16", "--crate-type=lib", "--emit=obj", units, "--out-dir", out]);
      expectSuccess(result);
      let callingUnits = 0;
      for (const object of objectsIn(out)) {
        const fn = definedUnitFunction(object);
        const called = fn ? (unitHelpers[fn] ?? []) : [];
        if (called.length) callingUnits++;
        for (const fact of helperFacts(object)) {
          // A local copy in each unit that calls it (called, not inlined, at O0); nothing elsewhere.
          expect(fact.symbol, `${fact.name} in ${fn}`).toBe(called.includes(fact.name) ? "local" : "absent");
        }
      }
      expect(callingUnits).toBe(5);
    });

    test("-Copt-level=3, one unit: inlined", async () => {
      const object = join(dir, "o3.o");
      expectSuccess(await compile(["-Copt-level=3", "--crate-type=lib", "--emit=obj", units, "-o", object]));
      expectNoHelperLeft(helperFacts(object));
    });

    for (const lto of ["fat", "thin"]) {
      test(`-Clto=${lto}: no helper left in any object`, async () => {
        const out = join(dir, `lto-${lto}`);
        mkdirSync(out);
        const result = await compile(["-O", `-Clto=${lto}`, "-Ccodegen-units=4", "--crate-type=lib", "--emit=obj", units, "--out-dir", out]);
        expectSuccess(result);
        expect(result.record.length).toBeGreaterThan(0);
        const objects = objectsIn(out);
        expect(objects.length).toBeGreaterThan(0);
        for (const object of objects) expectNoHelperLeft(helperFacts(object));
      });
    }

    test("-Clinker-plugin-lto: the bitcode object neither declares nor exports a helper", async () => {
      const object = join(dir, "linker-plugin-lto.o");
      expectSuccess(await compile(["-O", "-Clinker-plugin-lto", "--crate-type=lib", "--emit=obj", units, "-o", object]));
      const text = disassembleBitcode(object);
      expect(text).toMatch(/define [^@]*@units_refcount_cycle\(/);
      expect(text).not.toMatch(/declare [^@]*@rust_helper_/);
      expect(text).not.toMatch(/define (?!internal)[^@]*@rust_helper_/);
    });

    test("--emit=llvm-bc: helpers inlined in the bitcode; at -Copt-level=0 they stay as internal definitions", async () => {
      const optimised = join(dir, "units.bc");
      expectSuccess(await compile(["-O", "--crate-type=lib", "--emit=llvm-bc", units, "-o", optimised]));
      expect(disassembleBitcode(optimised)).not.toMatch(/@rust_helper_/);
      const unoptimised = join(dir, "units-o0.bc");
      expectSuccess(await compile(["-Copt-level=0", "--crate-type=lib", "--emit=llvm-bc", units, "-o", unoptimised]));
      const text = disassembleBitcode(unoptimised);
      expect(text).not.toMatch(/declare [^@]*@rust_helper_/);
      for (const helper of kernelHelpers) expect(text).toMatch(new RegExp(`define internal [^@]*@${helper}\\(`));
    });

    test("-g, with helpers compiled with -g too: debug info kept, helpers inlined", async () => {
      const debugHelpers = compileHelperBitcode(kernelHelpersC, join(dir, "helpers-g.bc"), "x86_64-unknown-linux-gnu", ["-g"]);
      const object = join(dir, "debug.o");
      const result = await compile(["-O", "-g", "--crate-type=lib", "--emit=obj", units, "-o", object], debugHelpers);
      expectSuccess(result);
      expect(result.stderr).toBe("");
      expect(sectionNames(object)).toContain(".debug_info");
      expectNoHelperLeft(helperFacts(object));
      // The helpers' compile unit came along: their inlined code keeps its C source lines.
      expect(run(join(llvmBin, "llvm-dwarfdump"), ["--debug-info", object])).toContain("helpers.c");
    });

    test("rlib objects: the embedded bitcode has no helper left; -Cembed-bitcode=no leaves none embedded", async () => {
      for (const embed of ["yes", "no"]) {
        const out = join(dir, `rlib-${embed}`);
        mkdirSync(out);
        expectSuccess(await compile(["-O", `-Cembed-bitcode=${embed}`, "--crate-type=rlib", units, "--out-dir", out]));
        run("ar", ["x", join(out, "libunits.rlib")], out);
        const objects = objectsIn(out);
        expect(objects.length).toBeGreaterThan(0);
        for (const object of objects) {
          expectNoHelperLeft(helperFacts(object));
          const hasBitcode = sectionNames(object).includes(".llvmbc");
          expect(hasBitcode, `${embed}: ${object}`).toBe(embed === "yes");
          if (hasBitcode) {
            const embedded = `${object}.embedded.bc`;
            run(join(llvmBin, "llvm-objcopy"), ["--dump-section", `.llvmbc=${embedded}`, object, `${object}.scratch`]);
            expect(disassembleBitcode(embedded)).not.toMatch(/declare [^@]*@rust_helper_|define (?!internal)[^@]*@rust_helper_/);
          }
        }
      }
    });

    for (const cgus of ["1", "16"]) {
      test(`a crate that declares no helper: objects byte-identical to plain rustc's (codegen units ${cgus}), nothing recorded`, async () => {
        const withPlugin = join(dir, `nh-plugin-${cgus}`);
        const plain = join(dir, `nh-plain-${cgus}`);
        mkdirSync(withPlugin);
        mkdirSync(plain);
        const flags = ["-O", `-Ccodegen-units=${cgus}`, "--crate-type=lib", "--emit=obj", noHelpers];
        const result = await compile([...flags, "--out-dir", withPlugin]);
        expectSuccess(result);
        expect(result.record).toEqual([]);
        plainRustc(rustc!, [...flags, "--out-dir", plain], dir);
        const ours = objectsIn(withPlugin);
        const theirs = objectsIn(plain);
        expect(ours.map((o) => o.slice(withPlugin.length))).toEqual(theirs.map((o) => o.slice(plain.length)));
        for (let i = 0; i < ours.length; i++) expect(Buffer.compare(readFileSync(ours[i]!), readFileSync(theirs[i]!)), ours[i]).toBe(0);
      });
    }

    test("helpers from clang's default triple (x86_64-pc-linux-gnu): vendor-only difference, linked without a warning", async () => {
      const pcHelpers = compileHelperBitcode(kernelHelpersC, join(dir, "helpers-pc.bc"), null);
      expect(disassembleBitcode(pcHelpers)).toContain('target triple = "x86_64-pc-linux-gnu"');
      const object = join(dir, "vendor.o");
      const result = await compile(["-O", "--crate-type=lib", "--emit=obj", units, "-o", object], pcHelpers);
      expectSuccess(result);
      expect(result.stderr).toBe("");
      expectNoHelperLeft(helperFacts(object));
    });

    test("helpers for another architecture: rustc fails, the plugin names both triples", async () => {
      const armHelpers = compileHelperBitcode(kernelHelpersC, join(dir, "helpers-arm.bc"), "aarch64-unknown-linux-gnu", ["-ffreestanding"]); // no aarch64 libc headers here
      const result = await compile(["-O", "--crate-type=lib", "--emit=obj", units, "-o", join(dir, "arm.o")], armHelpers);
      expect(result.exitCode).not.toBe(0);
      expect(result.pluginError).toMatch(/helper bitcode \S+\/helpers\.bc is for aarch64-unknown-linux-gnu but units\.\S+ is for x86_64-unknown-linux-gnu/);
      expect(result.record).toEqual([]);
    });

    test("helpers with another data layout: rustc fails, the plugin shows both layouts", async () => {
      const helpers = join(dir, "other-layout.bc");
      run(join(llvmBin, "llvm-as"), [join(fixtureDir, "other_layout.ll"), "-o", helpers]);
      const result = await compile(["-O", "--crate-type=lib", "--emit=obj", units, "-o", join(dir, "layout.o")], helpers);
      expect(result.exitCode).not.toBe(0);
      expect(result.pluginError).toMatch(/has data layout "[^"]+" but units\.\S+ has "[^"]*f80:128[^"]*"/);
    });

    test("a module flag the linker refuses (code models): rustc fails with the linker's message", async () => {
      const largeHelpers = compileHelperBitcode(kernelHelpersC, join(dir, "helpers-large.bc"), "x86_64-unknown-linux-gnu", ["-mcmodel=large"]);
      const result = await compile(["-O", "-Ccode-model=kernel", "-Crelocation-model=static", "--crate-type=lib", "--emit=obj", units, "-o", join(dir, "cm.o")], largeHelpers);
      expect(result.exitCode).not.toBe(0);
      expect(result.pluginError).toMatch(/linking the helpers of \S+\/helpers\.bc into units\.\S+ failed: linking module flags 'Code Model'/);
    });

    test("helper bitcode that is not bitcode: rustc fails non-zero, naming the file", async () => {
      const bogus = join(dir, "bogus.bc");
      writeFileSync(bogus, "int rust_helper_refcount_inc;\n");
      const result = await compile(["-O", "--crate-type=lib", "--emit=obj", units, "-o", join(dir, "bogus.o")], bogus);
      expect(result.exitCode).not.toBe(0);
      expect(result.pluginError).toContain(`cannot read the helper bitcode ${result.helperSet.helpersPath}`);
      // Also when the crate declares no helper: a broken helper set is never silently ignored.
      const none = await compile(["-O", "--crate-type=lib", "--emit=obj", noHelpers, "-o", join(dir, "bogus-none.o")], bogus);
      expect(none.exitCode).not.toBe(0);
      expect(none.pluginError).toContain("cannot read the helper bitcode");
    });

    test("a missing helper file (LOCAL_LTO_PLUGIN_HELPERS override): rustc fails non-zero, naming the file", async () => {
      const set = await prepareHelperSet(plugin, helpersBc);
      const missing = join(dir, "no-such-helpers.bc");
      const result = await runTool({
        file: rustc!,
        args: ["-O", "--crate-type=lib", "--emit=obj", units, "-o", join(dir, "missing.o"), `-Zllvm-plugins=${set.pluginPath}`],
        cwd: dir,
        env: { ...pluginRustcEnv(plugin), LOCAL_LTO_PLUGIN_HELPERS: missing },
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain(`local-lto plugin: cannot read the helper bitcode ${missing}: No such file or directory`);
    });

    test("incremental builds: new helpers make a new plugin path, which rustc sees as a change", async () => {
      const incremental = join(dir, "incr");
      const object = join(dir, "incr.o");
      const args = ["-O", `-Cincremental=${incremental}`, "--crate-type=lib", "--emit=obj", units, "-o", object];
      const first = await compile(args);
      expectSuccess(first);
      expect(first.record).toHaveLength(1);
      // Helpers with one more function: new bitcode, so a new set directory and plugin path.
      const changedC = join(dir, "changed.c");
      writeFileSync(changedC, `${readFileSync(kernelHelpersC, "utf8")}\n/* changed */ int unrelated_change(void) { return 7; }\n`);
      const changed = compileHelperBitcode(changedC, join(dir, "changed.bc"));
      const second = await compile(args, changed);
      expectSuccess(second);
      expect(second.helperSet.pluginPath).not.toBe(first.helperSet.pluginPath);
      expect(second.record).toHaveLength(1); // recompiled, not reused
      // The same helpers again: rustc reuses its work, and the plugin runs on no unit.
      const third = await compile(args, changed);
      expectSuccess(third);
      expect(third.record).toEqual([]);
      expectNoHelperLeft(helperFacts(object));
    });
  });
}
