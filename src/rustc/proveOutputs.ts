/**
 * The proof for one rustc run, from what it wrote (never from what the plugin meant to do): every
 * ELF the crate's machine code is in — objects, rlib members, this crate's members of a static
 * library, the linked executable or shared object — read with local-lto's ELF reader and call
 * decoder (src/report/objectFacts.ts), combined into one row per helper (src/report/archiveFacts.ts).
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { readElf, ElfFormatError, type ElfFile } from "../elf/index.js";
import { ArchiveFormatError, isArchive, readArchive } from "../elf/readArchive.js";
import { classifyMember } from "../inspect/classifyMember.js";
import { exportedDefinitions } from "../pipeline/static/objectSymbols.js";
import { combineMemberFacts, uniqueMemberNames, type MemberFacts } from "../verify/archiveFacts.js";
import { readObjectFacts } from "../verify/objectFacts.js";
import type { HelperReport } from "../report/schema.js";
import type { OutputFile } from "./outputs.js";

export interface OutputsProof {
  /** One row per helper checked: those this crate's units linked, and, in a linked file, any helper still called or present. */
  helpers: HelperReport[];
  /** Every file (or archive member) read, as `file` or `file(member)`. */
  read: string[];
  notes: string[];
  /** Helpers this crate's own objects define as global symbols besides the helper inputs (a name clash). */
  shadowed: string[];
}

interface ReadTarget {
  label: string;
  facts: MemberFacts;
  /** This crate's own code (objects, rlib members): where the Rust-side checks apply. */
  own: boolean;
  elf?: ElfFile;
}

function memberLabel(file: string, member: string): string {
  return `${basename(file)}(${member})`;
}

/** Whether an archive member is one of this crate's objects: rustc names them `<crate>-<hash>.<crate>.<cgu>.rcgu.o`. */
export function isOwnMember(name: string, crateName: string): boolean {
  return name.startsWith(`${crateName}-`) || name.startsWith(`${crateName}.`);
}

async function readTargets(output: OutputFile, crateName: string, names: readonly string[]): Promise<ReadTarget[]> {
  const bytes = new Uint8Array(await readFile(output.path));
  if (isArchive(bytes)) {
    let archive;
    try {
      archive = readArchive(bytes);
    } catch (error) {
      if (!(error instanceof ArchiveFormatError)) throw error;
      return [{ label: basename(output.path), own: true, facts: { name: basename(output.path), kind: "unreadable", note: error.message } }];
    }
    const labels = uniqueMemberNames(archive.members.map((m) => m.name));
    const targets: ReadTarget[] = [];
    archive.members.forEach((member, i) => {
      // A static library carries std and every dependency: only this crate's members are its code.
      if (output.proof === "staticlib" && !isOwnMember(member.name, crateName)) return;
      const label = memberLabel(output.path, labels[i]!);
      const classified = classifyMember(member.name, member.data);
      if (!classified.elf) {
        targets.push({ label, own: true, facts: { name: label, kind: classified.kind, ...(classified.note ? { note: classified.note } : {}) } });
        return;
      }
      targets.push({ label, own: true, elf: classified.elf, facts: { name: label, kind: "elf", facts: readObjectFacts(classified.elf, names) } });
    });
    return targets;
  }
  const label = basename(output.path);
  try {
    const elf = readElf(bytes);
    return [{ label, own: output.proof === "object", elf, facts: { name: label, kind: "elf", facts: readObjectFacts(elf, names) } }];
  } catch (error) {
    if (!(error instanceof ElfFormatError)) throw error;
    return [{ label, own: output.proof === "object", facts: { name: label, kind: "unreadable", note: error.message } }];
  }
}

/**
 * Reads the outputs. `linked`: the helpers the plugin linked into this crate's units (the record);
 * `allHelpers`: every helper of the set — a linked file holds every crate's code, so any call left
 * to any helper in it is found, whichever crate made it.
 */
export async function proveOutputs(outputs: readonly OutputFile[], crateName: string, linked: readonly string[], allHelpers: readonly string[]): Promise<OutputsProof> {
  const targets: ReadTarget[] = [];
  for (const output of outputs) {
    if (!output.proof) continue;
    const names = output.proof === "linked" ? [...new Set([...linked, ...allHelpers])] : linked;
    targets.push(...(await readTargets(output, crateName, names)));
  }
  const names = [...new Set([...linked, ...(targets.some((t) => !t.own) ? allHelpers : [])])];
  const combined = combineMemberFacts(
    targets.map((t) => t.facts),
    names,
  );
  const linkedSet = new Set(linked);
  // In a linked file, a helper this crate did not link matters only when something of it is left.
  const helpers = combined.helpers.filter((h) => linkedSet.has(h.name) || h.callsLeft > 0 || h.symbol === "global" || h.symbol === "weak");
  const shadowed = [...new Set(targets.filter((t) => t.own && t.elf).flatMap((t) => exportedDefinitions(t.elf!).filter((n) => linkedSet.has(n))))];
  return { helpers, read: targets.map((t) => t.label), notes: combined.notes, shadowed };
}
