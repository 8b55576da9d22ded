/**
 * sha256 in hex: what names local-lto's cache files, helper sets and launcher entries by their
 * content or key. node:crypto is required on first use, not imported: as an ES module import it
 * costs every Node start ~10 ms (20 M instructions), and a repeated build's or a compiled crate's
 * proof never hashes.
 */
import { createRequire } from "node:module";

let crypto: typeof import("node:crypto") | undefined;

export function sha256Hex(data: string | Uint8Array): string {
  crypto ??= createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return crypto.createHash("sha256").update(data).digest("hex");
}
