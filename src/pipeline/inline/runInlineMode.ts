import { copyFile, readFile } from "node:fs/promises";
import { readElf } from "../../elf/index.js";
import type { IrModule } from "../../ir/types.js";
import { readObjectFacts } from "../../verify/objectFacts.js";
import type { HelperBitcodeReport, HelperReport } from "../../report/schema.js";
import type { SafetyCheckResult } from "../../safety/types.js";
import { disassembleModule } from "../../tools/llvmDis.js";
import { linkHelperModules, mergeWithHelpers } from "../../tools/llvmLink.js";
import { writeRustNoinlineList } from "../../tools/llvmNm.js";
import { compileRust, llvmTargetTriple } from "../../tools/rustc.js";
import { codegenLlvmOptions } from "../../tools/rustcCodegenFlags.js";
import { toolPath } from "../../toolchain/resolveToolchain.js";
import { rustcToStart } from "../../toolchain/rustupProxy.js";
import { countHelperCallSites } from "../analyze/rustFacts.js";
import { prepareHelperBitcode } from "../cache/prepareHelperBitcode.js";
import type { BuildContext } from "../context.js";
import { attachReasons, explainCalls } from "../explain/explainCalls.js";
import { selectHelpers } from "../helperSelection.js";
import { checkTargetsMatch } from "../merge/checkTargets.js";
import { reconcileHelpers } from "../reconcile/reconcileHelpers.js";
import { vetHelpers } from "../vet/vetHelpers.js";
import { chooseRustLld, codegenChoices, inlineAndCodegen, type CodegenBackend, type InlinedObject } from "./inlineAndCodegen.js";
import { settleLater } from "../settleLater.js";
import { helperInlineHints } from "../../inlining/inlinePolicy.js";
import { selectionNotes } from "../selectionNotes.js";
import type { ScopePlugin } from "../mode/planBuild.js";

export interface InlineModeResult {
  helpers: HelperReport[];
  unusedHelpers: string[];
  target?: string;
  /** The merged, inlined bitcode (in the workspace), for --emit-bc. */
  inlinedBitcode?: string;
  /** Which tool inlined and generated code: rustc's own rust-lld, or opt + llc. */
  codegenBackend: CodegenBackend;
  rustModule: IrModule;
  helperModule: IrModule;
  safetyChecks: SafetyCheckResult[];
  /** One line per attribute change made to helpers. */
  reconciliation: string[];
  /** Where each helper input's bitcode came from (compiled, cache, input). */
  helperBitcode: HelperBitcodeReport[];
}

/** Rust functions defined in a module: the names the selection must not mistake for helpers' callers. */
function declaredByRust(rust: IrModule): Set<string> {
  return new Set([...rust.functions.values()].filter((f) => f.isDeclaration).map((f) => f.name));
}

function definedByHelpers(helpers: IrModule): string[] {
  return [...helpers.functions.values()].filter((f) => !f.isDeclaration && f.linkage !== "internal" && f.linkage !== "private").map((f) => f.name);
}

/**
 * Inline mode: compile → merge (internalize, only-needed) → inline → codegen like rustc →
 * verify from the object. Independent work runs concurrently: the helpers compile while rustc
 * runs; the Rust module's IR is read (for the checks, reconciliation, codegen options and the
 * report) while the merge and the inliner already run on the unchanged helpers.
 */
export async function runInlineMode(ctx: BuildContext, scopePlugin: ScopePlugin): Promise<InlineModeResult> {
  const { build, toolchain, workspace, timed } = ctx;
  const { rust: rustInput } = build;
  const llvmLink = toolPath(toolchain, "llvmLink");
  const llvmDis = toolPath(toolchain, "llvmDis");

  // 1. compile
  const rustBitcode = settleLater(
    rustInput.kind === "rust-source"
      ? timed("compile rust", async () => {
          // Without rustup's proxy when a plugin-path build learnt what it gives rustc (rustupProxy.ts).
          const start = rustcToStart(toolchain.rustc!, process.env);
          const compiled = await compileRust(start.file, rustInput.path, workspace.file("rust.bc"), "llvm-bc", rustInput.rustcArgs, rustInput.facts, build.cwd, start.env);
          if (compiled.diagnostics.trim()) ctx.warnings.push(compiled.diagnostics.trimEnd());
          return compiled.output;
        })
      : Promise.resolve(rustInput.path),
  );
  // The Rust IR (for the checks, the report and llc's options) is read once the first merge is
  // done: llvm-dis and the parser would otherwise compete with llvm-link for this machine's cores,
  // while after the merge they overlap the single-threaded inline and codegen step. Bitcode Rust
  // input is read at once: its triple decides how the helpers are compiled.
  let firstMergeDone: () => void = () => undefined;
  const firstMerge = new Promise<void>((resolve) => (firstMergeDone = resolve));
  const readGate = rustInput.kind === "rust-source" ? firstMerge : Promise.resolve();
  const rustModule = settleLater(Promise.all([rustBitcode, readGate]).then(([bc]) => timed("read rust IR", async () => (await disassembleModule(llvmDis, bc, build.userBitcode)).module)));
  // .c helpers are compiled for the LLVM triple of Rust's target; for Rust bitcode it is in the module.
  const helperTriple = settleLater(
    rustInput.kind === "rust-source" ? llvmTargetTriple(toolchain.rustc!.path, rustInput.facts, toolchain.rustc!.version.host, build.cwd) : rustModule.then((m) => m.triple),
  );
  // .c helpers go through the helper bitcode cache (docs/VARIANTS.md).
  const preparedHelpers = settleLater(helperTriple.then((triple) => timed("compile helpers", () => Promise.all(build.helpers.map((_, i) => prepareHelperBitcode(ctx, i, triple))))));
  const helperBitcodes = settleLater(preparedHelpers.then((list) => list.map((p) => p.bitcode)));
  const helpersBitcode = settleLater(helperBitcodes.then((list) => linkHelperModules(llvmLink, list, workspace.file("helpers.bc"), build.userBitcode)));
  // Disassembled once: the checks, reconciliation and explanations all read this text.
  const helperIr = settleLater(helpersBitcode.then((bc) => disassembleModule(llvmDis, bc, build.userBitcode)));
  const selection = settleLater(Promise.all([rustModule, helperIr]).then(([rust, helpers]) => selectHelpers(definedByHelpers(helpers.module), declaredByRust(rust), build.helperNaming)));

  // Safety checks, then attribute reconciliation, on the helper module before the merge.
  const safety = settleLater(
    // Started once the Rust IR is read too, so the stage's time is the checks' own.
    Promise.all([helpersBitcode, helperIr, helperBitcodes, rustModule]).then(([bc, ir, each]) =>
      timed("safety checks", () => vetHelpers(ctx, { helperModule: ir.module, rustModule, helpersBitcode: bc, helperBitcodes: each })),
    ),
  );
  const reconciled = settleLater(
    Promise.all([helpersBitcode, helperIr, selection, safety]).then(([bc, ir, selected]) =>
      timed("reconcile", () => reconcileHelpers(ctx, { helperModule: ir.module, helperText: ir.text, rustModule, helpersBitcode: bc, helpers: selected.used })),
    ),
  );

  // 2. merge, 3. inline. Speculatively, with the helpers as they are, while the Rust IR is read
  // and the checks run: reconciliation changes nothing in most builds (host targets), and then the
  // merge is off the critical path. When it does change something, merge again with its result.
  // The safety checks still gate codegen: a refusal stops the build before any object exists.
  const rustLld = chooseRustLld(ctx, codegenChoices(ctx));
  const noinlineList = settleLater(rustBitcode.then((bc) => writeRustNoinlineList(toolPath(toolchain, "llvmNm"), bc, workspace.file("rust-functions.csv"))));
  // Helpers count as inline functions, as the static inline functions they wrap are in C (docs/INLINING.md §3.2).
  const inlineHints = settleLater(helperIr.then((ir) => helperInlineHints(ir.module)));
  const { inlineThreshold } = build;
  const scope = "path" in scopePlugin ? scopePlugin.path : undefined;
  if ("unavailable" in scopePlugin) ctx.notes.push(`link path without local-lto's plugin: the helpers' callers get the inliner and two cleanups (not SROA, EarlyCSE, SCCP), run over every function, so a Rust function that calls no helper may change too: ${scopePlugin.unavailable}`);
  const buildObject = async (rustBc: string, helpersBc: string, forceAttributes: string[], tag: string): Promise<InlinedObject & { merged: string; forceAttributes: string[]; remarksFile?: string }> => {
    const merged = await timed(`merge${tag}`, () => mergeWithHelpers(llvmLink, rustBc, helpersBc, workspace.file(`merged${tag}.bc`), build.userBitcode)).finally(firstMergeDone);
    if (merged.warnings) ctx.warnings.push(merged.warnings);
    const remarksFile = build.explain ? workspace.file(`inline-remarks${tag}.yaml`) : undefined;
    const flags = rustInput.kind === "rust-source" ? rustInput.facts.codegenFlags : undefined;
    const inline = { forceAttributes, remarksFile, noinlineList: await noinlineList, vectorizeLoops: flags?.vectorizeLoops, llvmOptions: flags ? codegenLlvmOptions(flags) : [], inlineThreshold, scopePlugin: scope };
    const built = await inlineAndCodegen(ctx, merged.merged, tag, inline, rustLld, rustModule);
    return { ...built, merged: merged.merged, forceAttributes, remarksFile };
  };
  const speculative = settleLater(Promise.all([rustBitcode, helpersBitcode, inlineHints]).then(([rustBc, helpersBc, hints]) => buildObject(rustBc, helpersBc, hints, "")));
  const built = settleLater(
    Promise.all([rustBitcode, helpersBitcode, reconciled, inlineHints]).then(([rustBc, original, { helpersBitcode: helpersBc, callerChanges }, hints]) => {
      if (helpersBc === original && callerChanges.length === 0) return speculative;
      return buildObject(rustBc, helpersBc, [...hints, ...callerChanges.map((c) => `${c.caller}:${c.attribute}`)], "-reconciled");
    }),
  );

  const [rust, helpers, selected] = await Promise.all([rustModule, helperIr, selection]);
  const targetVerdict = checkTargetsMatch(
    { source: rustInput.path, triple: rust.triple, dataLayout: rust.dataLayout },
    { source: build.helpers.map((h) => h.path).join(", "), triple: helpers.module.triple, dataLayout: helpers.module.dataLayout },
  );
  if (targetVerdict.kind === "compatible") ctx.notes.push(targetVerdict.note);
  ctx.notes.push(...selectionNotes(selected));
  const before = countHelperCallSites(rust, new Set([...selected.used, ...selected.undefinedInHelpers]), helpers.module);

  // 4. the object, built as rustc would have built it (above); the checks have passed by now.
  const { object, bitcode: inlinedBitcode, merged: mergedBitcode, forceAttributes, remarksFile, backend } = await built;
  await copyFile(object, ctx.stagedObject);

  // 5. verify, from the object alone. Helpers Rust declares and no input defines are checked
  // too: their calls stay in the object, to an undefined symbol, and count as calls left.
  const elf = await timed("verify", async () => readElf(new Uint8Array(await readFile(ctx.stagedObject))));
  const objectFacts = readObjectFacts(
    elf,
    [...selected.used, ...selected.undefinedInHelpers],
    new Map([...before].map(([name, counts]) => [name, { callSitesBefore: counts.direct, mismatchedCallSitesBefore: counts.mismatched }])),
  );
  ctx.notes.push(...objectFacts.notes);

  // 6. explain every call left (with --explain, every call), checked against LLVM's remarks.
  let helperRows = objectFacts.helpers;
  if (build.explain || helperRows.some((h) => h.callsLeft > 0 && selected.used.includes(h.name))) {
    const { helpersBitcode: mergedHelpers, helperModule: reconciledModule, helperBodies, callerChanges, kept } = await reconciled;
    const explained = await timed("explain", async () =>
      explainCalls(ctx, {
        rustModule: rust,
        helperModule: reconciledModule,
        helperBodies,
        helpersBitcode: mergedHelpers,
        mergedBitcode,
        remarksFile,
        forceAttributes,
        noinlineList: await noinlineList,
        inlineThreshold,
        scopePlugin: scope,
        helpers: selected.used,
        callerChanges,
        kept,
      }),
    );
    helperRows = attachReasons(helperRows, explained, build.explain);
  }
  return {
    helpers: helperRows,
    unusedHelpers: selected.unused,
    target: rust.triple,
    inlinedBitcode,
    codegenBackend: backend,
    rustModule: rust,
    helperModule: helpers.module,
    safetyChecks: await safety,
    reconciliation: (await reconciled).changes,
    helperBitcode: (await preparedHelpers).map((p) => p.report),
  };
}
