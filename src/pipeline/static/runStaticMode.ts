import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { isLocalLtoError, LocalLtoError } from "../../diagnostics/errors.js";
import { ElfFormatError, findCallsTo, readElf, symbolState, type ElfFile } from "../../elf/index.js";
import { helperReportsFromObject, type HelperBefore } from "../../verify/objectFacts.js";
import type { HelperReport, Report } from "../../report/schema.js";
import { checkHelperObjectSafety, combineSafetyResults, overriddenNotes, unsafeHelpersError } from "../../safety/objectChecks.js";
import type { SafetyCheckResult } from "../../safety/types.js";
import { compileHelperObject, describeCc, identifyCCompiler, type CcIdentity } from "../../tools/cc.js";
import { linkRelocatable } from "../../tools/ld.js";
import { localizeSymbols } from "../../tools/objcopy.js";
import { compileRust, probeRustCodegen, type RustCodegen } from "../../tools/rustc.js";
import type { BuildContext } from "../context.js";
import { selectionNotes } from "../selectionNotes.js";
import { settleLater } from "../settleLater.js";
import { exportedDefinitions, selectObjectHelpers } from "./objectSymbols.js";
import { resolveStaticTools, type StaticTool } from "./staticTools.js";
import { rustcToStart } from "../../toolchain/rustupProxy.js";

export interface StaticModeResult {
  helpers: HelperReport[];
  unusedHelpers: string[];
  target?: string;
  safety: SafetyCheckResult[];
  toolchain: NonNullable<Report["toolchain"]>;
}

/** What planBuild decided for static mode. */
export interface StaticPlan {
  /** The compiler `--cc` named, already identified. */
  cc?: CcIdentity;
  /** Auto mode fell back: what stopped inline mode and the fix. */
  inlineUnavailable?: { problem: string; fix: string };
}

const EM_X86_64 = 62;
const EM_AARCH64 = 183;

async function readObjectFile(path: string, what: string): Promise<ElfFile> {
  const bytes = new Uint8Array(await readFile(path));
  let elf: ElfFile;
  try {
    elf = readElf(bytes);
  } catch (error) {
    if (!(error instanceof ElfFormatError)) throw error;
    throw new LocalLtoError({ code: "LLTO_NOT_ELF", message: `${what} ${path}: ${error.message}`, fix: "pass a 64-bit relocatable ELF object (.o)", file: path });
  }
  if (elf.fileType !== "REL") {
    throw new LocalLtoError({ code: "LLTO_INPUT_KIND", message: `${what} ${path} is an ELF ${elf.fileType} file, not a relocatable object`, fix: "pass the .o files the program is linked from", file: path });
  }
  return elf;
}

function checkSameMachine(rust: ElfFile, helper: ElfFile, helperSource: string, cc: CcIdentity | undefined): void {
  if (helper.machine === rust.machine) return;
  throw new LocalLtoError({
    code: "LLTO_TARGET_MISMATCH",
    message: `${helperSource} was built for ${helper.machineName} but the Rust object is ${rust.machineName}`,
    fix: cc?.family === "gcc" ? `use a gcc for that target as --cc (e.g. ${rust.machineName === "aarch64" ? "aarch64-linux-gnu-gcc" : "x86_64-linux-gnu-gcc"}), or clang` : "build the helpers for the Rust target",
    file: helperSource,
  });
}

function toolEntry(tool: StaticTool | CcIdentity): [string, { path: string; version?: string }] {
  const name = "executable" in tool ? tool.executable : tool.name.split("/").pop()!;
  return [name, { path: tool.path, ...(tool.version ? { version: tool.version.text } : {}) }];
}

/**
 * Static mode: compile Rust to an object and the helpers with the C compiler → `ld -r` → make
 * every symbol the helpers define local → verify from the object. No LLVM tool is needed, so it
 * works with GCC and with any LLVM; the calls stay out of line. Helper safety is checked from the
 * helper objects before linking, as each Rust object gets its own copy of the helpers here too.
 */
export async function runStaticMode(ctx: BuildContext, plan: StaticPlan = {}): Promise<StaticModeResult> {
  const fallback = plan.inlineUnavailable;
  if (!fallback) return staticPipeline(ctx, plan);
  ctx.notes.push(`inline mode was not available: ${fallback.problem}; to enable it: ${fallback.fix}`);
  ctx.warnings.push(`note: building in static mode (helpers linked in and made local, not inlined): ${fallback.problem}`);
  try {
    return await staticPipeline(ctx, plan);
  } catch (error) {
    // The user asked for no mode: when the fallback fails too, the way back to inline mode is a fix as well.
    if (!isLocalLtoError(error)) throw error;
    throw new LocalLtoError({
      code: error.code,
      message: `${error.message} (auto mode chose static mode: ${fallback.problem})`,
      fix: `${error.fix}; or make inline mode available: ${fallback.fix}`,
      file: error.file,
      line: error.line,
      details: error.details,
    });
  }
}

async function staticPipeline(ctx: BuildContext, plan: StaticPlan): Promise<StaticModeResult> {
  const { build, toolchain, workspace, timed } = ctx;
  const rustInput = build.rust;
  const helperInputs = build.helpers.map((h) => h.path);
  const plannedCc = plan.cc;
  const compiles = build.helpers.some((h) => h.kind !== "object");
  const cc = plannedCc ?? (compiles ? await identifyCCompiler(build.cc ?? "cc") : await identifyCCompiler(build.cc ?? "cc").catch(() => undefined));
  const tools = settleLater(resolveStaticTools(cc, toolchain, build.linker));

  // 1. compile: rustc --emit=obj, and a probe of rustc's codegen so the helpers match it.
  let rustc: string | undefined;
  if (rustInput.kind === "rust-source") {
    rustc = toolchain.rustc?.path ?? toolchain.rustcTool.path;
    if (!rustc) throw toolchain.rustcTool.problem ?? new Error("internal: rustc not resolved");
  }
  const codegen: Promise<RustCodegen | undefined> = settleLater(rustc && rustInput.kind === "rust-source" ? probeRustCodegen(rustc, rustInput.rustcArgs, build.cwd) : Promise.resolve(undefined));
  const rustObject = settleLater(
    rustc && rustInput.kind === "rust-source"
      ? timed("compile rust", async () => {
          // Without rustup's proxy when a plugin-path build learnt what it gives rustc (rustupProxy.ts).
          const start = toolchain.rustc?.path === rustc ? rustcToStart(toolchain.rustc, process.env) : { file: rustc! };
          const compiled = await compileRust(start.file, rustInput.path, workspace.file("rust.o"), "obj", rustInput.rustcArgs, rustInput.facts, build.cwd, start.env);
          if (compiled.diagnostics.trim()) ctx.warnings.push(compiled.diagnostics.trimEnd());
          return compiled.output;
        })
      : Promise.resolve(rustInput.path),
  );
  const helperObjects = settleLater(
    codegen.then((rust) =>
      timed("compile helpers", () =>
        Promise.all(
          build.helpers.map(({ path: source, kind }, i) => {
            if (kind === "object") return source;
            return compileHelperObject(source, kind, workspace.file(`helpers-${i}-${basename(source).replace(/\W/g, "_")}.o`), { cc: cc!, rust }, build.ccArgs);
          }),
        ),
      ),
    ),
  );

  const [rustPath, helperPaths, rustCodegen] = await Promise.all([rustObject, helperObjects, codegen]);
  if (rustc && !rustCodegen) ctx.notes.push("rustc's relocation and code model could not be probed: helpers were compiled with the C compiler's defaults");
  if (!rustc && compiles && !build.ccArgs.some((a) => /^-f(no-)?(pic|PIC|pie|PIE)$/.test(a))) {
    ctx.notes.push("the Rust input is an object: helpers were compiled with the C compiler's default relocation model; pass --cc-arg=-fPIC (or -fno-pic, -mcmodel=…) to match how it was built");
  }

  // 2. check: same machine, which helpers Rust uses, and whether a private copy is safe.
  const { rustElf, helperElfs, selection, safety } = await timed("check helpers", async () => {
    const rustElf = await readObjectFile(rustPath, "the Rust object");
    if (rustElf.machine !== EM_X86_64 && rustElf.machine !== EM_AARCH64) {
      throw new LocalLtoError({ code: "LLTO_UNSUPPORTED_TARGET", message: `the Rust object is ${rustElf.machineName}: local-lto verifies x86-64 and aarch64 objects only`, fix: "build for x86_64 or aarch64" });
    }
    const helperElfs = await Promise.all(helperPaths.map((path, i) => readObjectFile(path, `the helper object for ${helperInputs[i]}`)));
    helperElfs.forEach((elf, i) => checkSameMachine(rustElf, elf, helperInputs[i]!, cc));
    const selection = selectObjectHelpers(rustElf, helperElfs, build.helperNaming);
    const safety = combineSafetyResults(helperElfs.map((elf, i) => checkHelperObjectSafety(elf, { source: helperInputs[i], rustObject: rustElf, allow: build.allow })));
    return { rustElf, helperElfs, selection, safety };
  });
  const refusal = unsafeHelpersError(safety);
  if (refusal) throw refusal;
  ctx.notes.push(...overriddenNotes(safety));
  ctx.notes.push(...selectionNotes(selection));
  const checked = [...selection.used, ...selection.undefinedInHelpers];
  const callsBefore = findCallsTo(rustElf, new Set(checked));
  const before = new Map<string, HelperBefore>(checked.map((name) => [name, { callSitesBefore: callsBefore.get(name)?.length ?? 0, mismatchedCallSitesBefore: null }]));

  // 3. link, 4. localize: every symbol the helpers define, as inline mode internalizes the whole helper module.
  // A name the Rust object defines as well (accepted with --allow=duplicate-symbol) stays Rust's, global.
  const { linker, objcopy } = await tools;
  const combined = workspace.file("combined.o");
  const linked = await timed("link", () => linkRelocatable(linker, combined, rustPath, helperPaths));
  if (linked.warnings) ctx.warnings.push(linked.warnings);
  const rustDefines = new Set(exportedDefinitions(rustElf));
  const toLocalize = [...new Set(helperElfs.flatMap(exportedDefinitions))].filter((name) => !rustDefines.has(name)).sort();
  await timed("localize", () => localizeSymbols(objcopy, toLocalize, workspace.file("localize.txt"), combined, ctx.stagedObject));

  // 5. verify, from the object alone.
  const elf = await timed("verify", () => readObjectFile(ctx.stagedObject, "the combined object"));
  const stillGlobal = toLocalize.filter((name) => ["global", "weak"].includes(symbolState(elf, name)));
  if (stillGlobal.length) {
    throw new LocalLtoError({
      code: "LLTO_HELPER_NOT_LOCAL",
      message: `${objcopy.executable} left ${stillGlobal.length} helper symbol(s) global: ${stillGlobal.slice(0, 5).join(", ")}${stillGlobal.length > 5 ? ", …" : ""}; nothing was written`,
      fix: `try the other objcopy (GNU objcopy or llvm-objcopy on PATH), and report this with DEBUG=local-lto:* output`,
    });
  }
  const helpers = helperReportsFromObject(elf, checked, before);
  const calls = helpers.filter((h) => selection.used.includes(h.name)).reduce((n, h) => n + h.callsLeft, 0);
  ctx.notes.push(
    `static mode: ${toLocalize.length} symbol(s) the helpers define are local in the object${cc && compiles ? ` (helpers built by ${describeCc(cc)})` : ""}; ${calls} helper call(s) stay out of line, as expected without cross-language inlining`,
  );
  if (selection.unused.length) ctx.notes.push(`static mode keeps the helpers Rust does not call in the object, local, each in its own section when compiled here: a final link with --gc-sections drops them`);

  const rustcTool = rustc ? toolchain.rustc ?? { path: rustc } : undefined;
  const toolchainSummary = Object.fromEntries([
    ...(rustcTool ? [["rustc", { path: rustcTool.path, ...("version" in rustcTool ? { version: rustcTool.version.release.text } : {}) }] as const] : []),
    ...(cc && compiles ? [toolEntry(cc)] : []),
    toolEntry(linker),
    toolEntry(objcopy),
  ]);
  return { helpers, unusedHelpers: selection.unused, target: rustCodegen?.triple, safety, toolchain: toolchainSummary };
}
