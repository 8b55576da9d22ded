import { ENCODING_LEGACY, type X86InstructionInfo } from "./decodeInstruction.js";

/**
 * Which general-purpose registers an instruction may write, as a bit mask (bit n = register n:
 * rax rcx rdx rbx rsp rbp rsi rdi r8 … r31). Used to follow a function address loaded into a
 * register (`mov helper@GOTPCREL(%rip), %r14`) to the `call *%r14` instructions that use it.
 *
 * It errs towards "may write": a register wrongly thought overwritten only loses track of a
 * loaded address (and the load itself is still reported), while a missed write could attribute
 * a call through a reused register to the wrong function.
 */

const bit = (r: number): number => (r >= 0 ? 1 << r : 0);

export const GPR_NAMES = [
  "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
  ...Array.from({ length: 24 }, (_, i) => `r${i + 8}`),
];

/** Registers a call may clobber under the SysV x86-64 ABI (APX's r16-r31 included). */
export const CALLER_SAVED = bit(0) | bit(1) | bit(2) | bit(6) | bit(7) | 0xf00 | 0xffff0000;
const RAX = bit(0);
const RCX = bit(1);
const RDX = bit(2);
const RBX = bit(3);
const RSP = bit(4);
const RBP = bit(5);
/** Instructions without a ModRM whose implicit outputs are not listed here may write any of these. */
const UNKNOWN_IMPLICIT = CALLER_SAVED | RBX | RBP;

export function gprWrites(i: Readonly<X86InstructionInfo>): number {
  const regOrRm = bit(i.reg) | bit(i.rm);
  if (i.encoding !== ENCODING_LEGACY) return vexWrites(i, regOrRm);
  if (i.map === 0) return oneByteWrites(i, regOrRm);
  if (i.map === 1) return twoByteWrites(i, regOrRm);
  if (i.map === 2) return i.opcode === 0xf0 || i.opcode === 0xf1 || i.opcode === 0xf6 ? regOrRm : 0;
  // 0F3A: pextrb/w/d/q and extractps write their r/m; pcmpestri/pcmpistri write rcx.
  if (i.opcode >= 0x14 && i.opcode <= 0x17) return bit(i.rm);
  if (i.opcode === 0x61 || i.opcode === 0x63) return RCX;
  return 0;
}

function oneByteWrites(i: Readonly<X86InstructionInfo>, regOrRm: number): number {
  const op = i.opcode;
  const ext = i.reg & 7;
  if (op < 0x40) {
    const form = op & 7;
    if (op >= 0x38) return 0; // cmp
    if (form <= 3) return form & 2 ? bit(i.reg) : bit(i.rm);
    if (form <= 5) return RAX;
    return UNKNOWN_IMPLICIT;
  }
  if (op >= 0x50 && op <= 0x57) return 0; // push
  if (op >= 0x58 && op <= 0x5f) return bit(i.rm); // pop
  if (op >= 0x70 && op <= 0x7f) return 0;
  if (op >= 0x80 && op <= 0x83) return ext === 7 ? 0 : bit(i.rm);
  if (op >= 0x90 && op <= 0x97) return i.rm === 0 ? 0 : bit(i.rm) | RAX; // nop/pause, else xchg with rax
  if (op >= 0xa4 && op <= 0xaf && op !== 0xa8 && op !== 0xa9) return RAX | RCX | bit(6) | bit(7); // string instructions
  if (op >= 0xb0 && op <= 0xbf) return bit(i.rm);
  if (op >= 0xd8 && op <= 0xdf) return op === 0xdf && i.modrm === 0xe0 ? RAX : 0; // x87: only fnstsw %ax
  switch (op) {
    case 0x63: case 0x69: case 0x6b: case 0x8a: case 0x8b: case 0x8d:
      return bit(i.reg);
    case 0x68: case 0x6a: case 0x84: case 0x85: case 0x8e: case 0x9c: case 0x9d: case 0x9e:
    case 0xa2: case 0xa3: case 0xa8: case 0xa9: case 0xc2: case 0xc3: case 0xca: case 0xcb: case 0xcc:
    case 0xcd: case 0xcf: case 0xe6: case 0xe7: case 0xe9: case 0xeb: case 0xee: case 0xef: case 0xf1:
    case 0xf4: case 0xf5: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd:
      return 0;
    case 0x86: case 0x87:
      return regOrRm;
    case 0x88: case 0x89: case 0x8c: case 0x8f: case 0xc0: case 0xc1: case 0xc6: case 0xc7:
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
      return bit(i.rm);
    case 0x98: case 0x9f: case 0xa0: case 0xa1: case 0xd7: case 0xe4: case 0xe5: case 0xec: case 0xed:
      return RAX;
    case 0x99:
      return RDX;
    case 0xc8: case 0xc9:
      return RBP | RSP;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:
      return RCX;
    case 0xe8:
      return CALLER_SAVED;
    case 0xf6: case 0xf7:
      if (ext <= 1) return 0;
      if (ext <= 3) return bit(i.rm);
      return op === 0xf6 ? RAX : RAX | RDX;
    case 0xfe:
      return ext <= 1 ? bit(i.rm) : 0;
    case 0xff:
      if (ext <= 1) return bit(i.rm);
      return ext <= 3 ? CALLER_SAVED : 0;
  }
  return i.modrm >= 0 ? regOrRm : UNKNOWN_IMPLICIT;
}

function twoByteWrites(i: Readonly<X86InstructionInfo>, regOrRm: number): number {
  const op = i.opcode;
  const ext = i.reg & 7;
  const mod3 = i.modrm >= 0xc0;
  if (op >= 0x40 && op <= 0x4f) return bit(i.reg); // cmovcc
  if (op >= 0x80 && op <= 0x8f) return 0;
  if (op >= 0x90 && op <= 0x9f) return bit(i.rm); // setcc
  if (op >= 0xc8 && op <= 0xcf) return bit(i.rm); // bswap
  const sse = (op >= 0x10 && op <= 0x2b) || (op >= 0x51 && op <= 0x77) || (op >= 0x7a && op <= 0x7f && op !== 0x7e) || op >= 0xd0;
  if (sse) {
    // SSE/MMX and hint space: vector destinations, apart from these few.
    if (op >= 0x20 && op <= 0x23) return bit(i.rm) | bit(i.reg); // mov to/from control registers
    if (op === 0xd7) return bit(i.reg);
    return 0;
  }
  switch (op) {
    case 0x0b: case 0x0d: case 0x2e: case 0x2f: case 0xa0: case 0xa1: case 0xa3: case 0xa8:
    case 0xa9: case 0xb9: case 0xc2: case 0xc3: case 0xc4: case 0xc6:
      return 0;
    case 0x02: case 0x03: case 0x2c: case 0x2d: case 0x50: case 0xaf: case 0xb6: case 0xb7: case 0xb8:
    case 0xbc: case 0xbd: case 0xbe: case 0xbf: case 0xc5:
      return bit(i.reg);
    case 0x00: case 0x7e: case 0xa4: case 0xa5: case 0xab: case 0xac: case 0xad: case 0xb3: case 0xbb:
      return bit(i.rm);
    case 0x01:
      return mod3 ? RAX | RCX | RDX : 0; // xgetbv, rdtscp, rdpkru, …
    case 0x31: case 0x32: case 0x33:
      return RAX | RDX;
    case 0xa2:
      return RAX | RBX | RCX | RDX;
    case 0xae:
      return mod3 ? bit(i.rm) : 0; // rdfsbase & co.; fences and ldmxcsr write none
    case 0xb0: case 0xb1:
      return bit(i.rm) | RAX;
    case 0xba:
      return ext === 4 ? 0 : bit(i.rm);
    case 0xc0: case 0xc1: case 0x78: case 0x79:
      return regOrRm;
    case 0xc7:
      if (ext === 1) return RAX | RDX;
      return mod3 ? bit(i.rm) : 0; // rdrand, rdseed, rdpid
  }
  return i.modrm >= 0 ? regOrRm : UNKNOWN_IMPLICIT;
}

/** VEX/EVEX/XOP: vector registers, except the few that write a GPR (conversions, extracts, masks, BMI). */
function vexWrites(i: Readonly<X86InstructionInfo>, regOrRm: number): number {
  const op = i.opcode;
  switch (i.map) {
    case 1:
    case 5:
      if (op === 0x2c || op === 0x2d || op === 0x50 || op === 0xc5 || op === 0xd7 || op === 0x93) return bit(i.reg);
      if (op === 0x7e) return bit(i.rm);
      return 0;
    case 2:
      if (op === 0xf3) return bit(i.vvvv);
      if (op === 0xf6) return bit(i.reg) | bit(i.vvvv);
      if (op === 0xf2 || op === 0xf5 || op === 0xf7) return bit(i.reg);
      return 0;
    case 3:
      if (op >= 0x14 && op <= 0x17) return bit(i.rm);
      if (op === 0xf0) return bit(i.reg);
      if (op === 0x61 || op === 0x63) return RCX;
      return 0;
    case 4:
      return regOrRm | bit(i.vvvv); // APX promoted integer instructions, possibly with a new data destination
    case 6:
      return 0;
    default:
      return regOrRm | bit(i.vvvv);
  }
}
