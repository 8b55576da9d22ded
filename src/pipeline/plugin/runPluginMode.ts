/**
 * Plugin mode (docs/MODES.md): rustc itself links the helpers in, through local-lto's pass plugin,
 * and its own inliner, optimisation pipeline and code generation write the object — no second
 * code generation, no bitcode round trip. local-lto decides everything before rustc starts
 * (preparePluginHelpers.ts) and proves the result from the object afterwards, as in every mode.
 */
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { debugLog } from "../../diagnostics/debugLog.js";
import { LocalLtoError } from "../../diagnostics/errors.js";
import { rememberProxyBypass } from "../../toolchain/rustcAnswerCache.js";
import { isRustupProxyFile, proxyBypass, usableBypass, type ProxyBypass } from "../../toolchain/rustupProxy.js";
import { helperAsmLabelError, helperAsmLabelInRustcError, tail } from "../../tools/failure.js";
import { compileRustWithHelpers, compileRustWithPendingHelpers, type CompileWithHelpersResult } from "../../tools/plugin/compileWithHelpers.js";
import type { RustcPlugin } from "../../tools/plugin/rustcPlugin.js";
import { rustcRejected } from "../../tools/rustc.js";
import type { BuildContext } from "../context.js";
import { preparePluginHelpers, type PluginHelperRequest, type PreparedPluginHelpers } from "./preparePluginHelpers.js";
import type { ResolvedBuild } from "../resolve/resolvedBuild.js";
import { proveFromObject, type PluginModeResult } from "./proveFromObject.js";
import { STAGE } from "./replayEntry.js";

export type { PluginModeResult } from "./proveFromObject.js";

function pluginFailure(result: CompileWithHelpersResult, source: string, helperIrText: string): LocalLtoError {
  const label = helperAsmLabelInRustcError(result.stderr, helperIrText);
  if (label) return helperAsmLabelError(label, result.stderr);
  if (result.pluginError) {
    const target = /is for .* but .* is for|has data layout/.test(result.pluginError);
    return new LocalLtoError({
      code: target ? "LLTO_TARGET_MISMATCH" : "LLTO_TOOL_FAILED",
      message: `rustc's local-lto plugin stopped the build: ${result.pluginError}`,
      fix: target ? "build the helpers for the Rust target" : "rerun with DEBUG=local-lto:* and report it; --mode inline builds without the plugin",
      details: tail(result.stderr),
    });
  }
  return rustcRejected(source, result.stderr);
}

/**
 * What rustup's proxy gave the toolchain's rustc in this build, when the plugin saw the
 * toolchain's own rustc and nothing but the proxy's variables changed on the way.
 */
async function learntBypass(observed: CompileWithHelpersResult["process"], sysroot: string | undefined): Promise<ProxyBypass | undefined> {
  if (!observed?.seen || !sysroot) return undefined;
  const path = join(sysroot, "bin", "rustc");
  const real = await realpath(path).catch(() => undefined);
  if (!real) return undefined;
  const bypass = proxyBypass(observed.given, observed.seen, { path, real });
  if ("none" in bypass) {
    debugPlugin("rustup's proxy stays in rustc's command: %s", bypass.none);
    return undefined;
  }
  return bypass;
}

const debugPlugin = debugLog("local-lto:plugin");

function rustSource(build: ResolvedBuild): Extract<ResolvedBuild["rust"], { kind: "rust-source" }> {
  if (build.rust.kind !== "rust-source") throw new Error("internal: plugin mode needs Rust source");
  return build.rust;
}

/** What the helper side of a plugin-path build is prepared from: the build's helpers, flags and rustc. */
export function pluginHelperRequest(ctx: Pick<BuildContext, "build" | "toolchain" | "workspace" | "notes" | "warnings" | "timed">): PluginHelperRequest {
  const { build, toolchain } = ctx;
  const rustc = toolchain.rustc!;
  return {
    helpers: build.helpers,
    ccArgs: build.ccArgs,
    helpersDebug: build.helpersDebug,
    cacheDir: build.cacheDir,
    cwd: build.cwd,
    env: build.env,
    allow: build.allow,
    helperNaming: build.helperNaming,
    reconcile: build.reconcile,
    nullPointerPolicy: build.nullPointerPolicy,
    rustc: { path: rustc.path, host: rustc.version.host, identity: rustc.version.text },
    rustcArgs: rustSource(build).rustcArgs,
    toolchain,
    workspace: ctx.workspace,
    notes: ctx.notes,
    warnings: ctx.warnings,
    timed: ctx.timed,
  };
}

/** rustc's arguments with the plugin: the user's flags unchanged, the object where local-lto stages it. */
export function pluginCompileArgs(build: ResolvedBuild, object: string, remarksDir: string | undefined): string[] {
  const rust = rustSource(build);
  return [
    ...rust.rustcArgs,
    ...(rust.facts.crateTypeGiven ? [] : ["--crate-type=lib"]),
    ...(build.inlineThreshold !== undefined ? [`-Cllvm-args=-inline-threshold=${build.inlineThreshold}`].filter(() => !rust.rustcArgs.some((a) => a.includes("inline-threshold"))) : []),
    ...(remarksDir ? ["-Cremark=inline", `-Zremark-dir=${remarksDir}`] : []),
    "--emit=obj",
    "-o",
    object,
    rust.path,
  ];
}

export async function runPluginMode(ctx: BuildContext, plugin: RustcPlugin): Promise<PluginModeResult> {
  const { build, toolchain, workspace, timed } = ctx;
  const rust = rustSource(build);
  const rustc = toolchain.rustc!;
  const preparing = preparePluginHelpers(pluginHelperRequest(ctx));
  preparing.catch(() => undefined); // awaited below; rustc may fail first
  // rustc starts while the helpers are prepared (vetted, reconciled): the plugin waits for them
  // when its first codegen unit needs them. Not when rustc remembers builds (incremental): then
  // the helper set must be named by its content, so it is prepared first.
  let ready: PreparedPluginHelpers | undefined = rust.rustcArgs.some((a) => a.includes("incremental")) ? await preparing : undefined;

  const compileArgs = (object: string, remarksDir: string | undefined) => pluginCompileArgs(build, object, remarksDir);
  // rustup's proxy (src/toolchain/rustupProxy.ts): when an earlier build learnt what it gives the
  // toolchain's rustc, and what that was made from is unchanged, rustc starts without it; else,
  // through the proxy, what it gave rustc is recorded, for repeats and later builds.
  const direct = usableBypass(rustc.direct, process.env);
  const processFile = !direct && (await isRustupProxyFile(rustc.path)) ? workspace.file("rustc-process") : undefined;
  const compile = async (remarksDir: string | undefined, tag: string) => {
    const object = workspace.file(`rust${tag}.o`);
    const args = compileArgs(object, remarksDir);
    const known = ready;
    const common = {
      plugin,
      rustcArgs: args,
      cwd: build.cwd,
      // The build's own RUSTC_BOOTSTRAP (its environment may not be this process's, as a library
      // call's): whether it already bootstraps the crate decides the pin and the feature gates.
      env: { RUSTC_BOOTSTRAP: build.env.RUSTC_BOOTSTRAP, ...(direct ? direct.set : {}) },
      ...(direct ? { rustc: direct.rustc } : {}),
      ...(tag === "" && processFile ? { processFile } : {}),
    };
    const result = await timed(`compile rust with helpers${tag}`, () =>
      known
        ? compileRustWithHelpers({ ...common, helpersBitcode: known.helpersBitcode })
        : compileRustWithPendingHelpers({ ...common, helpers: preparing.then((p) => p.helpersBitcode), setDir: workspace.file("helper-set") }),
    );
    ready ??= await preparing;
    if (result.exitCode !== 0) throw pluginFailure(result, rust.path, ready.helperIrText);
    return { object, result };
  };
  const remarksDir = build.explain ? workspace.file("remarks") : undefined;
  const { object, result } = await compile(remarksDir, "");
  const prepared = ready ?? (await preparing);
  const preparation = { notes: [...ctx.notes], warnings: [...ctx.warnings] };
  const outcome = await proveFromObject(ctx, {
    object,
    stderr: result.stderr,
    record: result.record,
    prepared,
    remarksDir,
    // LLVM's reasons for the calls left: the same compile once more, with its remarks written.
    remarksAgain: async () => {
      const again = workspace.file("remarks");
      await compile(again, "-remarks");
      return again;
    },
  });
  // What a repeat of this build can reuse (replayEntry.ts): only a build that explained nothing and
  // left no call, whose proof is then all that comes after rustc.
  const bypass = direct ?? (await learntBypass(result.process, rustc.sysroot));
  if (bypass && !direct) await rememberProxyBypass(rustc.path, build.env, process.cwd(), bypass).catch(() => undefined);
  const replayable = !build.explain && !outcome.callsLeft ? { rustcArgs: compileArgs(`${STAGE}/rust.o`, undefined), prepared, preparation, ...(bypass ? { bypass } : {}) } : undefined;
  return { ...outcome.result, replayable };
}

