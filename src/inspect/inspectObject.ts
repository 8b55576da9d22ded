import { readFile } from "node:fs/promises";
import { LocalLtoError } from "../diagnostics/errors.js";
import { ElfFormatError, readElf, type ElfFile } from "../elf/index.js";
import { ArchiveFormatError, isArchive, readArchive } from "../elf/readArchive.js";
import { unreadableInput } from "../pipeline/compile/classifyInput.js";
import { checkInputIsFile } from "../pipeline/resolve/checkPaths.js";
import { defaultHelperPrefix } from "../pipeline/types.js";
import { combineMemberFacts, uniqueMemberNames, type MemberFacts } from "../verify/archiveFacts.js";
import { cannotProveArchitecture } from "../verify/gate.js";
import { readObjectFacts } from "../verify/objectFacts.js";
import { reportSchemaId } from "../report/schemaId.js";
import type { Report } from "../report/schema.js";
import { summarize } from "../report/summarize.js";
import { classifyMember } from "./classifyMember.js";

export interface InspectOptions {
  object: string;
  helperPrefix?: string;
  /** Explicit helper names; otherwise every symbol with the prefix. */
  helperNames?: string[];
  json?: boolean;
  reportPath?: string;
  requireInlined?: boolean;
}

/**
 * `local-lto inspect`: the same proof as `build`, for a file built elsewhere: a relocatable object,
 * a shared object or executable (calls through the PLT and GOT included), or an ar archive / rlib
 * (every ELF member).
 */
export async function inspectObject(options: InspectOptions): Promise<Report> {
  // A FIFO would block here for ever and /dev/zero would be read until memory runs out (a user trial).
  await checkInputIsFile({ slot: "the object", path: options.object });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(options.object));
  } catch (error) {
    throw unreadableInput(options.object, error);
  }
  const prefix = options.helperPrefix ?? defaultHelperPrefix;
  if (isArchive(bytes)) return inspectArchive(options, bytes, prefix);

  const elf = readInspectedElf(options.object, bytes);
  const names = helperNamesFor(options, [elf], prefix);
  const facts = readObjectFacts(elf, names);
  if (facts.unsupportedArchitecture) throw new LocalLtoError(cannotProveArchitecture(options.object, facts.unsupportedArchitecture));
  const notes = [...facts.notes];
  if (elf.fileType !== "REL" && elf.symbols.length === 0) notes.push("the file is stripped (no .symtab): only the helpers .dynsym names can be located");
  if (names.length === 0) notes.push(noHelperNote(prefix, "the object"));
  return inspectReport(options.object, facts.helpers, notes, facts.coverage ? { coverage: facts.coverage } : {});
}

/** The report `inspect` prints, for an object or an archive. */
function inspectReport(object: string, helpers: Report["helpers"], notes: string[], extra: Partial<Report>): Report {
  return { schema: reportSchemaId, command: "inspect", mode: "none", object, helpers, unusedHelpers: [], summary: summarize(helpers), notes, ...extra };
}

/** An archive (static library, rlib): the proof over every ELF member, one row per helper. */
function inspectArchive(options: InspectOptions, bytes: Uint8Array, prefix: string): Report {
  let archive;
  try {
    archive = readArchive(bytes);
  } catch (error) {
    if (error instanceof ArchiveFormatError) {
      throw new LocalLtoError({ code: "LLTO_NOT_ELF", message: `${options.object}: ${error.message}`, fix: "pass an ELF object, shared object, executable, or a regular ar archive of ELF objects", file: options.object });
    }
    throw error;
  }
  const labels = uniqueMemberNames(archive.members.map((m) => m.name));
  const classified = archive.members.map((member, i) => ({ label: labels[i]!, ...classifyMember(member.name, member.data) }));
  const unsupported = classified.find((m) => m.architecture);
  if (unsupported) throw new LocalLtoError(cannotProveArchitecture(`${options.object}(${unsupported.label})`, unsupported.architecture!));
  const elves = classified.flatMap((m) => (m.elf ? [m.elf] : []));
  const names = helperNamesFor(options, elves, prefix);
  const members: MemberFacts[] = classified.map((m) => {
    if (!m.elf) return { name: m.label, kind: m.kind, ...(m.note ? { note: m.note } : {}) };
    const facts = readObjectFacts(m.elf, names);
    if (facts.unsupportedArchitecture) throw new LocalLtoError(cannotProveArchitecture(`${options.object}(${m.label})`, facts.unsupportedArchitecture));
    return { name: m.label, kind: "elf", facts };
  });
  const combined = combineMemberFacts(members, names);
  const notes = [...combined.notes];
  if (elves.length === 0) notes.push("the archive holds no ELF object: there is no code to check");
  if (names.length === 0) notes.push(noHelperNote(prefix, "any member"));
  return inspectReport(options.object, combined.helpers, notes, { coverage: combined.coverage, members: combined.members });
}

function readInspectedElf(path: string, bytes: Uint8Array): ElfFile {
  try {
    return readElf(bytes);
  } catch (error) {
    if (!(error instanceof ElfFormatError)) throw error;
    if (error.architecture) throw new LocalLtoError(cannotProveArchitecture(path, error.architecture));
    throw new LocalLtoError({ code: "LLTO_NOT_ELF", message: `${path}: ${error.message}`, fix: "pass an ELF object (.o), shared object, executable, or an ar archive of them (.a, .rlib)", file: path });
  }
}

/** The helpers to check: the names given, or every function-like symbol with the prefix in any of the files. */
function helperNamesFor(options: InspectOptions, files: readonly ElfFile[], prefix: string): string[] {
  if (options.helperNames?.length) return [...new Set(options.helperNames)];
  const names = new Set<string>();
  for (const elf of files) {
    for (const s of [...elf.symbols, ...elf.dynamicSymbols]) if (s.name.startsWith(prefix) && s.type !== "SECTION" && s.type !== "FILE") names.add(s.name);
  }
  return [...names];
}

function noHelperNote(prefix: string, where: string): string {
  return `no symbol named ${prefix}* in ${where}: nothing was checked and nothing is proven (helpers fully inlined and dropped leave no trace; pass --helper NAME for each helper you expect inlined)`;
}
