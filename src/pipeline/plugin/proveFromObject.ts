/**
 * After rustc, on the plugin path: the proof from the object alone, the Rust side of the safety
 * checks, and LLVM's own explanations of any call left. Shared by a build (runPluginMode.ts) and
 * its repeat, whose rustc the launcher started (replayEntry.ts) — which is why this module
 * imports nothing of the preparation: a repeat loads only what comes after rustc.
 */
import { readFile as readFileCallback } from "node:fs";
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
import { parsePluginRecord } from "../../tools/plugin/pluginRecord.js";
import type { ProxyBypass } from "../../toolchain/rustupProxy.js";
import type { BuildContext } from "../context.js";
import { selectHelpers } from "../helperSelection.js";
import { selectionNotes } from "../selectionNotes.js";
import { exportedDefinitions, undefinedReferences } from "../static/objectSymbols.js";
import { changedIdentities } from "../../files/fileIdentity.js";
import { stagedFiles, type ReplayEntry, type ReplayPrepared } from "./replayEntry.js";

export interface PluginModeResult {
  /** Present when a repeat of this build may be replayed by the launcher (replayEntry.ts). */
  replayable?: { rustcArgs: string[]; prepared: ReplayPrepared & { helpersBitcode: string; dependencies: string[]; probes?: [string, boolean][] }; preparation: { notes: string[]; warnings: string[] }; bypass?: ProxyBypass };
  helpers: HelperReport[];
  unusedHelpers: string[];
  target: string;
  safetyChecks: SafetyCheckResult[];
  reconciliation: string[];
  helperBitcode: HelperBitcodeReport[];
}

/** A replay cannot finish this build (rustc failed, or a call is left to explain): the build runs as usual. */
export class ReplayDeclined extends Error {
  constructor(reason: string) {
    super(`replay declined: ${reason}`);
    this.name = "ReplayDeclined";
  }
}

/** The part of a build's context the proof needs (a replay has no toolchain to resolve). */
export type ProofContext = Pick<BuildContext, "build" | "stagedObject" | "warnings" | "notes" | "timed">;

/** rustc's remarks mention `-C debuginfo` when none is given: that advice is for remark users, not local-lto's. */
function withoutRemarkNoise(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => !/^warning: -C remark requires "-C debuginfo=n"/.test(line))
    .join("\n")
    .trim();
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

/** The facts a build decided before rustc, as the proof needs them (a live preparation or a replay entry). */
type PreparedFacts = ReplayPrepared;

/**
 * After rustc: the proof from the object alone, the Rust side of the safety checks, and LLVM's
 * explanations of any call left. Shared by a build and its replay (the launcher ran rustc).
 */
export async function proveFromObject(
  ctx: ProofContext,
  input: { object: string; stderr: string; record: readonly { helpers: readonly string[] }[]; prepared: PreparedFacts; remarksDir: string | undefined; remarksAgain: (() => Promise<string>) | undefined },
): Promise<{ result: PluginModeResult; callsLeft: boolean }> {
  const { build, timed } = ctx;
  const { prepared } = input;
  const diagnostics = withoutRemarkNoise(input.stderr);
  if (diagnostics) ctx.warnings.push(diagnostics);
  await copyFile(input.object, ctx.stagedObject);

  // Verify, from the object alone.
  const elf: ElfFile = await timed("verify", async () => readElf(new Uint8Array(await readFile(ctx.stagedObject))));
  const linked = new Set(input.record.flatMap((m) => m.helpers));
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
    const dir = input.remarksDir ?? (input.remarksAgain ? await input.remarksAgain() : undefined);
    if (!dir) throw new ReplayDeclined("a helper call is left: its explanation needs rustc's remarks");
    rows = attachRemarks(rows, await readRemarks(dir), build.explain, build.inlineThreshold);
  }
  return {
    callsLeft,
    result: {
      helpers: rows,
      unusedHelpers: selection.unused,
      target: prepared.triple,
      // duplicate-symbol needs the Rust side, which only the object shows: checked above.
      safetyChecks: prepared.safetyChecks.map((c) => (c.check === "duplicate-symbol" && c.status === "not-applicable" ? { ...c, status: "passed" as const } : c)),
      reconciliation: prepared.reconciliation,
      helperBitcode: prepared.helperBitcode,
    },
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

/** The text the launcher sends when its rustc ends (its exit status and a newline); "" when none came. */
export type RustcStatusText = () => Promise<string>;

/**
 * rustc's exit status as the launcher pipes it to Node's standard input, one line, written when
 * rustc exits (bin/local-lto). No polling, no watcher: Node wakes when rustc ends. Read as a file
 * descriptor, not through process.stdin: the stream machinery behind it costs a repeat ~7 ms of
 * CPU to load, for one line.
 */
export const statusFromStandardInput: RustcStatusText = () => new Promise<string>((resolve) => readFileCallback(0, "utf8", (error, text) => resolve(error ? "" : text)));

/**
 * rustc's exit status, once the launcher's compile has ended. An end of input without a status
 * (the launcher's shell killed) declines.
 */
async function launcherRustcStatus(statusText: RustcStatusText, signal?: AbortSignal): Promise<number> {
  if (signal?.aborted) throw new ReplayDeclined("interrupted");
  const aborted = new Promise<never>((_, reject) => signal?.addEventListener("abort", () => reject(new ReplayDeclined("interrupted"))));
  const text = await Promise.race([statusText(), aborted]);
  if (!/^\d+\n$/.test(text)) throw new ReplayDeclined("the launcher's rustc ended without a status");
  return Number.parseInt(text, 10);
}

/** Stops the launcher's rustc when its compile is not used (best effort). */
export async function stopLauncherRustc(stage: string): Promise<void> {
  const pid = Number.parseInt(await readFile(stagedFiles(stage).pid, "utf8").catch(() => ""), 10);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

/**
 * A repeated build (replayEntry.ts): the launcher started rustc with the entry's command into
 * `stage` when it started Node; wait for it, then prove as after any plugin-path compile, with what
 * the entry recorded of the preparation.
 */
export async function replayPluginMode(ctx: ProofContext, entry: ReplayEntry, stage: string, signal: AbortSignal | undefined, statusText: RustcStatusText): Promise<PluginModeResult> {
  const files = stagedFiles(stage);
  const changed = await changedIdentities(entry.identities);
  if (changed.length) throw new ReplayDeclined(`${changed[0]} was replaced since the entry was written`);
  const status = await ctx.timed("compile rust with helpers", () => launcherRustcStatus(statusText, signal));
  if (status !== 0) {
    // A stop that killed rustc has reached this process too: one turn of the event loop lets its
    // handler run, so that the build stops (replayBuild.ts) rather than starting again in Node.
    await new Promise((resolve) => setImmediate(resolve));
    throw new ReplayDeclined(`rustc exited with ${status}`);
  }
  const [stderr, recordText] = await Promise.all([readFile(files.stderr, "utf8").catch(() => ""), readFile(files.record, "utf8").catch(() => "")]);
  ctx.notes.push(...entry.notes);
  ctx.warnings.push(...entry.warnings);
  // Nothing was compiled or looked up: the helper bitcode is the first build's, from the cache.
  const prepared = { ...entry.prepared, helperBitcode: entry.prepared.helperBitcode.map((h) => (h.origin === "compiled" && h.cacheKey ? { ...h, origin: "cache-hit" as const } : h)) };
  const outcome = await proveFromObject(ctx, { object: files.object, stderr, record: parsePluginRecord(recordText), prepared, remarksDir: undefined, remarksAgain: undefined });
  return outcome.result;
}
