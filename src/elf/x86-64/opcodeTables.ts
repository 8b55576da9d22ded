/**
 * What follows each x86-64 opcode, per opcode map, as bit flags: enough to know an instruction's
 * length (ModRM, immediate sizes) without knowing what it does. From the Intel SDM opcode maps,
 * Volume 2 Appendix A, read for 64-bit mode (opcodes invalid there are marked INVALID).
 */

export const MODRM = 1;
export const IMM8 = 2;
/** imm16 with a 0x66 prefix, else imm32 (REX.W does not widen it to 64). */
export const IMMZ = 4;
export const IMM16 = 8;
export const INVALID = 16;
/** Decided by the decoder itself: escapes, group 3 test, moffs, mov imm64, enter, SSE4a, VIA PadLock. */
export const SPECIAL = 32;
export const REL8 = 64;
export const REL32 = 128;

function table(entries: Array<[first: number, last: number, flags: number]>): Uint8Array {
  const t = new Uint8Array(256);
  for (const [first, last, flags] of entries) for (let op = first; op <= last; op++) t[op] = flags;
  return t;
}

/** Opcodes 0x00-0x3f repeat one pattern eight times (add, or, adc, sbb, and, sub, xor, cmp). */
function aluBlock(): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let base = 0; base < 0x40; base += 8) {
    out.push([base, base + 3, MODRM], [base + 4, base + 4, IMM8], [base + 5, base + 5, IMMZ]);
  }
  return out;
}

/** The one-byte map; prefixes (0x26 0x2e 0x36 0x3e 0x40-0x4f 0x64-0x67 0xf0 0xf2 0xf3) never get here. */
export const oneByteMap = table([
  ...aluBlock(),
  [0x06, 0x07, INVALID], [0x0e, 0x0e, INVALID], [0x0f, 0x0f, SPECIAL], [0x16, 0x17, INVALID], [0x1e, 0x1f, INVALID],
  [0x27, 0x27, INVALID], [0x2f, 0x2f, INVALID], [0x37, 0x37, INVALID], [0x3f, 0x3f, INVALID],
  [0x60, 0x61, INVALID], [0x62, 0x62, SPECIAL], [0x63, 0x63, MODRM],
  [0x68, 0x68, IMMZ], [0x69, 0x69, MODRM | IMMZ], [0x6a, 0x6a, IMM8], [0x6b, 0x6b, MODRM | IMM8],
  [0x70, 0x7f, REL8],
  [0x80, 0x80, MODRM | IMM8], [0x81, 0x81, MODRM | IMMZ], [0x82, 0x82, INVALID], [0x83, 0x83, MODRM | IMM8],
  [0x84, 0x8e, MODRM], [0x8f, 0x8f, SPECIAL],
  [0x9a, 0x9a, INVALID],
  [0xa0, 0xa3, SPECIAL], [0xa8, 0xa8, IMM8], [0xa9, 0xa9, IMMZ],
  [0xb0, 0xb7, IMM8], [0xb8, 0xbf, SPECIAL],
  [0xc0, 0xc1, MODRM | IMM8], [0xc2, 0xc2, IMM16], [0xc4, 0xc5, SPECIAL], [0xc6, 0xc6, MODRM | IMM8], [0xc7, 0xc7, MODRM | IMMZ],
  [0xc8, 0xc8, SPECIAL], [0xca, 0xca, IMM16], [0xcd, 0xcd, IMM8], [0xce, 0xce, INVALID],
  [0xd0, 0xd3, MODRM], [0xd4, 0xd6, INVALID], [0xd8, 0xdf, MODRM],
  [0xe0, 0xe3, REL8], [0xe4, 0xe7, IMM8], [0xe8, 0xe9, REL32], [0xea, 0xea, INVALID], [0xeb, 0xeb, REL8],
  [0xf6, 0xf7, SPECIAL], [0xfe, 0xff, MODRM],
]);

/** The 0x0f map. */
export const twoByteMap = table([
  [0x00, 0x03, MODRM], [0x04, 0x04, INVALID], [0x0a, 0x0a, INVALID], [0x0c, 0x0c, INVALID], [0x0d, 0x0d, MODRM],
  // 3DNow!: ModRM, then the real opcode as a trailing byte.
  [0x0f, 0x0f, MODRM | IMM8],
  [0x10, 0x1f, MODRM],
  [0x20, 0x23, SPECIAL], [0x24, 0x27, INVALID], [0x28, 0x2f, MODRM],
  [0x36, 0x36, INVALID], [0x38, 0x38, SPECIAL], [0x39, 0x39, INVALID], [0x3a, 0x3a, SPECIAL], [0x3b, 0x3f, INVALID],
  [0x40, 0x76, MODRM], [0x70, 0x73, MODRM | IMM8], [0x78, 0x79, SPECIAL], [0x7a, 0x7f, MODRM],
  [0x80, 0x8f, REL32], [0x90, 0x9f, MODRM],
  [0xa3, 0xa3, MODRM], [0xa4, 0xa4, MODRM | IMM8], [0xa5, 0xa5, MODRM], [0xa6, 0xa7, SPECIAL],
  [0xab, 0xab, MODRM], [0xac, 0xac, MODRM | IMM8], [0xad, 0xaf, MODRM],
  [0xb0, 0xb9, MODRM], [0xba, 0xba, MODRM | IMM8], [0xbb, 0xc1, MODRM], [0xc2, 0xc2, MODRM | IMM8], [0xc3, 0xc3, MODRM],
  [0xc4, 0xc6, MODRM | IMM8], [0xc7, 0xc7, MODRM],
  [0xd0, 0xff, MODRM],
]);

/**
 * VEX and EVEX opcode map 1 (the 0x0f equivalents) take an imm8 only for these opcodes:
 * shuffles and shifts-by-immediate (70-73), compares (c2), pinsrw/pextrw (c4, c5), shufps (c6).
 */
export const vexMap1Imm8 = table([[0x70, 0x73, IMM8], [0xc2, 0xc2, IMM8], [0xc4, 0xc6, IMM8]]);
