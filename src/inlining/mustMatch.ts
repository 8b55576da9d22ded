import type { IrAttributes } from "../ir/types.js";

/**
 * Attributes LLVM's inliner requires to be equal on caller and callee (AttributeFuncs::
 * areInlineCompatible, the CompatRules of llvm/include/llvm/IR/Attributes.td). local-lto never
 * changes them: each changes what the generated code does (instrumentation, stack protection
 * schemes, floating-point environment), so the fix is a build flag on one side, named here.
 */
interface MustMatchRule {
  attribute: string;
  /** What sets it on the C side. */
  cFlag: string;
  /** What sets it on the Rust side, or null when rustc has no such option. */
  rustFlag: string | null;
  kind: "flag" | "string";
}

const rules: readonly MustMatchRule[] = [
  { attribute: "sanitize_address", cFlag: "-fsanitize=address or -fsanitize=kernel-address", rustFlag: "-Zsanitizer=address or -Zsanitizer=kernel-address", kind: "flag" },
  { attribute: "sanitize_thread", cFlag: "-fsanitize=thread", rustFlag: "-Zsanitizer=thread", kind: "flag" },
  { attribute: "sanitize_memory", cFlag: "-fsanitize=memory or -fsanitize=kernel-memory", rustFlag: "-Zsanitizer=memory", kind: "flag" },
  { attribute: "sanitize_hwaddress", cFlag: "-fsanitize=hwaddress or -fsanitize=kernel-hwaddress", rustFlag: "-Zsanitizer=hwaddress or -Zsanitizer=kernel-hwaddress", kind: "flag" },
  { attribute: "sanitize_memtag", cFlag: "-fsanitize=memtag", rustFlag: "-Zsanitizer=memtag", kind: "flag" },
  { attribute: "sanitize_type", cFlag: "-fsanitize=type", rustFlag: null, kind: "flag" },
  { attribute: "sanitize_numerical_stability", cFlag: "-fsanitize=numerical", rustFlag: null, kind: "flag" },
  { attribute: "sanitize_realtime", cFlag: "-fsanitize=realtime", rustFlag: null, kind: "flag" },
  { attribute: "sanitize_realtime_blocking", cFlag: "[[clang::blocking]]", rustFlag: null, kind: "flag" },
  { attribute: "safestack", cFlag: "-fsanitize=safe-stack", rustFlag: "-Zsanitizer=safestack", kind: "flag" },
  { attribute: "shadowcallstack", cFlag: "-fsanitize=shadow-call-stack", rustFlag: "-Zsanitizer=shadow-call-stack", kind: "flag" },
  { attribute: "use-sample-profile", cFlag: "-fprofile-sample-use=<profile>", rustFlag: "-Zprofile-sample-use=<profile>", kind: "string" },
  { attribute: "noprofile", cFlag: "__attribute__((no_profile_instrument_function)) or profile instrumentation flags", rustFlag: "the same profile instrumentation (-Cprofile-generate)", kind: "flag" },
  { attribute: "sign-return-address", cFlag: "-mbranch-protection=pac-ret", rustFlag: "-Zbranch-protection=pac-ret", kind: "string" },
  { attribute: "sign-return-address-key", cFlag: "-mbranch-protection=pac-ret+b-key", rustFlag: "-Zbranch-protection=pac-ret,b-key", kind: "string" },
  { attribute: "branch-protection-pauth-lr", cFlag: "-mbranch-protection=pac-ret+pc", rustFlag: "-Zbranch-protection=pac-ret,pc", kind: "string" },
];

export interface MustMatchMismatch {
  attribute: string;
  /** Which side has it (or, for string attributes, differs). */
  side: "helper" | "caller" | "both";
  reason: string;
  fix: string;
}

function valueOf(attrs: IrAttributes, name: string): string | undefined {
  if (attrs.flags.has(name)) return "";
  return attrs.values.get(name);
}

/** Every attribute of the must-be-equal class that differs between caller and callee. */
export function mustMatchMismatches(caller: IrAttributes, callee: IrAttributes): MustMatchMismatch[] {
  const out: MustMatchMismatch[] = [];
  for (const rule of rules) {
    const c = valueOf(caller, rule.attribute);
    const h = valueOf(callee, rule.attribute);
    if (c === h) continue;
    const side = c === undefined ? "helper" : h === undefined ? "caller" : "both";
    const shown = (v: string | undefined) => (v === undefined ? "absent" : v === "" ? "present" : `"${v}"`);
    const reason =
      side === "both"
        ? `${rule.attribute} differs (helper ${shown(h)}, caller ${shown(c)}): LLVM inlines only when it is equal`
        : `${rule.attribute} on the ${side} only: LLVM inlines only when it is equal`;
    const fix =
      side === "helper"
        ? `build the Rust side with ${rule.rustFlag ?? "the same setting (rustc has no such option)"}, or the helpers without ${rule.cFlag}`
        : side === "caller"
          ? `build the helpers with ${rule.cFlag}, or the Rust side without ${rule.rustFlag ?? "it"}`
          : `use the same ${rule.cFlag} / ${rule.rustFlag ?? "setting"} on both sides`;
    out.push({ attribute: rule.attribute, side, reason, fix });
  }
  const denormal = denormalMismatch(caller, callee);
  if (denormal) out.push(denormal);
  // checkStrictFP: a strictfp callee needs a strictfp caller (the inliner would have to turn every
  // floating-point operation of the caller into a constrained intrinsic).
  if (callee.flags.has("strictfp") && !caller.flags.has("strictfp")) {
    out.push({
      attribute: "strictfp",
      side: "helper",
      reason: "strictfp on the helper only (from -ffp-model=strict, -frounding-math or -ffp-exception-behavior=strict): LLVM does not inline it into a non-strictfp caller",
      fix: "build the helpers without strict floating-point semantics (rustc has no strictfp mode), or keep the calls out of line",
    });
  }
  return out;
}

/** checkDenormMode: equal modes, or a caller that accepts any ("dynamic"). Absent means IEEE. */
function denormalMismatch(caller: IrAttributes, callee: IrAttributes): MustMatchMismatch | null {
  for (const key of ["denormal-fp-math", "denormal-fp-math-f32"]) {
    const norm = (v: string | undefined) => {
      if (v === undefined) return key === "denormal-fp-math-f32" ? undefined : "ieee,ieee";
      return v.includes(",") ? v : `${v},${v}`;
    };
    let c = norm(caller.values.get(key));
    let h = norm(callee.values.get(key));
    if (key === "denormal-fp-math-f32") {
      // f32 falls back to the general mode when absent.
      c ??= norm(caller.values.get("denormal-fp-math"));
      h ??= norm(callee.values.get("denormal-fp-math"));
    }
    if (c === h || c === "dynamic,dynamic") continue;
    return {
      attribute: key,
      side: callee.values.has(key) ? "helper" : "caller",
      reason: `${key} differs (helper ${h}, caller ${c}): LLVM inlines only when the floating-point denormal mode is equal`,
      fix: "build the helpers without -fdenormal-fp-math/-ffast-math style flags (Rust code uses IEEE denormals), or keep the calls out of line",
    };
  }
  return null;
}
