/** `+cx8,-avx,+sse2` → cx8 → '+', avx → '-', sse2 → '+'. A later entry wins, as in LLVM. */
export function parseTargetFeatures(s: string): Map<string, "+" | "-"> {
  const out = new Map<string, "+" | "-">();
  for (const raw of s.split(",")) {
    const f = raw.trim();
    if (f === "") continue;
    const sign = f[0];
    if (sign === "+" || sign === "-") out.set(f.slice(1), sign);
    else out.set(f, "+");
  }
  return out;
}

export interface TargetTriple {
  arch: string;
  vendor: string;
  os: string;
  /** Environment/ABI (`gnu`, `musl`, `msvc`); "" when absent. */
  env: string;
}

const KNOWN_OS = /^(linux|windows|darwin|macosx|ios|freebsd|netbsd|openbsd|none|wasi|emscripten|android|fuchsia|unknown|uefi|cuda|amdhsa)/;

/**
 * Splits a target triple. Three-part triples without a vendor (`x86_64-linux-gnu`, as Debian
 * spells them) get vendor "unknown", as LLVM's normalization does.
 */
export function parseTriple(triple: string): TargetTriple {
  const parts = triple.trim().split("-");
  const arch = parts[0] ?? "";
  if (parts.length === 3 && KNOWN_OS.test(parts[1]!) && !KNOWN_OS.test(parts[2]!)) {
    return { arch, vendor: "unknown", os: parts[1]!, env: parts[2]! };
  }
  return { arch, vendor: parts[1] ?? "", os: parts[2] ?? "", env: parts.slice(3).join("-") };
}
