import { IrParseError } from "./errors.js";

/**
 * Hands out the lines of the text one at a time (LF or CRLF). Not `split("\n")`: an array of a
 * hundred thousand lines stays alive for the whole parse and the garbage collector copies it
 * around; a line that is read and dropped costs nothing.
 */
export class LineReader {
  /** Offset of the next line. */
  pos = 0;
  /** 1-based number of the line last returned. */
  line = 0;
  /** Offset in the text of the line last returned. */
  start = 0;

  constructor(readonly text: string) {}

  next(): string | null {
    const text = this.text;
    const pos = this.pos;
    if (pos > text.length) return null;
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    this.pos = end + 1;
    this.start = pos;
    this.line++;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    return text.slice(pos, end);
  }

  /** Moves past the next line without making a string of it (the caller read it in place). */
  skipTo(nextLineStart: number): void {
    this.start = this.pos;
    this.pos = nextLineStart;
    this.line++;
  }
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * Rejects input that is plainly not IR text before any parsing, with a message that says what it
 * is: bitcode and object files are the usual mistakes.
 */
export function rejectNonText(text: string): void {
  if (text.trim() === "") throw new IrParseError(1, "empty input: no LLVM IR text");
  const c0 = text.charCodeAt(0);
  const c1 = text.charCodeAt(1);
  const c2 = text.charCodeAt(2);
  const c3 = text.charCodeAt(3);
  const bad = (c: number, byte: number) => c === byte || c === 0xfffd;
  // 'BC' 0xC0DE, or the wrapper magic 0x0B17C0DE (little endian). Read as UTF-8 the high bytes
  // become U+FFFD; read as latin1 they stay.
  const rawBitcode = c0 === 0x42 && c1 === 0x43 && bad(c2, 0xc0) && bad(c3, 0xde);
  const wrappedBitcode = bad(c0, 0xde) && bad(c1, 0xc0) && c2 === 0x17 && c3 === 0x0b;
  if (rawBitcode || wrappedBitcode) {
    throw new IrParseError(
      1,
      "this is bitcode: disassemble it with llvm-dis first",
      "run `llvm-dis file.bc -o file.ll` and pass the .ll text",
    );
  }
  if (c0 === 0x7f && c1 === 0x45 && c2 === 0x4c && c3 === 0x46) {
    throw new IrParseError(1, "this is an ELF object file, not LLVM IR text");
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) throw new IrParseError(lineOf(text, nul), "binary data (a NUL byte) in LLVM IR text");
}
