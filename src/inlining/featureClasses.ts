import { parseTriple } from "../ir/target.js";

/**
 * What a target feature is *for*, as far as the reconciliation rules need to know: whether losing
 * or gaining it can change what a helper's code computes. This is knowledge about the meaning of
 * feature names, not about CPUs: which CPU has which feature is always LLVM's answer
 * (targetFeatures.ts). A feature in no class is an instruction-set extension whose instructions
 * LLVM selects only when it is on: losing one a body does not use changes which instructions
 * generic IR becomes, not what they compute.
 */
export type TargetArch = "x86" | "aarch64" | "other";

export function targetArch(triple: string | undefined): TargetArch {
  const arch = parseTriple(triple ?? "").arch;
  if (arch === "x86_64" || /^i[3-6]86$/.test(arch)) return "x86";
  if (arch === "aarch64" || arch === "aarch64_be" || arch === "arm64") return "aarch64";
  return "other";
}

/** Features that change code generation for security (hardening) rather than the instruction set. */
export function isHardeningFeature(feature: string): boolean {
  return /^(retpoline|lvi-|seses$|harden-sls|speculative-load-hardening$)/.test(feature);
}

/** x86 retpoline features only change indirect calls and jumps (and turn jump tables off). */
export function isRetpolineFeature(feature: string): boolean {
  return /^retpoline/.test(feature);
}

/**
 * Features whose presence changes how floating-point and vector values are computed or passed:
 * x86 x87/MMX/SSE/AVX and friends, AArch64 FP/Advanced SIMD/SVE/SME and their data types.
 */
export function isFloatingPointOrVectorFeature(feature: string, arch: TargetArch): boolean {
  if (feature === "soft-float") return true;
  if (arch === "x86") return /^(x87|mmx|3dnow|sse|ssse3|avx|fma|f16c|xop|aes|vaes|pclmul|vpclmulqdq|gfni|sha|sm3|sm4|kl|widekl|amx|evex512|egpr)/.test(feature);
  if (arch === "aarch64") {
    return /^(fp-armv8|neon|sve|sme|ssve|fullfp16|fp16fml|bf16|i8mm|f32mm|f64mm|dotprod|complxnum|jsconv|rdm|aes|sha2|sha3|sm4|fptoint|frint3264|fp8|fpmr|faminmax|lut|f8f|fprcvt|crypto)/.test(feature);
  }
  return /(float|fp|vec|simd|neon|sse|avx)/.test(feature);
}

const x86VectorRegister = /(%?\b[xyz]mm\d+\b|%?\bmm\d\b|%?\bst(\(\d\))?(?![a-z])|%?\bk[0-7]\b)/i;
const aarch64VectorRegister = /\b([vqdshbz]\d{1,2}(\.\d*[bhsdq])?|p\d{1,2})\b/;

/**
 * Whether inline assembly asks for floating-point, vector, x87 or mask registers, by constraint
 * (x86 `x`, `v`, `y`, `t`, `u`, `f`, `k`, `Y…`; AArch64 `w`, `x`, `y`, `Up…`) or by register name.
 */
export function asmUsesVectorRegisters(template: string, constraints: string, arch: TargetArch = "x86"): boolean {
  const operandsRemoved = template.replace(/\$\{?\d+(:[a-zA-Z])?\}?/g, "");
  if (arch === "aarch64") {
    if (aarch64VectorRegister.test(operandsRemoved)) return true;
    for (const raw of constraints.split(",")) {
      const c = raw.replace(/^[=+&*%~!]+/, "");
      const explicit = /^\{([^}]*)\}/.exec(c);
      if (explicit) {
        if (/^([vqdshbz]\d{1,2}|p\d{1,2})$/i.test(explicit[1]!)) return true;
        continue;
      }
      if (/^(w|x|y|Up[alh])/.test(c)) return true;
    }
    return false;
  }
  if (x86VectorRegister.test(operandsRemoved)) return true;
  for (const raw of constraints.split(",")) {
    const c = raw.replace(/^[=+&*%~!]+/, "");
    const explicit = /^\{([^}]*)\}/.exec(c);
    if (explicit) {
      if (/^([xyz]mm\d+|mm\d|st(\(\d\))?|fp\d|k[0-7])$/i.test(explicit[1]!)) return true;
      continue;
    }
    if (/[xvytufk]|Y/.test(c)) return true;
  }
  return false;
}

/** The clang flag that selects a CPU on this architecture (x86 `-march=`, AArch64 `-mcpu=`). */
export function clangCpuFlag(arch: TargetArch, cpu: string): string {
  return arch === "x86" ? `-march=${cpu}` : `-mcpu=${cpu}`;
}

/** Target intrinsics (`llvm.x86.*`, `llvm.aarch64.*`, …): each selects to instructions that may need a feature. */
export function isTargetIntrinsic(name: string): boolean {
  return /^llvm\.(x86|aarch64|arm|riscv|ppc|s390|loongarch|mips|hexagon|wasm|amdgcn|r600|nvvm|bpf|ve|spv|dx|xcore|sparc)\./.test(name);
}
