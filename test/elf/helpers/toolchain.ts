import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Real compilers and LLVM tools for the ELF tests. Paths are pinned to LLVM 22 because
 * /usr/bin/llvm-objdump may be an older LLVM that does not know newer encodings.
 */
export const LLVM_BIN = "/usr/lib/llvm-22/bin";
export const CLANG = `${LLVM_BIN}/clang`;
export const LLVM_OBJDUMP = `${LLVM_BIN}/llvm-objdump`;
export const LLVM_READOBJ = `${LLVM_BIN}/llvm-readobj`;
export const LLVM_MC = `${LLVM_BIN}/llvm-mc`;
export const GCC = "gcc";
export const RUSTC = "rustc";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export function run(file: string, args: readonly string[], cwd?: string): string {
  return execFileSync(file, [...args], { cwd, encoding: "utf8", maxBuffer: 512 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/** A temp directory for one test file; call cleanup() in afterAll. */
export class Workdir {
  readonly path = mkdtempSync(join(tmpdir(), "local-lto-elf-"));

  file(name: string): string {
    return join(this.path, name);
  }

  write(name: string, text: string): string {
    const path = this.file(name);
    writeFileSync(path, text);
    return path;
  }

  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.file(name)));
  }

  /** Compiles C (or assembles .s) with `compiler` into `out` (a name in this directory) and returns its path. */
  compile(compiler: string, source: string, out: string, flags: readonly string[]): string {
    const path = this.file(out);
    run(compiler, [...flags, "-c", source, "-o", path]);
    return path;
  }

  rustc(source: string, out: string, flags: readonly string[]): string {
    const path = this.file(out);
    run(RUSTC, ["--crate-type", "lib", "--emit=obj", ...flags, source, "-o", path]);
    return path;
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface ObjdumpInstruction {
  address: number;
  /** The mnemonic with prefixes (lock, rep, notrack, bnd, data16, …) removed. */
  mnemonic: string;
  text: string;
  /** With `-r`: the relocations printed under this instruction (field offset, type, `symbol+addend`). */
  relocations: Array<{ offset: number; type: string; target: string }>;
  /** The symbol whose `<name>:` header the instruction follows. */
  symbol: string;
}

const prefixWords = new Set([
  "lock", "rep", "repe", "repz", "repne", "repnz", "notrack", "bnd", "data16", "data32", "addr32",
  "cs", "ds", "es", "fs", "gs", "ss", "rex", "rex64", "rex.w", "xacquire", "xrelease", "{vex}", "{vex3}", "{evex}",
]);

/**
 * Parses `llvm-objdump -d -z --no-show-raw-insn` into instructions per section name. LLVM prints
 * some prefixes (notably `lock`) on a line of their own although the CPU decodes prefix and
 * instruction as one; such a line is merged into the instruction that follows it.
 */
export function parseObjdump(text: string): Map<string, ObjdumpInstruction[]> {
  const bySection = new Map<string, ObjdumpInstruction[]>();
  let current: ObjdumpInstruction[] | undefined;
  let pendingPrefix: { address: number; text: string } | undefined;
  let symbol = "";
  for (const line of text.split("\n")) {
    const header = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (header) {
      symbol = header[1]!;
      continue;
    }
    const section = /^Disassembly of section (.+):$/.exec(line);
    if (section) {
      pendingPrefix = undefined;
      symbol = "";
      current = [];
      bySection.set(section[1]!, current);
      continue;
    }
    const reloc = /^\s+([0-9a-f]+):\s+(R_\w+)\s+(.*)$/.exec(line);
    if (reloc && current && current.length > 0) {
      current[current.length - 1]!.relocations.push({ offset: parseInt(reloc[1]!, 16), type: reloc[2]!, target: reloc[3]!.trim() });
      continue;
    }
    const insn = /^\s*([0-9a-f]+):\s*\t(.*)$/.exec(line);
    if (!insn || !current) continue;
    let address = parseInt(insn[1]!, 16);
    let body = insn[2]!.trim();
    if (pendingPrefix) {
      body = `${pendingPrefix.text} ${body}`;
      address = pendingPrefix.address;
      pendingPrefix = undefined;
    }
    const words = body.split(/\s+/);
    if (words.length === 1 && prefixWords.has(words[0]!.toLowerCase())) {
      pendingPrefix = { address, text: body };
      continue;
    }
    let i = 0;
    while (i < words.length - 1 && prefixWords.has(words[i]!.toLowerCase())) i++;
    current.push({ address, mnemonic: (words[i] ?? "").toLowerCase(), text: body, relocations: [], symbol });
  }
  return bySection;
}

export function objdump(path: string, extra: readonly string[] = []): Map<string, ObjdumpInstruction[]> {
  return parseObjdump(run(LLVM_OBJDUMP, ["-d", "-z", "--no-show-raw-insn", ...extra, path]));
}

/** `llvm-readobj --elf-output-style=JSON`, with 64-bit integers kept exact (JSON.parse would round them). */
export function readobjJson(path: string, what: readonly string[] = ["--sections", "--symbols", "--dyn-symbols", "--relocations"]): ReadobjFile {
  const text = run(LLVM_READOBJ, ["--elf-output-style=JSON", ...what, path]);
  const exact = text.replace(/:\s*(\d{16,})/g, ':"$1"');
  return (JSON.parse(exact) as ReadobjFile[])[0]!;
}

/** Turns a readobj number (or an exact big-number string) into a signed 64-bit value as a JS number. */
export function signed64(value: number | string): number {
  return Number(BigInt.asIntN(64, BigInt(value)));
}

export interface Named {
  Name: string;
  Value: number;
}

export interface ReadobjSection {
  Section: {
    Index: number;
    Name: Named;
    Type: Named;
    Flags: { Value: number | string };
    Address: number | string;
    Offset: number;
    Size: number;
    Link: number;
    Info: number;
    EntrySize: number;
  };
}

export interface ReadobjSymbol {
  Symbol: { Name: Named; Value: number | string; Size: number; Binding: Named; Type: Named; Other: { Value: number }; Section: Named };
}

export interface ReadobjFile {
  FileSummary: { Format: string; Arch: string };
  Sections: ReadobjSection[];
  Symbols?: ReadobjSymbol[];
  DynamicSymbols?: ReadobjSymbol[];
  Relocations?: Array<{
    SectionIndex: number;
    Relocs: Array<{ Relocation: { Offset: number | string; Type: Named; Symbol: Named; Addend?: number | string } }>;
  }>;
}
