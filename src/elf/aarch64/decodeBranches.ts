/**
 * AArch64 branches. Every instruction is one little-endian 32-bit word, so there is no sync to
 * lose; the only trap is data inside code, which the ELF mapping symbols ($d … $x) mark.
 */

export type A64BranchKind = "call" | "jmp" | "jcc" | "call-indirect" | "jmp-indirect";

export interface A64Branch {
  /** sectionBase + position of the instruction word. */
  offset: number;
  length: 4;
  kind: A64BranchKind;
  /** The instruction's mnemonic family: bl, b, b.cond, cbz, cbnz, tbz, tbnz, blr, br (and pointer-auth forms). */
  mnemonic: string;
  /** Direct forms: offset + immediate * 4. */
  target?: number;
}

export interface A64DecodeOptions {
  /** [start, end) ranges (sectionBase-relative, like offsets) holding data, e.g. from $d mapping symbols. */
  dataRanges?: ReadonlyArray<readonly [number, number]>;
}

const conditionNames = ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"];

export function findA64Branches(code: Uint8Array, sectionBase = 0, options: A64DecodeOptions = {}): A64Branch[] {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const ranges = [...(options.dataRanges ?? [])].sort((a, b) => a[0] - b[0]);
  const branches: A64Branch[] = [];
  let range = 0;
  for (let pos = 0; pos + 4 <= code.length; pos += 4) {
    const address = sectionBase + pos;
    while (range < ranges.length && ranges[range]![1] <= address) range++;
    if (range < ranges.length && ranges[range]![0] <= address) continue;
    const branch = decodeA64Branch(view.getUint32(pos, true), address);
    if (branch) branches.push(branch);
  }
  return branches;
}

/** Decodes one word at `address`; undefined unless it is a branch this project cares about. */
export function decodeA64Branch(word: number, address: number): A64Branch | undefined {
  const top6 = word >>> 26;
  if (top6 === 0b100101 || top6 === 0b000101) {
    // BL / B: imm26, scaled by 4, signed.
    const imm = (word << 6) >> 6;
    const isCall = top6 === 0b100101;
    return { offset: address, length: 4, kind: isCall ? "call" : "jmp", mnemonic: isCall ? "bl" : "b", target: address + imm * 4 };
  }
  if ((word & 0xff000010) >>> 0 === 0x54000000) {
    // B.cond: imm19 in bits 5-23.
    const imm = (word << 8) >> 13;
    return { offset: address, length: 4, kind: "jcc", mnemonic: `b.${conditionNames[word & 0xf]}`, target: address + imm * 4 };
  }
  if ((word & 0x7e000000) >>> 0 === 0x34000000) {
    // CBZ / CBNZ: imm19.
    const imm = (word << 8) >> 13;
    return { offset: address, length: 4, kind: "jcc", mnemonic: word & 0x01000000 ? "cbnz" : "cbz", target: address + imm * 4 };
  }
  if ((word & 0x7e000000) >>> 0 === 0x36000000) {
    // TBZ / TBNZ: imm14 in bits 5-18.
    const imm = (word << 13) >> 18;
    return { offset: address, length: 4, kind: "jcc", mnemonic: word & 0x01000000 ? "tbnz" : "tbz", target: address + imm * 4 };
  }
  // Unconditional branch (register): BR, BLR and their pointer-authentication variants.
  if ((word & 0xfe000000) >>> 0 === 0xd6000000) {
    const opc = (word >>> 21) & 0xf;
    const op2 = (word >>> 16) & 0x1f;
    if (op2 !== 0x1f) return undefined;
    if (opc === 0b0001 || opc === 0b1001) return { offset: address, length: 4, kind: "call-indirect", mnemonic: "blr" };
    if (opc === 0b0000 || opc === 0b1000) return { offset: address, length: 4, kind: "jmp-indirect", mnemonic: "br" };
  }
  return undefined;
}
