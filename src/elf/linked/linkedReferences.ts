import { SHF_ALLOC, SHT_NOBITS } from "../constants.js";
import type { ObjectReference } from "../callSiteTypes.js";
import type { ObjectIndex } from "../objectIndex.js";
import type { ElfSection } from "../types.js";
import type { LinkedImage } from "./linkedImage.js";

const SHT_PROGBITS = 1;
const SHT_INIT_ARRAY = 14;
const SHT_FINI_ARRAY = 15;
const SHT_PREINIT_ARRAY = 16;
/** Allocated sections whose words are not pointers to code a program would call through. */
const notPointerTables = new Set([".eh_frame", ".eh_frame_hdr", ".gcc_except_table", ".interp", ".comment", ".note.gnu.property"]);

/**
 * Uses of a named function's address in a linked file that no counted call explains: a dynamic
 * relocation that names it (or, R_*_RELATIVE, whose addend is its address) on a GOT slot no counted
 * call went through; a RELR-relocated word holding its address; and in a non-PIE executable, whose
 * function-pointer tables carry no relocation at all, any aligned 64-bit data word equal to its
 * address or its PLT stub's (a word that merely happens to be equal errs towards "not proven").
 */
export function collectLinkedReferences(index: ObjectIndex, linked: LinkedImage): void {
  const relocated = new Set<number>();
  for (const rel of linked.dynamicRelocations) {
    relocated.add(rel.offset);
    if (linked.consumedSlots.has(rel.offset)) continue;
    const symbol = linked.symbolOf(rel);
    let names: string[] = [];
    if (symbol && index.names.has(symbol.name)) names = [symbol.name];
    else if (symbol?.isDefined) names = linked.functionsAt(symbol.value + rel.addend).map((s) => s.name);
    else if (!symbol && linked.types.relative.has(rel.type)) names = linked.functionsAt(rel.addend).map((s) => s.name);
    for (const name of names) push(index, linked, name, rel.offset, rel.typeName);
  }

  const addresses = new Map<number, string[]>();
  for (const [address, symbols] of linked.namedAt) addresses.set(address, symbols.map((s) => s.name));
  for (const [stub, slot] of linked.stubs) {
    const names = linked.peekSlot(slot).map((t) => t.name);
    if (names.length > 0) addresses.set(stub, [...(addresses.get(stub) ?? []), ...names]);
  }
  if (addresses.size === 0) return;
  const check = (address: number, value: number | undefined) => {
    if (relocated.has(address) || linked.consumedSlots.has(address)) return;
    const names = value === undefined ? undefined : addresses.get(value);
    if (names) for (const name of names) push(index, linked, name, address, undefined);
  };
  // A PIE or shared object can only hold a pointer where a relocation puts one: RELR words carry
  // the link-time address. A non-PIE executable's tables carry none: every aligned data word counts.
  if (!linked.fixedAddresses) {
    for (const address of linked.relrAddresses) check(address, linked.readAddress(address));
    return;
  }
  const bytes = index.elf.bytes;
  for (const section of index.elf.sections) {
    if (!holdsPointers(section)) continue;
    for (let at = (8 - (section.addr % 8)) % 8; at + 8 <= section.size; at += 8) {
      const p = section.offset + at;
      const high = (bytes[p + 4]! | (bytes[p + 5]! << 8) | (bytes[p + 6]! << 16) | (bytes[p + 7]! << 24)) >>> 0;
      if (high >= 0x20_0000) continue;
      const low = (bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24)) >>> 0;
      check(section.addr + at, high * 0x1_0000_0000 + low);
    }
  }
}

function holdsPointers(section: ElfSection): boolean {
  if ((section.flags & SHF_ALLOC) === 0 || section.isExecutable || section.type === SHT_NOBITS) return false;
  if (section.type !== SHT_PROGBITS && section.type !== SHT_INIT_ARRAY && section.type !== SHT_FINI_ARRAY && section.type !== SHT_PREINIT_ARRAY) return false;
  return !notPointerTables.has(section.name);
}

function push(index: ObjectIndex, linked: LinkedImage, name: string, address: number, relocationType: string | undefined): void {
  const section = linked.sectionHolding(address, 1) ?? index.elf.sections.find((s) => (s.flags & SHF_ALLOC) !== 0 && address >= s.addr && address < s.addr + s.size);
  const reference: ObjectReference = { name, section: section?.name ?? "", offset: section ? address - section.addr : address, kind: "other" };
  if (relocationType) reference.relocationType = relocationType;
  index.references.get(name)?.push(reference);
}
