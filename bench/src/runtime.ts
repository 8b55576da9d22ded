import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseCallgrindDump, perIteration, type CallgrindDump } from "./callgrind.js";
import { parseDebugLog } from "./debugLog.js";
import { diffLines, hotLoop, renameRegisters, wholeFunction, type DiffLine } from "./disasm.js";
import { formatCommand, mustRun, run, runPool, type RunResult } from "./proc.js";
import { rotate } from "./stats.js";
import { benchDir, localLtoCli, type BenchTools } from "./tools.js";

export const kinds = ["refcount", "is_err", "list", "test_bit", "lock"] as const;
export type Kind = (typeof kinds)[number];

export const kindInfo: Record<Kind, { title: string; helpers: string; callsPerIteration: number }> = {
  refcount: { title: "atomic increment", helpers: "`refcount_inc`", callsPerIteration: 1 },
  is_err: { title: "error-pointer check over an array", helpers: "`IS_ERR`", callsPerIteration: 1 },
  list: { title: "list walk", helpers: "`list_is_head` per node", callsPerIteration: 1 },
  test_bit: { title: "bit test over a bitmap", helpers: "`test_bit`", callsPerIteration: 1 },
  lock: { title: "lock/unlock pair", helpers: "`spin_lock` + `spin_unlock`", callsPerIteration: 2 },
};

export const buildIds = ["a", "b", "c", "d", "e", "f"] as const;
export type BuildId = (typeof buildIds)[number];

export const buildInfo: Record<BuildId, { title: string; short: string }> = {
  a: { title: "(a) out of line: Rust object + helper object", short: "a out-of-line" },
  b: {
    title: "(b) local-lto build",
    short: "b local-lto",
  },
  c: { title: "(c) ideal: the loop in C with the static inline function", short: "c ideal C" },
  d: { title: "(d) the loop in plain Rust", short: "d plain Rust" },
  e: { title: "(e) the kernel's pipeline: rustc bitcode → llvm-link --internalize --only-needed → clang -O2", short: "e kernel pipeline" },
  f: { title: "(f) cross-language ThinLTO: -Clinker-plugin-lto + clang -flto=thin, ld.lld -r", short: "f linker-plugin LTO" },
};

/** Kernel x86-64 call hardening (arch/x86/Makefile and its Rust counterpart), userspace-runnable. */
export const hardenedCFlags = [
  "-fno-PIE",
  "-mretpoline-external-thunk",
  "-mindirect-branch-cs-prefix",
  "-mfunction-return=thunk-extern",
  "-fcf-protection=branch",
  "-fpatchable-function-entry=16,16",
  "-falign-functions=16",
  "-fno-jump-tables",
];
export const hardenedRustFlags = [
  "-Crelocation-model=static",
  "-Zretpoline-external-thunk",
  "-Zindirect-branch-cs-prefix",
  "-Zfunction-return=thunk-extern",
  "-Zcf-protection=branch",
  "-Zpatchable-function-entry=16,16",
  "-Zmin-function-alignment=16",
  "-Cjump-tables=no",
  // The prebuilt `core` was compiled without these; the benchmark objects call nothing in it.
  "-Cunsafe-allow-abi-mismatch=retpoline,retpoline-external-thunk,indirect-branch-cs-prefix",
];

export type ModeId = "default" | "hardened";

export interface ModeConfig {
  id: ModeId;
  title: string;
  rustc: string;
  rustFlags: string[];
  cFlags: string[];
  linkFlags: string[];
}

export function runtimeModes(tools: BenchTools): ModeConfig[] {
  const modes: ModeConfig[] = [{ id: "default", title: "default codegen", rustc: tools.rustc, rustFlags: ["-O"], cFlags: ["-O2"], linkFlags: [] }];
  if (tools.rustcNightly) {
    modes.push({ id: "hardened", title: "call hardening (kernel x86-64 flags)", rustc: tools.rustcNightly, rustFlags: ["-O", ...hardenedRustFlags], cFlags: ["-O2", ...hardenedCFlags], linkFlags: ["-no-pie"] });
  }
  return modes;
}

export interface BuiltProgram {
  id: BuildId;
  program: string;
  /** The object holding the bench_* functions, for the disassembly comparison. */
  object: string;
  commands: string[];
  /** Helper calls left in the object holding the Rust code (local-lto inspect), when it has Rust code. */
  callsLeft?: number;
  /** Helper symbols still global (exported) in that object. */
  globalHelpers?: number;
  /** For local-lto builds: who inlined and generated code (from its report), and the pass pipeline (from its debug log). */
  backend?: string;
  passes?: string;
}

export interface ModeResults {
  config: ModeConfig;
  builds: BuiltProgram[];
  /** Instructions per iteration, from callgrind. */
  instructions: Record<string, Record<Kind, number>>;
  /** ns per iteration, one entry per round. */
  wallNs: Record<string, Record<Kind, number[]>>;
  /** Each build's hot loop against the ideal C build's (c), per kind. */
  disassembly: Record<Kind, { build: BuildId; identical: boolean; sameUpToRegisters: boolean; wholeFunctionIdentical: boolean; diff: DiffLine[]; loopLines: number; idealLines: number }[]>;
}

export interface RuntimeResults {
  targetMs: number;
  n1: number;
  n2: number;
  rounds: number;
  wallIterations: Record<Kind, number>;
  modes: ModeResults[];
}

const runtimeSources = join(benchDir, "runtime");

class CommandLog {
  readonly commands: string[] = [];
  async run(file: string, args: string[], env?: Record<string, string>): Promise<RunResult> {
    this.commands.push(formatCommand(file, args));
    return mustRun(file, args, { env });
  }
}

/** `local-lto inspect`: helper calls left and helper symbols still global in an object. */
async function inspectObject(object: string): Promise<{ callsLeft?: number; globalHelpers?: number }> {
  const result = await run(process.execPath, [localLtoCli, "inspect", object, "--json"]);
  try {
    const report = JSON.parse(result.stdout) as { helpers?: { callsLeft?: number }[]; summary?: { globalHelperSymbols?: number } };
    return { callsLeft: (report.helpers ?? []).reduce((sum, h) => sum + (h.callsLeft ?? 0), 0), globalHelpers: report.summary?.globalHelperSymbols };
  } catch {
    return {};
  }
}

async function buildPrograms(tools: BenchTools, mode: ModeConfig, dir: string, mainObject: string, thunksObject: string): Promise<BuiltProgram[]> {
  const src = (name: string) => join(runtimeSources, name);
  const out = (name: string) => join(dir, name);
  const include = `-I${runtimeSources}`;
  const rustLib = ["--edition=2021", "--crate-type=lib"];
  const extraLinkObjects = mode.id === "hardened" ? [thunksObject] : [];
  const link = async (log: CommandLog, id: BuildId, objects: string[]) => {
    const program = out(`prog-${id}`);
    await log.run(tools.clang, [...mode.linkFlags, mainObject, ...extraLinkObjects, ...objects, "-o", program]);
    return program;
  };
  const localLtoArgs = (object: string) => [
    localLtoCli,
    "build",
    src("bench_helpers.rs"),
    "--helpers",
    src("helpers.c"),
    `--cc-arg=${include}`,
    ...mode.cFlags.map((f) => `--cc-arg=${f}`),
    ...[...mode.rustFlags, "--edition=2021"].map((f) => `--rustc-arg=${f}`),
    ...(mode.rustc !== tools.rustc ? [`--rustc=${mode.rustc}`] : []),
    "--require-inlined",
    "--json",
    "-o",
    object,
  ];

  const builds: (() => Promise<BuiltProgram>)[] = [];
  builds.push(
    async () => {
      const log = new CommandLog();
      await log.run(mode.rustc, [...mode.rustFlags, ...rustLib, "--emit=obj", "-o", out("a-rust.o"), src("bench_helpers.rs")]);
      await log.run(tools.clang, [...mode.cFlags, include, "-c", src("helpers.c"), "-o", out("a-helpers.o")]);
      return { id: "a", program: await link(log, "a", [out("a-rust.o"), out("a-helpers.o")]), object: out("a-rust.o"), commands: log.commands, callsLeft: (await inspectObject(out("a-rust.o"))).callsLeft, globalHelpers: (await inspectObject(out("a-helpers.o"))).globalHelpers };
    },
  );
  builds.push(
    async () => {
      const log = new CommandLog();
      const built = await log.run(tools.node, localLtoArgs(out("b.o")), { LOCAL_LTO_CACHE_DIR: join(dir, "helper-cache"), DEBUG: "local-lto:run", DEBUG_COLORS: "0" });
      const report = JSON.parse(built.stdout) as { toolchain?: Record<string, unknown> };
      const backend = report.toolchain && "rust-lld" in report.toolchain ? "rust-lld" : "opt + llc";
      const logged = parseDebugLog(built.stderr, built.startedAtMs);
      const passes = [...(logged.rustLld?.args ?? []), ...(logged.opt?.args ?? [])].find((a) => /^(--lto-newpm-passes|-passes)=/.test(a))?.replace(/^[^=]*=/, "");
      return { id: "b", program: await link(log, "b", [out("b.o")]), object: out("b.o"), commands: log.commands, backend, passes, ...(await inspectObject(out("b.o"))) };
    },
  );
  builds.push(
    async () => {
      const log = new CommandLog();
      await log.run(tools.clang, [...mode.cFlags, include, "-c", src("bench.c"), "-o", out("c.o")]);
      return { id: "c", program: await link(log, "c", [out("c.o")]), object: out("c.o"), commands: log.commands };
    },
  );
  builds.push(
    async () => {
      const log = new CommandLog();
      await log.run(mode.rustc, [...mode.rustFlags, ...rustLib, "--emit=obj", "-o", out("d.o"), src("bench_plain.rs")]);
      return { id: "d", program: await link(log, "d", [out("d.o")]), object: out("d.o"), commands: log.commands };
    },
  );
  builds.push(
    async () => {
      const log = new CommandLog();
      await log.run(mode.rustc, [...mode.rustFlags, ...rustLib, "--emit=llvm-bc", "-o", out("e-rust.bc"), src("bench_helpers.rs")]);
      await log.run(tools.clang, [...mode.cFlags, include, "--target=x86_64-unknown-linux-gnu", "-c", "-emit-llvm", src("helpers.c"), "-o", out("e-helpers.bc")]);
      await log.run(tools.llvmLink, ["--internalize", "--only-needed", out("e-rust.bc"), out("e-helpers.bc"), "-o", out("e-merged.bc")]);
      await log.run(tools.clang, [...mode.cFlags, "-Wno-override-module", "-c", out("e-merged.bc"), "-o", out("e.o")]);
      return { id: "e", program: await link(log, "e", [out("e.o")]), object: out("e.o"), commands: log.commands, ...(await inspectObject(out("e.o"))) };
    },
  );
  builds.push(
    async () => {
      const log = new CommandLog();
      await log.run(mode.rustc, [...mode.rustFlags, ...rustLib, "-Clinker-plugin-lto", "--emit=obj", "-o", out("f-rust.o"), src("bench_helpers.rs")]);
      await log.run(tools.clang, [...mode.cFlags, include, "-flto=thin", "-c", src("helpers.c"), "-o", out("f-helpers.o")]);
      await log.run(tools.ldLld, ["-r", out("f-rust.o"), out("f-helpers.o"), "-o", out("f.o")]);
      return { id: "f", program: await link(log, "f", [out("f.o")]), object: out("f.o"), commands: log.commands, ...(await inspectObject(out("f.o"))) };
    },
  );
  // Two at a time: the machine has two cores.
  return (await runPool(builds, 2)).results;
}

async function checkSameResults(builds: BuiltProgram[]): Promise<void> {
  const outputs = await Promise.all(builds.map(async (b) => [b.id, (await mustRun(b.program, ["check"])).stdout] as const));
  const reference = outputs.find(([id]) => id === "c")![1];
  for (const [id, output] of outputs) {
    if (output !== reference) throw new Error(`runtime: build ${id} computes different results from the C build:\n${output}\nvs\n${reference}`);
  }
}

async function callgrindCounts(tools: BenchTools, program: string, prefix: string, n1: number, n2: number): Promise<Record<Kind, number>> {
  await mustRun(tools.valgrind!, ["--tool=callgrind", `--callgrind-out-file=${prefix}.%p`, program, "callgrind", String(n1), String(n2)]);
  const dir = join(prefix, "..");
  const base = prefix.slice(dir.length + 1);
  const dumps: CallgrindDump[] = [];
  for (const name of await readdir(dir)) {
    if (!name.startsWith(`${base}.`)) continue;
    const dump = parseCallgrindDump(await readFile(join(dir, name), "utf8"));
    if (dump) dumps.push(dump);
  }
  return Object.fromEntries(kinds.map((k) => [k, perIteration(dumps, k, n1, n2)])) as Record<Kind, number>;
}

async function timeOnce(program: string, kind: Kind, iterations: number): Promise<number> {
  const result = await mustRun(program, ["time", kind, String(iterations)]);
  return Number(result.stdout.trim().split(/\s+/)[0]);
}

async function disassemble(tools: BenchTools, object: string, symbol: string): Promise<string> {
  return (await mustRun(tools.objdump, ["-d", "--no-show-raw-insn", `--disassemble-symbols=${symbol}`, object])).stdout;
}

export interface RuntimeOptions {
  rounds: number;
  targetMs: number;
  progress: (message: string) => void;
}

export async function runRuntime(tools: BenchTools, work: string, options: RuntimeOptions): Promise<RuntimeResults> {
  if (!tools.valgrind) throw new Error("valgrind not found: run ./scripts/setup.sh");
  const dir = join(work, "runtime");
  await mkdir(dir, { recursive: true });
  const mainObject = join(dir, "main.o");
  const thunksObject = join(dir, "thunks.o");
  await mustRun(tools.clang, ["-O2", `-I${runtimeSources}`, "-c", join(runtimeSources, "main.c"), "-o", mainObject]);
  await mustRun(tools.clang, ["-c", join(runtimeSources, "thunks.S"), "-o", thunksObject]);

  const n1 = 1 << 17;
  const n2 = 1 << 20;
  const modes: ModeResults[] = [];
  for (const config of runtimeModes(tools)) {
    options.progress(`runtime: building the ${config.id} programs`);
    const modeDir = join(dir, config.id);
    await mkdir(modeDir, { recursive: true });
    const builds = await buildPrograms(tools, config, modeDir, mainObject, thunksObject);
    await checkSameResults(builds);
    options.progress(`runtime: callgrind, ${config.id}`);
    const counted = await runPool(
      builds.map((b) => () => callgrindCounts(tools, b.program, join(modeDir, `cg-${b.id}`), n1, n2)),
      2,
    );
    const instructions = Object.fromEntries(builds.map((b, i) => [b.id, counted.results[i]!]));
    const disassembly = {} as ModeResults["disassembly"];
    const objectOf = (id: BuildId) => builds.find((b) => b.id === id)!.object;
    for (const kind of kinds) {
      const idealText = await disassemble(tools, objectOf("c"), `bench_${kind}`);
      const ideal = hotLoop(idealText);
      disassembly[kind] = [];
      for (const id of ["b", "d", "e", "f"] as const) {
        const text = await disassemble(tools, objectOf(id), `bench_${kind}`);
        const loop = hotLoop(text);
        const diff = diffLines(ideal, loop);
        const whole = diffLines(wholeFunction(idealText), wholeFunction(text));
        disassembly[kind].push({
          build: id,
          identical: diff.every((d) => d.op === " "),
          sameUpToRegisters: diffLines(renameRegisters(ideal), renameRegisters(loop)).every((d) => d.op === " "),
          wholeFunctionIdentical: whole.every((d) => d.op === " "),
          diff,
          loopLines: loop.length,
          idealLines: ideal.length,
        });
      }
    }
    modes.push({ config, builds, instructions, wallNs: {}, disassembly });
  }

  // Wall time: iterations per kind chosen so the C build runs about targetMs.
  const wallIterations = {} as Record<Kind, number>;
  const reference = modes[0]!.builds.find((b) => b.id === "c")!.program;
  for (const kind of kinds) {
    const probe = 1 << 20;
    const ns = await timeOnce(reference, kind, probe);
    const wanted = (options.targetMs * 1e6) / Math.max(ns, 0.05);
    wallIterations[kind] = Math.max(1 << 20, Math.min(1 << 27, Math.round(wanted / 1024) * 1024));
  }
  for (const mode of modes) {
    for (const b of mode.builds) mode.wallNs[b.id] = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  }
  for (let round = 0; round < options.rounds; round++) {
    options.progress(`runtime: wall time, round ${round + 1}/${options.rounds}`);
    for (const mode of modes) {
      for (const kind of kinds) {
        for (const build of rotate(mode.builds, round)) {
          mode.wallNs[build.id]![kind].push(await timeOnce(build.program, kind, wallIterations[kind]));
        }
      }
    }
  }
  return { targetMs: options.targetMs, n1, n2, rounds: options.rounds, wallIterations, modes };
}
