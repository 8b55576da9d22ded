import type { CallVia, ObjectCallSite } from "../callSiteTypes.js";
import type { ObjectIndex } from "../objectIndex.js";
import { R_AARCH64_CALL26, R_AARCH64_CONDBR19, R_AARCH64_JUMP26, R_AARCH64_TSTBR14 } from "../relocationNames.js";
import type { ElfFile, ElfRelocation, ElfSection } from "../types.js";
import { findA64Branches } from "./decodeBranches.js";

const branchRelocations = new Set([R_AARCH64_CALL26, R_AARCH64_JUMP26, R_AARCH64_CONDBR19, R_AARCH64_TSTBR14]);

/**
 * Finds the calls in one AArch64 code section: BL/B/B.cond/CBZ/TBZ relocated against a named
 * function (or a section symbol whose value + addend is its start), or with no relocation and an
 * encoded target at its start. Calls through registers (adrp/ldr :got: + blr) are not followed;
 * their GOT relocations show up as references.
 */
export function scanA64Section(index: ObjectIndex, section: ElfSection): void {
  const base = index.base(section);
  const branches = findA64Branches(index.code(section), base, { dataRanges: dataRanges(index.elf, section, base) });
  const relocations = index.relocationsBySection.get(section.index);
  const callers = index.callerIndex(section);

  const record = (name: string, offset: number, instruction: ObjectCallSite["instruction"], via: CallVia, rel?: ElfRelocation) => {
    const site: ObjectCallSite = { name, section: section.name, offset: offset - base, instruction, via };
    const caller = callers.find(offset);
    if (caller) site.callerSymbol = caller.name;
    if (rel) {
      site.relocationType = rel.typeName;
      index.consumed.add(rel);
    }
    index.calls.get(name)!.push(site);
  };

  for (const branch of branches) {
    if (branch.target === undefined) continue;
    const rel = relocations?.get(branch.offset);
    if (rel) {
      // AArch64 branch fields hold (S + A - P) / 4, so the target is simply S + A.
      if (!branchRelocations.has(rel.type) || !rel.hasExplicitAddend) continue;
      for (const t of index.resolve(rel, rel.addend, 0)) record(t.name, branch.offset, branch.kind, t.via, rel);
      continue;
    }
    for (const fn of index.functionsAt(section.index, branch.target)) {
      if (branch.kind !== "call" && callers.isInside(fn, branch.offset)) continue;
      record(fn.name, branch.offset, branch.kind, "direct");
    }
  }
}

/** Ranges of a section that mapping symbols mark as data: from each $d to the next $x (or the end). */
export function dataRanges(elf: ElfFile, section: ElfSection, base: number): Array<[number, number]> {
  const markers = elf.symbols
    .filter((s) => s.sectionIndex === section.index && s.type === "NOTYPE" && s.binding === "LOCAL" && /^\$[dx](\.|$)/.test(s.name))
    .sort((a, b) => a.value - b.value);
  const ranges: Array<[number, number]> = [];
  let dataStart: number | undefined;
  for (const m of markers) {
    if (m.name.startsWith("$d") && dataStart === undefined) dataStart = m.value;
    if (m.name.startsWith("$x") && dataStart !== undefined) {
      ranges.push([dataStart, m.value]);
      dataStart = undefined;
    }
  }
  if (dataStart !== undefined) ranges.push([dataStart, base + section.size]);
  return ranges;
}
