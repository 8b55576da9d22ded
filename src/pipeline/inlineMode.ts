import { copyFile, readFile } from "node:fs/promises";
import { LocalLtoError } from "../diagnostics/errors.js";
import { readElf } from "../elf/index.js";
import type { IrModule } from "../ir/types.js";
import { readObjectFacts } from "../report/objectFacts.js";
import type { HelperBitcodeReport, HelperReport } from "../report/schema.js";
import { toolPath } from "../toolchain/resolveToolchain.js";
import { countHelperCallSites, rustCodegenFacts } from "./analyze/rustFacts.js";
import { readModule } from "./analyze/readModule.js";
import { llcArguments, type CodegenChoices } from "./codegen/codegenOptions.js";
import { inlineAndEmitWithRustLld } from "./codegen/rustLldBackend.js";
import { emitObject } from "./codegen/emitObject.js";
import { attachReasons, explainCalls } from "./explain/explainCalls.js";
import { prepareHelperBitcode } from "./cache/prepareHelperBitcode.js";
import { compileRust } from "./compile/compileRust.js";
import { rustTargetTriple } from "./compile/rustTarget.js";
import type { BuildContext } from "./context.js";
import { selectHelpers } from "./helperSelection.js";
import { inlineHelpers, type InlineRunOptions } from "./inline/inlineHelpers.js";
import { helperInlineHints, inlineThresholdFrom } from "../inlining/inlinePolicy.js";
import { writeRustNoinlineList } from "./inline/rustFunctions.js";
import { checkTargetsMatch } from "./merge/checkTargets.js";
import { linkHelperModules, mergeWithHelpers } from "./merge/linkModules.js";
import { reconcileHelpers } from "./reconcile/reconcileHelpers.js";
import { vetHelpers } from "./vet/vetHelpers.js";
import type { SafetyCheckResult } from "../safety/types.js";

/** Lets a promise be awaited later without an unhandled-rejection warning if a sibling fails first. */
function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

export interface InlineModeResult {
  helpers: HelperReport[];
  unusedHelpers: string[];
  target?: string;
  /** The merged, inlined bitcode (in the workspace), for --emit-bc. */
  inlinedBitcode?: string;
  /** Which tool inlined and generated code: rustc's own rust-lld, or opt + llc. */
  codegenBackend: "rustLld" | "llc";
  rustModule: IrModule;
  helperModule: IrModule;
  safetyChecks: SafetyCheckResult[];
  /** One line per attribute change made to helpers. */
  reconciliation: string[];
  /** Where each helper input's bitcode came from (compiled, cache, input). */
  helperBitcode: HelperBitcodeReport[];
}

/**
 * Inline mode: compile → merge (internalize, only-needed) → inline → codegen like rustc →
 * verify from the object. Independent work runs concurrently: the helpers compile while rustc
 * runs; the Rust module's IR is read (for the checks, reconciliation, codegen options and the
 * report) while the merge and the inliner already run on the unchanged helpers.
 */
/** rust-lld's path when it inlines and generates code, undefined for the opt + llc fallback. */
function chooseRustLld(ctx: BuildContext, choices: CodegenChoices): string | undefined {
  const wanted = ctx.options.codegenBackend ?? "auto";
  const tool = ctx.toolchain.tools.rustLld;
  if (wanted === "llc") return undefined;
  if (wanted === "rust-lld") {
    if (tool.verdict !== "ok" || !tool.path) {
      throw tool.problem ?? new LocalLtoError({ code: "LLTO_TOOL_MISSING", exit: "toolMissing", message: "rust-lld not found in rustc's sysroot", fix: "use --codegen-backend=llc, or pass --rust-lld=<path>" });
    }
    if (!choices.functionSections) {
      throw new LocalLtoError({ code: "LLTO_USAGE", exit: "usage", message: "--codegen-backend=rust-lld always uses function sections, but -Z function-sections=no was given", fix: "use --codegen-backend=llc" });
    }
    return tool.path;
  }
  return tool.verdict === "ok" && choices.functionSections ? tool.path : undefined;
}

interface BuiltObject {
  object: string;
  bitcode?: string;
  merged: string;
  forceAttributes: string[];
  remarksFile?: string;
  backend: "rustLld" | "llc";
}

export async function runInlineMode(ctx: BuildContext): Promise<InlineModeResult> {
  const { inputs, toolchain, workspace, options, timed } = ctx;
  const llvmLink = toolPath(toolchain, "llvmLink");
  const llvmDis = toolPath(toolchain, "llvmDis");

  // 1. compile
  const rustBitcode = settleLater(
    inputs.rustKind === "rust-source"
      ? timed("compile rust", async () => {
          const compiled = await compileRust(toolchain.rustc!.path, inputs.rustInput, workspace.file("rust.bc"), "llvm-bc", inputs.rustcArgs, inputs.rustcFacts!, inputs.cwd);
          if (compiled.diagnostics.trim()) ctx.warnings.push(compiled.diagnostics.trimEnd());
          return compiled.output;
        })
      : Promise.resolve(inputs.rustInput),
  );
  // The Rust IR (for the checks, the report and llc's options) is read once the first merge is
  // done: llvm-dis and the parser would otherwise compete with llvm-link for this machine's cores,
  // while after the merge they overlap the single-threaded inline and codegen step. Bitcode Rust
  // input is read at once: its triple decides how the helpers are compiled.
  let firstMergeDone: () => void = () => undefined;
  const firstMerge = new Promise<void>((resolve) => (firstMergeDone = resolve));
  const readGate = inputs.rustKind === "rust-source" ? firstMerge : Promise.resolve();
  const rustModule = settleLater(Promise.all([rustBitcode, readGate]).then(([bc]) => timed("read rust IR", () => readModule(llvmDis, bc, inputs.userBitcode))));
  // .c helpers are compiled for Rust's target; for Rust bitcode that target is in the module.
  const helperTriple = settleLater(
    inputs.rustKind === "rust-source" ? rustTargetTriple(inputs.rustcFacts!, toolchain.rustc!.version.host, inputs.cwd) : rustModule.then((m) => m.triple),
  );
  // .c helpers go through the helper bitcode cache (docs/VARIANTS.md).
  const preparedHelpers = settleLater(
    helperTriple.then((triple) => timed("compile helpers", () => Promise.all(inputs.helperInputs.map((_, i) => prepareHelperBitcode(ctx, i, triple))))),
  );
  const helperBitcodes = settleLater(preparedHelpers.then((list) => list.map((p) => p.bitcode)));
  const helpersBitcode = settleLater(helperBitcodes.then((list) => linkHelperModules(llvmLink, list, workspace.file("helpers.bc"), inputs.userBitcode)));
  const helperModule = settleLater(helpersBitcode.then((bc) => readModule(llvmDis, bc, inputs.userBitcode)));

  // Safety checks, then attribute reconciliation, on the helper module before the merge.
  const safety = settleLater(
    // Started once the Rust IR is read too, so the stage's time is the checks' own.
    Promise.all([helpersBitcode, helperModule, helperBitcodes, rustModule]).then(([bc, module, each]) =>
      timed("safety checks", () => vetHelpers(ctx, { helperModule: module, rustModule, helpersBitcode: bc, helperBitcodes: each })),
    ),
  );
  const reconciled = settleLater(
    Promise.all([helpersBitcode, helperModule, safety]).then(([bc, module]) => timed("reconcile", () => reconcileHelpers(ctx, { helperModule: module, rustModule, helpersBitcode: bc }))),
  );

  // 2. merge, 3. inline. Speculatively, with the helpers as they are, while the Rust IR is read
  // and the checks run: reconciliation changes nothing in most builds (host targets), and then the
  // merge is off the critical path. When it does change something, merge again with its result.
  // The safety checks still gate codegen: a refusal stops the build before any object exists.
  const remarksFileFor = (tag: string) => (options.explain ? workspace.file(`inline-remarks${tag}.yaml`) : undefined);
  const choices: CodegenChoices = {
    optLevel: inputs.rustcFacts?.codegenOptLevel ?? options.codegenOptLevel ?? "3",
    functionSections: inputs.rustcFacts?.functionSections ?? true,
    trapUnreachable: inputs.rustcFacts?.trapUnreachable ?? true,
  };
  // rustc's own LLD when present: inlining and codegen in one process, with rustc's LLVM.
  const rustLld = chooseRustLld(ctx, choices);
  const noinlineList = settleLater(rustBitcode.then((bc) => writeRustNoinlineList(toolPath(toolchain, "llvmNm"), bc, workspace.file("rust-functions.csv"))));
  // Helpers count as inline functions, as the static inline functions they wrap are in C (docs/INLINING.md §3.2).
  const inlineHints = settleLater(helperModule.then(helperInlineHints));
  const inlineThreshold = inlineThresholdFrom(options.inlineThreshold, inputs.rustcArgs);
  const buildObject = async (rustBc: string, helpersBc: string, forceAttributes: string[], tag: string): Promise<BuiltObject> => {
    const merged = await timed(`merge${tag}`, () => mergeWithHelpers(llvmLink, rustBc, helpersBc, workspace.file(`merged${tag}.bc`), inputs.userBitcode)).finally(firstMergeDone);
    if (merged.warnings) ctx.warnings.push(merged.warnings);
    const remarksFile = remarksFileFor(tag);
    const inline: InlineRunOptions = { forceAttributes, remarksFile, noinlineList: await noinlineList, inlineThreshold };
    const object = workspace.file(`object${tag}.o`);
    const opt = toolPath(toolchain, "opt");
    if (rustLld) {
      // --emit-bc wants the inlined module itself: opt runs the same passes beside rust-lld.
      const [, bitcode] = await Promise.all([
        timed(`inline+codegen${tag}`, () => inlineAndEmitWithRustLld(rustLld, merged.merged, object, choices, inline)),
        options.emitBitcode ? timed(`inline${tag}`, () => inlineHelpers(opt, merged.merged, workspace.file(`inlined${tag}.bc`), { ...inline, remarksFile: undefined })) : undefined,
      ]);
      return { object, bitcode, merged: merged.merged, forceAttributes, remarksFile, backend: "rustLld" };
    }
    const bitcode = await timed(`inline${tag}`, () => inlineHelpers(opt, merged.merged, workspace.file(`inlined${tag}.bc`), inline));
    // llc takes the relocation model, code model and CPU from the Rust module's IR.
    const facts = rustCodegenFacts(await rustModule);
    await timed(`codegen${tag}`, () => emitObject(toolPath(toolchain, "llc"), bitcode, llcArguments(facts, choices), object));
    return { object, bitcode, merged: merged.merged, forceAttributes, remarksFile, backend: "llc" };
  };
  const speculative = settleLater(Promise.all([rustBitcode, helpersBitcode, inlineHints]).then(([rustBc, helpersBc, hints]) => buildObject(rustBc, helpersBc, hints, "")));
  const built = settleLater(
    Promise.all([rustBitcode, helpersBitcode, reconciled, inlineHints]).then(([rustBc, original, { helpersBitcode: helpersBc, callerChanges }, hints]) => {
      if (helpersBc === original && callerChanges.length === 0) return speculative;
      return buildObject(rustBc, helpersBc, [...hints, ...callerChanges.map((c) => `${c.caller}:${c.attribute}`)], "-reconciled");
    }),
  );

  const [rust, helpers] = await Promise.all([rustModule, helperModule]);
  const targetVerdict = checkTargetsMatch(
    { source: inputs.rustInput, triple: rust.triple, dataLayout: rust.dataLayout },
    { source: inputs.helperInputs.join(", "), triple: helpers.triple, dataLayout: helpers.dataLayout },
  );
  if (targetVerdict.kind === "compatible") ctx.notes.push(targetVerdict.note);
  const selection = selectHelpers(rust, helpers, options.helperPrefix, options.allHelperFunctions ?? false);
  if (selection.undefinedInHelpers.length) {
    ctx.notes.push(`Rust declares ${selection.undefinedInHelpers.join(", ")} but no helper input defines ${selection.undefinedInHelpers.length > 1 ? "them" : "it"}: left undefined in the object`);
  }
  const before = countHelperCallSites(rust, new Set(selection.used), helpers);

  // 4. the object, built as rustc would have built it (above); the checks have passed by now.
  const { object, bitcode: inlinedBitcode, merged: mergedBitcode, forceAttributes, remarksFile, backend } = await built;
  await copyFile(object, ctx.stagedObject);

  // 5. verify, from the object alone.
  const elf = await timed("verify", async () => readElf(new Uint8Array(await readFile(ctx.stagedObject))));
  const objectFacts = readObjectFacts(
    elf,
    selection.used,
    new Map([...before].map(([name, counts]) => [name, { callSitesBefore: counts.direct, mismatchedCallSitesBefore: counts.mismatched }])),
  );
  ctx.notes.push(...objectFacts.notes);

  // 6. explain every call left (with --explain, every call), checked against LLVM's remarks.
  let helperRows = objectFacts.helpers;
  if (options.explain || helperRows.some((h) => h.callsLeft > 0)) {
    const { helpersBitcode: mergedHelpers, helperModule: reconciledModule, helperBodies, callerChanges, kept } = await reconciled;
    const rustFunctions = await noinlineList;
    const explained = await timed("explain", () =>
      explainCalls(ctx, { rustModule: rust, helperModule: reconciledModule, helperBodies, helpersBitcode: mergedHelpers, mergedBitcode, remarksFile, forceAttributes, noinlineList: rustFunctions, inlineThreshold, helpers: selection.used, callerChanges, kept }),
    );
    helperRows = attachReasons(helperRows, explained, options.explain ?? false);
  }
  return {
    helpers: helperRows,
    unusedHelpers: selection.unused,
    target: rust.triple,
    inlinedBitcode,
    codegenBackend: backend,
    rustModule: rust,
    helperModule: helpers,
    safetyChecks: await safety,
    reconciliation: (await reconciled).changes,
    helperBitcode: (await preparedHelpers).map((p) => p.report),
  };
}
