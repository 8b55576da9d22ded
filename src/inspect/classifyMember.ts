import { ElfFormatError, readElf, type ElfFile } from "../elf/index.js";

export interface ClassifiedMember {
  kind: "elf" | "skipped" | "unreadable";
  elf?: ElfFile;
  note?: string;
  /** Set for an ELF member of a machine or layout without a call decoder. */
  architecture?: string;
}

/**
 * What an archive member is, for the proof (pure). ELF objects are read; members that hold no code
 * are skipped (rustc's `lib.rmeta`, which on ELF targets is itself an ELF file with only a .rmeta
 * section and is read like any other; text; empty members); code the proof cannot read (LLVM
 * bitcode from -Clinker-plugin-lto, Mach-O, an ELF file it rejects) keeps every helper unproven.
 */
export function classifyMember(name: string, data: Uint8Array): ClassifiedMember {
  if (data.length === 0) return { kind: "skipped", note: "empty member" };
  if (startsWith(data, [0x7f, 0x45, 0x4c, 0x46])) {
    try {
      return { kind: "elf", elf: readElf(data) };
    } catch (error) {
      if (!(error instanceof ElfFormatError)) throw error;
      if (error.architecture) return { kind: "unreadable", note: error.reason, architecture: error.architecture };
      return { kind: "unreadable", note: `an ELF file local-lto cannot read (${error.reason}): calls in it cannot be counted` };
    }
  }
  if (startsWith(data, [0x42, 0x43, 0xc0, 0xde]) || startsWith(data, [0xde, 0xc0, 0x17, 0x0b])) {
    return { kind: "unreadable", note: "LLVM bitcode (linker-plugin LTO or -Cembed-bitcode object), not machine code: calls in it cannot be counted" };
  }
  if (name.endsWith(".rmeta") || startsWith(data, [0x72, 0x75, 0x73, 0x74, 0x00])) return { kind: "skipped", note: "Rust metadata, no code" };
  if (looksLikeText(data)) return { kind: "skipped", note: "text, no code" };
  return { kind: "unreadable", note: "neither an ELF object nor text: calls in it cannot be counted" };
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function looksLikeText(bytes: Uint8Array): boolean {
  for (const b of bytes.subarray(0, 4096)) if (b < 0x20 && b !== 9 && b !== 10 && b !== 13) return false;
  return true;
}
