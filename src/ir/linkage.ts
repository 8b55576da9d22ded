import type { UnnamedAddr, Visibility } from "./types.js";

/** Keywords that may precede the type of a function or global, in LLVM's order. */
export const LINKAGES = new Set([
  "private",
  "internal",
  "available_externally",
  "linkonce",
  "weak",
  "common",
  "appending",
  "extern_weak",
  "linkonce_odr",
  "weak_odr",
  "external",
]);

export const VISIBILITIES = new Set(["default", "hidden", "protected"]);

const CALLING_CONV_PREFIXES = ["amdgpu_", "spir_", "aarch64_", "ptx_", "riscv_", "arm_", "x86_", "m68k_", "avr_", "msp430_"];

/**
 * Calling conventions are open-ended (every target adds some): `fastcc`, `x86_stdcallcc`,
 * `amdgpu_kernel`, `aarch64_sve_vector_pcs`, `cc 10`. The numbered form is handled by the caller.
 */
export function isCallingConv(word: string): boolean {
  if (word.length > 2 && word.endsWith("cc")) return true;
  for (const prefix of CALLING_CONV_PREFIXES) if (word.startsWith(prefix)) return true;
  return false;
}

/** The linkage-and-friends prefix shared by functions, globals and aliases. */
export interface LinkagePrefix {
  linkage: string;
  visibility: Visibility;
  explicitDsoLocal: boolean;
  dllStorage?: string;
  threadLocal?: string;
  unnamedAddr?: UnnamedAddr;
}

export function newLinkagePrefix(): LinkagePrefix {
  return { linkage: "external", visibility: "default", explicitDsoLocal: false };
}

/**
 * Applies one prefix keyword; false when the word is not one. `thread_local(model)` is passed
 * whole by the caller.
 */
export function applyPrefixWord(prefix: LinkagePrefix, word: string): boolean {
  if (LINKAGES.has(word)) prefix.linkage = word;
  else if (VISIBILITIES.has(word)) prefix.visibility = word as Visibility;
  else if (word === "dso_local") prefix.explicitDsoLocal = true;
  else if (word === "dso_preemptable") prefix.explicitDsoLocal = false;
  else if (word === "dllimport" || word === "dllexport") prefix.dllStorage = word;
  else if (word === "unnamed_addr" || word === "local_unnamed_addr") prefix.unnamedAddr = word;
  else if (word === "thread_local" || word.startsWith("thread_local(")) prefix.threadLocal = word;
  else return false;
  return true;
}

export function isLocalLinkage(linkage: string): boolean {
  return linkage === "internal" || linkage === "private";
}

/**
 * LLVM prints `dso_local` only when it is not implied (GlobalValue::isImplicitDSOLocal): local
 * linkage, or non-default visibility on anything but an extern_weak symbol.
 */
export function effectiveDsoLocal(prefix: LinkagePrefix): boolean {
  if (prefix.explicitDsoLocal) return true;
  if (isLocalLinkage(prefix.linkage)) return true;
  return prefix.visibility !== "default" && prefix.linkage !== "extern_weak";
}
