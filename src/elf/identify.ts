import { describeMachine } from "./constants.js";

/**
 * Says what a file that failed the ELF magic check looks like, so the user learns they passed
 * bitcode, an archive or a text file instead of an object, rather than just "bad magic".
 */
export function describeNonElf(bytes: Uint8Array): string {
  if (bytes.length === 0) return "the file is empty (0 bytes)";
  if (startsWith(bytes, [0x42, 0x43, 0xc0, 0xde])) return "this is LLVM bitcode ('BC' 0xC0DE), not an ELF object";
  if (startsWith(bytes, [0xde, 0xc0, 0x17, 0x0b])) return "this is LLVM bitcode in a bitcode wrapper (0x0B17C0DE), not an ELF object";
  if (startsWith(bytes, ascii("!<arch>\n"))) return "this is an ar archive (!<arch>), not a single ELF object; extract its members first";
  if (startsWith(bytes, ascii("!<thin>\n"))) return "this is a thin ar archive (!<thin>), not a single ELF object";
  if (startsWith(bytes, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(bytes, [0xce, 0xfa, 0xed, 0xfe])) return "this is a Mach-O object, not ELF";
  if (startsWith(bytes, ascii("MZ"))) return "this is a PE/COFF (Windows) file, not ELF";
  if (bytes.length < 4 && [0x7f, 0x45, 0x4c].slice(0, bytes.length).every((b, i) => bytes[i] === b)) return `the file is ${bytes.length} bytes long, too short to hold the ELF magic`;
  if (looksLikeText(bytes)) return `this looks like a text file (starts with ${JSON.stringify(firstLine(bytes))}), not an ELF object`;
  return `bad magic: the file starts with ${hex(bytes.subarray(0, 4))}, not 7f 45 4c 46 ('\\x7fELF')`;
}

/**
 * Names an ELF file's class, byte order and machine without trusting anything past e_machine.
 * `architecture` is set when class and byte order are valid: a real object for a machine or
 * layout this reader does not handle, as opposed to a corrupt header.
 */
export function describeUnsupportedElf(bytes: Uint8Array): { reason: string; architecture?: string } | undefined {
  const elfClass = bytes[4];
  const data = bytes[5];
  if (elfClass === 2 && data === 1) return undefined;
  const classText = elfClass === 1 ? "ELF32" : elfClass === 2 ? "ELF64" : `ELF with invalid class byte ${elfClass ?? "(missing)"}`;
  const orderText = data === 1 ? "little-endian" : data === 2 ? "big-endian" : `invalid byte-order byte ${data ?? "(missing)"}`;
  let machineText = "";
  let architecture: string | undefined;
  if (bytes.length >= 20 && (data === 1 || data === 2)) {
    const m = data === 1 ? bytes[18]! | (bytes[19]! << 8) : (bytes[18]! << 8) | bytes[19]!;
    machineText = ` (${describeMachine(m)})`;
    if (elfClass === 1 || elfClass === 2) {
      const short = shortMachineName(m, elfClass === 2, data === 1);
      architecture = `${short ? `${short} ` : ""}(${describeMachine(m)}, ${classText} ${orderText})`;
    }
  }
  const reason = `found ${classText} ${orderText}${machineText}; only ELF64 little-endian is supported`;
  return architecture === undefined ? { reason } : { reason, architecture };
}

/** The name toolchains use for a machine in this class and byte order (target triples' first word). */
function shortMachineName(machine: number, is64: boolean, littleEndian: boolean): string | undefined {
  switch (machine) {
    case 3: return "i386";
    case 8: return is64 ? (littleEndian ? "mips64el" : "mips64") : littleEndian ? "mipsel" : "mips";
    case 20: return "powerpc";
    case 21: return littleEndian ? "ppc64le" : "ppc64";
    case 22: return is64 ? "s390x" : "s390";
    case 40: return littleEndian ? "arm" : "armeb";
    case 43: return "sparc64";
    case 62: return is64 ? undefined : "x32";
    case 183: return is64 ? "aarch64_be" : "aarch64_32";
    case 243: return is64 ? "riscv64" : "riscv32";
    default: return undefined;
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 512);
  for (const b of sample) {
    const printable = b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) || b >= 0x80;
    if (!printable) return false;
  }
  return true;
}

function firstLine(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 60));
  const line = text.split(/\r?\n/)[0] ?? "";
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}
