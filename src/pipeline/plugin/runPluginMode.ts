/**
 * Plugin mode (docs/MODES.md): rustc itself links the helpers in, through local-lto's pass plugin,
 * and its own inliner, optimisation pipeline and code generation write the object — no second
 * code generation, no bitcode round trip. local-lto decides everything before rustc starts
 * (preparePluginHelpers.ts) and proves the result from the object afterwards, as in every mode.
 */
import { copyFile, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalLtoError } from "../../diagnostics/errors.js";
import { readElf, type ElfFile } from "../../elf/index.js";
import { defaultRuleSettings, noinline } from "../../inlining/diagnose.js";
import { costModelReason, tooCostlyFix } from "../../inlining/explain.js";
import { parseInlineRemarks, remarkVerdict, type InlineRemark } from "../../inlining/remarks.js";
import { readObjectFacts } from "../../verify/objectFacts.js";
import type { HelperBitcodeReport, HelperReport } from "../../report/schema.js";
import type { SafetyCheckResult } from "../../safety/types.js";
import { helperAsmLabelError, helperAsmLabelInRustcError, tail } from "../../tools/failure.js";
import { compileRustWithHelpers, compileRustWithPendingHelpers, type CompileWithHelpersResult } from "../../tools/plugin/compileWithHelpers.js";
import type { RustcPlugin } from "../../tools/plugin/rustcPlugin.js";
import { rustcRejected } from "../../tools/rustc.js";
import type { BuildContext } from "../context.js";
import { selectHelpers } from "../helperSelection.js";
import { selectionNotes } from "../selectionNotes.js";
import { exportedDefinitions, undefinedReferences } from "../static/objectSymbols.js";
import { preparePluginHelpers, type PreparedPluginHelpers } from "./preparePluginHelpers.js";

export interface PluginModeResult {
  helpers: HelperReport[];
  unusedHelpers: string[];
  target: string;
  safetyChecks: SafetyCheckResult[];
  reconciliation: string[];
  helperBitcode: HelperBitcodeReport[];
}

/** rustc's remarks mention `-C debuginfo` when none is given: that advice is for remark users, not local-lto's. */
function withoutRemarkNoise(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => !/^warning: -C remark requires "-C debuginfo=n"/.test(line))
    .join("\n")
    .trim();
}

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

async function readRemarks(dir: string): Promise<InlineRemark[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const remarks: InlineRemark[] = [];
  for (const file of files.filter((f) => f.endsWith(".yaml"))) remarks.push(...parseInlineRemarks(await readFile(join(dir, file), "utf8")));
  return remarks;
}

/**
 * Calls left, explained by LLVM's own remarks from the run that made the object: in this mode the
 * inliner is rustc's, so its remark is the explanation (categories as in docs/INLINING.md).
 */
function attachRemarks(rows: HelperReport[], remarks: readonly InlineRemark[], includeInlined: boolean, inlineThreshold: number | undefined): HelperReport[] {
  return rows.map((row) => {
    const mine = remarks.filter((r) => r.callee === row.name && (includeInlined || r.kind === "Missed"));
    if (mine.length === 0) {
      if (row.callsLeft === 0) return row;
      // LLVM remarks on every call its inliner considers: none means it never considered this one.
      return {
        ...row,
        reasons: [
          {
            caller: row.calls[0]?.caller ?? "?",
            category: "unknown",
            reason: "LLVM wrote no inlining remark for this call: its inliner never considered it (an indirect call, e.g. a Rust declaration whose type differs from the C definition)",
            fix: "--mode inline --explain diagnoses the call from both modules",
          },
        ],
      };
    }
    const reasons = mine.map((remark) => {
      const verdict = remarkVerdict(remark);
      const category = verdict === "inlined" ? "inlined" : verdict === "too-costly" ? "too-costly" : verdict === "null-pointer-is-valid" ? "null-pointer-is-valid" : verdict === "conflicting-attributes" ? "unknown" : verdict;
      // A noinline helper or call site: the same words as the link path's diagnosis.
      const known = remark.reason === "noinline function attribute" ? noinline("helper") : remark.reason === "noinline call site attribute" ? noinline("call site") : undefined;
      const fix = known?.fix ?? (verdict === "too-costly" ? tooCostlyFix(remark, { ...defaultRuleSettings, inlineThreshold }) : verdict === "conflicting-attributes" ? "--mode inline --explain names the attribute that differs" : undefined);
      return { caller: remark.caller, ...(remark.line !== undefined ? { line: remark.line } : {}), category, reason: known?.reason ?? (verdict === "inlined" || verdict === "too-costly" ? costModelReason(remark, verdict) : `LLVM: ${remark.message}`), ...(fix ? { fix } : {}), llvmRemark: remark.message, llvmAgrees: true };
    });
    return { ...row, reasons };
  });
}

export async function runPluginMode(ctx: BuildContext, plugin: RustcPlugin): Promise<PluginModeResult> {
  const { build, toolchain, workspace, timed } = ctx;
  const rust = build.rust;
  if (rust.kind !== "rust-source") throw new Error("internal: plugin mode needs Rust source");
  const rustc = toolchain.rustc!;
  const preparing = preparePluginHelpers({
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
    rustcArgs: rust.rustcArgs,
    toolchain,
    workspace,
    notes: ctx.notes,
    warnings: ctx.warnings,
    timed,
  });
  preparing.catch(() => undefined); // awaited below; rustc may fail first
  // rustc starts while the helpers are prepared (vetted, reconciled): the plugin waits for them
  // when its first codegen unit needs them. Not when rustc remembers builds (incremental): then
  // the helper set must be named by its content, so it is prepared first.
  let ready: PreparedPluginHelpers | undefined = rust.rustcArgs.some((a) => a.includes("incremental")) ? await preparing : undefined;

  // rustc with the plugin: the user's flags unchanged, the object where local-lto stages it.
  const compile = async (remarksDir: string | undefined, tag: string) => {
    const object = workspace.file(`rust${tag}.o`);
    const args = [
      ...rust.rustcArgs,
      ...(rust.facts.crateTypeGiven ? [] : ["--crate-type=lib"]),
      ...(build.inlineThreshold !== undefined ? [`-Cllvm-args=-inline-threshold=${build.inlineThreshold}`].filter(() => !rust.rustcArgs.some((a) => a.includes("inline-threshold"))) : []),
      ...(remarksDir ? ["-Cremark=inline", `-Zremark-dir=${remarksDir}`] : []),
      "--emit=obj",
      "-o",
      object,
      rust.path,
    ];
    const known = ready;
    const result = await timed(`compile rust with helpers${tag}`, () =>
      known
        ? compileRustWithHelpers({ plugin, rustcArgs: args, helpersBitcode: known.helpersBitcode, cwd: build.cwd, env: {} })
        : compileRustWithPendingHelpers({ plugin, rustcArgs: args, helpers: preparing.then((p) => p.helpersBitcode), setDir: workspace.file("helper-set"), cwd: build.cwd, env: {} }),
    );
    ready ??= await preparing;
    if (result.exitCode !== 0) throw pluginFailure(result, rust.path, ready.helperIrText);
    return { object, result };
  };
  const remarksDir = build.explain ? workspace.file("remarks") : undefined;
  const { object, result } = await compile(remarksDir, "");
  const prepared = ready ?? (await preparing);
  const diagnostics = withoutRemarkNoise(result.stderr);
  if (diagnostics) ctx.warnings.push(diagnostics);
  await copyFile(object, ctx.stagedObject);

  // Verify, from the object alone.
  const elf: ElfFile = await timed("verify", async () => readElf(new Uint8Array(await readFile(ctx.stagedObject))));
  const linked = new Set(result.record.flatMap((m) => m.helpers));
  const referenced = new Set([...undefinedReferences(elf), ...linked]);
  const selection = selectHelpers(prepared.helperNames, referenced, build.helperNaming);
  ctx.notes.push(...selectionNotes(selection));
  checkNoRustDefinitionShadowed(elf, prepared.helperNames);
  const checked = [...selection.used, ...selection.undefinedInHelpers];
  const facts = readObjectFacts(elf, checked);
  ctx.notes.push(...facts.notes);
  let rows = facts.helpers;
  // The Rust side of the address-taken check (the helper side ran before rustc): a helper whose
  // address the crate uses would have a different address in every object.
  const taken = rows.filter((h) => h.addressReferences > 0 && selection.used.includes(h.name)).map((h) => h.name);
  if (taken.length && !build.allow.has("address-taken")) {
    throw new LocalLtoError({
      code: "LLTO_UNSAFE_HELPERS",
      message: `the Rust crate uses the address of ${taken.join(", ")} other than to call it: each object's private copy would have a different address (address-taken)`,
      fix: "call the helper instead of taking its address, or accept it with --allow=address-taken (docs/SAFETY.md)",
    });
  }

  const callsLeft = rows.some((h) => h.callsLeft > 0 && selection.used.includes(h.name));
  if (build.explain || callsLeft) {
    let remarks: InlineRemark[];
    if (remarksDir) remarks = await readRemarks(remarksDir);
    else {
      // LLVM's reasons for the calls left: the same compile once more, with its remarks written.
      const again = workspace.file("remarks");
      await compile(again, "-remarks");
      remarks = await readRemarks(again);
    }
    rows = attachRemarks(rows, remarks, build.explain, build.inlineThreshold);
  }
  return {
    helpers: rows,
    unusedHelpers: selection.unused,
    target: prepared.triple,
    // duplicate-symbol needs the Rust side, which only the object shows: checked above.
    safetyChecks: prepared.safetyChecks.map((c) => (c.check === "duplicate-symbol" && c.status === "not-applicable" ? { ...c, status: "passed" as const } : c)),
    reconciliation: prepared.reconciliation,
    helperBitcode: prepared.helperBitcode,
  };
}

/**
 * A name the crate defines and a helper input defines too: rustc's codegen units that only
 * declare it would get the helper's private copy instead of the crate's function (the plugin links
 * by declaration). The link path refuses this before the merge (duplicate-symbol); here the object
 * tells, and the build is refused the same way.
 */
function checkNoRustDefinitionShadowed(elf: ElfFile, helperNames: readonly string[]): void {
  const helpers = new Set(helperNames);
  const both = exportedDefinitions(elf).filter((name) => helpers.has(name));
  if (both.length === 0) return;
  throw new LocalLtoError({
    code: "LLTO_UNSAFE_HELPERS",
    message: `the Rust crate defines ${both.join(", ")}, which a helper input defines too: code that declares ${both.length > 1 ? "them" : "it"} would get the helper's copy (duplicate-symbol)`,
    fix: "rename one of the two definitions, or drop the helper that duplicates the crate's function",
  });
}
