/**
 * What a prepared helper set is (its manifest) and what asks for one: shared by helperSets.ts,
 * which finds or restores sets, and prepareSet.ts, which it loads only to prepare one.
 */
import type { HelperBitcodeReport } from "../report/schema.js";
import type { SafetyCheckResult } from "../safety/types.js";
import type { RustcConfig } from "./config/loadConfig.js";
import type { Mangling } from "../tools/plugin/rustcPlugin.js";

export const SET_FORMAT = 3;

export interface SetManifest {
  format: typeof SET_FORMAT;
  key: string;
  /** When preparation started (ms since the epoch): a dependency newer than this makes the set stale. */
  preparedAt: number;
  helperNames: string[];
  /** Configuration files, helper sources, every header they read, pkg-config files: absolute paths. */
  dependencies: string[];
  triple: string;
  /** What rustc gets: `-Zllvm-plugins=<pluginPath>` (a content-named helper-set directory, docs/PLUGIN.md). */
  pluginPath: string;
  /** The built plugin the helper-set directory links to (ensureRustcPlugin). */
  pluginBuild: string;
  /** Set when the set was copied from local-lto's cache directory instead of prepared: when it was prepared. */
  restoredFrom?: string;
  /** Stable or beta rustc: RUSTC_BOOTSTRAP=1 in its environment. */
  needsBootstrap: boolean;
  /** The mangling RUSTC_BOOTSTRAP would change, pinned back (RustcPlugin.manglingPin). */
  manglingPin?: Mangling;
  llvmVersion: string;
  safetyChecks: SafetyCheckResult[];
  reconciliation: string[];
  helperBitcode: HelperBitcodeReport[];
  notes: string[];
}

export interface HelperSetRequest {
  config: RustcConfig;
  /** rustc as Cargo gave it (a toolchain's own rustc, or a name on PATH). */
  rustc: string;
  /** helperSetArgs(): the crate's flags that matter to the set. */
  setArgs: readonly string[];
  /** The configuration's cfg-defines this crate is built with (`--cfg MODULE`): `-D` flags for its helpers. */
  defines: readonly string[];
  stateDir: string;
  env: NodeJS.ProcessEnv;
}
