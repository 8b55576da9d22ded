import { z } from "zod";

/**
 * The report `--report out.json` writes, and `inspect --json` prints. docs/REPORT.md documents
 * each field; bump `schema` on any incompatible change.
 */
import { reportSchemaId } from "./schemaId.js";

export { reportSchemaId };

export const symbolStateSchema = z.enum(["absent", "undefined", "local", "global", "weak"]);

export const callLeftSchema = z.object({
  section: z.string(),
  offset: z.number().int().nonnegative(),
  instruction: z.enum(["call", "jmp", "jcc", "call-indirect", "jmp-indirect"]),
  via: z.enum(["symbol-relocation", "section-relocation", "direct", "got-relocation", "plt", "got-slot"]),
  caller: z.string().optional(),
  /** Archives: the member object holding the call. */
  member: z.string().optional(),
});

/**
 * inlined: no call left and every stretch of code that could call the helper was read;
 * calls-left: at least one call found; not-proven: no call found, but the object cannot show there
 * is none (undecodable code, an address used other than by calls, a helper a stripped file does not
 * name, a machine without a call decoder, an archive member that is not an ELF object).
 */
export const helperVerdictSchema = z.enum(["inlined", "calls-left", "not-proven"]);

export const helperReportSchema = z.object({
  name: z.string(),
  /** Direct call sites in the Rust module before the merge; null when unknown (inspect). */
  callSitesBefore: z.number().int().nonnegative().nullable(),
  /** Call sites LLVM sees as indirect because the Rust declaration's type differs from the C definition. */
  mismatchedCallSitesBefore: z.number().int().nonnegative().nullable(),
  callsLeft: z.number().int().nonnegative(),
  calls: z.array(callLeftSchema),
  /** Uses of the helper's address other than calls (function-pointer tables, address loads). */
  addressReferences: z.number().int().nonnegative(),
  symbol: symbolStateSchema,
  /** Symbol visibility when the symbol is defined and not local. */
  visibility: z.string().optional(),
  /** `verdict === "inlined"`: no call left, and nothing could hide one. */
  inlined: z.boolean(),
  verdict: helperVerdictSchema,
  /** With verdict not-proven: why each is missing from the proof, one line per cause. */
  notProven: z.array(z.string()).optional(),
  /**
   * Why LLVM left calls out of line: one entry per call site (docs/INLINING.md); with --explain,
   * the inlined call sites too (category "inlined"). `line` is the call's source line when the
   * Rust code has debug info; `llvmAgrees` says whether LLVM's remark gave the same reason.
   */
  reasons: z
    .array(
      z.object({
        caller: z.string(),
        line: z.number().int().optional(),
        category: z.string(),
        reason: z.string(),
        fix: z.string().optional(),
        llvmRemark: z.string().optional(),
        llvmAgrees: z.boolean().optional(),
      }),
    )
    .optional(),
});

export const safetyCheckSchema = z.object({
  check: z.string(),
  description: z.string(),
  status: z.enum(["passed", "failed", "overridden", "not-applicable"]),
  findings: z.array(z.object({ check: z.string(), symbol: z.string().optional(), file: z.string().optional(), line: z.number().int().optional(), helpers: z.array(z.string()).optional(), message: z.string() })),
});

export const helperBitcodeSchema = z.object({
  source: z.string(),
  /** compiled: clang ran; cache-hit: reused from the helper cache; input: the user's bitcode; stripped: the user's bitcode without its debug info. */
  origin: z.enum(["compiled", "cache-hit", "input", "stripped"]),
  /** The cache entry (sha256) the bitcode was stored as or read from. */
  cacheKey: z.string().optional(),
  /** Why a compiled helper was not stored in (or looked up from) the cache. */
  uncached: z.string().optional(),
});

export const reportSchema = z.object({
  schema: z.literal(reportSchemaId),
  command: z.enum(["build", "inspect"]),
  mode: z.enum(["plugin", "inline", "static", "none"]),
  /** Why this mode ran (auto mode's choice, or the user's). */
  modeReason: z.string().optional(),
  object: z.string(),
  target: z.string().optional(),
  rustInput: z.string().optional(),
  helperInputs: z.array(z.string()).optional(),
  /** The helpers config variant the build used (docs/VARIANTS.md). */
  helpersVariant: z.string().optional(),
  /** Where each helper input's bitcode came from (inline mode). */
  helperBitcode: z.array(helperBitcodeSchema).optional(),
  helpers: z.array(helperReportSchema),
  /** Helpers the inputs define that the Rust code never calls: dropped by the merge. */
  unusedHelpers: z.array(z.string()),
  summary: z.object({
    helpers: z.number().int(),
    callSitesBefore: z.number().int().nullable(),
    callsLeft: z.number().int(),
    globalHelperSymbols: z.number().int(),
    /** Helpers whose verdict is not-proven. */
    notProven: z.number().int(),
    /** At least one helper, and every one inlined: never true over an empty set. */
    allInlined: z.boolean(),
  }),
  notes: z.array(z.string()),
  /** How much of the object's code the proof read: sections by status, and each stretch it could not decode. */
  coverage: z
    .object({
      sections: z.object({ decoded: z.number().int(), partial: z.number().int(), skipped: z.number().int(), stubs: z.number().int() }),
      gaps: z.array(z.object({ member: z.string().optional(), section: z.string(), offset: z.number().int(), end: z.number().int(), caller: z.string().optional(), reason: z.string() })),
    })
    .optional(),
  /** inspect on an archive: each member and what the proof made of it. */
  members: z.array(z.object({ name: z.string(), kind: z.enum(["elf", "skipped", "unreadable"]), note: z.string().optional() })).optional(),
  /** Every safety check run on the helper modules, and its result (docs/SAFETY.md). */
  safetyChecks: z.array(safetyCheckSchema).optional(),
  /** One line per attribute change local-lto made to helper functions (docs/INLINING.md). */
  reconciliation: z.array(z.string()).optional(),
  toolchain: z.record(z.string(), z.object({ path: z.string(), version: z.string().optional() })).optional(),
  timingsMs: z.record(z.string(), z.number()).optional(),
});

export type SymbolState = z.infer<typeof symbolStateSchema>;
export type HelperReport = z.infer<typeof helperReportSchema>;
export type HelperVerdict = z.infer<typeof helperVerdictSchema>;
export type Report = z.infer<typeof reportSchema>;
export type HelperBitcodeReport = z.infer<typeof helperBitcodeSchema>;
