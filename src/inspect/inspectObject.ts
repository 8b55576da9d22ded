import { readFile } from "node:fs/promises";
import { LocalLtoError } from "../diagnostics/errors.js";
import { ElfFormatError, readElf } from "../elf/index.js";
import { unreadableInput } from "../pipeline/compile/classifyInput.js";
import { defaultHelperPrefix } from "../pipeline/types.js";
import { readObjectFacts } from "../report/objectFacts.js";
import { reportSchemaId } from "../report/schemaId.js";
import type { Report } from "../report/schema.js";
import { summarize } from "../report/summarize.js";

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
  const { helpers, notes: decodeNotes } = readObjectFacts(elf, names);
  return {
    schema: reportSchemaId,
    command: "inspect",
    mode: "none",
    object: options.object,
    helpers,
    unusedHelpers: [],
    summary: summarize(helpers),
    notes: [...decodeNotes, ...(names.length === 0 ? [`no symbol named ${prefix}* in the object: nothing to check (helpers fully inlined and dropped leave no trace; pass --helper names to check specific ones)`] : [])],
  };
}

