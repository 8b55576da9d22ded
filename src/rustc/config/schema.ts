/**
 * The rustc mode's configuration (docs/INTEGRATION.md): the same keys in `local-lto.toml`, in
 * `[workspace.metadata.local-lto]` (or `[package.metadata.local-lto]`) of the root Cargo.toml, and
 * in the file `LOCAL_LTO_CONFIG` names. Schema here; discovery, environment overrides and
 * normalization in loadConfig.ts.
 */
import { z } from "zod";
import { safetyCheckIds } from "../../safety/types.js";

const nonEmpty = z.string().min(1, "must not be empty");

/** A list of strings, or one string split as a shell would split it (`cc-args = "-O2 -DX"`). */
const wordsOrString = z.union([z.array(z.string()), z.string()], { error: "expected an array of strings, or one string of flags" });

export const rustcConfigSchema = z
  .object({
    /** Helper definitions: C sources (`.c`) or LLVM bitcode (`.bc`), relative to the config file. */
    helpers: z.array(nonEmpty, { error: "expected an array of file names" }).optional(),
    /**
     * Kbuild `.cmd` files of helper objects (`rust/helpers/.helpers.o.cmd`), relative to the
     * config file, which sits at the root of the tree Kbuild ran in: each gives a helper source and
     * the C flags Kbuild compiled it with.
     */
    "helpers-cmd": z.array(nonEmpty, { error: "expected an array of .cmd file names" }).optional(),
    /** rustc `--cfg NAME`s that become `-DNAME` for the helpers of crates built with them (Kbuild: MODULE). */
    "cfg-defines": z.array(z.string().regex(/^[A-Za-z_]\w*$/, "expected a cfg name (letters, digits, _)"), { error: "expected an array of cfg names" }).optional(),
    /** C flags for the helpers (include paths relative to the config file's directory). */
    "cc-args": wordsOrString.optional(),
    /** Libraries whose `pkg-config --cflags` the helpers need. */
    "pkg-config": z.array(nonEmpty, { error: "expected an array of pkg-config package names" }).optional(),
    /** Only functions with this prefix / suffix / whole-name regular expression are helpers. */
    "helper-prefix": nonEmpty.optional(),
    "helper-suffix": nonEmpty.optional(),
    "helper-regex": nonEmpty.optional(),
    /** Fail a crate's compile when a helper call it linked is left out of line, or cannot be proven inlined. */
    "require-inlined": z.boolean({ error: "expected true or false" }).optional(),
    /** Crates to build with the helpers (Cargo package or crate names); default every crate that is not host code. */
    crates: z.array(nonEmpty, { error: "expected an array of crate names" }).optional(),
    /** Safety checks whose findings are accepted (docs/SAFETY.md). */
    allow: z.array(z.enum(safetyCheckIds as unknown as [string, ...string[]], { error: `expected one of ${safetyCheckIds.join(", ")}` })).optional(),
    /** Helpers' debug info: keep what the C flags give, or none. */
    "helpers-debug": z.enum(["keep", "none"], { error: 'expected "keep" or "none"' }).optional(),
    /** Make helper attributes agree with their Rust callers where harmless (docs/INLINING.md). */
    reconcile: z.boolean({ error: "expected true or false" }).optional(),
    "null-pointer-policy": z.enum(["caller", "keep", "drop"], { error: 'expected "caller", "keep" or "drop"' }).optional(),
  })
  .strict()
  .refine((c) => c.helpers !== undefined || c["helpers-cmd"] !== undefined, { message: "name the helpers: helpers = [\"extern.c\"] or helpers-cmd = [\"rust/helpers/.helpers.o.cmd\"]", path: ["helpers"] });

export type RustcConfigFile = z.infer<typeof rustcConfigSchema>;

export const configKeys = Object.keys(rustcConfigSchema.shape);
