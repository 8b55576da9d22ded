import { decodeA64Branch } from "../aarch64/decodeBranches.js";
import { EM_AARCH64, EM_X86_64, SHN_LORESERVE, SHT_NOBITS } from "../constants.js";
import type { ElfFile, ElfSection, ElfSymbol } from "../types.js";
import { ENCODING_LEGACY, sweepX86, type X86InstructionInfo } from "../x86-64/decodeBranches.js";
import { decodeAt, kindNames, newInstructionInfo } from "../x86-64/decodeInstruction.js";

/**
 * Code in a linked file that no symbol names: real instructions (not alignment padding) that no
 * sized symbol covers and that no size-less symbol's code reaches.
 *
 * A file that keeps its local symbols names every function it holds, which is what lets the proof
 * call a helper whose name it lacks "gone". Removing one function's symbol (`objcopy
 * --strip-symbol`, `strip -N`) breaks that silently; its code then shows here, and the proof stops
 * trusting absence when a branch reaches it. Measured on real files: programs linked by rustc,
 * clang and GCC (crt files included) have none; hand-written assembly does (tables in .text,
 * functions without `.size`), as /usr/bin/node's OpenSSL and V8 parts do.
 *
 * A function symbol without a size (crt's `_init`, `frame_dummy`; assembly without `.size`) does
 * not say where its function ends, and crt's functions hold alignment padding inside them (a `ret`
 * after a `nopl` that a `je` reaches). So its code is what control flow reaches from it: falling
 * through, and branches that stay before the next sized symbol. GCC places a file's first function
 * right after crt's size-less `frame_dummy`; taking every byte up to the next sized symbol as
 * frame_dummy's would hide exactly that function.
 */
export interface UnnamedStretch {
  section: ElfSection;
  /** Addresses: [start, end). */
  start: number;
  end: number;
}

/**
 * Code a file does not name as a function: `unnamed`, which no symbol names at all, and
 * `labelOnly`, which only a size-less label without a function type reaches (assembly: aws-lc's
 * ML-KEM functions are global NOTYPE labels, and its tables in .text are local ones). A branch from
 * either is no evidence: read as code, a table branches anywhere.
 */
export interface CodeNaming {
  unnamed: UnnamedStretch[];
  labelOnly: UnnamedStretch[];
}

/** The unnamed and label-only stretches of `sections` (executable, file-backed), each sorted by address. */
export function findUnnamedCode(elf: ElfFile, sections: readonly ElfSection[]): CodeNaming {
  const bySection = new Map<number, ElfSymbol[]>();
  for (const symbol of [...elf.symbols, ...elf.dynamicSymbols]) {
    if (!symbol.isDefined || symbol.sectionIndex >= SHN_LORESERVE || symbol.type === "SECTION" || symbol.type === "FILE") continue;
    // AArch64 mapping symbols ($x, $d) mark instructions and data, not functions: one starts every
    // input section, so counting them would name any code at all.
    if (symbol.size === 0 && isMappingSymbol(symbol.name)) continue;
    const list = bySection.get(symbol.sectionIndex);
    if (list) list.push(symbol);
    else bySection.set(symbol.sectionIndex, [symbol]);
  }
  const found: CodeNaming = { unnamed: [], labelOnly: [] };
  for (const section of sections) {
    if (!section.isExecutable || section.type === SHT_NOBITS || section.size === 0) continue;
    const symbols = bySection.get(section.index) ?? [];
    const sized = symbols.filter((s) => s.size > 0).sort((a, b) => a.value - b.value);
    const sizeless = symbols.filter((s) => s.size === 0);
    const end = section.addr + section.size;
    let at = section.addr;
    const gap = (from: number, to: number) => {
      if (to <= from) return;
      const inGap = sizeless.filter((s) => s.value >= from && s.value < to);
      const functions = inGap.filter((s) => s.type === "FUNC" || s.type === "GNU_IFUNC").map((s) => s.value);
      const labels = inGap.filter((s) => s.type !== "FUNC" && s.type !== "GNU_IFUNC").map((s) => s.value);
      const runs = classifyGap(elf, section, from, to, functions, labels);
      for (const stretch of runs.unnamed) found.unnamed.push({ section, ...stretch });
      for (const stretch of runs.labelOnly) found.labelOnly.push({ section, ...stretch });
    };
    for (const s of sized) {
      if (s.value > at) gap(at, Math.min(s.value, end));
      at = Math.max(at, s.value + s.size);
    }
    gap(at, end);
  }
  found.unnamed.sort((a, b) => a.start - b.start);
  found.labelOnly.sort((a, b) => a.start - b.start);
  return found;
}

type Stretch = { start: number; end: number };
type GapRuns = { unnamed: Stretch[]; labelOnly: Stretch[] };
const NOTHING: GapRuns = { unnamed: [], labelOnly: [] };

/** In [from, to): real instructions that flow from `functions` does not reach, split by whether flow from `labels` does. */
function classifyGap(elf: ElfFile, section: ElfSection, from: number, to: number, functions: readonly number[], labels: readonly number[]): GapRuns {
  const bytes = elf.bytes.subarray(section.offset + (from - section.addr), section.offset + (to - section.addr));
  if (elf.machine === EM_X86_64) return classifyX86(bytes, from, functions, labels);
  if (elf.machine === EM_AARCH64) return classifyA64(bytes, from, functions, labels);
  if (functions.length > 0) return NOTHING;
  return labels.length > 0 ? { unnamed: [], labelOnly: [{ start: from, end: to }] } : { unnamed: [{ start: from, end: to }], labelOnly: [] };
}

function classifyX86(bytes: Uint8Array, from: number, functions: readonly number[], labels: readonly number[]): GapRuns {
  // Most gaps are the linker's or the assembler's fill alone: read without the decoder, which a
  // file whose code is otherwise not read would load for nothing (+18% of a 1.4 MB binary's check).
  if (functions.length === 0 && labels.length === 0 && isAllX86Padding(bytes)) return NOTHING;
  const named = followX86(bytes, from, functions);
  const labelled = followX86(bytes, from, labels);
  const unnamed = new Runs();
  const labelOnly = new Runs();
  const result = sweepX86(bytes, from, {
    onInstruction: (address, length, info) => {
      // Fill joins the stretch it lies in: a function may start with nops (patchable entries,
      // -mnop-mcount), and a branch to them is a branch to it.
      const real = !isX86Padding(bytes, address - from, info);
      if (named.has(address)) {
        unnamed.gap();
        labelOnly.gap();
      } else if (labelled.has(address)) {
        unnamed.gap();
        labelOnly.add(address, length, real);
      } else {
        labelOnly.gap();
        unnamed.add(address, length, real);
      }
    },
  });
  unnamed.gap();
  labelOnly.gap();
  // Bytes the decoder cannot read are not padding either (data, or code out of step).
  for (const e of result.decodeErrors) {
    if (named.has(e.offset)) continue;
    (labelled.has(e.offset) ? labelOnly : unnamed).addAlone(e.offset, e.resumedAt - e.offset);
  }
  return { unnamed: unnamed.list, labelOnly: labelOnly.list };
}

/** Instruction starts reached from `entries` by falling through and by branches inside the range. */
function followX86(bytes: Uint8Array, from: number, entries: readonly number[]): Set<number> {
  const reached = new Set<number>();
  if (entries.length === 0) return reached;
  const pending = [...entries];
  const info = newInstructionInfo();
  const inRange = (address: number) => address >= from && address < from + bytes.length;
  while (pending.length > 0) {
    let address = pending.pop()!;
    while (inRange(address) && !reached.has(address)) {
      const pos = address - from;
      const length = decodeAt(bytes, pos, bytes.length, info);
      if (length < 0) break;
      reached.add(address);
      const kind = kindNames[info.branchKind];
      if (info.branchDisplacementPosition >= 0 && kind !== "call") {
        const p = info.branchDisplacementPosition;
        const disp = info.branchDisplacementSize === 1 ? (bytes[p]! << 24) >> 24 : bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
        pending.push(address + length + disp);
      }
      if (kind === "jmp" || kind === "jmp-indirect" || endsFlowX86(info)) break;
      address += length;
    }
  }
  return reached;
}

/** ret, retf, hlt, int3, ud2: nothing falls through them. */
function endsFlowX86(info: Readonly<X86InstructionInfo>): boolean {
  if (info.encoding !== ENCODING_LEGACY) return false;
  if (info.map === 0) return info.opcode === 0xc3 || info.opcode === 0xc2 || info.opcode === 0xcb || info.opcode === 0xca || info.opcode === 0xf4 || info.opcode === 0xcc;
  return info.map === 1 && info.opcode === 0x0b;
}

/**
 * Whether `bytes` is only fill: int3, zero bytes, and the nops assemblers align with (`[66…] 90`, and
 * `[66…] [2e] 0f 1f` with a ModRM of 00, 40, 44, 80 or 84 and a zero displacement).
 */
export function isAllX86Padding(bytes: Uint8Array): boolean {
  let pos = 0;
  while (pos < bytes.length) {
    const b = bytes[pos]!;
    if (b === 0xcc || b === 0x90 || b === 0x00) {
      pos++;
      continue;
    }
    let p = pos;
    while (bytes[p] === 0x66) p++;
    if (bytes[p] === 0x90) {
      pos = p + 1; // xchg %ax, %ax
      continue;
    }
    if (bytes[p] === 0x2e) p++;
    if (bytes[p] !== 0x0f || bytes[p + 1] !== 0x1f) return false;
    const rest = NOP_MODRM_LENGTH.get(bytes[p + 2] ?? -1);
    if (rest === undefined || p + 3 + rest > bytes.length) return false;
    for (let i = p + 3; i < p + 3 + rest; i++) if (bytes[i] !== 0) return false;
    pos = p + 3 + rest;
  }
  return true;
}

/** `0f 1f` ModRM → the bytes after it (SIB, displacement), all zero in a nop: nopl (%rax), 0(%rax), 0(%rax,%rax,1), … */
const NOP_MODRM_LENGTH = new Map([
  [0x00, 0],
  [0x40, 1],
  [0x44, 2],
  [0x80, 4],
  [0x84, 5],
]);

/** int3 (lld's fill), nop and the multi-byte nops (assemblers' alignment), `00 00` (zero fill). */
function isX86Padding(bytes: Uint8Array, pos: number, info: Readonly<X86InstructionInfo>): boolean {
  if (info.encoding !== ENCODING_LEGACY) return false;
  if (info.map === 0) return info.opcode === 0xcc || info.opcode === 0x90 || (info.opcode === 0x00 && info.modrm === 0x00 && bytes[pos] === 0);
  return info.map === 1 && info.opcode === 0x1f;
}

function classifyA64(bytes: Uint8Array, from: number, functions: readonly number[], labels: readonly number[]): GapRuns {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = from + Math.floor(bytes.length / 4) * 4;
  const word = (address: number) => view.getUint32(address - from, true);
  const follow = (entries: readonly number[]) => {
    const reached = new Set<number>();
    const pending = [...entries];
    while (pending.length > 0) {
      let address = pending.pop()!;
      while (address >= from && address < limit && !reached.has(address)) {
        reached.add(address);
        const w = word(address);
        const branch = decodeA64Branch(w, address);
        if (branch?.target !== undefined && branch.kind !== "call") pending.push(branch.target);
        if (branch?.kind === "jmp" || branch?.kind === "jmp-indirect" || endsFlowA64(w)) break;
        address += 4;
      }
    }
    return reached;
  };
  const named = follow(functions);
  const labelled = follow(labels);
  const unnamed = new Runs();
  const labelOnly = new Runs();
  for (let address = from; address < limit; address += 4) {
    const real = !A64_PADDING.has(word(address));
    if (named.has(address)) {
      unnamed.gap();
      labelOnly.gap();
    } else if (labelled.has(address)) {
      unnamed.gap();
      labelOnly.add(address, 4, real);
    } else {
      labelOnly.gap();
      unnamed.add(address, 4, real);
    }
  }
  unnamed.gap();
  labelOnly.gap();
  return { unnamed: unnamed.list, labelOnly: labelOnly.list };
}

/** ret, brk, udf: nothing falls through them (br is a jmp-indirect). */
function endsFlowA64(word: number): boolean {
  return (word & 0xfffffc1f) >>> 0 === 0xd65f0000 || (word & 0xffe0001f) >>> 0 === 0xd4200000 || word >>> 16 === 0;
}

/** udf #0 (zero fill), nop, and lld's trap fill 0xd4d4d4d4. */
const A64_PADDING = new Set([0x00000000, 0xd503201f, 0xd4d4d4d4]);

/** Consecutive instructions gathered into stretches; a stretch of fill alone is dropped. */
class Runs {
  readonly list: Stretch[] = [];
  private current: (Stretch & { real: boolean }) | undefined;

  add(address: number, length: number, real: boolean): void {
    if (this.current && this.current.end === address) {
      this.current.end = address + length;
      this.current.real ||= real;
    } else {
      this.gap();
      this.current = { start: address, end: address + length, real };
    }
  }

  addAlone(address: number, length: number): void {
    this.list.push({ start: address, end: address + length });
  }

  gap(): void {
    if (this.current?.real) this.list.push({ start: this.current.start, end: this.current.end });
    this.current = undefined;
  }
}

function isMappingSymbol(name: string): boolean {
  return /^\$[axdt](\.|$)/.test(name);
}
