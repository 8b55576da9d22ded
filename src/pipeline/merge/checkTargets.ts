import { LocalLtoError } from "../../diagnostics/errors.js";
import { parseTriple } from "../../ir/index.js";

export interface ModuleTarget {
  /** The user's input the module came from. */
  source: string;
  triple?: string;
  dataLayout?: string;
}

export type TargetVerdict = { kind: "same" } | { kind: "vendor-only" } | { kind: "compatible"; note: string };

/**
 * Whether two modules may be linked into one object (pure). The vendor field never changes
 * code generation (`unknown` vs `pc` is rustc vs clang spelling), so it passes silently.
 * Another architecture or data layout would miscompile: refused. OS/environment differences
 * are how kernels build (Rust `*-unknown-none` with C `*-linux-gnu`): allowed, reported once.
 */
export function checkTargetsMatch(rust: ModuleTarget, helpers: ModuleTarget): TargetVerdict {
  if (rust.dataLayout !== undefined && helpers.dataLayout !== undefined && rust.dataLayout !== helpers.dataLayout) {
    throw new LocalLtoError({
      code: "LLTO_TARGET_MISMATCH",
      message: `${helpers.source} has data layout "${helpers.dataLayout}" but the Rust module has "${rust.dataLayout}" (${helpers.triple ?? "?"} vs ${rust.triple ?? "?"})`,
      fix: `build the helpers for the Rust target: clang --target=${rust.triple ?? "<rust triple>"} with the same ABI flags (-m32/-mabi…)`,
      file: helpers.source,
    });
  }
  if (!rust.triple || !helpers.triple || rust.triple === helpers.triple) return { kind: "same" };
  const a = parseTriple(rust.triple);
  const b = parseTriple(helpers.triple);
  if (a.arch !== b.arch) {
    throw new LocalLtoError({
      code: "LLTO_TARGET_MISMATCH",
      message: `${helpers.source} is built for ${helpers.triple} but the Rust module for ${rust.triple}: different architectures (${b.arch} vs ${a.arch})`,
      fix: `build the helpers with clang --target=${rust.triple} (local-lto does this itself for .c helpers)`,
      file: helpers.source,
    });
  }
  if (a.os === b.os && a.env === b.env) return { kind: "vendor-only" };
  return { kind: "compatible", note: `helpers target ${helpers.triple}, Rust targets ${rust.triple}: same architecture and data layout, different OS/environment` };
}
