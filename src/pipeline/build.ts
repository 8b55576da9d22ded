import { copyFile, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import { readElf } from "../elf/index.js";
import type { IrModule } from "../ir/types.js";
import { helperReportsFromObject } from "../report/objectFacts.js";
import { reportSchemaId, type Report } from "../report/schema.js";
import { summarize } from "../report/summarize.js";
import { requireTools, resolveToolchain, toolPath, type Toolchain } from "../toolchain/resolveToolchain.js";
import type { ToolId } from "../toolchain/catalogue.js";
import { countHelperCallSites, rustCodegenFacts } from "./analyze/rustFacts.js";
import { readModule } from "./analyze/readModule.js";
import { llcArguments } from "./codegen/codegenOptions.js";
import { emitObject } from "./codegen/emitObject.js";
import { classifyInput, type InputKind } from "./compile/classifyInput.js";
import { compileHelper } from "./compile/compileHelpers.js";
import { compileRust } from "./compile/compileRust.js";
import { analyzeRustcArgs, type RustcArgsFacts } from "./compile/rustcArgs.js";
import { rustTargetTriple } from "./compile/rustTarget.js";
import { selectHelpers } from "./helperSelection.js";
import { inlineHelpers } from "./inline/inlineHelpers.js";
import { checkTargetsMatch } from "./merge/checkTargets.js";
import { linkHelperModules, mergeWithHelpers } from "./merge/linkModules.js";
import type { BuildOptions } from "./types.js";
import { checkOutputDirectory, createWorkspace, discardFile, publishFile, stagingPathFor } from "./workspace.js";

/** `--require-inlined` failed: the report is attached so the CLI can still print and save it. */
export class HelperCallsLeftError extends LocalLtoError {
  constructor(readonly report: Report) {
    const left = report.helpers.filter((h) => h.callsLeft > 0).map((h) => `${h.name} (${h.callsLeft})`);
    super({
      code: "LLTO_CALLS_LEFT",
      exit: "helperCallsLeft",
      message: `${report.summary.callsLeft} helper call(s) left in the object: ${left.join(", ")}; nothing was written`,
      fix: "see why with --explain, or drop --require-inlined to accept out-of-line calls",
    });
  }
}

export interface BuildResult {
  report: Report;
  /** Compiler warnings and notes for stderr. */
  warnings: string[];
  toolchain: Toolchain;
}

export interface BuildHooks {
  /** Called as each stage starts, for progress output on stderr. */
  onStage?: (stage: string) => void;
}

/** Lets a promise be awaited later without an unhandled-rejection warning if a sibling fails first. */
function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function usage(message: string, fix: string): LocalLtoError {
  return new LocalLtoError({ code: "LLTO_USAGE", exit: "usage", message, fix });
}

interface ClassifiedInputs {
  rustKind: InputKind;
  helperKinds: InputKind[];
}

async function classifyInputs(rustInput: string, helperInputs: readonly string[]): Promise<ClassifiedInputs> {
  const [rustKind, ...helperKinds] = await Promise.all([classifyInput(rustInput, "rust"), ...helperInputs.map((h) => classifyInput(h, "helpers"))]);
  return { rustKind: rustKind!, helperKinds };
}

function neededTools(kinds: ClassifiedInputs): ToolId[] {
  return [
    ...(kinds.rustKind === "rust-source" ? (["rustc"] as const) : []),
    ...(kinds.helperKinds.includes("c-source") ? (["clang"] as const) : []),
    "llvmLink",
    "opt",
    "llc",
    "llvmDis",
  ];
}

/**
 * `local-lto build` in inline mode: compile → merge (internalize, only-needed) → inline →
 * codegen like rustc → verify from the object. Independent work runs concurrently: reading the
 * Rust module's IR (for the report and codegen options) overlaps the merge and the inliner.
 */
export async function build(options: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  const cwd = options.cwd ?? process.cwd();
  const rustInput = resolve(cwd, options.rustInput);
  const helperInputs = options.helperInputs.map((h) => resolve(cwd, h));
  const output = resolve(cwd, options.output);
  if (helperInputs.length === 0) throw usage("no helper input given", "pass at least one --helpers <file.c|file.bc>");
  const rustcArgs = options.rustcArgs ?? [];

  const kinds = await classifyInputs(rustInput, helperInputs);
  if (kinds.rustKind === "bitcode" && rustcArgs.length > 0) {
    throw usage("--rustc-arg was given but the Rust input is bitcode, which rustc does not compile again", "drop --rustc-arg, or pass the Rust source file");
  }
  const rustcFacts: RustcArgsFacts | undefined = kinds.rustKind === "rust-source" ? analyzeRustcArgs(rustcArgs) : undefined;
  await checkOutputDirectory(output);

  hooks.onStage?.("checking toolchain");
  const toolchain = await resolveToolchain(options.tools);
  requireTools(toolchain, neededTools(kinds));
  const llvmLink = toolPath(toolchain, "llvmLink");
  const llvmDis = toolPath(toolchain, "llvmDis");
  const userBitcode = [rustInput, ...helperInputs].filter((_, i) => (i === 0 ? kinds.rustKind : kinds.helperKinds[i - 1]) === "bitcode");

  const workspace = await createWorkspace(options.keepTemps);
  const staged = stagingPathFor(output);
  const warnings: string[] = [];
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    hooks.onStage?.(stage);
    try {
      return await work();
    } finally {
      timings[stage] = Math.round(performance.now() - started);
    }
  };

  try {
    // 1. compile
    const rustBitcode = settleLater(
      kinds.rustKind === "rust-source"
        ? timed("compile rust", async () => {
            const compiled = await compileRust(toolchain.rustc!.path, rustInput, rustcArgs, rustcFacts!, workspace);
            if (compiled.diagnostics.trim()) warnings.push(compiled.diagnostics.trimEnd());
            return compiled.bitcode;
          })
        : Promise.resolve(rustInput),
    );
    const rustModule = settleLater(rustBitcode.then((bc) => timed("read rust IR", () => readModule(llvmDis, bc, userBitcode))));
    // .c helpers are compiled for Rust's target; for Rust bitcode that target is in the module.
    const helperTriple = settleLater(
      kinds.rustKind === "rust-source" ? rustTargetTriple(rustcFacts!, toolchain.rustc!.version.host, cwd) : rustModule.then((m) => m.triple),
    );
    const helperBitcodes = settleLater(
      helperTriple.then((triple) =>
        timed("compile helpers", () =>
          Promise.all(helperInputs.map((source, i) => (kinds.helperKinds[i] === "c-source" ? compileHelper(toolPath(toolchain, "clang"), source, i, triple, options.ccArgs ?? [], workspace) : Promise.resolve(source)))),
        ),
      ),
    );
    const helpersBitcode = settleLater(helperBitcodes.then((list) => linkHelperModules(llvmLink, list, workspace.file("helpers.bc"), userBitcode)));
    const helperModule = settleLater(helpersBitcode.then((bc) => readModule(llvmDis, bc, userBitcode)));

    // 2. merge, 3. inline: need the helper module's target checked first, not the big Rust IR.
    const inlined = settleLater(
      Promise.all([rustBitcode, helpersBitcode, helperModule]).then(async ([rustBc, helpersBc]) => {
        const merged = await timed("merge", () => mergeWithHelpers(llvmLink, rustBc, helpersBc, workspace.file("merged.bc"), userBitcode));
        if (merged.warnings) warnings.push(merged.warnings);
        return timed("inline", () => inlineHelpers(toolPath(toolchain, "opt"), merged.merged, workspace.file("inlined.bc")));
      }),
    );

    const [rust, helpers] = await Promise.all([rustModule, helperModule]);
    const targetVerdict = checkTargetsMatch(
      { source: rustInput, triple: rust.triple, dataLayout: rust.dataLayout },
      { source: helperInputs.join(", "), triple: helpers.triple, dataLayout: helpers.dataLayout },
    );
    const notes: string[] = [];
    if (targetVerdict.kind === "compatible") notes.push(targetVerdict.note);
    const selection = selectHelpers(rust, helpers, options.helperPrefix, options.allHelperFunctions ?? false);
    if (selection.undefinedInHelpers.length) {
      notes.push(`Rust declares ${selection.undefinedInHelpers.join(", ")} but no helper input defines ${selection.undefinedInHelpers.length > 1 ? "them" : "it"}: left undefined in the object`);
    }
    const before = countHelperCallSites(rust, new Set(selection.used), helpers);

    // 4. codegen, as rustc would have done it for this module.
    const inlinedBitcode = await inlined;
    const llcArgs = llcArguments(rustCodegenFacts(rust), {
      optLevel: rustcFacts?.codegenOptLevel ?? options.codegenOptLevel ?? "3",
      functionSections: rustcFacts?.functionSections ?? true,
      trapUnreachable: rustcFacts?.trapUnreachable ?? true,
    });
    await timed("codegen", () => emitObject(toolPath(toolchain, "llc"), inlinedBitcode, llcArgs, staged));

    // 5. verify, from the object alone.
    const elf = await timed("verify", async () => readElf(new Uint8Array(await readFile(staged))));
    const helperRows = helperReportsFromObject(
      elf,
      selection.used,
      new Map([...before].map(([name, counts]) => [name, { callSitesBefore: counts.direct, mismatchedCallSitesBefore: counts.mismatched }])),
    );
    const report: Report = {
      schema: reportSchemaId,
      command: "build",
      mode: "inline",
      object: options.output,
      target: rust.triple,
      rustInput: options.rustInput,
      helperInputs: options.helperInputs,
      helpers: helperRows,
      unusedHelpers: selection.unused,
      summary: summarize(helperRows),
      notes,
      toolchain: toolchainSummary(toolchain, neededTools(kinds)),
      timingsMs: timings,
    };

    if (options.requireInlined && report.summary.callsLeft > 0) throw new HelperCallsLeftError(report);
    if (options.emitBitcode) {
      const bcOut = resolve(cwd, options.emitBitcode);
      const bcStaged = stagingPathFor(bcOut);
      await copyFile(inlinedBitcode, bcStaged);
      await publishFile(bcStaged, bcOut);
    }
    await publishFile(staged, output);
    return { report, warnings, toolchain };
  } catch (error) {
    await discardFile(staged);
    throw error;
  } finally {
    await workspace.dispose();
  }
}

function toolchainSummary(toolchain: Toolchain, used: readonly ToolId[]): Report["toolchain"] {
  const summary: NonNullable<Report["toolchain"]> = {};
  for (const id of used) {
    const tool = id === "rustc" ? toolchain.rustcTool : toolchain.tools[id];
    if (tool.path) summary[tool.executable] = { path: tool.path, version: id === "rustc" ? toolchain.rustc?.version.release.text : tool.version?.text };
  }
  return summary;
}

export async function writeReportFile(path: string, report: Report): Promise<void> {
  const staged = stagingPathFor(path);
  await writeFile(staged, `${JSON.stringify(report, null, 2)}\n`);
  await publishFile(staged, path);
}
