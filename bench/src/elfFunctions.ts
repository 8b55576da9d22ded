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
  /** Same name in both, same bytes. */
  identical: number;
  /** Same name in both, different bytes. */
  differing: { name: string; referenceSize: number; size: number }[];
  /** In the reference object, not in the other. */
  missing: string[];
  /** In the other object only (helpers, or functions the reference did not emit). */
  extra: string[];
  /** The relocations inside the byte-identical functions. */
  relocations: {
    /** Relocations compared (in the byte-identical functions). */
    compared: number;
    /** Same offset, same target, different type: `R_X86_64_GOTPCREL → R_X86_64_REX_GOTPCRELX` → count. */
    typeChanges: Record<string, number>;
    /** Same offset and type, both pointing at a private (`.L…` or section) symbol, named differently. */
    privateRenamed: number;
    /** One such pair: the reference's name, the other's. */
    privateExample?: [string, string];
    /** Same offset and type; private in the reference, a named (non-`.`) symbol in the other. */
    privatePromoted: number;
    promotedExample?: [string, string];
    /** Byte-identical functions whose relocations differ otherwise (target, offset, addend, count). */
    otherDifferences: string[];
  };
}

const x86RelocationNames: Record<string, string> = {
  "1": "R_X86_64_64",
  "2": "R_X86_64_PC32",
  "4": "R_X86_64_PLT32",
  "9": "R_X86_64_GOTPCREL",
  "10": "R_X86_64_32",
  "11": "R_X86_64_32S",
  "24": "R_X86_64_PC64",
  "41": "R_X86_64_GOTPCRELX",
  "42": "R_X86_64_REX_GOTPCRELX",
};
const relocationName = (type: string) => x86RelocationNames[type] ?? `type ${type}`;
/** The GOT-relative forms: the X forms only allow the linker to relax the load. */
const gotFamily = new Set(["9", "41", "42"]);

function parseRelocation(text: string): { offset: string; type: string; target: string; addend: string } {
  const [offset, type, rest] = text.split(" ") as [string, string, string];
  const split = rest.match(/^(.*?)([+-]\d+)$/);
  return { offset, type, target: split?.[1] ?? rest, addend: split?.[2] ?? "" };
}

const isPrivate = (target: string) => target.startsWith(".");

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
  const result: FunctionComparison = {
    reference: ref.size,
    identical: 0,
    differing: [],
    missing: [],
    extra: [],
    relocations: { compared: 0, typeChanges: {}, privateRenamed: 0, privatePromoted: 0, otherDifferences: [] },
  };
  for (const [name, r] of ref) {
    const o = oth.get(name);
    if (!o) {
      result.missing.push(name);
      continue;
    }
    if (!sameBytes(r.bytes, o.bytes)) {
      result.differing.push({ name: r.name, referenceSize: r.bytes.length, size: o.bytes.length });
      continue;
    }
    result.identical++;
    const rr = r.relocations.map(parseRelocation);
    const or = o.relocations.map(parseRelocation);
    let other = rr.length !== or.length;
    for (let i = 0; i < Math.min(rr.length, or.length); i++) {
      const a = rr[i]!;
      const b = or[i]!;
      result.relocations.compared++;
      if (a.offset !== b.offset || a.addend !== b.addend) {
        other = true;
        continue;
      }
      if (a.type !== b.type) {
        if (gotFamily.has(a.type) && gotFamily.has(b.type) && a.target === b.target) {
          const change = `${relocationName(a.type)} → ${relocationName(b.type)}`;
          result.relocations.typeChanges[change] = (result.relocations.typeChanges[change] ?? 0) + 1;
        } else other = true;
        continue;
      }
      if (a.target !== b.target) {
        if (isPrivate(a.target) && isPrivate(b.target)) {
          result.relocations.privateRenamed++;
          result.relocations.privateExample ??= [a.target, b.target];
        } else if (isPrivate(a.target)) {
          result.relocations.privatePromoted++;
          result.relocations.promotedExample ??= [a.target, b.target];
        } else other = true;
      }
    }
    if (other) result.relocations.otherDifferences.push(r.name);
  }
  for (const name of oth.keys()) if (!ref.has(name)) result.extra.push(oth.get(name)!.name);
  return result;
}
