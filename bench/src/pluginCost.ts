/**
 * What the rustc plugin fast path costs (docs/PLUGIN.md), measured on its own:
 *  1. regex-syntax (calls no helper) built by rustc with the plugin and a helper set loaded, against
 *     plain rustc with the same flags (`--emit=obj`, `-Ccodegen-units=1` and `=16`):
 *     objects byte for byte, paired wall/CPU ratios, and callgrind instruction counts of the
 *     whole rustc run (`--callgrind`);
 *  2. the plugin pass's own time per codegen unit, from LLVM's pass timers
 *     (`-Ztime-llvm-passes`, one unit): a module that declares helpers minus one that declares
 *     none (that one only reads the library, once per rustc process), for the kernel-style
 *     library (9 helpers) and a generated 3,000-helper one.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node bench/dist/pluginCost.js [--pairs=5] [--callgrind] [--nightly] [--only=pass] [--keep]
 *
 * Writes bench/results/plugin-cost.json and prints a summary; docs/BENCHMARKS.md is left alone.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crates } from "./buildCost.js";
import { formatCommand, measure, mustRun, run, type Measured } from "./proc.js";
import { fixed, formatSpread, spread, type Spread } from "./stats.js";
import { benchDir, repoRoot, which } from "./tools.js";

/** The parts of local-lto's built library this bench uses (dist/, after `npm run build`). */
interface PluginApi {
  ensureRustcPlugin(options: { rustc: string }): Promise<
    | { ok: true; plugin: { path: string; dir: string; llvmVersion: string; headersVersion: string; needsBootstrap: boolean; rustcVersion: { release: { text: string } } } }
    | { ok: false; problem: { message: string; fix: string; details?: string } }
  >;
}
interface HelperSetApi {
  prepareHelperSet(plugin: { path: string; dir: string }, helpersBitcode: string): Promise<{ pluginPath: string; dir: string; helpersPath: string; hash: string }>;
}
interface CompileApi {
  /** The fast path's exact rustc command line (src/tools/plugin/compileWithHelpers.ts). */
  pluginRustcCommand(rustc: string, rustcArgs: readonly string[], helperSet: unknown, plugin: unknown, cwd: string, env: Record<string, string | undefined>, recordFile: string): { args: readonly string[]; env?: Record<string, string | undefined> };
}

const args = process.argv.slice(2);
const pairs = Number(args.find((a) => a.startsWith("--pairs="))?.slice(8) ?? 5);
const withCallgrind = args.includes("--callgrind");
const clang = "/usr/lib/llvm-22/bin/clang";

interface Setting {
  id: string;
  flags: string[];
}

interface SettingResult {
  setting: string;
  identical: boolean;
  objects: number;
  wallRatio: Spread;
  cpuRatio: Spread;
  plainWallMs: Spread;
  pluginWallMs: Spread;
  instructions?: { plain: number; plugin: number; ratio: number; loadPlugin: number; pluginPass: number };
}

interface PassTime {
  library: string;
  helpers: number;
  /** Median ms of the plugin pass in a unit that declares 3 helpers (library read included). */
  linkingUnitMs: Spread;
  /** Median ms of the plugin pass in a unit that declares none: reading the library only. */
  readOnlyMs: Spread;
  perUnitMs: number;
}

/** Whole-run instructions, and (inclusive) those of loading the plugin and of its pass. */
async function rustcInstructions(rustc: string, rustcArgs: readonly string[], env: Record<string, string | undefined>, scratch: string, label: string): Promise<{ total: number; loadPlugin: number; pluginPass: number }> {
  const valgrind = which("valgrind");
  if (!valgrind) throw new Error("valgrind not found (scripts/setup.sh installs it)");
  const out = join(scratch, `callgrind.${label}.out`);
  await mustRun(valgrind, ["--tool=callgrind", `--callgrind-out-file=${out}`, rustc, ...rustcArgs], { env });
  const text = await readFile(out, "utf8");
  const totals = text.match(/^(?:totals|summary): (\d+)/m)?.[1];
  if (!totals) throw new Error(`no totals in ${out}`);
  const annotated = (await run("callgrind_annotate", ["--inclusive=yes", "--threshold=100", out])).stdout;
  const inclusive = (pattern: RegExp) => {
    const line = annotated.split("\n").find((l) => pattern.test(l));
    return line ? Number(line.trim().split(/\s/)[0]!.replace(/,/g, "")) : 0;
  };
  return { total: Number(totals), loadPlugin: inclusive(/llvm::PassPlugin::Load\(/), pluginPass: inclusive(/PassModel<.*LinkHelpersPass.*>::run\(/) };
}

async function objectsOf(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith(".o")).sort();
}

async function sameObjects(a: string, b: string): Promise<{ identical: boolean; count: number }> {
  const [left, right] = await Promise.all([objectsOf(a), objectsOf(b)]);
  if (left.join() !== right.join()) return { identical: false, count: left.length };
  for (const name of left) {
    const [x, y] = await Promise.all([readFile(join(a, name)), readFile(join(b, name))]);
    if (!x.equals(y)) return { identical: false, count: left.length };
  }
  return { identical: true, count: left.length };
}

/** 3,000 generated helpers plus the kernel-style ones, as one bitcode library. */
async function bigHelperLibrary(scratch: string, kernelC: string): Promise<string> {
  const lines = [`#include "${kernelC}"`];
  for (let i = 0; i < 3000; i++) lines.push(`long rust_helper_gen_${i}(long x, long y) { return (x * ${i + 3}) ^ (y >> ${i % 13}); }`);
  const source = join(scratch, "big-helpers.c");
  await writeFile(source, `${lines.join("\n")}\n`);
  const bitcode = join(scratch, "big-helpers.bc");
  await mustRun(clang, ["-c", "-emit-llvm", "-O2", `-I${join(repoRoot, "examples/kernel-style")}`, "--target=x86_64-unknown-linux-gnu", source, "-o", bitcode]);
  return bitcode;
}

/** rustc prints LLVM's pass timers on stdout. */
function passMs(output: string): number {
  // `   0.0000 (  0.0%)   0.0025 ( 14.9%)   0.0025 (  5.9%)   0.0025 (  5.9%)  (anonymous namespace)::LinkHelpersPass`
  const line = output.split("\n").find((l) => l.includes("LinkHelpersPass"));
  if (!line) throw new Error("no LinkHelpersPass line in -Ztime-llvm-passes output");
  const numbers = [...line.matchAll(/(\d+\.\d+) \(/g)].map((m) => Number(m[1]));
  return numbers[numbers.length - 1]! * 1000; // the last column is wall time
}

async function passTimes(rustc: string, env: Record<string, string>, pluginPath: string, scratch: string, library: string, helpers: number, rounds: number): Promise<PassTime> {
  const declares = join(scratch, "declares.rs");
  const declaresNone = join(scratch, "declares-none.rs");
  await writeFile(
    declares,
    '#![no_std]\nextern "C" { fn rust_helper_IS_ERR(p: *const u8) -> bool; fn rust_helper_PTR_ERR(p: *const u8) -> i64; fn rust_helper_refcount_inc(p: *mut i32); }\n#[no_mangle]\npub extern "C" fn f(p: *const u8) -> i64 { unsafe { rust_helper_refcount_inc(p as *mut i32); if rust_helper_IS_ERR(p) { rust_helper_PTR_ERR(p) } else { 0 } } }\n',
  );
  await writeFile(declaresNone, "#![no_std]\n#[no_mangle]\npub extern \"C\" fn f(x: i64) -> i64 { x.wrapping_mul(3) }\n");
  const linking: number[] = [];
  const readOnly: number[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const [crate, into] of [[declares, linking], [declaresNone, readOnly]] as const) {
      const result = await mustRun(rustc, ["-O", "-Ccodegen-units=1", "--crate-type=lib", "--emit=obj", "-Ztime-llvm-passes", `-Zllvm-plugins=${pluginPath}`, crate, "-o", join(scratch, "pass.o")], { env });
      into.push(passMs(result.stdout));
    }
  }
  const linkingUnitMs = spread(linking);
  const readOnlyMs = spread(readOnly);
  return { library, helpers, linkingUnitMs, readOnlyMs, perUnitMs: linkingUnitMs.median - readOnlyMs.median };
}

async function main(): Promise<void> {
  const chosen = args.includes("--nightly") ? (await run("rustup", ["which", "rustc", "--toolchain", "nightly"])).stdout.trim() : (process.env.LOCAL_LTO_RUSTC ?? which("rustc"));
  if (!chosen) throw new Error("rustc not found");
  // The toolchain's own rustc, not rustup's proxy: callgrind follows no exec, and the proxy's
  // start-up is the same on both sides anyway.
  const sysroot = (await mustRun(chosen, ["--print", "sysroot"])).stdout.trim();
  const rustc = existsSync(join(sysroot, "bin/rustc")) ? join(sysroot, "bin/rustc") : chosen;
  const { ensureRustcPlugin } = (await import(join(repoRoot, "dist/tools/plugin/rustcPlugin.js"))) as PluginApi;
  const { prepareHelperSet } = (await import(join(repoRoot, "dist/tools/plugin/helperSet.js"))) as HelperSetApi;
  const { pluginRustcCommand } = (await import(join(repoRoot, "dist/tools/plugin/compileWithHelpers.js"))) as CompileApi;
  const built = await ensureRustcPlugin({ rustc });
  if (!built.ok) throw new Error(`no plugin: ${built.problem.message}\n${built.problem.details ?? ""}`);
  const plugin = built.plugin;
  const scratch = await mkdtemp(join(tmpdir(), "llto-plugin-bench-"));
  const kernelC = join(repoRoot, "examples/kernel-style/helpers.c");
  const helpersBc = join(scratch, "helpers.bc");
  await mustRun(clang, ["-c", "-emit-llvm", "-O2", `-I${join(repoRoot, "examples/kernel-style")}`, "--target=x86_64-unknown-linux-gnu", kernelC, "-o", helpersBc]);
  const set = await prepareHelperSet(plugin, helpersBc);
  const env: Record<string, string> = plugin.needsBootstrap ? { RUSTC_BOOTSTRAP: "1" } : {};
  // The fast path's own command line (RUSTC_BOOTSTRAP, mangling pinned on stable, the plugin).
  const pluginCommand = (rustcArgs: string[]) => {
    const command = pluginRustcCommand(rustc, rustcArgs, set, plugin, scratch, {}, join(scratch, "record.jsonl"));
    return { args: [...command.args], env: command.env ?? {} };
  };
  // Plain rustc as users run it: no RUSTC_BOOTSTRAP, no plugin.
  const plainEnv = { RUSTC_BOOTSTRAP: undefined };
  console.error(`plugin-cost: ${plugin.rustcVersion.release.text} (LLVM ${plugin.llvmVersion}, headers ${plugin.headersVersion}), ${pairs} pairs${withCallgrind ? ", callgrind" : ""}`);

  const crate = crates.find((c) => c.id === "regex-syntax")!;
  const settings: Setting[] = [
    { id: "-Ccodegen-units=1 -O", flags: ["-Ccodegen-units=1"] },
    // Not rustc's default: with --emit=obj and no -Ccodegen-units, rustc uses one unit. 16 is
    // what rustc (and Cargo's release profile) use for a crate's rlib.
    { id: "-Ccodegen-units=16 -O", flags: ["-Ccodegen-units=16"] },
  ];
  const results: SettingResult[] = [];
  if (args.includes("--only=pass")) {
    // the pass timers only
  } else if (!existsSync(crate.source)) {
    console.error(`plugin-cost: ${crate.source} missing (apt-get install ${crate.debianPackage}); skipping regex-syntax`);
  } else {
    for (const setting of settings) {
      const plainDir = join(scratch, `plain-${results.length}`);
      const pluginDir = join(scratch, `plugin-${results.length}`);
      await mkdir(plainDir);
      await mkdir(pluginDir);
      const base = [...crate.rustFlags, ...setting.flags, "--emit=obj", crate.source];
      const plainArgs = [...base, "--out-dir", plainDir];
      const { args: pluginArgs, env: pluginEnv } = pluginCommand([...base, "--out-dir", pluginDir]);
      console.error(`  plain:  ${formatCommand(rustc, plainArgs)}`);
      console.error(`  plugin: ${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), formatCommand(rustc, pluginArgs)].join(" ")}`);
      // One warm-up each (page cache), then pairs in turn: plugin, plain, plugin, plain…
      await measure(rustc, pluginArgs, scratch, { env: pluginEnv });
      await measure(rustc, plainArgs, scratch, { env: plainEnv });
      const samples: { plugin: Measured; plain: Measured }[] = [];
      for (let i = 0; i < pairs; i++) {
        const withPlugin = await measure(rustc, pluginArgs, scratch, { env: pluginEnv });
        const plain = await measure(rustc, plainArgs, scratch, { env: plainEnv });
        samples.push({ plugin: withPlugin, plain });
        console.error(`  pair ${i + 1}: plugin ${fixed(withPlugin.wallMs, 0)} ms / plain ${fixed(plain.wallMs, 0)} ms wall; cpu ${fixed(withPlugin.cpuMs, 0)} / ${fixed(plain.cpuMs, 0)} ms`);
      }
      const { identical, count } = await sameObjects(pluginDir, plainDir);
      const result: SettingResult = {
        setting: setting.id,
        identical,
        objects: count,
        wallRatio: spread(samples.map((s) => s.plugin.wallMs / s.plain.wallMs)),
        cpuRatio: spread(samples.map((s) => s.plugin.cpuMs / s.plain.cpuMs)),
        plainWallMs: spread(samples.map((s) => s.plain.wallMs)),
        pluginWallMs: spread(samples.map((s) => s.plugin.wallMs)),
      };
      if (withCallgrind) {
        const plainIr = await rustcInstructions(rustc, plainArgs, plainEnv, scratch, `plain-${results.length}`);
        const pluginIr = await rustcInstructions(rustc, pluginArgs, pluginEnv, scratch, `plugin-${results.length}`);
        result.instructions = { plain: plainIr.total, plugin: pluginIr.total, ratio: pluginIr.total / plainIr.total, loadPlugin: pluginIr.loadPlugin, pluginPass: pluginIr.pluginPass };
      }
      results.push(result);
    }
  }

  const bigBc = await bigHelperLibrary(scratch, kernelC);
  const bigSet = await prepareHelperSet(plugin, bigBc);
  const passes = [
    await passTimes(rustc, env, set.pluginPath, scratch, "kernel-style", 9, pairs * 2),
    await passTimes(rustc, env, bigSet.pluginPath, scratch, "generated", 3009, pairs * 2),
  ];

  const summary = { rustc: plugin.rustcVersion.release.text, llvm: plugin.llvmVersion, headers: plugin.headersVersion, pairs, regexSyntax: results, pass: passes };
  await mkdir(join(benchDir, "results"), { recursive: true });
  await writeFile(join(benchDir, "results", "plugin-cost.json"), `${JSON.stringify(summary, null, 2)}\n`);
  for (const r of results) {
    console.log(`regex-syntax ${r.setting}: objects ${r.identical ? "byte-identical" : "DIFFER"} (${r.objects}); wall ×${formatSpread(r.wallRatio, 3)}, CPU ×${formatSpread(r.cpuRatio, 3)} (plain ${formatSpread(r.plainWallMs, 0, " ms")})${r.instructions ? `; instructions ×${r.instructions.ratio.toFixed(4)} (${r.instructions.plugin} / ${r.instructions.plain}; loading the plugin ${r.instructions.loadPlugin}, its pass ${r.instructions.pluginPass})` : ""}`);
  }
  for (const p of passes) {
    console.log(`plugin pass, ${p.library} library (${p.helpers} helpers): unit linking 3 helpers ${formatSpread(p.linkingUnitMs, 2, " ms")}, unit declaring none (library read) ${formatSpread(p.readOnlyMs, 2, " ms")}: ${fixed(p.perUnitMs, 2)} ms per linking unit`);
  }
  if (args.includes("--keep")) console.error(`plugin-cost: kept ${scratch}`);
  else await rm(scratch, { recursive: true, force: true });
}

await main();
