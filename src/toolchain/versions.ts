/** Pure parsers for the version banners of rustc and LLVM tools. */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** The banner line the version came from, for messages. */
  text: string;
}

export interface RustcVersion {
  release: Version;
  host: string;
  /** rustc's own LLVM (`LLVM version:` in `rustc -vV`); absent for non-LLVM backends. */
  llvm?: Version;
  /** The whole `rustc -vV` output: its commit hash names one compiler build (cache keys). */
  text?: string;
}

function toVersion(match: RegExpMatchArray, text: string): Version {
  return { major: Number(match[1]), minor: Number(match[2] ?? 0), patch: Number(match[3] ?? 0), text };
}

/** `rustc -vV` prints `key: value` lines; `LLVM version` is missing with the cranelift/gcc backends. */
export function parseRustcVersion(output: string): RustcVersion | undefined {
  const fields = new Map<string, string>();
  for (const line of output.split("\n")) {
    const at = line.indexOf(": ");
    if (at > 0) fields.set(line.slice(0, at).trim(), line.slice(at + 2).trim());
  }
  const release = fields.get("release")?.match(/^(\d+)\.(\d+)\.(\d+)/);
  const host = fields.get("host");
  if (!release || !host) return undefined;
  const llvmText = fields.get("LLVM version");
  const llvm = llvmText?.match(/^(\d+)\.(\d+)(?:\.(\d+))?/);
  return {
    release: toVersion(release, `rustc ${fields.get("release")}`),
    host,
    llvm: llvm && llvmText ? toVersion(llvm, `LLVM ${llvmText}`) : undefined,
    text: output,
  };
}

/**
 * The LLVM version from `--version` of clang (`clang version 22.1.8`), LLVM tools
 * (`LLVM version 22.1.8`), ld.lld (`LLD 22.1.8`). Vendors prefix their name
 * (`Debian clang version`, `Ubuntu LLVM version`, `Homebrew clang version`), so match anywhere.
 */
export function parseLlvmToolVersion(output: string): Version | undefined {
  for (const line of output.split("\n")) {
    const match = line.match(/(?:clang version|LLVM version|LLD) (\d+)\.(\d+)(?:\.(\d+))?/);
    if (match) return toVersion(match, line.trim());
  }
  return undefined;
}

/** GNU tools (`gcc (Debian 12.2.0-14) 12.2.0`, `GNU ld (GNU Binutils for Debian) 2.40`). */
export function parseGnuToolVersion(output: string): Version | undefined {
  const first = output.split("\n")[0] ?? "";
  const match = first.match(/(\d+)\.(\d+)(?:\.(\d+))?\s*$/) ?? first.match(/(\d+)\.(\d+)(?:\.(\d+))?/);
  return match ? toVersion(match, first.trim()) : undefined;
}

/**
 * LLVM's bitcode reader names both sides when it cannot read a file, e.g.
 * `error: Unknown attribute kind (91) (Producer: 'LLVM22.1.8' Reader: 'LLVM 14.0.6')`.
 */
export function parseBitcodeProducerError(stderr: string): { producer: string; producerMajor?: number; reader: string } | undefined {
  const match = stderr.match(/\(Producer: '([^']*)' Reader: '([^']*)'\)/);
  if (!match) return undefined;
  const major = match[1]!.match(/(\d+)\./);
  return { producer: match[1]!, producerMajor: major ? Number(major[1]) : undefined, reader: match[2]! };
}
