/**
 * Per-function comparison of two relocatable ELF64 objects (pure): each defined FUNC symbol's
 * bytes, compared by name, together with the relocations that fall inside it. In a relocatable
 * x86-64 object the addend lives in the relocation (RELA), so a relocated field is zero in the
 * bytes of both objects and the relocation list says what it points at.
 */
export interface ElfFunction {
  name: string;
  /** Local (STB_LOCAL) or global/weak. */
  local: boolean;
  bytes: Uint8Array;
  /** `offset type target+addend`, offsets from the function's start, in order. */
  relocations: string[];
}

const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHT_NOBITS = 8;
const STT_FUNC = 2;
const STT_SECTION = 3;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;

interface Section {
  name: string;
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

function cString(data: Uint8Array, offset: number): string {
  let end = offset;
  while (end < data.length && data[end] !== 0) end++;
  return Buffer.from(data.subarray(offset, end)).toString("latin1");
}

/** The defined functions of a little-endian ELF64 relocatable object, by name. */
export function readElfFunctions(data: Uint8Array): ElfFunction[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint32(0, false) !== 0x7f454c46 || data[4] !== 2 || data[5] !== 1) throw new Error("not a little-endian ELF64 object");
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  const raw: Omit<Section, "name">[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    nameOffsets.push(view.getUint32(at, true));
    raw.push({
      type: view.getUint32(at + 4, true),
      offset: Number(view.getBigUint64(at + 24, true)),
      size: Number(view.getBigUint64(at + 32, true)),
      link: view.getUint32(at + 40, true),
      info: view.getUint32(at + 44, true),
      entsize: Number(view.getBigUint64(at + 56, true)),
    });
  }
  const shstr = raw[shstrndx]!;
  const sections: Section[] = raw.map((s, i) => ({ ...s, name: cString(data, shstr.offset + nameOffsets[i]!) }));
  const symtabIndex = sections.findIndex((s) => s.type === SHT_SYMTAB);
  if (symtabIndex < 0) return [];
  const symtab = sections[symtabIndex]!;
  const strtab = sections[symtab.link]!;
  interface Sym {
    name: string;
    type: number;
    local: boolean;
    shndx: number;
    value: number;
    size: number;
  }
  const symbols: Sym[] = [];
  for (let at = symtab.offset; at + 24 <= symtab.offset + symtab.size; at += 24) {
    const info = data[at + 4]!;
    const shndx = view.getUint16(at + 6, true);
    const type = info & 0xf;
    symbols.push({
      name: type === STT_SECTION && shndx < sections.length ? sections[shndx]!.name : cString(data, strtab.offset + view.getUint32(at, true)),
      type,
      local: info >> 4 === 0,
      shndx,
      value: Number(view.getBigUint64(at + 8, true)),
      size: Number(view.getBigUint64(at + 16, true)),
    });
  }
  // Relocations per target section, sorted by offset.
  const relocationsOf = new Map<number, { offset: number; text: string }[]>();
  for (const rela of sections) {
    if (rela.type !== SHT_RELA || rela.link !== symtabIndex) continue;
    const list = relocationsOf.get(rela.info) ?? [];
    for (let at = rela.offset; at + 24 <= rela.offset + rela.size; at += 24) {
      const offset = Number(view.getBigUint64(at, true));
      const info = view.getBigUint64(at + 8, true);
      const addend = view.getBigInt64(at + 16, true);
      const target = symbols[Number(info >> 32n)]?.name ?? "?";
      list.push({ offset, text: `${Number(info & 0xffffffffn)} ${target}${addend < 0n ? addend : `+${addend}`}` });
    }
    relocationsOf.set(rela.info, list.sort((a, b) => a.offset - b.offset));
  }
  const functions: ElfFunction[] = [];
  for (const sym of symbols) {
    if (sym.type !== STT_FUNC || sym.shndx === SHN_UNDEF || sym.shndx >= SHN_LORESERVE) continue;
    const section = sections[sym.shndx]!;
    const bytes = section.type === SHT_NOBITS ? new Uint8Array(sym.size) : data.subarray(section.offset + sym.value, section.offset + sym.value + sym.size);
    const relocations = (relocationsOf.get(sym.shndx) ?? []).filter((r) => r.offset >= sym.value && r.offset < sym.value + sym.size).map((r) => `${r.offset - sym.value} ${r.text}`);
    functions.push({ name: sym.name, local: sym.local, bytes, relocations });
  }
  return functions;
}

export interface FunctionComparison {
  /** Functions in the reference object (rustc's own). */
  reference: number;
  identical: number;
  /** Same name in both, different bytes or relocations. */
  differing: { name: string; referenceSize: number; size: number; bytesDiffer: boolean; relocationsDiffer: boolean }[];
  /** In the reference object, not in the other. */
  missing: string[];
  /** In the other object only (helpers, or functions the reference did not emit). */
  extra: string[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const key = (f: ElfFunction, n: number) => (n ? `${f.name}#${n}` : f.name);

/** Keyed by name (a repeated local name gets #1, #2… in symbol-table order). */
function byName(functions: readonly ElfFunction[]): Map<string, ElfFunction> {
  const seen = new Map<string, number>();
  const map = new Map<string, ElfFunction>();
  for (const f of functions) {
    const n = seen.get(f.name) ?? 0;
    seen.set(f.name, n + 1);
    map.set(key(f, n), f);
  }
  return map;
}

export function compareFunctions(reference: readonly ElfFunction[], other: readonly ElfFunction[]): FunctionComparison {
  const ref = byName(reference);
  const oth = byName(other);
  const result: FunctionComparison = { reference: ref.size, identical: 0, differing: [], missing: [], extra: [] };
  for (const [name, r] of ref) {
    const o = oth.get(name);
    if (!o) {
      result.missing.push(name);
      continue;
    }
    const bytesDiffer = !sameBytes(r.bytes, o.bytes);
    const relocationsDiffer = r.relocations.join("\n") !== o.relocations.join("\n");
    if (!bytesDiffer && !relocationsDiffer) result.identical++;
    else result.differing.push({ name: r.name, referenceSize: r.bytes.length, size: o.bytes.length, bytesDiffer, relocationsDiffer });
  }
  for (const name of oth.keys()) if (!ref.has(name)) result.extra.push(oth.get(name)!.name);
  return result;
}
