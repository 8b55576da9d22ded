import type { IrModule } from "../ir/types.js";
import { isTargetIntrinsic } from "./featureClasses.js";
import { callArguments as intrinsicArguments, type TargetIntrinsicCall } from "./intrinsicNeeds.js";
import { maskStrings } from "./irText.js";

/**
 * What a helper's body does, as far as the reconciliation rules need to know: whether a target
 * feature, `null_pointer_is_valid` or a `no-builtin-*` restriction can change what the body means.
 * Read from the llvm-dis text of the helper module (pure). When in doubt a fact is set, so a rule
 * that depends on its absence refuses.
 */
export interface HelperBodyFacts {
  name: string;
  /** Every opcode in the body (`call` for call/invoke/callbr too). */
  opcodes: Set<string>;
  /** A branch to a block at or before the branching one in text order: the CFG may have a cycle. */
  hasLoop: boolean;
  /** A floating-point type anywhere in the body or the signature. */
  usesFloatingPoint: boolean;
  /** A vector type anywhere in the body or the signature. */
  usesVectors: boolean;
  /** Target intrinsics called (`llvm.x86.*`, `llvm.aarch64.*`): what they need is asked of LLVM (intrinsicNeeds.ts). */
  targetIntrinsics: TargetIntrinsicCall[];
  /** Inline assembly: the template and the constraint string of each. */
  inlineAsm: { template: string; constraints: string }[];
  /** Calls to functions that are not intrinsics (direct: the name; indirect: null). */
  calls: { callee: string | null; abiSensitive: boolean; textLine: number }[];
  /** Indirect calls, `indirectbr`, or a `switch` (which may become a jump table). */
  hasIndirectBranches: boolean;
  /**
   * No instruction whose meaning depends on whether null is a valid address: no memory access, no
   * address arithmetic, no call other than to pure integer intrinsics, no alloca.
   */
  nullPointerNeutral: boolean;
}

const floatTypes = /(?<![%@\w.$-])(half|bfloat|float|double|x86_fp80|fp128|ppc_fp128)(?![\w.$-])/;
const vectorType = /<\s*(vscale\s+x\s+)?\d+\s+x\s/;
const aggregateType = /(\{|\[\d+\s+x\s|%"?(struct|union|class)\.)/;
const label = /^\s*("(?:[^"\\]|\\.)*"|[-a-zA-Z$._0-9]+):/;
const labelRef = /\blabel\s+%("(?:[^"\\]|\\.)*"|[-a-zA-Z$._0-9]+)/g;
const opcodeAt = /^\s*(?:%[-a-zA-Z$._0-9"]+\s*=\s*)?(?:(?:tail|musttail|notail)\s+)?([a-z_][a-z0-9_]*)\b/;

/** Opcodes whose meaning never depends on `null_pointer_is_valid`. */
const nullNeutralOpcodes = new Set([
  "ret", "br", "switch", "unreachable", "add", "sub", "mul", "udiv", "sdiv", "urem", "srem", "shl", "lshr", "ashr",
  "and", "or", "xor", "icmp", "select", "phi", "trunc", "zext", "sext", "ptrtoint", "inttoptr", "bitcast", "freeze",
  "extractvalue", "insertvalue", "fneg", "fadd", "fsub", "fmul", "fdiv", "frem", "fcmp", "fptrunc", "fpext", "fptoui",
  "fptosi", "uitofp", "sitofp", "extractelement", "insertelement", "shufflevector",
]);

/** Integer intrinsics with no memory effect and no pointer operand. */
const pureIntrinsic = /^llvm\.(expect|expect\.with\.probability|ctpop|ctlz|cttz|bswap|bitreverse|abs|smin|smax|umin|umax|fshl|fshr|[su](add|sub|mul)\.with\.overflow|[su](add|sub|shl)\.sat|is\.constant|ucmp|scmp)(\.|$)/;

/**
 * Reads the facts of every function defined in `module` (parsed from `text`) whose name is in
 * `names` (all definitions when omitted).
 */
export function readHelperBodies(text: string, module: IrModule, names?: Iterable<string>): Map<string, HelperBodyFacts> {
  const lines = text.split("\n");
  const wanted = names ? new Set(names) : null;
  const out = new Map<string, HelperBodyFacts>();
  for (const fn of module.functions.values()) {
    if (fn.isDeclaration || (wanted && !wanted.has(fn.name))) continue;
    const facts: HelperBodyFacts = {
      name: fn.name,
      opcodes: new Set(),
      hasLoop: false,
      usesFloatingPoint: [fn.returnType, ...fn.params.map((p) => p.type)].some((t) => floatTypes.test(t)),
      usesVectors: [fn.returnType, ...fn.params.map((p) => p.type)].some((t) => vectorType.test(t)),
      targetIntrinsics: [],
      inlineAsm: [],
      calls: [],
      hasIndirectBranches: false,
      nullPointerNeutral: true,
    };
    const sitesByLine = new Map(fn.callSites.map((s) => [s.textLine, s]));
    const blockIndex = new Map<string, number>();
    let block = 0;
    for (let i = fn.textLine; i < lines.length; i++) {
      const raw = lines[i]!;
      if (/^\}\s*$/.test(raw)) break;
      const masked = maskStrings(raw);
      if (!masked.trim() || masked.trimStart().startsWith("#dbg_")) continue;
      const labelMatch = masked.match(label);
      if (labelMatch && !/^\s*%/.test(masked)) {
        block++;
        blockIndex.set(labelMatch[1]!, block);
        continue;
      }
      for (const ref of masked.matchAll(labelRef)) {
        const target = blockIndex.get(ref[1]!);
        if (target !== undefined && target <= block) facts.hasLoop = true;
      }
      if (floatTypes.test(masked)) facts.usesFloatingPoint = true;
      if (vectorType.test(masked)) facts.usesVectors = true;
      const opcode = masked.match(opcodeAt)?.[1];
      // Switch cases continue on their own lines (`i32 1, label %5`): not an instruction.
      if (!opcode || /^\s*(i\d+|ptr)\s/.test(masked) || masked.trimStart().startsWith("]")) continue;
      const op = opcode === "invoke" || opcode === "callbr" ? "call" : opcode;
      facts.opcodes.add(op);
      if (opcode === "indirectbr" || opcode === "switch") facts.hasIndirectBranches = true;
      if (op !== "call") {
        if (!nullNeutralOpcodes.has(op)) facts.nullPointerNeutral = false;
        continue;
      }
      const site = sitesByLine.get(i + 1);
      if (site?.isInlineAsm || /\basm\s+(sideeffect\s+|alignstack\s+|inteldialect\s+|unwind\s+)*"/.test(masked)) {
        const strings = [...raw.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
        facts.inlineAsm.push({ template: strings[0] ?? "", constraints: strings[1] ?? "" });
        facts.nullPointerNeutral = false;
        continue;
      }
      const callee = site?.callee ?? null;
      if (site?.isIntrinsic || callee?.startsWith("llvm.")) {
        if (callee && isTargetIntrinsic(callee)) facts.targetIntrinsics.push({ name: callee, args: intrinsicArguments(raw, callee) });
        if (!callee || !pureIntrinsic.test(callee)) facts.nullPointerNeutral = false;
        continue;
      }
      facts.nullPointerNeutral = false;
      if (!callee || site?.isIndirect) facts.hasIndirectBranches = true;
      facts.calls.push({ callee: site?.isIndirect ? null : callee, abiSensitive: vectorType.test(masked) || aggregateType.test(callArguments(masked)), textLine: i + 1 });
    }
    out.set(fn.name, facts);
  }
  return out;
}

/** The text of a call from its return type on (what decides ABI sensitivity), without attachments. */
function callArguments(masked: string): string {
  const at = masked.search(/\b(call|invoke|callbr)\b/);
  const rest = at < 0 ? masked : masked.slice(at);
  return rest.replace(/,\s*!\w+\s+!\d+.*$/, "");
}
