import { open } from "node:fs/promises";
import { extname } from "node:path";
import { LocalLtoError } from "../../diagnostics/errors.js";

export type InputKind = "rust-source" | "c-source" | "bitcode";

/** Raw bitcode starts with 'BC' 0xC0DE; Apple's wrapper with 0x0B17C0DE (little-endian). */
export function isBitcode(head: Uint8Array): boolean {
  const raw = head[0] === 0x42 && head[1] === 0x43 && head[2] === 0xc0 && head[3] === 0xde;
  const wrapped = head[0] === 0xde && head[1] === 0xc0 && head[2] === 0x17 && head[3] === 0x0b;
  return raw || wrapped;
}

function describeForeign(head: Uint8Array): string | undefined {
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return "an ELF object, not bitcode or source";
  if (new TextDecoder().decode(head.subarray(0, 7)) === "!<arch>") return "an archive (.a), not bitcode or source";
  if (head.includes(0)) return "a binary file that is neither LLVM bitcode nor source";
  return undefined;
}

/**
 * Decides how to treat an input from its first bytes and its name (pure). Bitcode is recognised
 * by content whatever its name; text by extension, because `.rs` and `.c` need different compilers.
 */
export function classifyInputHead(path: string, head: Uint8Array, role: "rust" | "helpers"): InputKind {
  if (head.length === 0) {
    throw new LocalLtoError({
      code: "LLTO_INPUT_EMPTY",
      message: `${path} is empty`,
      fix: role === "rust" ? "pass a Rust source file or rustc bitcode (rustc --emit=llvm-bc)" : "pass a C file or clang bitcode (clang -c -emit-llvm)",
      file: path,
    });
  }
  if (isBitcode(head)) return "bitcode";
  const ext = extname(path);
  if (ext === ".bc") {
    throw new LocalLtoError({
      code: "LLTO_INPUT_CORRUPT",
      message: `${path} is named .bc but is not LLVM bitcode (no bitcode magic)`,
      fix: "rebuild it (rustc --emit=llvm-bc, or clang -c -emit-llvm)",
      file: path,
    });
  }
  const foreign = describeForeign(head);
  if (foreign) {
    throw new LocalLtoError({ code: "LLTO_INPUT_FOREIGN", message: `${path} is ${foreign}`, fix: "pass the source file or the bitcode it was built from", file: path });
  }
  if (role === "rust" && ext === ".rs") return "rust-source";
  if (role === "helpers" && (ext === ".c" || ext === ".i")) return "c-source";
  throw new LocalLtoError({
    code: "LLTO_INPUT_KIND",
    message: `${path}: cannot tell how to build a ${role === "rust" ? "Rust" : "helper"} input from the name "${ext || "(no extension)"}"`,
    fix: role === "rust" ? "name Rust sources *.rs, or pass rustc bitcode" : "name C helper sources *.c, or pass clang bitcode",
    file: path,
  });
}

/** Reads the first bytes of an input; unreadable paths become one clear error. */
export async function classifyInput(path: string, role: "rust" | "helpers"): Promise<InputKind> {
  let head: Uint8Array;
  try {
    const handle = await open(path, "r");
    try {
      const buffer = new Uint8Array(16);
      const { bytesRead } = await handle.read(buffer, 0, 16, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadableInput(path, error);
  }
  return classifyInputHead(path, head, role);
}

export function unreadableInput(path: string, error: unknown): LocalLtoError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable (permission denied)" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? String(error)})`;
  return new LocalLtoError({
    code: "LLTO_INPUT_UNREADABLE",
    message: `${path} ${reason}`,
    fix: code === "EACCES" ? `make it readable (chmod +r ${path})` : "check the path",
    file: path,
  });
}
