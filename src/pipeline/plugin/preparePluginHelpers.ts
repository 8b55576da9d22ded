/**
 * The helper side of the plugin path (docs/MODES.md, "plugin"): everything local-lto decides
 * before rustc starts, so that the plugin only links and internalizes (docs/PLUGIN.md). The same
 * stages as the link path — compile through the helper cache, one disassembly, safety checks,
 * attribute reconciliation — with one difference: rustc has not compiled the crate yet, so the
 * Rust side is a caller probe (one caller per helper, compiled with the crate's codegen flags),
 * whose attributes are the crate's. Used by `local-lto build` and by the rustc mode.
 */
import { parseModule } from "../../ir/index.js";
import type { IrModule } from "../../ir/types.js";
import type { HelperBitcodeReport } from "../../report/schema.js";
import type { SafetyCheckId, SafetyCheckResult } from "../../safety/types.js";
import type { Toolchain } from "../../toolchain/resolveToolchain.js";
import { toolPath } from "../../toolchain/resolveToolchain.js";
import { disassembleCached } from "../cache/irTextCache.js";
import { linkHelperModules } from "../../tools/llvmLink.js";
import { compileCallerProbe, llvmTargetTriple } from "../../tools/rustc.js";
import { analyzeRustcArgs } from "../../tools/rustcArgs.js";
import { prepareHelperBitcode } from "../cache/prepareHelperBitcode.js";
import type { HelperStageContext } from "../context.js";
import { selectHelpers } from "../helperSelection.js";
import { reconcileHelpers } from "../reconcile/reconcileHelpers.js";
import type { HelperInput, HelperNaming } from "../resolve/resolvedBuild.js";
import type { NullPointerPolicy } from "../types.js";
import { vetHelpers } from "../vet/vetHelpers.js";
import type { Workspace } from "../workspace.js";

export interface PluginHelperRequest {
  helpers: readonly HelperInput[];
  ccArgs: readonly string[];
  helpersDebug: "keep" | "none";
  cacheDir?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  allow: ReadonlySet<SafetyCheckId>;
  helperNaming: HelperNaming;
  reconcile: boolean;
  nullPointerPolicy: NullPointerPolicy;
  /** `identity`: `rustc -vV`'s output, which keys the caller probe's cache (none without it). */
  rustc: { path: string; host: string; identity?: string };
  /** The crate's own rustc flags: the target and `-C target-cpu`/`target-feature` decide reconciliation. */
  rustcArgs: readonly string[];
  toolchain: Toolchain;
  workspace: Workspace;
  notes: string[];
  warnings: string[];
  timed?: <T>(stage: string, work: () => Promise<T>) => Promise<T>;
}

export interface PreparedPluginHelpers {
  /** Vetted and reconciled: what the plugin links from (compileRustWithHelpers). */
  helpersBitcode: string;
  /** The helper module as the plugin will link it. */
  helperModule: IrModule;
  /** Its disassembly before reconciliation (what rustc's errors about helper code are matched against). */
  helperIrText: string;
  /** Helpers the inputs define (after the naming filters). */
  helperNames: string[];
  safetyChecks: SafetyCheckResult[];
  reconciliation: string[];
  helperBitcode: HelperBitcodeReport[];
  /** Helper sources and every header they read: dependencies for rustc's dep-info. */
  dependencies: string[];
  /**
   * What the helper compiles looked for, and whether it existed (includeProbes.ts); undefined when
   * some compile did not record them (uncached): then a repeat cannot know what would shadow a header.
   */
  probes?: [string, boolean][];
  triple: string;
}

/**
 * The Rust side reconciliation compares helpers with, as IR text (pure): one caller per helper
 * carrying the attributes rustc gave the probe's functions (the crate's attributes), calling the
 * helper with the helper's own IR type — so a call is never mistaken for a signature mismatch,
 * which is the Rust declaration's business and shows in the proof if it happens.
 */
export function callerModuleText(probeIr: string, helperModule: IrModule, helpers: readonly string[]): { text: string; callers: Map<string, string> } | undefined {
  const probe = parseModule(probeIr);
  const first = [...probe.functions.values()].find((f) => !f.isDeclaration);
  if (!first) return undefined;
  const definition = probeIr.split("\n").find((line) => line.startsWith(`define `) && line.includes(`@${first.name}(`));
  const groupIds = [...(definition?.matchAll(/ #(\d+)/g) ?? [])].map((m) => m[1]);
  const groups = groupIds.map((id) => probeIr.split("\n").find((line) => line.startsWith(`attributes #${id} = {`))).filter((l): l is string => !!l);
  const body = groups.map((line) => line.slice(line.indexOf("{") + 1, line.lastIndexOf("}")).trim()).join(" ");
  const lines = [`target datalayout = "${probe.dataLayout ?? ""}"`, `target triple = "${probe.triple ?? ""}"`, ""];
  const callers = new Map<string, string>();
  helpers.forEach((name, i) => {
    const fn = helperModule.functions.get(name);
    if (!fn) return;
    const caller = `__llto_caller_${i}`;
    callers.set(caller, name);
    const params = fn.params.map((p) => p.type);
    const quoted = /^[-a-zA-Z$._][-a-zA-Z$._0-9]*$/.test(name) ? `@${name}` : `@"${name}"`;
    lines.push(`declare ${fn.returnType} ${quoted}(${[...params, ...(fn.isVarArg ? ["..."] : [])].join(", ")})`);
    const callee = fn.isVarArg ? `${fn.returnType} (${[...params, "..."].join(", ")}) ${quoted}` : `${fn.returnType} ${quoted}`;
    lines.push(`define void @${caller}() #0 {`, `  call ${callee}(${params.map((t) => `${t} poison`).join(", ")})`, "  ret void", "}", "");
  });
  lines.push(`attributes #0 = { ${body} }`, "");
  return { text: lines.join("\n"), callers };
}

function definedByHelpers(helpers: IrModule): string[] {
  return [...helpers.functions.values()].filter((f) => !f.isDeclaration && f.linkage !== "internal" && f.linkage !== "private").map((f) => f.name);
}

export async function preparePluginHelpers(request: PluginHelperRequest): Promise<PreparedPluginHelpers> {
  const timed = request.timed ?? (<T>(_stage: string, work: () => Promise<T>) => work());
  const ctx: HelperStageContext = {
    build: {
      helpers: request.helpers,
      ccArgs: request.ccArgs,
      helpersDebug: request.helpersDebug,
      cacheDir: request.cacheDir,
      cwd: request.cwd,
      env: request.env,
      allow: request.allow,
      reconcile: request.reconcile,
      nullPointerPolicy: request.nullPointerPolicy,
      userBitcode: request.helpers.filter((h) => h.kind === "bitcode").map((h) => h.path),
      rust: { path: "the Rust crate" },
    },
    toolchain: request.toolchain,
    workspace: request.workspace,
    notes: request.notes,
    warnings: request.warnings,
    timed,
  };
  const { toolchain, workspace } = request;
  const facts = analyzeRustcArgs(request.rustcArgs);
  const triple = await llvmTargetTriple(request.rustc.path, facts, request.rustc.host, request.cwd);
  const prepared = await timed("compile helpers", () => Promise.all(request.helpers.map((_, i) => prepareHelperBitcode(ctx, i, triple))));
  const bitcodes = prepared.map((p) => p.bitcode);
  const linked = await linkHelperModules(toolPath(toolchain, "llvmLink"), bitcodes, workspace.file("helpers.bc"), ctx.build.userBitcode);
  const helperIr = await disassembleCached(toolPath(toolchain, "llvmDis"), linked, ctx.build.userBitcode, request.cacheDir);
  const defined = definedByHelpers(helperIr.module);
  // Every defined helper may be linked: which ones a unit declares is known only inside rustc.
  const selection = selectHelpers(defined, new Set(defined), request.helperNaming);
  const safetyChecks = await timed("safety checks", () => vetHelpers(ctx, { helperModule: helperIr.module, usedHelpers: defined, helpersBitcode: linked, helperBitcodes: bitcodes }));

  let helpersBitcode = linked;
  let helperModule = helperIr.module;
  let reconciliation: string[] = [];
  if (request.reconcile && defined.length > 0) {
    const probe = await timed("caller probe", () => compileCallerProbe(request.rustc.path, request.rustcArgs, defined, request.cwd, request.cacheDir && request.rustc.identity ? { dir: request.cacheDir, rustcIdentity: request.rustc.identity } : undefined));
    if (!probe) {
      request.notes.push("rustc could not compile the caller probe for this target: helper attributes were not reconciled with the crate's (docs/INLINING.md)");
    } else {
      const callerModule = callerModuleText(probe.irText, helperIr.module, selection.used);
      if (callerModule) {
        const reconciled = await timed("reconcile", () =>
          reconcileHelpers(ctx, {
            helperModule: helperIr.module,
            helperText: helperIr.text,
            rustModule: Promise.resolve(parseModule(callerModule.text)),
            helpersBitcode: linked,
            helpers: selection.used,
            probeCallers: callerModule.callers,
          }),
        );
        helpersBitcode = reconciled.helpersBitcode;
        helperModule = reconciled.helperModule ?? helperModule;
        reconciliation = reconciled.changes;
      }
    }
  }
  return {
    helpersBitcode,
    helperModule,
    helperIrText: helperIr.text,
    helperNames: selection.used,
    safetyChecks,
    reconciliation,
    helperBitcode: prepared.map((p) => p.report),
    dependencies: [...new Set([...request.helpers.map((h) => h.path), ...prepared.flatMap((p) => p.dependencies ?? [])])].sort(),
    probes: prepared.every((p) => p.probes || !p.report.source.endsWith(".c")) ? prepared.flatMap((p) => p.probes ?? []) : undefined,
    triple,
  };
}
