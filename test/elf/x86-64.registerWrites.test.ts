import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readElf, sweepX86 } from "../../src/elf/index.js";
import { CALLER_SAVED, GPR_NAMES, gprWrites } from "../../src/elf/x86-64/registerWrites.js";
import { LLVM_MC, Workdir, run } from "./helpers/toolchain.js";

/**
 * Which general-purpose registers each instruction may write, for the instructions that matter
 * when following a function address kept in a register: assembled by llvm-mc, decoded by us.
 */

/** rax rcx rdx rsi rdi r8-r11, and APX's r16-r31. */
const callerSaved = GPR_NAMES.filter((_, r) => (CALLER_SAVED >>> r) & 1);

const cases: Array<[string, string[]]> = [
  ["movq %rax, %r14", ["r14"]],
  ["movq (%rax), %r14", ["r14"]],
  ["movq %r14, (%rax)", []],
  ["movq %r14, %rdi", ["rdi"]],
  ["leaq 8(%rsp), %r14", ["r14"]],
  ["xorl %r14d, %r14d", ["r14"]],
  ["addq %rax, %r14", ["r14"]],
  ["addq %r14, %rax", ["rax"]],
  ["cmpq %r14, %rax", []],
  ["testq %r14, %r14", []],
  ["cmpq $1, %r14", []],
  ["subq $8, %rsp", ["rsp"]],
  ["pushq %r14", []],
  ["popq %r14", ["r14"]],
  ["movl $1, %r14d", ["r14"]],
  ["movabsq $0x123456789, %r14", ["r14"]],
  ["movq $1, %r14", ["r14"]],
  ["cmovneq %rax, %r14", ["r14"]],
  ["sete %r14b", ["r14"]],
  ["movzbl %al, %r14d", ["r14"]],
  ["shlq $3, %r14", ["r14"]],
  ["incq %r14", ["r14"]],
  ["negq %r14", ["r14"]],
  ["imulq $3, %rax, %r14", ["r14"]],
  ["mulq %rbx", ["rax", "rdx"]],
  ["idivq %r14", ["rax", "rdx"]],
  ["cqto", ["rdx"]],
  ["xchgq %rax, %r14", ["rax", "r14"]],
  ["bswapq %r14", ["r14"]],
  ["popcntq %rax, %r14", ["r14"]],
  ["btq $3, %r14", []],
  ["btsq $3, %r14", ["r14"]],
  ["lock cmpxchgq %r14, (%rdi)", ["rax"]],
  ["rdtsc", ["rax", "rdx"]],
  ["cpuid", ["rax", "rcx", "rdx", "rbx"]],
  ["rep movsb", ["rax", "rcx", "rsi", "rdi"]],
  ["leave", ["rsp", "rbp"]],
  ["callq *%r14", callerSaved],
  ["jmpq *%r14", []],
  ["retq", []],
  ["nop", []],
  ["nopw %cs:(%rax,%rax)", []],
  ["endbr64", []],
  ["movq %xmm0, %r14", ["r14"]],
  ["movq %r14, %xmm0", []],
  ["movdqa %xmm14, (%rax)", []],
  ["pxor %xmm14, %xmm14", []],
  ["addsd %xmm14, %xmm0", []],
  ["cvttsd2si %xmm0, %r14", ["r14"]],
  ["vaddps %ymm14, %ymm14, %ymm14", []],
  ["vmovq %xmm0, %r14", ["r14"]],
  ["vpextrd $1, %xmm0, %r14d", ["r14"]],
  ["vmovmskps %ymm0, %r14d", ["r14"]],
  ["vaddps %zmm14, %zmm14, %zmm14", []],
  ["kmovw %k1, %r14d", ["r14"]],
  ["shlxq %rax, %rbx, %r14", ["r14"]],
  ["mulxq %rax, %r13, %r14", ["r13", "r14"]],
  ["blsrq %rax, %r14", ["r14"]],
  ["rorxq $3, %rax, %r14", ["r14"]],
  ["fnstsw %ax", ["rax"]],
  ["fldz", []],
  ["syscall", [...callerSaved, "rbx", "rbp"]],
];

const work = new Workdir();
const written: string[][] = [];

beforeAll(() => {
  const source = work.write("writes.s", `.text\n${cases.map(([insn]) => `${insn}\n`).join("")}`);
  const object = work.file("writes.o");
  run(LLVM_MC, ["-triple=x86_64-linux-gnu", "-mattr=+avx512f,+avx512bw,+bmi2,+bmi,+popcnt", "-filetype=obj", source, "-o", object]);
  const elf = readElf(work.read("writes.o"));
  const text = elf.sections.find((s) => s.name === ".text")!;
  sweepX86(elf.bytes.subarray(text.offset, text.offset + text.size), 0, {
    onInstruction: (_offset, _length, info) => {
      const mask = gprWrites(info);
      written.push(GPR_NAMES.filter((_, r) => (mask >>> r) & 1));
    },
  });
});

afterAll(() => work.cleanup());

describe("gprWrites", () => {
  it("decodes one instruction per case", () => {
    expect(written.length).toBe(cases.length);
  });

  it.each(cases.map(([insn, regs], i) => [insn, regs, i] as const))("%s writes %j", (_insn, regs, i) => {
    expect([...written[i]!].sort()).toEqual([...regs].sort());
  });
});
