/**
 * What RUSTC_BOOTSTRAP does to a stable rustc's symbol mangling, and what undoes it (pure rules,
 * apart so that resolving a build, a repeat's too, loads none of the plugin adapter).
 */
import type { RustcPlugin } from "./rustcPlugin.js";

/**
 * Arguments that keep a stable rustc under RUSTC_BOOTSTRAP=1 producing what it produces without,
 * added when local-lto turns the bootstrap on (`needsBootstrap`) and the compile's own environment
 * does not already bootstrap this crate (`userBootstrap`, the value of RUSTC_BOOTSTRAP rustc would
 * run with without local-lto: userBootstraps). Pure.
 * - The mangling: rustc takes RUSTC_BOOTSTRAP for a nightly, and nightly rustc mangles symbols with
 *   v0 by default where stable 1.95 uses the legacy scheme (every mangled name, and so the object,
 *   changes). The plugin's load check reads which scheme this rustc uses on its own
 *   (`manglingPin`, set only when RUSTC_BOOTSTRAP changes it), and the pin restores it: `legacy`
 *   is an unstable value, hence -Zunstable-options; `v0` is stable. A mangling the user chose is
 *   left alone.
 * - The feature gates: a nightly accepts `#![feature(…)]`, which stable rejects. A crate that
 *   compiled only under local-lto would break without it, and a build script's probe compiled
 *   through the wrapper (`$RUSTC_WORKSPACE_WRAPPER $RUSTC probe.rs`) would find nightly features
 *   and change the crate's code. `-Zallow-features=` (an empty list) rejects every feature gate, as
 *   stable does (with E0725 where stable says E0554); a list the user gave is left alone.
 * Cost (callgrind): -Zunstable-options also makes rustc register its internal lints, so its lint
 * passes run through dynamic dispatch: +0.6% of rustc's instructions on regex-syntax, +1.8% on
 * libm 0.2.1 (3,158.6 M against 3,103.1 M, -Ccodegen-units=1; RUSTC_BOOTSTRAP alone +0.0%), even
 * with `-A rustc::internal`; the objects are identical.
 */
export function bootstrapNeutralArgs(plugin: Pick<RustcPlugin, "manglingPin" | "needsBootstrap">, rustcArgs: readonly string[], userBootstrap?: string): string[] {
  if (!plugin.needsBootstrap || userBootstraps(userBootstrap, rustcArgs)) return [];
  return [...manglingPinArgs(plugin.manglingPin, rustcArgs), ...(choosesFeatures(rustcArgs) ? [] : [STABLE_FEATURE_GATES])];
}

/** Every `#![feature]` rejected, as on stable (bootstrapNeutralArgs; the launcher adds the same). */
export const STABLE_FEATURE_GATES = "-Zallow-features=";

function manglingPinArgs(pin: RustcPlugin["manglingPin"], rustcArgs: readonly string[]): string[] {
  if (!pin || rustcArgs.some((arg) => arg.includes("symbol-mangling-version"))) return [];
  if (pin === "v0") return ["-Csymbol-mangling-version=v0"];
  return [...(rustcArgs.includes("-Zunstable-options") ? [] : ["-Zunstable-options"]), "-Csymbol-mangling-version=legacy"];
}

/** Whether the arguments give rustc's allowed features themselves (`-Zallow-features=…`, `-Z allow-features=…`). */
function choosesFeatures(rustcArgs: readonly string[]): boolean {
  return rustcArgs.some((arg, i) => arg.startsWith("-Zallow-features") || (arg.startsWith("allow-features") && rustcArgs[i - 1] === "-Z"));
}

/**
 * Whether RUSTC_BOOTSTRAP=`value` already makes rustc a nightly for this compile, as rustc decides
 * (rustc_feature's UnstableFeatures::from_environment): `1`, or a comma-separated list that names
 * the crate given with `--crate-name` (a crate named otherwise is not matched by rustc either).
 * Plain rustc in that environment mangles as the plugin's compile does: nothing to pin back (a
 * Makefile that exports RUSTC_BOOTSTRAP=1, as the kernel's does). `-1` forces stable. Pure; the
 * launcher keeps a copy of this rule (bin/local-lto, llto_user_bootstrap).
 */
export function userBootstraps(value: string | undefined, rustcArgs: readonly string[]): boolean {
  if (value === undefined) return false;
  if (value === "1") return true;
  let crate: string | undefined;
  rustcArgs.forEach((arg, i) => {
    if (arg === "--crate-name") crate = rustcArgs[i + 1];
    else if (arg.startsWith("--crate-name=")) crate = arg.slice("--crate-name=".length);
  });
  return crate !== undefined && value.split(",").includes(crate);
}
