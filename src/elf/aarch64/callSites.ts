import type { CallVia, ObjectCallSite } from "../callSiteTypes.js";
import { adrpImmediate } from "../linked/linkedImage.js";
import type { ObjectIndex, ResolvedTarget } from "../objectIndex.js";
import { R_AARCH64_CALL26, R_AARCH64_CONDBR19, R_AARCH64_JUMP26, R_AARCH64_TSTBR14 } from "../relocationNames.js";
import type { ElfFile, ElfRelocation, ElfSection } from "../types.js";
import { decodeA64Branch, type A64Branch } from "./decodeBranches.js";

const branchRelocations = new Set([R_AARCH64_CALL26, R_AARCH64_JUMP26, R_AARCH64_CONDBR19, R_AARCH64_TSTBR14]);

const R_AARCH64_ADR_PREL_LO21 = 274;
const R_AARCH64_ADR_PREL_PG_HI21 = 275;
const R_AARCH64_ADR_PREL_PG_HI21_NC = 276;
const R_AARCH64_ADD_ABS_LO12_NC = 277;
const R_AARCH64_GOT_LD_PREL19 = 309;
const R_AARCH64_ADR_GOT_PAGE = 311;
const R_AARCH64_LD64_GOT_LO12_NC = 312;

/** x0-x18 and x30: what a call may overwrite under AAPCS64. */
const CALLER_SAVED = 0x7ffff | (1 << 30);

/** A named function's address in a register, and where it was put there. */
interface LoadedAddress {
  target: ResolvedTarget;
  loadOffset: number;
  relocation?: ElfRelocation;
  /** The adrp relocation paired with the load, explained by it too. */
  pageRelocation?: ElfRelocation;
  callsThrough: number;
}

/** A page address from adrp: by its relocation in an object, by value in a linked file. */
interface Page {
  kind: "page";
  relocation?: ElfRelocation;
  page?: number;
}

type RegisterState = Page | { kind: "address"; value: LoadedAddress };

/**
 * Finds the calls in one AArch64 code section: BL/B/B.cond/CBZ/TBZ relocated against a named
 * function (or a section symbol whose value + addend is its start), or with no relocation and an
 * encoded target at its start; and BLR/BR through a register that holds a named function's
 * address: `adrp xN, :got:fn; ldr xN, [xN, :got_lo12:fn]` (clang -fno-plt, rustc), `adrp; add`,
 * `adr`, `ldr xN, :got:fn` (tiny code model), or in a linked file the same instructions by value.
 */
export function scanA64Section(index: ObjectIndex, section: ElfSection): void {
  const base = index.base(section);
  const code = index.code(section);
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const ranges = dataRanges(index.elf, section, base);
  const relocations = index.relocationsBySection.get(section.index);
  const callers = index.callerIndex(section);
  const starts = new Set(index.functionStarts(section));
  const registers: Array<RegisterState | undefined> = new Array(31);
  const loads: Array<{ address: number; value: LoadedAddress }> = [];

  const record = index.callRecorder(section);

  const directBranch = (branch: A64Branch) => {
    const rel = relocations?.get(branch.offset);
    if (rel) {
      // AArch64 branch fields hold (S + A - P) / 4, so the target is simply S + A.
      if (!branchRelocations.has(rel.type) || !rel.hasExplicitAddend) return;
      for (const t of index.resolve(rel, rel.addend, 0)) record(t.name, branch.offset, branch.kind, t.via, rel);
      return;
    }
    index.noteDirectUse(section, branch.offset, branch.target!, branch.kind);
    for (const t of index.directTargets(section, branch.target!)) {
      if (branch.kind !== "call" && t.symbol && callers.isInside(t.symbol, branch.offset)) continue; // a loop back to its own start
      record(t.name, branch.offset, branch.kind, t.via);
    }
  };

  /** What an instruction puts in its destination register, if it is a (part of a) named function's address. */
  const produce = (word: number, address: number): { register: number; state: RegisterState } | undefined => {
    const rel = relocations?.get(address);
    const rd = word & 31;
    const rn = (word >>> 5) & 31;
    if ((word & 0x9f000000) >>> 0 === 0x90000000) {
      // adrp
      // No relocation: by value. In a relocatable object the assembler always relocates an adrp,
      // so one without is hand-made; its page is read as if the section started at a page.
      if (index.linked || !rel) return { register: rd, state: { kind: "page", page: Math.floor(address / 4096) * 4096 + adrpImmediate(word) } };
      if (rel && (rel.type === R_AARCH64_ADR_GOT_PAGE || rel.type === R_AARCH64_ADR_PREL_PG_HI21 || rel.type === R_AARCH64_ADR_PREL_PG_HI21_NC)) return { register: rd, state: { kind: "page", relocation: rel } };
      return undefined;
    }
    const page = registers[rn]?.kind === "page" ? (registers[rn] as Page) : undefined;
    let targets: readonly ResolvedTarget[] = [];
    let pageRelocation: ElfRelocation | undefined;
    if ((word & 0xffc00000) >>> 0 === 0xf9400000) {
      // ldr xt, [xn, #imm]: a GOT slot
      if (rel?.type === R_AARCH64_LD64_GOT_LO12_NC) {
        targets = gotTargets(index, rel);
        if (page?.relocation?.type === R_AARCH64_ADR_GOT_PAGE && page.relocation.symbolIndex === rel.symbolIndex) pageRelocation = page.relocation;
      } else if (!rel && page?.page !== undefined) {
        const slot = page.page + ((word >>> 10) & 0xfff) * 8;
        index.linked?.noteSlot(address, slot);
        targets = index.slotTargets(slot);
      }
    } else if ((word & 0xff800000) >>> 0 === 0x91000000) {
      // add xd, xn, #imm: a function's own address
      if (rel?.type === R_AARCH64_ADD_ABS_LO12_NC) {
        targets = index.resolve(rel, rel.addend, 0);
        const pageRel = page?.relocation;
        if (pageRel && pageRel.type !== R_AARCH64_ADR_GOT_PAGE && pageRel.symbolIndex === rel.symbolIndex && pageRel.addend === rel.addend) pageRelocation = pageRel;
      } else if (!rel && page?.page !== undefined) {
        const shift = (word >>> 22) & 1 ? 4096 : 1;
        const target = page.page + ((word >>> 10) & 0xfff) * shift;
        index.noteDirectUse(section, address, target, "address-load");
        targets = index.directTargets(section, target);
      }
    } else if ((word & 0x9f000000) >>> 0 === 0x10000000) {
      // adr xd, label
      if (rel?.type === R_AARCH64_ADR_PREL_LO21) targets = index.resolve(rel, rel.addend, 0);
      else if (!rel) {
        // A local function in the same section: the assembler resolves `adr x0, f` with no relocation.
        index.noteDirectUse(section, address, address + adrImmediate(word), "address-load");
        targets = index.directTargets(section, address + adrImmediate(word));
      }
    } else if ((word & 0xff000000) >>> 0 === 0x58000000) {
      // ldr xt, label: a GOT slot in the tiny code model
      if (rel?.type === R_AARCH64_GOT_LD_PREL19) targets = gotTargets(index, rel);
      else if (!rel && index.linked) {
        index.linked.noteSlot(address, address + (((word << 8) >> 13) * 4));
        targets = index.slotTargets(address + (((word << 8) >> 13) * 4));
      }
    } else {
      return undefined;
    }
    const target = targets[0];
    if (!target) return undefined;
    const relocation = rel ?? target.relocation;
    const value: LoadedAddress = { target, loadOffset: address, callsThrough: 0, ...(relocation ? { relocation } : {}), ...(pageRelocation ? { pageRelocation } : {}) };
    loads.push({ address, value });
    return { register: rd, state: { kind: "address", value } };
  };

  let range = 0;
  for (let pos = 0; pos + 4 <= code.length; pos += 4) {
    const address = base + pos;
    while (range < ranges.length && ranges[range]![1] <= address) range++;
    if (range < ranges.length && ranges[range]![0] <= address) {
      registers.fill(undefined);
      continue;
    }
    if (starts.has(address)) registers.fill(undefined);
    const word = view.getUint32(pos, true);
    const branch = decodeA64Branch(word, address);
    if (branch?.target !== undefined) directBranch(branch);
    else if (branch) {
      const held = registers[(word >>> 5) & 31];
      if (held?.kind === "address") {
        const site = record(held.value.target.name, address, branch.kind, held.value.target.via, held.value.relocation);
        site.through = { register: `x${(word >>> 5) & 31}`, loadOffset: held.value.loadOffset - base };
        held.value.callsThrough++;
      }
    }
    const produced = produce(word, address);
    const writes = registerWrites(word, branch);
    if (writes !== 0) for (let r = 0; r < 31; r++) if (writes & (1 << r)) registers[r] = undefined;
    if (produced && produced.register < 31) registers[produced.register] = produced.state;
  }

  for (const { address, value } of loads) {
    if (value.relocation) index.consumed.add(value.relocation);
    if (value.pageRelocation) index.consumed.add(value.pageRelocation);
    index.references.get(value.target.name)!.push({
      name: value.target.name,
      section: section.name,
      offset: address - base,
      kind: "address-load",
      ...(value.relocation ? { relocationType: value.relocation.typeName } : {}),
      callsThrough: value.callsThrough,
    });
  }
}

/** A GOT relocation names the function itself (or, rarely, a section symbol + addend that lands on it). */
function gotTargets(index: ObjectIndex, rel: ElfRelocation): ResolvedTarget[] {
  return index.resolve(rel, rel.addend, 0).map((t) => ({ ...t, via: "got-relocation" as const }));
}

/** ADR's signed 21-bit byte offset (immhi:immlo). */
function adrImmediate(word: number): number {
  const immlo = (word >>> 29) & 3;
  const immhi = (word >>> 5) & 0x7ffff;
  return (((immhi << 2) | immlo) << 11) >> 11;
}

const bit = (r: number): number => (r < 31 ? 1 << r : 0);

/**
 * The general-purpose registers an instruction may write, erring towards "may": a register wrongly
 * thought overwritten only loses track of an address (whose load is still reported, and keeps the
 * function from counting as proven), while a missed write could attribute a call to the wrong function.
 */
export function registerWrites(word: number, branch: A64Branch | undefined): number {
  if (branch) return branch.kind === "call" || branch.kind === "call-indirect" ? CALLER_SAVED : 0;
  const op0 = (word >>> 25) & 0xf;
  if ((op0 & 0b1110) === 0b1010) {
    // Branches, exception generation, system: MRS/SYSL write Rt; hints include PAC/AUT of x16, x17, x30.
    if ((word & 0xfffff01f) >>> 0 === 0xd503201f) return bit(16) | bit(17) | bit(30);
    if ((word & 0xffe00000) >>> 0 === 0xd5200000) return bit(word & 31);
    return (word & 0xff000000) >>> 0 === 0xd5000000 ? 0 : bit(word & 31);
  }
  if ((op0 & 0b0101) === 0b0100) {
    // Loads and stores: Rt, a pair's Rt2, and the base register on writeback.
    return bit(word & 31) | bit((word >>> 10) & 31) | bit((word >>> 5) & 31);
  }
  return bit(word & 31);
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
