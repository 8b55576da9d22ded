import { EM_AARCH64, EM_RISCV, EM_X86_64 } from "./constants.js";

/**
 * Relocation type names as llvm-readelf prints them. Arrays are indexed by type number; holes are
 * numbers the psABI leaves unassigned (or that LLVM does not name), which print as R_<machine>_<n>.
 */

const x86_64 = [
  "NONE", "64", "PC32", "GOT32", "PLT32", "COPY", "GLOB_DAT", "JUMP_SLOT", "RELATIVE", "GOTPCREL",
  "32", "32S", "16", "PC16", "8", "PC8", "DTPMOD64", "DTPOFF64", "TPOFF64", "TLSGD",
  "TLSLD", "DTPOFF32", "GOTTPOFF", "TPOFF32", "PC64", "GOTOFF64", "GOTPC32", "GOT64", "GOTPCREL64", "GOTPC64",
  "GOTPLT64", "PLTOFF64", "SIZE32", "SIZE64", "GOTPC32_TLSDESC", "TLSDESC_CALL", "TLSDESC", "IRELATIVE", "RELATIVE64", undefined,
  undefined, "GOTPCRELX", "REX_GOTPCRELX", "CODE_4_GOTPCRELX", "CODE_4_GOTTPOFF", "CODE_4_GOTPC32_TLSDESC", "CODE_5_GOTPCRELX", "CODE_5_GOTTPOFF", "CODE_5_GOTPC32_TLSDESC", "CODE_6_GOTPCRELX",
  "CODE_6_GOTTPOFF", "CODE_6_GOTPC32_TLSDESC",
];

const riscv = [
  "NONE", "32", "64", "RELATIVE", "COPY", "JUMP_SLOT", "TLS_DTPMOD32", "TLS_DTPMOD64", "TLS_DTPREL32", "TLS_DTPREL64",
  "TLS_TPREL32", "TLS_TPREL64", "TLSDESC", undefined, undefined, undefined, "BRANCH", "JAL", "CALL", "CALL_PLT",
  "GOT_HI20", "TLS_GOT_HI20", "TLS_GD_HI20", "PCREL_HI20", "PCREL_LO12_I", "PCREL_LO12_S", "HI20", "LO12_I", "LO12_S", "TPREL_HI20",
  "TPREL_LO12_I", "TPREL_LO12_S", "TPREL_ADD", "ADD8", "ADD16", "ADD32", "ADD64", "SUB8", "SUB16", "SUB32",
  "SUB64", "GOT32_PCREL", undefined, "ALIGN", "RVC_BRANCH", "RVC_JUMP", undefined, undefined, undefined, undefined,
  undefined, "RELAX", "SUB6", "SET6", "SET8", "SET16", "SET32", "32_PCREL", "IRELATIVE", "PLT32",
  "SET_ULEB128", "SUB_ULEB128", "TLSDESC_HI20", "TLSDESC_LOAD_LO12", "TLSDESC_ADD_LO12", "TLSDESC_CALL",
];

/** AArch64 numbers are sparse (257.., 512.., 1024..), so a map rather than an array. */
const aarch64 = new Map<number, string>();
function aarch64Run(first: number, names: string): void {
  names.split(" ").forEach((name, i) => {
    if (name !== "-") aarch64.set(first + i, name);
  });
}
aarch64Run(0, "NONE");
aarch64Run(
  257,
  "ABS64 ABS32 ABS16 PREL64 PREL32 PREL16 MOVW_UABS_G0 MOVW_UABS_G0_NC MOVW_UABS_G1 MOVW_UABS_G1_NC " +
    "MOVW_UABS_G2 MOVW_UABS_G2_NC MOVW_UABS_G3 MOVW_SABS_G0 MOVW_SABS_G1 MOVW_SABS_G2 LD_PREL_LO19 ADR_PREL_LO21 " +
    "ADR_PREL_PG_HI21 ADR_PREL_PG_HI21_NC ADD_ABS_LO12_NC LDST8_ABS_LO12_NC TSTBR14 CONDBR19 - JUMP26 CALL26 " +
    "LDST16_ABS_LO12_NC LDST32_ABS_LO12_NC LDST64_ABS_LO12_NC MOVW_PREL_G0 MOVW_PREL_G0_NC MOVW_PREL_G1 " +
    "MOVW_PREL_G1_NC MOVW_PREL_G2 MOVW_PREL_G2_NC MOVW_PREL_G3 - - - - - LDST128_ABS_LO12_NC MOVW_GOTOFF_G0 " +
    "MOVW_GOTOFF_G0_NC MOVW_GOTOFF_G1 MOVW_GOTOFF_G1_NC MOVW_GOTOFF_G2 MOVW_GOTOFF_G2_NC MOVW_GOTOFF_G3 GOTREL64 " +
    "GOTREL32 GOT_LD_PREL19 LD64_GOTOFF_LO15 ADR_GOT_PAGE LD64_GOT_LO12_NC LD64_GOTPAGE_LO15 PLT32 GOTPCREL32",
);
aarch64Run(
  512,
  "TLSGD_ADR_PREL21 TLSGD_ADR_PAGE21 TLSGD_ADD_LO12_NC TLSGD_MOVW_G1 TLSGD_MOVW_G0_NC TLSLD_ADR_PREL21 " +
    "TLSLD_ADR_PAGE21 TLSLD_ADD_LO12_NC TLSLD_MOVW_G1 TLSLD_MOVW_G0_NC TLSLD_LD_PREL19 TLSLD_MOVW_DTPREL_G2 " +
    "TLSLD_MOVW_DTPREL_G1 TLSLD_MOVW_DTPREL_G1_NC TLSLD_MOVW_DTPREL_G0 TLSLD_MOVW_DTPREL_G0_NC " +
    "TLSLD_ADD_DTPREL_HI12 TLSLD_ADD_DTPREL_LO12 TLSLD_ADD_DTPREL_LO12_NC TLSLD_LDST8_DTPREL_LO12 " +
    "TLSLD_LDST8_DTPREL_LO12_NC TLSLD_LDST16_DTPREL_LO12 TLSLD_LDST16_DTPREL_LO12_NC TLSLD_LDST32_DTPREL_LO12 " +
    "TLSLD_LDST32_DTPREL_LO12_NC TLSLD_LDST64_DTPREL_LO12 TLSLD_LDST64_DTPREL_LO12_NC TLSIE_MOVW_GOTTPREL_G1 " +
    "TLSIE_MOVW_GOTTPREL_G0_NC TLSIE_ADR_GOTTPREL_PAGE21 TLSIE_LD64_GOTTPREL_LO12_NC TLSIE_LD_GOTTPREL_PREL19 " +
    "TLSLE_MOVW_TPREL_G2 TLSLE_MOVW_TPREL_G1 TLSLE_MOVW_TPREL_G1_NC TLSLE_MOVW_TPREL_G0 TLSLE_MOVW_TPREL_G0_NC " +
    "TLSLE_ADD_TPREL_HI12 TLSLE_ADD_TPREL_LO12 TLSLE_ADD_TPREL_LO12_NC TLSLE_LDST8_TPREL_LO12 " +
    "TLSLE_LDST8_TPREL_LO12_NC TLSLE_LDST16_TPREL_LO12 TLSLE_LDST16_TPREL_LO12_NC TLSLE_LDST32_TPREL_LO12 " +
    "TLSLE_LDST32_TPREL_LO12_NC TLSLE_LDST64_TPREL_LO12 TLSLE_LDST64_TPREL_LO12_NC TLSDESC_LD_PREL19 " +
    "TLSDESC_ADR_PREL21 TLSDESC_ADR_PAGE21 TLSDESC_LD64_LO12 TLSDESC_ADD_LO12 TLSDESC_OFF_G1 TLSDESC_OFF_G0_NC " +
    "TLSDESC_LDR TLSDESC_ADD TLSDESC_CALL TLSLE_LDST128_TPREL_LO12 TLSLE_LDST128_TPREL_LO12_NC " +
    "TLSLD_LDST128_DTPREL_LO12 TLSLD_LDST128_DTPREL_LO12_NC",
);
aarch64Run(1024, "COPY GLOB_DAT JUMP_SLOT RELATIVE TLS_DTPMOD64 TLS_DTPREL64 TLS_TPREL64 TLSDESC IRELATIVE");

export function relocationTypeName(machine: number, type: number): string {
  let name: string | undefined;
  let prefix: string;
  switch (machine) {
    case EM_X86_64:
      prefix = "R_X86_64_";
      name = x86_64[type];
      break;
    case EM_AARCH64:
      prefix = "R_AARCH64_";
      name = aarch64.get(type);
      break;
    case EM_RISCV:
      prefix = "R_RISCV_";
      name = riscv[type];
      break;
    default:
      return `R_${machine}_${type}`;
  }
  return name === undefined ? `${prefix}${type}` : prefix + name;
}

/** x86-64 types whose field is `S + A - P` over 32 bits: the only ones a rel32 branch can carry. */
export const R_X86_64_PC32 = 2;
export const R_X86_64_PLT32 = 4;
export const R_X86_64_GOTPCREL = 9;
export const R_X86_64_GOTPCRELX = 41;
export const R_X86_64_REX_GOTPCRELX = 42;
export const R_X86_64_CODE_4_GOTPCRELX = 43;
export const R_X86_64_PC8 = 15;

export const R_AARCH64_JUMP26 = 282;
export const R_AARCH64_CALL26 = 283;
export const R_AARCH64_CONDBR19 = 280;
export const R_AARCH64_TSTBR14 = 279;

/**
 * What a relocation's value says about the address it refers to, for the proof that a function's
 * address is not used (callsToFunctions.ts collectOtherReferences):
 * - address: the field is computed from S + A (absolute, GOT-relative offsets such as GOTOFF64, and
 *   any PC-relative type in data, where S + A - P still points at S + A);
 * - pc-field: an x86-64 displacement inside an instruction: S + A - P, which the CPU adds to the
 *   instruction's end, so the address is S + A + (end - field), the `-4` of `.text+0x30-4`;
 * - got-slot: x86-64 GOT types name the slot of S and add A to the slot or the PC, so S is the address;
 * - none: not an address (R_*_NONE, the SIZE types);
 * - unknown: a type this table does not describe, or one whose addend is relative to an unknown
 *   label (x86-64 PC64/GOTPC* in code): it could reach anything in S's section.
 */
export type RelocationTarget = "address" | "pc-field" | "got-slot" | "none" | "unknown";

const x86TargetKinds = new Map<number, RelocationTarget | "pc">([
  [0, "none"], [32, "none"], [33, "none"], // NONE, SIZE32, SIZE64
  [1, "address"], [10, "address"], [11, "address"], [12, "address"], [14, "address"], // 64, 32, 32S, 16, 8
  [25, "address"], [31, "address"], // GOTOFF64 (S + A - GOT), PLTOFF64 (L + A - GOT, L = S or its PLT entry)
  [2, "pc"], [4, "pc"], [13, "pc"], [15, "pc"], // PC32, PLT32, PC16, PC8
  [3, "got-slot"], [9, "got-slot"], [27, "got-slot"], [28, "got-slot"], [30, "got-slot"], // GOT32, GOTPCREL, GOT64, GOTPCREL64, GOTPLT64
  [41, "got-slot"], [42, "got-slot"], [43, "got-slot"], [46, "got-slot"], [49, "got-slot"], // GOTPCRELX and its REX/CODE_n forms
  // TLS types: S is a thread-local variable, never code; S + A is as good an address as any.
  ...[16, 17, 18, 19, 20, 21, 22, 23, 34, 35, 36, 44, 45, 47, 48, 50, 51].map((t) => [t, "address"] as [number, RelocationTarget]),
]);

/** What relocation `type` of `machine` refers to, in code (`inCode`) or in data. */
export function relocationTarget(machine: number, type: number, inCode: boolean): RelocationTarget {
  if (machine === EM_X86_64) {
    // PC64 in data is `.quad f - .`; in code it is a movabs immediate relative to a label (large code model).
    if (type === 24) return inCode ? "unknown" : "address";
    const kind = x86TargetKinds.get(type);
    if (kind === "pc") return inCode ? "pc-field" : "address";
    return kind ?? "unknown";
  }
  if (machine === EM_AARCH64) {
    // Every AArch64 relocation, GOT ones included (GDAT(S + A)), is computed from S + A.
    if (type === 0) return "none";
    return aarch64.has(type) ? "address" : "unknown";
  }
  return "unknown";
}
