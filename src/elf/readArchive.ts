/**
 * Reads `ar` archives (static libraries, rustc's rlibs): the member names and bytes, nothing else.
 * Pure, like readElf: bytes in, members out, ArchiveFormatError for anything it cannot trust.
 *
 * Formats (as GNU ar, llvm-ar and rustc's ar_archive_writer write them):
 * - every member has a 60-byte header: name[16] date[12] uid[6] gid[6] mode[8] size[10] "`\n",
 *   and its data is padded to an even offset with "\n";
 * - GNU/SysV: names end with "/"; "/" is the symbol table, "/SYM64/" its 64-bit form; "//" holds
 *   names longer than 15 bytes, each ending "/\n", which members name as "/<offset>";
 * - BSD: "#1/<n>" means the name is the first n bytes of the data (NUL-padded); "__.SYMDEF" (and
 *   "__.SYMDEF SORTED", "__.SYMDEF_64") is the symbol table.
 * Thin archives ("!<thin>\n") only point at files elsewhere and are refused.
 */

export const ARCHIVE_MAGIC = "!<arch>\n";
const THIN_MAGIC = "!<thin>\n";
const HEADER_SIZE = 60;

export class ArchiveFormatError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`not a readable ar archive: ${reason}`);
    this.name = "ArchiveFormatError";
    this.reason = reason;
  }
}

export interface ArchiveMember {
  /** The member's name as `ar t` prints it. */
  name: string;
  /** Where the member's data starts in the archive (after a BSD name). */
  offset: number;
  /** The member's bytes (a view into the archive). */
  data: Uint8Array;
}

export interface Archive {
  /** gnu: "/"-terminated and "//" long names; bsd: "#1/" names; either when no member tells. */
  format: "gnu" | "bsd";
  /** Every member except the symbol table and the long-name table, in archive order. */
  members: ArchiveMember[];
  /** Whether the archive carries a symbol index ("/", "/SYM64/", "__.SYMDEF…"). */
  hasSymbolTable: boolean;
}

export function isArchive(bytes: Uint8Array): boolean {
  return startsWithText(bytes, ARCHIVE_MAGIC) || startsWithText(bytes, THIN_MAGIC);
}

export function readArchive(bytes: Uint8Array): Archive {
  if (startsWithText(bytes, THIN_MAGIC)) {
    throw new ArchiveFormatError("this is a thin archive (!<thin>): its members are files stored elsewhere; pass those objects, or make a normal archive (ar rc without T)");
  }
  if (!startsWithText(bytes, ARCHIVE_MAGIC)) throw new ArchiveFormatError(`the file does not start with ${JSON.stringify(ARCHIVE_MAGIC)}`);
  const members: ArchiveMember[] = [];
  let format: Archive["format"] | undefined;
  let hasSymbolTable = false;
  let longNames: Uint8Array | undefined;
  let pos = ARCHIVE_MAGIC.length;
  let index = 0;
  while (pos < bytes.length) {
    // Some writers end an odd-sized last member with its pad byte and nothing else.
    if (bytes.length - pos === 1 && bytes[pos] === 0x0a) break;
    if (pos + HEADER_SIZE > bytes.length) throw new ArchiveFormatError(`member ${index} header at offset ${pos} runs past the end of the file (${bytes.length} bytes): truncated`);
    if (bytes[pos + 58] !== 0x60 || bytes[pos + 59] !== 0x0a) throw new ArchiveFormatError(`member ${index} header at offset ${pos} does not end with "\`\\n": corrupt`);
    const rawName = text(bytes, pos, 16);
    const size = decimal(text(bytes, pos + 48, 10), () => `the size of member ${index} (offset ${pos})`);
    const start = pos + HEADER_SIZE;
    if (start + size > bytes.length) throw new ArchiveFormatError(`member ${index} (${rawName.trim()}) at offset ${pos} is ${size} bytes, past the end of the file: truncated`);
    const data = bytes.subarray(start, start + size);
    const name = rawName.trimEnd();

    if (name === "/" || name === "/SYM64/") {
      hasSymbolTable = true;
      format = "gnu";
    } else if (name === "//") {
      longNames = data;
      format = "gnu";
    } else if (/^\/\d+$/.test(name)) {
      if (!longNames) throw new ArchiveFormatError(`member ${index} is named ${name} but the archive has no long-name table ("//") before it`);
      members.push({ name: longName(longNames, Number(name.slice(1)), index), offset: start, data });
      format = "gnu";
    } else if (/^#1\/\d+$/.test(name)) {
      const length = Number(name.slice(3));
      if (length > size) throw new ArchiveFormatError(`member ${index} has a ${length}-byte BSD name but only ${size} bytes of data`);
      const bsdName = new TextDecoder().decode(data.subarray(0, length)).replace(/\0+$/, "");
      format ??= "bsd";
      if (bsdName.startsWith("__.SYMDEF")) hasSymbolTable = true;
      else members.push({ name: bsdName, offset: start + length, data: data.subarray(length) });
    } else if (name.startsWith("__.SYMDEF")) {
      hasSymbolTable = true;
      format ??= "bsd";
    } else {
      if (name.startsWith("/")) throw new ArchiveFormatError(`member ${index} has the reserved name ${JSON.stringify(name)}`);
      members.push({ name: name.endsWith("/") ? name.slice(0, -1) : name, offset: start, data });
    }
    pos = start + size + (size % 2);
    index++;
  }
  return { format: format ?? "gnu", members, hasSymbolTable };
}

/** A GNU long name: from `offset` in the "//" table up to "/\n" (or "\n", as some writers end them). */
function longName(table: Uint8Array, offset: number, index: number): string {
  if (offset >= table.length) throw new ArchiveFormatError(`member ${index} names offset ${offset} of the long-name table, which is only ${table.length} bytes`);
  let end = offset;
  while (end < table.length && table[end] !== 0x0a && table[end] !== 0) end++;
  let name = new TextDecoder().decode(table.subarray(offset, end));
  if (name.endsWith("/")) name = name.slice(0, -1);
  if (name === "") throw new ArchiveFormatError(`member ${index} has an empty name in the long-name table`);
  return name;
}

function decimal(field: string, what: () => string): number {
  const trimmed = field.trim();
  if (!/^\d+$/.test(trimmed)) throw new ArchiveFormatError(`${what()} is ${JSON.stringify(field)}, not a decimal number`);
  return Number(trimmed);
}

function text(bytes: Uint8Array, at: number, length: number): string {
  let out = "";
  for (let i = at; i < at + length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

function startsWithText(bytes: Uint8Array, prefix: string): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}
