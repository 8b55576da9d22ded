import { readFile } from "node:fs/promises";
import { LocalLtoError } from "../../diagnostics/errors.js";
import { ElfFormatError, readElf } from "../../elf/index.js";
import { writeReportFile } from "../../pipeline/build.js";
import { unreadableInput } from "../../pipeline/compile/classifyInput.js";
import { defaultHelperPrefix } from "../../pipeline/types.js";
import { helperReportsFromObject } from "../../report/objectFacts.js";
import { renderReport } from "../../report/renderTable.js";
import { reportSchemaId, type Report } from "../../report/schema.js";
import { summarize } from "../../report/summarize.js";
import { useColor } from "../errorBoundary.js";

export interface InspectOptions {
  object: string;
  helperPrefix?: string;
  /** Explicit helper names; otherwise every symbol with the prefix. */
  helperNames?: string[];
  json?: boolean;
  reportPath?: string;
  requireInlined?: boolean;
}

/** `local-lto inspect`: the same proof as `build`, for an object built elsewhere. */
export async function inspectObject(options: InspectOptions): Promise<Report> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(options.object));
  } catch (error) {
    throw unreadableInput(options.object, error);
  }
  let elf;
  try {
    elf = readElf(bytes);
  } catch (error) {
    if (error instanceof ElfFormatError) {
      throw new LocalLtoError({ code: "LLTO_NOT_ELF", exit: "invalidInput", message: `${options.object}: ${error.message}`, fix: "pass a relocatable ELF object (.o), e.g. one local-lto build wrote", file: options.object });
    }
    throw error;
  }
  const prefix = options.helperPrefix ?? defaultHelperPrefix;
  const names = options.helperNames?.length
    ? options.helperNames
    : [...new Set(elf.symbols.filter((s) => s.name.startsWith(prefix) && s.type !== "SECTION" && s.type !== "FILE").map((s) => s.name))];
  const helpers = helperReportsFromObject(elf, names);
  return {
    schema: reportSchemaId,
    command: "inspect",
    mode: "none",
    object: options.object,
    helpers,
    unusedHelpers: [],
    summary: summarize(helpers),
    notes: names.length === 0 ? [`no symbol named ${prefix}* in the object: nothing to check (helpers fully inlined and dropped leave no trace; pass --helper names to check specific ones)`] : [],
  };
}

export async function runInspect(options: InspectOptions): Promise<number> {
  const report = await inspectObject(options);
  if (options.reportPath) await writeReportFile(options.reportPath, report);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report, { color: useColor(process.stdout) })}\n`);
  if (options.requireInlined && report.summary.callsLeft > 0) {
    process.stderr.write(`error[LLTO_CALLS_LEFT]: ${report.summary.callsLeft} helper call(s) left in ${options.object}\n`);
    return 10;
  }
  return 0;
}
