import { IMM16, IMM8, IMMZ, INVALID, MODRM, REL32, REL8, SPECIAL, oneByteMap, twoByteMap, vexMap1Imm8 } from "./opcodeTables.js";

/**
 * Decodes the length of one x86-64 instruction (64-bit mode) and the few facts the call counter
 * needs: branch kind and displacement position, ModRM registers, RIP-relative operand. It does not
 * name instructions: knowing where each one ends is what keeps a linear sweep in sync.
 */

export type X86BranchKind = "call" | "jmp" | "jcc" | "call-indirect" | "jmp-indirect";

// Decoder outcome codes (negative lengths).
const ERR_INVALID = -1;
const ERR_TRUNCATED = -2;
const ERR_TOO_LONG = -3;
const ERR_UNSUPPORTED = -4;
const ERR_AMBIGUOUS = -5;
export const errorReasons: Record<number, string> = {
  [ERR_INVALID]: "invalid opcode in 64-bit mode",
  [ERR_TRUNCATED]: "instruction runs past the end of the section",
  [ERR_TOO_LONG]: "instruction longer than 15 bytes",
  [ERR_UNSUPPORTED]: "unsupported encoding (EVEX/VEX map 7)",
  // Intel ignores 0x66 on near branches in 64-bit mode (rel32), AMD obeys it (rel16): no single length.
  [ERR_AMBIGUOUS]: "0x66 prefix on a near call/jmp/jcc: Intel and AMD CPUs decode it differently",
};

// Branch kind codes stored in the scratch record.
export const K_NONE = 0;
const K_CALL = 1;
const K_JMP = 2;
const K_JCC = 3;
const K_CALL_IND = 4;
const K_JMP_IND = 5;
export const kindNames: Array<X86BranchKind | undefined> = [undefined, "call", "jmp", "jcc", "call-indirect", "jmp-indirect"];

export const ENCODING_LEGACY = 0;
export const ENCODING_VEX = 1;
export const ENCODING_EVEX = 2;
export const ENCODING_XOP = 3;

/**
 * What the decoder learnt about one instruction beyond its length: enough for a caller to follow
 * which general-purpose registers it may write. Passed to onInstruction as one shared object that is
 * overwritten by the next instruction: copy what you keep.
 */
export interface X86InstructionInfo {
  /** ENCODING_LEGACY (with or without REX/REX2), ENCODING_VEX, ENCODING_EVEX or ENCODING_XOP. */
  encoding: number;
  /** 0 one-byte map, 1 = 0F, 2 = 0F38, 3 = 0F3A (VEX/EVEX maps by number; XOP 8-10). */
  map: number;
  opcode: number;
  /** The ModRM byte, or -1. */
  modrm: number;
  /** ModRM.reg with its REX/REX2/VEX/EVEX extension bits (0-31), or -1 without ModRM. */
  reg: number;
  /** The register operand named by ModRM.rm (mod = 3) or by an opcode's low bits (push, pop, mov imm, xchg, bswap), or -1. */
  rm: number;
  /** VEX/EVEX/XOP vvvv register (0-31), or -1. */
  vvvv: number;
  rexW: boolean;
  /** Section position (not sectionBase-relative) of a RIP-relative disp32, or -1. */
  ripDisplacementPosition: number;
  /** Position of a rel8/rel32 branch displacement, or -1, and its size. */
  branchDisplacementPosition: number;
  branchDisplacementSize: number;
  /** Internal branch kind code (0 = not a branch). */
  branchKind: number;
}

type Scratch = X86InstructionInfo;

export function newInstructionInfo(): X86InstructionInfo {
  return {
    encoding: 0, map: 0, opcode: 0, modrm: -1, reg: -1, rm: -1, vvvv: -1, rexW: false,
    ripDisplacementPosition: -1, branchDisplacementPosition: -1, branchDisplacementSize: 0, branchKind: 0,
  };
}

export interface X86Instruction {
  length: number;
  kind?: X86BranchKind;
  displacementOffset?: number;
  displacementSize?: 1 | 4;
  ripDisplacementOffset?: number;
}

/** Decodes the single instruction at `position`; for tests and callers that step by hand. */
export function decodeInstructionAt(code: Uint8Array, position: number, end = code.length): X86Instruction | { error: string } {
  const s = newInstructionInfo();
  const length = decodeAt(code, position, end, s);
  if (length < 0) return { error: errorReasons[length] ?? "undecodable" };
  const out: X86Instruction = { length };
  const kind = kindNames[s.branchKind];
  if (kind) out.kind = kind;
  if (s.branchDisplacementPosition >= 0) {
    out.displacementOffset = s.branchDisplacementPosition;
    out.displacementSize = s.branchDisplacementSize as 1 | 4;
  }
  if (s.ripDisplacementPosition >= 0 && (s.branchKind === K_CALL_IND || s.branchKind === K_JMP_IND)) out.ripDisplacementOffset = s.ripDisplacementPosition;
  return out;
}

// 0F A6: montmul, xsha1, xsha256, xsha512 (e0, which LLVM 22 does not name), Zhaoxin's SM3 (e8);
// 0F A7: xstore, xcrypt-ecb/cbc/ctr/cfb/ofb, Zhaoxin's SM4 (f0).
const PADLOCK_A6 = [0xc0, 0xc8, 0xd0, 0xe0, 0xe8];
const PADLOCK_A7 = [0xc0, 0xc8, 0xd0, 0xd8, 0xe0, 0xe8, 0xf0];

/** Legacy prefixes: operand size, address size, segments, lock, rep/repne. */
const legacyPrefix = new Uint8Array(256);
for (const b of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) legacyPrefix[b] = 1;

/**
 * Returns the length of the instruction at `start` (a negative code, a key of errorReasons, if it
 * has none) and fills `s` with its registers, branch kind and displacement positions.
 */
export function decodeAt(code: Uint8Array, start: number, end: number, s: Scratch): number {
  s.encoding = ENCODING_LEGACY;
  s.map = 0;
  s.modrm = -1;
  s.reg = -1;
  s.rm = -1;
  s.vvvv = -1;
  s.branchKind = K_NONE;
  s.branchDisplacementPosition = -1;
  s.branchDisplacementSize = 0;
  s.ripDisplacementPosition = -1;
  let p = start;
  let opsize16 = false;
  let addr32 = false;
  let rex = 0;
  let repPrefix = 0;

  for (;;) {
    if (p >= end) return ERR_TRUNCATED;
    if (p - start >= 15) return ERR_TOO_LONG;
    const b = code[p]!;
    if (legacyPrefix[b]) {
      if (b === 0x66) opsize16 = true;
      else if (b === 0x67) addr32 = true;
      else if (b === 0xf2 || b === 0xf3) repPrefix = b;
      // A REX prefix only counts when it comes last, right before the opcode.
      rex = 0;
      p++;
      continue;
    }
    if ((b & 0xf0) === 0x40) {
      rex = b;
      p++;
      continue;
    }
    break;
  }
  s.rexW = (rex & 8) !== 0;
  let extR = (rex & 4) << 1;
  let extB = (rex & 1) << 3;

  let op = code[p++]!;
  if (op === 0xd5) {
    // APX REX2: one payload byte M0 R4 X4 B4 W R3 X3 B3; M0 selects map 0 or 0F, and no escape bytes follow.
    if (p + 1 >= end) return ERR_TRUNCATED;
    const payload = code[p]!;
    s.rexW = (payload & 8) !== 0;
    extR = ((payload & 4) << 1) | ((payload & 0x40) >> 2);
    extB = ((payload & 1) << 3) | (payload & 0x10);
    op = code[p + 1]!;
    p += 2;
    if (payload & 0x80) {
      if (op === 0x38 || op === 0x3a) return ERR_INVALID;
      return decodeTwoByte(code, start, p, op, end, s, opsize16, repPrefix, extR, extB);
    }
    if (op === 0x0f || op === 0xc4 || op === 0xc5 || op === 0x62 || op === 0xd5 || legacyPrefix[op] || (op & 0xf0) === 0x40) return ERR_INVALID;
  }
  s.opcode = op;
  let flags = oneByteMap[op]!;
  let immSize = 0;

  if (flags & SPECIAL) {
    switch (op) {
      case 0x0f:
        if (p >= end) return ERR_TRUNCATED;
        return decodeTwoByte(code, start, p + 1, code[p]!, end, s, opsize16, repPrefix, extR, extB);
      case 0xc4:
      case 0xc5:
        return decodeVex(code, start, p, end, s, op === 0xc4 ? 2 : 1);
      case 0x62:
        return decodeEvex(code, start, p, end, s);
      case 0x8f:
        // 8F with ModRM.reg = 0 is POP r/m; any other reg value marks an AMD XOP prefix.
        if (p >= end) return ERR_TRUNCATED;
        if ((code[p]! & 0x38) !== 0) return decodeXop(code, start, p, end, s);
        flags = MODRM;
        break;
      case 0xa0:
      case 0xa1:
      case 0xa2:
      case 0xa3:
        immSize = addr32 ? 4 : 8; // moffs: a full address, not a ModRM operand
        flags = 0;
        break;
      case 0xc8:
        immSize = 3; // enter imm16, imm8
        flags = 0;
        break;
      case 0xf6:
      case 0xf7: {
        if (p >= end) return ERR_TRUNCATED;
        const reg = (code[p]! >> 3) & 7;
        flags = MODRM | (reg <= 1 ? (op === 0xf6 ? IMM8 : IMMZ) : 0); // only `test` carries an immediate
        break;
      }
      default:
        // b8-bf: mov reg, imm — the one instruction with a 64-bit immediate (REX.W).
        immSize = s.rexW ? 8 : opsize16 ? 2 : 4;
        flags = 0;
        break;
    }
  } else if (flags & INVALID) {
    return ERR_INVALID;
  }
  // Opcodes that name their register in the low three bits: push/pop, xchg, mov imm.
  if ((op >= 0x50 && op <= 0x5f) || (op >= 0x90 && op <= 0x97) || (op >= 0xb0 && op <= 0xbf)) s.rm = (op & 7) | extB;

  if (flags & REL8) {
    s.branchKind = op === 0xeb ? K_JMP : K_JCC;
    s.branchDisplacementPosition = p;
    s.branchDisplacementSize = 1;
    return finish(start, p + 1, end);
  }
  if (flags & REL32) {
    if (opsize16 && !s.rexW) return ERR_AMBIGUOUS;
    s.branchKind = op === 0xe8 ? K_CALL : K_JMP;
    s.branchDisplacementPosition = p;
    s.branchDisplacementSize = 4;
    return finish(start, p + 4, end);
  }
  if (flags & MODRM) {
    p = skipModrm(code, p, end, s, extR, extB);
    if (p < 0) return p;
    if (op === 0xff) {
      const reg = s.reg & 7;
      if (reg === 2 || reg === 3) s.branchKind = K_CALL_IND;
      else if (reg === 4 || reg === 5) s.branchKind = K_JMP_IND;
    }
  }
  if (flags & IMM8) immSize += 1;
  if (flags & IMM16) immSize += 2;
  if (flags & IMMZ) immSize += opsize16 && !s.rexW ? 2 : 4;
  return finish(start, p + immSize, end);
}

function finish(start: number, next: number, end: number): number {
  if (next - start > 15) return ERR_TOO_LONG;
  if (next > end) return ERR_TRUNCATED;
  return next - start;
}

/** Skips ModRM, SIB and displacement; records the ModRM registers and where a RIP-relative disp32 sits. */
function skipModrm(code: Uint8Array, p: number, end: number, s: Scratch, extR: number, extB: number): number {
  if (p >= end) return ERR_TRUNCATED;
  const modrm = code[p++]!;
  s.modrm = modrm;
  s.reg = ((modrm >> 3) & 7) | extR;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (mod === 3) {
    s.rm = rm | extB;
    return p;
  }
  if (rm === 4) {
    if (p >= end) return ERR_TRUNCATED;
    const sib = code[p++]!;
    if (mod === 0 && (sib & 7) === 5) return p + 4;
  } else if (mod === 0 && rm === 5) {
    s.ripDisplacementPosition = p;
    return p + 4;
  }
  return mod === 1 ? p + 1 : mod === 2 ? p + 4 : p;
}

/** The 0F map; `p` points just past the opcode byte `op`. */
function decodeTwoByte(
  code: Uint8Array,
  start: number,
  p: number,
  op: number,
  end: number,
  s: Scratch,
  opsize16: boolean,
  rep: number,
  extR: number,
  extB: number,
): number {
  s.map = 1;
  s.opcode = op;
  const flags = twoByteMap[op]!;
  if (flags & INVALID) return ERR_INVALID;
  if (flags & REL32) {
    if (opsize16 && !s.rexW) return ERR_AMBIGUOUS;
    s.branchKind = K_JCC;
    s.branchDisplacementPosition = p;
    s.branchDisplacementSize = 4;
    return finish(start, p + 4, end);
  }
  let immSize = 0;
  if (flags & SPECIAL) {
    if (op === 0x38 || op === 0x3a) {
      // Three-byte maps 0F38 (no immediate) and 0F3A (always imm8); every opcode has a ModRM.
      if (p >= end) return ERR_TRUNCATED;
      s.map = op === 0x38 ? 2 : 3;
      s.opcode = code[p++]!;
      const next = skipModrm(code, p, end, s, extR, extB);
      if (next < 0) return next;
      return finish(start, next + (op === 0x3a ? 1 : 0), end);
    }
    if (op >= 0x20 && op <= 0x23) {
      // mov to/from control and debug registers: the ModRM always names registers, whatever mod says.
      if (p >= end) return ERR_TRUNCATED;
      s.modrm = code[p]!;
      s.reg = ((s.modrm >> 3) & 7) | extR;
      s.rm = (s.modrm & 7) | extB;
      return finish(start, p + 1, end);
    }
    if (op === 0xa6 || op === 0xa7) {
      // VIA/Zhaoxin PadLock, invalid on Intel: a fixed register-form ModRM, in OpenSSL's padlock
      // engine (vendored by openssl-src; rustup and cargo carry it).
      if (p >= end) return ERR_TRUNCATED;
      if (!(op === 0xa6 ? PADLOCK_A6 : PADLOCK_A7).includes(code[p]!)) return ERR_INVALID;
      s.modrm = code[p]!;
      return finish(start, p + 1, end);
    }
    // 0F 78: vmread, except SSE4a extrq/insertq (66 or F2, register operands only), which add two imm8.
    if (op === 0x78 && (opsize16 || rep === 0xf2) && p < end && code[p]! >= 0xc0) immSize = 2;
  } else if (!(flags & MODRM)) {
    if (op >= 0xc8 && op <= 0xcf) s.rm = (op & 7) | extB; // bswap
    return finish(start, p, end);
  }
  const next = skipModrm(code, p, end, s, extR, extB);
  if (next < 0) return next;
  if (flags & IMM8) immSize += 1;
  return finish(start, next + immSize, end);
}

/** VEX: C5 (one payload byte, map 0F) or C4 (two payload bytes, map in the low five bits). */
function decodeVex(code: Uint8Array, start: number, p: number, end: number, s: Scratch, payload: number): number {
  if (p + payload >= end) return ERR_TRUNCATED;
  s.encoding = ENCODING_VEX;
  const first = code[p]!;
  const last = code[p + payload - 1]!;
  const map = payload === 1 ? 1 : first & 0x1f;
  const extR = first & 0x80 ? 0 : 8;
  const extB = payload === 1 || first & 0x20 ? 0 : 8;
  s.rexW = payload === 2 && (last & 0x80) !== 0;
  s.vvvv = (~last >> 3) & 0xf;
  p += payload;
  const op = code[p++]!;
  s.map = map;
  s.opcode = op;
  if (map === 1 && op === 0x77) return finish(start, p, end); // vzeroupper/vzeroall: no ModRM
  if (map === 7) return ERR_UNSUPPORTED;
  if (map < 1 || map > 3) return ERR_INVALID;
  return vexOperands(code, start, p, end, s, map, op, extR, extB);
}

/** EVEX: 62 + three payload bytes P0 P1 P2; the map is in the low bits of P0. */
function decodeEvex(code: Uint8Array, start: number, p: number, end: number, s: Scratch): number {
  if (p + 3 >= end) return ERR_TRUNCATED;
  s.encoding = ENCODING_EVEX;
  const p0 = code[p]!;
  const p1 = code[p + 1]!;
  const p2 = code[p + 2]!;
  const map = p0 & 7;
  const extR = (p0 & 0x80 ? 0 : 8) | (p0 & 0x10 ? 0 : 16);
  const extB = (p0 & 0x20 ? 0 : 8) | ((p0 & 0x08) << 1);
  s.rexW = (p1 & 0x80) !== 0;
  s.vvvv = ((~p1 >> 3) & 0xf) | (p2 & 0x08 ? 0 : 16);
  p += 3;
  const op = code[p++]!;
  s.map = map;
  s.opcode = op;
  if (map === 7) return ERR_UNSUPPORTED;
  if (map === 0) return ERR_INVALID;
  if (map === 4) return apxMap4Operands(code, start, p, end, s, op, (p1 & 3) === 1, s.rexW, extR, extB);
  return vexOperands(code, start, p, end, s, map, op, extR, extB);
}

/** XOP (AMD): 8F + two payload bytes; map 8 has imm8, map 9 none, map 0A imm32. */
function decodeXop(code: Uint8Array, start: number, p: number, end: number, s: Scratch): number {
  if (p + 2 >= end) return ERR_TRUNCATED;
  s.encoding = ENCODING_XOP;
  const first = code[p]!;
  const map = first & 0x1f;
  if (map < 8 || map > 10) return ERR_INVALID;
  s.map = map;
  s.opcode = code[p + 2]!;
  s.rexW = (code[p + 1]! & 0x80) !== 0;
  s.vvvv = (~code[p + 1]! >> 3) & 0xf;
  p += 3; // two payload bytes and the opcode
  const next = skipModrm(code, p, end, s, first & 0x80 ? 0 : 8, first & 0x20 ? 0 : 8);
  if (next < 0) return next;
  return finish(start, next + (map === 8 ? 1 : map === 10 ? 4 : 0), end);
}

function vexOperands(code: Uint8Array, start: number, p: number, end: number, s: Scratch, map: number, op: number, extR: number, extB: number): number {
  const next = skipModrm(code, p, end, s, extR, extB);
  if (next < 0) return next;
  const imm = map === 3 || (map === 1 && vexMap1Imm8[op]! !== 0) ? 1 : 0;
  return finish(start, next + imm, end);
}

/**
 * EVEX map 4 holds APX's promoted legacy instructions. Immediates follow their legacy forms:
 * imm8 for 24/2c (shld/shrd), 6b, 80, 83, c0, c1 and f6 /0-1; 16/32-bit (by pp=66 and W) for 69, 81, f7 /0-1.
 */
function apxMap4Operands(
  code: Uint8Array,
  start: number,
  p: number,
  end: number,
  s: Scratch,
  op: number,
  pp66: boolean,
  w: boolean,
  extR: number,
  extB: number,
): number {
  if (p >= end) return ERR_TRUNCATED;
  const reg = (code[p]! >> 3) & 7;
  const next = skipModrm(code, p, end, s, extR, extB);
  if (next < 0) return next;
  let imm = 0;
  if (op === 0x24 || op === 0x2c || op === 0x6b || op === 0x80 || op === 0x83 || op === 0xc0 || op === 0xc1 || (op === 0xf6 && reg <= 1)) imm = 1;
  else if (op === 0x69 || op === 0x81 || (op === 0xf7 && reg <= 1)) imm = pp66 && !w ? 2 : 4;
  return finish(start, next + imm, end);
}
