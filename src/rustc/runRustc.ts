/**
 * The rustc mode (docs/INTEGRATION.md): `local-lto rustc <args>`, and the wrapper Cargo runs as
 * `local-lto /path/to/rustc <args>`. rustc runs with local-lto's pass plugin, which links the
 * helpers into the codegen units that declare them and leaves every other unit as rustc made it;
 * rustc's diagnostics, JSON messages and exit code reach the caller untouched. When the plugin's
 * record says it linked something, the outputs are proven (proveOutputs.ts), the gate applied,
 * the helpers' files added to the dep-info, and one line written to the build's report.
 */
import { existsSync } from "node:fs";
import { mkdir, open, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import { gateVerdict } from "../verify/gate.js";
import type { HelperReport, Report } from "../report/schema.js";
import { reportSchemaId } from "../report/schemaId.js";
import { summarize } from "../report/summarize.js";
import { runInherited, type InheritedRun } from "../process/run.js";
import { bootstrapNeutralArgs } from "../tools/plugin/bootstrapMangling.js";
import { parsePluginRecord, type LinkedModule } from "../tools/plugin/pluginRecord.js";
import { exitCodeForSignal } from "../process/signals.js";
import { crateNameFromInput, codegenValue, optLevel, parseRustcArgs, type RustcInvocation } from "./args.js";
import type { RunLine } from "./buildReport.js";
import type { RustcConfig } from "./config/loadConfig.js";
import { decideFromArgs, linkedCrateTypes, runByBuildScript, type ArgsDecision } from "./decide.js";
import { addDepInfoDependencies } from "./depInfo.js";
import { helperSetArgs } from "./helperSetArgs.js";
import { ensureHelperSet, readManifest, type SetManifest } from "./helperSets.js";
import { launchDir, readLaunchEntry, writeLaunchEntry, type EntryConfig } from "./launchEntries.js";
import { rustcOutputs, type OutputFile, type RustcOutputs } from "./outputs.js";
import { appendRunLine, runLineSchemaId } from "./runLine.js";
import { stateDir as stateDirOf, targetDirFor } from "./targetDir.js";

/** The configuration (its schema and TOML libraries) is loaded when a run needs it, not when the launcher already checked it. */
async function configModule() {
  return import("./config/loadConfig.js");
}

export interface RustcRunOptions {
  /** The rustc to run: Cargo's `$RUSTC` (a toolchain's rustc), or a name on PATH. */
  rustc: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where notes go (standard error; Cargo shows lines that are not JSON as they are). */
  note?: (line: string) => void;
}

/** A crate's state between runs: the helpers its units linked (an incremental rustc reuses units, which then record nothing). */
interface CrateState {
  linked: LinkedModule[];
}

/**
 * Runs rustc as the invocation asks, with the plugin when a configuration applies, and returns
 * the exit code to leave with. Throws LocalLtoError for what the user must fix (the
 * configuration, a failed gate, an unsafe helper): the CLI prints it as `error[CODE]` and `fix:`.
 */
export async function runRustc(options: RustcRunOptions): Promise<number> {
  const { rustc, args, cwd, env } = options;
  const note = options.note ?? ((line: string) => process.stderr.write(`${line}\n`));
  const inv = parseRustcArgs(args);
  const decision: ArgsDecision = runByBuildScript(env) ? { action: "pass-through", reason: "build-script" } : decideFromArgs(inv);
  if (decision.action === "pass-through") {
    if (decision.note && (await configApplies(inv, cwd, env))) note(decision.note);
    return plainRun(rustc, args, cwd, env);
  }

  const targetDir = targetDirFor(inv, cwd, env);
  const state = stateDirOf(targetDir);
  // The launcher's key for this invocation (bin/local-lto, keytext): Node writes the entry under it.
  const launchKey = env.LOCAL_LTO_LAUNCH_TEXT;
  const crateName = inv.crateName ?? crateNameFromInput(inv.input ?? "rust_out");

  const failed = env.LOCAL_LTO_POST_FAILED;
  if (failed && launchKey && decision.action === "compile") {
    // The launcher's rustc failed or was stopped (bin/local-lto): its dep-info may have lost the
    // helpers' files (see below); they go back in, and the launcher's status is the exit code.
    const entry = await readLaunchEntry(launchDir(env), launchKey, env.LOCAL_LTO_LAUNCH_ENTRY);
    const manifest = entry?.action === "plugin" ? await readManifest(entry.setDir) : undefined;
    if (entry?.action === "plugin" && manifest) await addHelperDependencies(rustcOutputs(inv, inv.crateTypes, cwd).depInfo, entry.config, manifest);
    const status = Number.parseInt(failed, 10);
    noteStop(status, note);
    return status;
  }

  const record = env.LOCAL_LTO_POST_RECORD;
  if (record && launchKey && decision.action === "compile") {
    // The launcher ran rustc with the plugin from its entry: what is left is the proof, with the
    // entry's facts (it checked them fresh) instead of reading the configuration again.
    const linked = parsePluginRecord(await readFile(record, "utf8").catch(() => ""));
    await rm(record, { force: true });
    // The launcher names the entry it ran from (LOCAL_LTO_LAUNCH_ENTRY).
    const entry = await readLaunchEntry(launchDir(env), launchKey, env.LOCAL_LTO_LAUNCH_ENTRY);
    const manifest = entry?.action === "plugin" ? await readManifest(entry.setDir) : undefined;
    if (entry?.action === "plugin" && manifest) return afterCompile({ inv, crateName, cwd, env, config: entry.config, manifest, state, linked, durationMs: 0 });
    // The entry or its set went away meanwhile (a parallel `cargo clean`?): the proof from the configuration itself.
    const { loadRustcConfig } = await configModule();
    const config = await loadRustcConfig(cwd, targetDir, env);
    if (!config) return 0;
    const set = await ensureHelperSet({ config, rustc, setArgs: helperSetArgs(inv), defines: config.cfgDefines.filter((n) => inv.cfgs.includes(n)), stateDir: state, env });
    return afterCompile({ inv, crateName, cwd, env, config: { files: config.files, requireInlined: config.requireInlined, allow: config.allow, ...(config.source.path ? { sourcePath: config.source.path } : {}) }, manifest: set.manifest, state, linked, durationMs: 0 });
  }

  const startedAt = Date.now();
  const { configCandidates, loadRustcConfig, selectsCrate } = await configModule();
  const config = await loadRustcConfig(cwd, targetDir, env);
  if (!config) {
    if (launchKey) {
      const candidates = configCandidates(cwd, targetDir, env);
      await writeLaunchEntry(launchDir(env), launchKey, { action: "plain", dependencies: candidates.filter((c) => existsSync(c)), absent: candidates.filter((c) => !existsSync(c)) }, startedAt);
    }
    return plainRun(rustc, args, cwd, env);
  }
  const defines = config.cfgDefines.filter((name) => inv.cfgs.includes(name));
  const set = await ensureHelperSet({ config, rustc, setArgs: helperSetArgs(inv), defines, stateDir: state, env });
  const entryConfig: EntryConfig = { files: config.files, requireInlined: config.requireInlined, allow: config.allow, ...(config.source.path ? { sourcePath: config.source.path } : {}) };
  if (launchKey) {
    const m = set.manifest;
    // A configuration file appearing where the search looks first would replace this one.
    const candidates = configCandidates(cwd, targetDir, env);
    const earlier = config.source.path ? candidates.slice(0, Math.max(0, candidates.indexOf(config.source.path))) : candidates;
    const entry = { action: "plugin" as const, pluginPath: m.pluginPath, setDir: set.dir, bootstrap: m.needsBootstrap, manglingPin: m.manglingPin, crates: config.crates, config: entryConfig };
    // Dated when this run started reading: every dependency was checked unchanged since the set's
    // preparation after that moment, so a change from then on makes the entry stale.
    await writeLaunchEntry(launchDir(env), launchKey, { ...entry, dependencies: [...m.dependencies, ...earlier.filter((c) => existsSync(c))], absent: earlier.filter((c) => !existsSync(c)) }, startedAt);
  }
  if (!selectsCrate(config, crateName)) return plainRun(rustc, args, cwd, env);

  if (decision.action === "dep-info") {
    // sccache's probe for the files a compile reads: they include the helpers', so that a changed
    // header changes its cache key.
    const code = await plainRun(rustc, args, cwd, env);
    await addHelperDependencies(rustcOutputs(inv, inv.crateTypes, cwd).depInfo, entryConfig, set.manifest);
    return code;
  }

  const started = performance.now();
  const run = await compileWithPlugin(rustc, args, cwd, env, set.manifest, state);
  if (run.code !== 0) {
    // rustc writes its dep-info early, so a compile that then fails or is interrupted (rustc stops
    // itself on SIGINT) has replaced it with one that omits the helpers' files, while the object
    // stays as it was: make would then take that object for up to date after a header change (a
    // user trial). The helpers' files go in as after a success.
    await addHelperDependencies(rustcOutputs(inv, inv.crateTypes, cwd).depInfo, entryConfig, set.manifest);
    noteStop(run.code, note);
    return run.code;
  }
  return afterCompile({ inv, crateName, cwd, env, config: entryConfig, manifest: set.manifest, state, linked: run.linked, durationMs: performance.now() - started });
}

/** Says that the compile was stopped, when its exit code is a stop's (129, 130, 143: exitCodeOf, the launcher's llto_sig). */
function noteStop(status: number, note: (line: string) => void): void {
  const stoppedBy = ({ 129: "SIGHUP", 130: "SIGINT", 143: "SIGTERM" } as Record<number, string>)[status];
  if (stoppedBy) note(`local-lto: stopped by ${stoppedBy}`);
}

async function configApplies(inv: RustcInvocation, cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const { loadRustcConfig } = await configModule();
    return (await loadRustcConfig(cwd, targetDirFor(inv, cwd, env), env)) !== undefined;
  } catch {
    return false;
  }
}

function exitCodeOf(run: InheritedRun, rustc: string): number {
  if (run.spawnError) {
    throw new LocalLtoError({ code: "LLTO_TOOL_MISSING", message: `cannot run ${rustc}: ${run.spawnError}`, fix: "check the rustc path Cargo (RUSTC) or LOCAL_LTO_RUSTC gives" });
  }
  // A stop is what ended the compile, whatever rustc then exited with (it stops itself on SIGINT, exit 1).
  if (run.signal ?? run.stoppedBy) return exitCodeForSignal((run.signal ?? run.stoppedBy)!);
  return run.exitCode ?? 1;
}

/** rustc exactly as asked, on this process's standard streams. */
async function plainRun(rustc: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return exitCodeOf(await runInherited({ file: rustc, args, cwd, env }), rustc);
}

/**
 * rustc with the plugin: the user's arguments unchanged, then (stable rustc) the mangling pin and
 * stable's feature gates (bootstrapNeutralArgs),
 * then `-Zllvm-plugins`; RUSTC_BOOTSTRAP=1 in this rustc's environment only (never in local-lto's,
 * where a build script's feature probe could see it).
 */
export function pluginRustcArgs(args: readonly string[], set: Pick<SetManifest, "pluginPath" | "manglingPin" | "needsBootstrap">, userBootstrap: string | undefined): string[] {
  return [...args, ...bootstrapNeutralArgs(set, args, userBootstrap), `-Zllvm-plugins=${set.pluginPath}`];
}

async function compileWithPlugin(rustc: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, set: SetManifest, state: string): Promise<{ code: number; linked: LinkedModule[] }> {
  await mkdir(state, { recursive: true });
  const recordFile = join(state, `record-${process.pid}-${Date.now()}.jsonl`);
  try {
    const run = await runInherited({
      file: rustc,
      args: pluginRustcArgs(args, set, env.RUSTC_BOOTSTRAP),
      cwd,
      env: { ...env, ...(set.needsBootstrap ? { RUSTC_BOOTSTRAP: "1" } : {}), LOCAL_LTO_PLUGIN_RECORD: recordFile, LOCAL_LTO_PLUGIN_HELPERS: undefined },
    });
    const code = exitCodeOf(run, rustc);
    if (code !== 0) return { code, linked: [] };
    return { code, linked: parsePluginRecord(await readFile(recordFile, "utf8").catch(() => "")) };
  } finally {
    await rm(recordFile, { force: true });
  }
}

/** `#![crate_type = "…"]` at the top of the source, else `bin` (rustc's default). */
async function crateTypesOf(inv: RustcInvocation, cwd: string): Promise<string[]> {
  if (inv.crateTypes.length) return inv.crateTypes;
  if (!inv.input || inv.input === "-") return ["bin"];
  try {
    const handle = await open(resolve(cwd, inv.input), "r");
    const head = Buffer.alloc(16384);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    await handle.close();
    const types = [...head.subarray(0, bytesRead).toString("utf8").matchAll(/#!\[crate_type\s*=\s*"([a-z-]+)"\s*\]/g)].map((m) => m[1]!);
    return types.length ? types : ["bin"];
  } catch {
    return ["bin"];
  }
}

/** With `--emit=obj`, several codegen units and no single output file, rustc leaves one object per unit. */
async function withUnitObjects(outputs: RustcOutputs): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  for (const file of outputs.files) {
    if (file.proof === "object" && !existsSync(file.path)) {
      const prefix = `${outputs.crateName}${outputs.extra}.`;
      const units = (await readdir(outputs.objectDir).catch(() => [] as string[])).filter((f) => f.startsWith(prefix) && f.endsWith(".rcgu.o"));
      files.push(...units.map((u) => ({ path: join(outputs.objectDir, u), kind: "obj", proof: "object" as const })));
    } else files.push(file);
  }
  return files.filter((f) => !f.proof || existsSync(f.path));
}

async function addHelperDependencies(depInfo: string | undefined, config: EntryConfig, set: SetManifest): Promise<void> {
  if (!depInfo || !existsSync(depInfo)) return;
  const text = await readFile(depInfo, "utf8");
  const updated = addDepInfoDependencies(text, [...config.files, ...set.dependencies]);
  if (updated !== text) await writeFile(depInfo, updated);
}

async function readCrateState(path: string): Promise<CrateState | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as CrateState;
  } catch {
    return undefined;
  }
}

interface AfterCompile {
  inv: RustcInvocation;
  crateName: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  config: EntryConfig;
  manifest: SetManifest;
  state: string;
  linked: LinkedModule[];
  durationMs: number;
}

/** Proof, gate, dep-info and the report line, after rustc succeeded. */
async function afterCompile(run: AfterCompile): Promise<number> {
  const { inv, crateName, cwd, env, config, manifest, state } = run;
  const extra = codegenValue(inv, "extra-filename") ?? "";
  const unit = `${crateName}${extra}`;
  const statePath = join(state, "crates", `${unit}.json`);
  const incremental = codegenValue(inv, "incremental") !== undefined;
  // Units an incremental rustc reused were not optimised again and recorded nothing: keep what they linked before.
  const previous = incremental ? await readCrateState(statePath) : undefined;
  const byModule = new Map((previous?.linked ?? []).map((m) => [m.module, m]));
  for (const m of run.linked) byModule.set(m.module, m);
  const linked = [...byModule.values()];
  const linkedHelpers = [...new Set(linked.flatMap((m) => m.helpers))].sort();
  const crateTypes = await crateTypesOf(inv, cwd);
  const linkedOutput = crateTypes.some((t) => linkedCrateTypes.has(t));
  const anyLinked = existsSync(join(state, "linked"));
  const base = { schema: runLineSchemaId, ...(env.LOCAL_LTO_BUILD_ID ? { build: env.LOCAL_LTO_BUILD_ID } : {}), crate: crateName, unit } as const;

  if (linkedHelpers.length === 0 && !(linkedOutput && anyLinked)) {
    await appendRunLine(state, { ...base, action: "no-helpers", crateTypes, optLevel: optLevel(inv), durationMs: Math.round(run.durationMs) });
    return 0;
  }

  const outputs = rustcOutputs(inv, crateTypes, cwd, crateName);
  const files = await withUnitObjects(outputs);
  const { proveOutputs } = await import("./proveOutputs.js");
  const proof = await proveOutputs(files, crateName, linkedHelpers, manifest.helperNames);
  const level = optLevel(inv);
  const rows = proof.helpers;
  const notes = [...proof.notes];
  const configName = config.sourcePath ? relative(cwd, config.sourcePath) || config.sourcePath : "LOCAL_LTO_* in the environment";
  const line: RunLine = {
    ...base,
    action: "compiled",
    crateTypes,
    optLevel: level,
    ...(inv.target ? { target: inv.target } : {}),
    read: proof.read,
    linked,
    helpers: rows,
    summary: summaryOf(rows),
    helperSet: { key: manifest.key, helpers: manifest.helperNames.length, config: configName },
    safetyChecks: manifest.safetyChecks,
    reconciliation: manifest.reconciliation,
    notes,
    durationMs: Math.round(run.durationMs),
  };

  const refusal = rustSideRefusal(crateName, rows, proof.shadowed, config);
  const gate = refusal ? undefined : applyGate(crateName, files, rows, config, level, linkedHelpers.length > 0, cwd);
  const failure = refusal ?? (gate && !gate.pass ? gate.error : undefined);
  if (gate) line.gate = { required: config.requireInlined, applied: gate.applied, pass: gate.pass, ...(gate.error ? { code: gate.error.code, message: gate.error.message } : {}) };
  if (level === "0" && linkedHelpers.length) notes.push("opt-level 0: rustc runs no inliner, so each unit calls its own private copy of the helpers it linked (none exported); require-inlined applies to optimised builds");
  if (failure) {
    line.action = "failed";
    if (!line.gate) line.gate = { required: config.requireInlined, applied: true, pass: false, code: failure.code, message: failure.message };
    await appendRunLine(state, line);
    // Nothing downstream may use what failed: make, Cargo and sccache see the failure, and no stale output is left behind.
    await Promise.all(outputs.files.map((f) => rm(f.path, { force: true })));
    throw failure;
  }

  if (linkedHelpers.length) {
    await addHelperDependencies(outputs.depInfo, config, manifest);
    await mkdir(join(state, "crates"), { recursive: true });
    await writeFile(statePath, `${JSON.stringify({ linked } satisfies CrateState)}\n`);
    await writeFile(join(state, "linked"), "");
  }
  await appendRunLine(state, line);
  return 0;
}

function summaryOf(rows: readonly HelperReport[]): NonNullable<RunLine["summary"]> {
  const s = summarize(rows);
  return { helpers: s.helpers, callsLeft: s.callsLeft, globalHelperSymbols: s.globalHelperSymbols, notProven: s.notProven, allInlined: s.allInlined };
}

/**
 * The Rust side of the safety checks the helper side ran before rustc (docs/SAFETY.md): a crate
 * that uses a linked helper's address (each object's private copy has its own), or that defines a
 * helper's name itself (its units would get the helper's copy instead).
 */
function rustSideRefusal(crateName: string, rows: readonly HelperReport[], shadowed: readonly string[], config: Pick<RustcConfig, "allow">): LocalLtoError | undefined {
  if (shadowed.length) {
    return new LocalLtoError({
      code: "LLTO_UNSAFE_HELPERS",
      message: `crate ${crateName} defines ${shadowed.join(", ")}, which a helper file defines too: its units that declare ${shadowed.length > 1 ? "them" : "it"} would get the helper's copy (duplicate-symbol)`,
      fix: "rename one of the two definitions, or drop the helper that duplicates the crate's function from the configuration",
    });
  }
  const taken = rows.filter((h) => h.addressReferences > 0 && h.symbol !== "global" && h.symbol !== "weak").map((h) => h.name);
  if (taken.length && !config.allow.includes("address-taken")) {
    return new LocalLtoError({
      code: "LLTO_UNSAFE_HELPERS",
      message: `crate ${crateName} uses the address of ${taken.join(", ")} other than to call it: each object's private copy has its own address (address-taken)`,
      fix: 'call the helper instead of taking its address, or accept it with allow = ["address-taken"] in the configuration (docs/SAFETY.md)',
    });
  }
  return undefined;
}

interface GateResult {
  applied: boolean;
  pass: boolean;
  error?: LocalLtoError;
}

/** `require-inlined` for one crate: every helper it linked (and, in a linked file, every helper still called) inlined and proven. */
function applyGate(crateName: string, files: readonly OutputFile[], rows: readonly HelperReport[], config: EntryConfig, level: string, linkedAny: boolean, cwd: string): GateResult {
  if (!config.requireInlined) return { applied: false, pass: true };
  // Without an inliner (opt-level 0) every linked helper is called, by design.
  if (level === "0") return { applied: false, pass: true };
  if (rows.length === 0 && !linkedAny) return { applied: true, pass: true };
  const where = files.filter((f) => f.proof).map((f) => relative(cwd, f.path) || f.path).join(", ");
  const report: Report = { schema: reportSchemaId, command: "inspect", mode: "none", object: where, helpers: [...rows], unusedHelpers: [], summary: summarize(rows), notes: [] };
  const verdict = gateVerdict(report);
  if (verdict.pass) return { applied: true, pass: true };
  const reasons = rows
    .filter((h) => h.verdict !== "inlined")
    .map((h) => {
      if (h.verdict === "calls-left") {
        const callers = [...new Set(h.calls.map((c) => c.caller).filter((c): c is string => !!c))].slice(0, 2);
        return `${h.name}: ${h.callsLeft} call(s) left${callers.length ? ` (from ${callers.join(", ")})` : ""}`;
      }
      return `${h.name}: not proven (${h.notProven?.[0] ?? "unknown"})`;
    });
  const configName = config.sourcePath ?? "the environment";
  const fix =
    verdict.failure.code === "LLTO_CALLS_LEFT"
      ? `see why rustc's inliner kept the call (local-lto build <crate source> --mode plugin --explain, docs/INLINING.md), or set require-inlined = false in ${configName}`
      : /stripped|local symbols/.test(reasons.join(" "))
        ? `keep the symbol table in the linked file (profile strip = "debuginfo" or "none"), or set require-inlined = false in ${configName}`
        : `see the report (local-lto report) for why, or set require-inlined = false in ${configName}`;
  return {
    applied: true,
    pass: false,
    error: new LocalLtoError({ code: verdict.failure.code, message: `crate ${crateName}: ${reasons.join("; ")} in ${where}`, fix }),
  };
}
