import { describe, expect, it } from "vitest";
import { decodeInstructionAt, findBranches, sweepX86 } from "../../src/elf/index.js";

/** Hand-assembled byte sequences: lengths of the awkward encodings, branch fields, and recovery. */

const bytes = (...values: number[]) => new Uint8Array(values);
const hex = (text: string) => new Uint8Array(text.trim().split(/\s+/).map((b) => parseInt(b, 16)));

function lengthOf(text: string): number | string {
  const decoded = decodeInstructionAt(hex(text), 0);
  return "error" in decoded ? decoded.error : decoded.length;
}

describe("instruction lengths", () => {
  it.each([
    ["f3 0f 1e fa", 4, "endbr64"],
    ["0f 0b", 2, "ud2"],
    ["cc", 1, "int3"],
    ["0f 1f 44 00 00", 5, "nopl 0(%rax,%rax)"],
    ["66 2e 0f 1f 84 00 00 00 00 00", 10, "nopw %cs:0(%rax,%rax)"],
    ["66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00", 15, "padding nop at the 15-byte limit"],
    ["48 b8 01 02 03 04 05 06 07 08", 10, "movabs $imm64, %rax"],
    ["b8 01 02 03 04", 5, "mov $imm32, %eax"],
    ["66 b8 01 02", 4, "mov $imm16, %ax"],
    ["a1 01 02 03 04 05 06 07 08", 9, "movabs moffs64, %eax"],
    ["67 a1 01 02 03 04", 6, "mov moffs32 (addr32), %eax"],
    ["c8 10 00 00", 4, "enter $16, $0"],
    ["f6 c1 01", 3, "test $1, %cl (group 3 /0 has imm8)"],
    ["f6 d1", 2, "not %cl (group 3 /2 has none)"],
    ["f7 c1 01 00 00 00", 6, "test $imm32, %ecx"],
    ["66 f7 c1 01 00", 5, "test $imm16, %cx"],
    ["48 f7 c1 01 00 00 00", 7, "test $imm32, %rcx (REX.W keeps imm32)"],
    ["d9 ee", 2, "fldz"],
    ["db 2d 00 00 00 00", 6, "fldt x(%rip)"],
    ["f0 0f b1 0f", 4, "lock cmpxchg %ecx, (%rdi)"],
    ["48 8b 84 24 00 01 00 00", 8, "mov 0x100(%rsp), %rax (SIB + disp32)"],
    ["8b 04 25 00 10 00 00", 7, "mov 0x1000, %eax (SIB, no base)"],
    ["66 0f 3a 0f c1 08", 6, "palignr $8 (0F3A: imm8)"],
    ["66 0f 38 00 c1", 5, "pshufb (0F38: none)"],
    ["66 0f 73 d9 08", 5, "psrldq $8 (0F 73 group: imm8)"],
    ["c5 f8 77", 3, "vzeroupper (VEX map 1, no ModRM)"],
    ["c4 e3 7d 18 c1 01", 6, "vinsertf128 (VEX map 3: imm8)"],
    ["c5 fd 70 c1 1b", 5, "vpshufd $0x1b (VEX map 1 opcode 70: imm8)"],
    ["62 f1 7c 48 58 c1", 6, "vaddps %zmm1, %zmm0, %zmm0"],
    ["62 f1 7c 48 58 44 24 01", 8, "vaddps 0x40(%rsp), %zmm0, %zmm0 (disp8*N is still one byte)"],
    ["62 f3 7d 48 25 c1 96", 7, "vpternlogd $0x96 (EVEX map 3: imm8)"],
    ["d5 10 8b 00", 4, "APX REX2 mov (%r16), %eax"],
  ])("%s is %i bytes (%s)", (text, length) => {
    expect(lengthOf(text)).toBe(length);
  });

  it("refuses what has no single length", () => {
    expect(lengthOf("66 66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00")).toMatch(/longer than 15 bytes/);
    expect(lengthOf("06")).toMatch(/invalid opcode/);
    expect(lengthOf("e8 00 00")).toMatch(/past the end of the section/);
    expect(lengthOf("66 e8 00 00 00 00")).toMatch(/Intel and AMD/);
  });
});

describe("branches", () => {
  it("reports rel32 and rel8 fields and section-relative targets from sectionBase", () => {
    const code = hex("e8 10 00 00 00 eb fe 0f 84 f0 ff ff ff 75 00 e9 00 00 00 00");
    expect(findBranches(code, 0x1000)).toEqual([
      { offset: 0x1000, length: 5, kind: "call", displacementOffset: 0x1001, displacementSize: 4, target: 0x1015 },
      { offset: 0x1005, length: 2, kind: "jmp", displacementOffset: 0x1006, displacementSize: 1, target: 0x1005 },
      { offset: 0x1007, length: 6, kind: "jcc", displacementOffset: 0x1009, displacementSize: 4, target: 0x0ffd },
      { offset: 0x100d, length: 2, kind: "jcc", displacementOffset: 0x100e, displacementSize: 1, target: 0x100f },
      { offset: 0x100f, length: 5, kind: "jmp", displacementOffset: 0x1010, displacementSize: 4, target: 0x1014 },
    ]);
  });

  it("marks RIP-relative indirect calls and jumps, and only those, with ripDisplacementOffset", () => {
    const code = hex("ff 15 00 00 00 00  ff 25 00 00 00 00  41 ff d3  3e ff e0  ff 14 c5 00 00 00 00  48 8b 05 00 00 00 00");
    expect(findBranches(code)).toEqual([
      { offset: 0, length: 6, kind: "call-indirect", ripDisplacementOffset: 2 },
      { offset: 6, length: 6, kind: "jmp-indirect", ripDisplacementOffset: 8 },
      { offset: 12, length: 3, kind: "call-indirect" },
      { offset: 15, length: 3, kind: "jmp-indirect" },
      { offset: 18, length: 7, kind: "call-indirect" },
    ]);
  });

  it("finds branches in an array that also carries decodeErrors", () => {
    const result = findBranches(hex("90 e8 00 00 00 00"));
    expect(Array.isArray(result)).toBe(true);
    expect(result.length).toBe(1);
    expect(result.decodeErrors).toEqual([]);
  });
});

describe("recovery from undecodable bytes", () => {
  it("without known starts, records the error and goes on at the next byte", () => {
    const result = sweepX86(hex("90 06 90 e8 00 00 00 00"), 0x40);
    expect(result.decodeErrors).toEqual([{ offset: 0x41, reason: "invalid opcode in 64-bit mode", bytes: "06 90 e8 00 00 00 00", resumedAt: 0x42 }]);
    expect(result.branches.map((b) => [b.offset, b.kind])).toEqual([[0x43, "call"]]);
    expect(result.instructionCount).toBe(3);
  });

  it("with known starts, skips to the next one instead of decoding garbage", () => {
    // 06 is invalid; the bytes after it would decode as a bogus call; the function at 8 is real.
    const code = hex("06 e8 11 22 33 44 cc cc e8 00 00 00 00 c3");
    const result = sweepX86(code, 0, { knownInstructionStarts: [0, 8] });
    expect(result.decodeErrors.map((e) => [e.offset, e.resumedAt])).toEqual([[0, 8]]);
    expect(result.branches.map((b) => b.offset)).toEqual([8]);
  });

  it("notices an instruction that runs across a known start, and restarts there", () => {
    // Decoding from 0 sees `mov $imm32, %eax` covering bytes 1-4, but a function starts at 3.
    const code = hex("b8 90 90 e8 00 00 00 00 c3");
    const result = sweepX86(code, 0, { knownInstructionStarts: [3] });
    expect(result.decodeErrors).toHaveLength(1);
    expect(result.decodeErrors[0]!.reason).toMatch(/runs across the known instruction start at 3/);
    expect(result.branches.map((b) => [b.offset, b.kind])).toEqual([[3, "call"]]);
  });

  it("reports a truncated final instruction", () => {
    const result = sweepX86(bytes(0x90, 0xe8, 0x00));
    expect(result.decodeErrors.map((e) => e.reason)).toEqual(["instruction runs past the end of the section", "instruction runs past the end of the section"]);
  });

  it("passes every instruction, with its registers, to onInstruction", () => {
    const seen: Array<[number, number, number, number]> = [];
    sweepX86(hex("4c 8b 35 00 00 00 00 41 ff d6"), 0, {
      onInstruction: (offset, length, info) => seen.push([offset, length, info.reg, info.rm]),
    });
    // mov x(%rip), %r14 (reg = 14, memory operand); call *%r14 (reg field /2, rm = 14).
    expect(seen).toEqual([
      [0, 7, 14, -1],
      [7, 3, 2, 14],
    ]);
  });
});
