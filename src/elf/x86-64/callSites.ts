import type { CallSiteDecodeError, CallVia, ObjectCallSite } from "../callSiteTypes.js";
import type { ObjectIndex, ResolvedTarget } from "../objectIndex.js";
import { readSigned } from "../objectIndex.js";
import type { ElfRelocation, ElfSection } from "../types.js";
import {
  R_X86_64_CODE_4_GOTPCRELX,
  R_X86_64_GOTPCREL,
  R_X86_64_GOTPCRELX,
  R_X86_64_PC32,
  R_X86_64_PC8,
  R_X86_64_PLT32,
  R_X86_64_REX_GOTPCRELX,
} from "../relocationNames.js";
import { ENCODING_LEGACY, sweepX86, type X86Branch, type X86InstructionInfo } from "./decodeBranches.js";
import { GPR_NAMES, gprWrites } from "./registerWrites.js";

/** One-byte opcodes that can put an address in a register: mov r, m (8b), lea (8d), mov r, imm (b8-bf, c7). */
const mayLoadAddress = new Uint8Array(256);
for (const op of [0x8b, 0x8d, 0xc7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf]) mayLoadAddress[op] = 1;

const R_X86_64_64 = 1;
const R_X86_64_32 = 10;
const R_X86_64_32S = 11;

/** A named function's address sitting in a register, and where it was put there. */
interface LoadedAddress {
  target: ResolvedTarget;
  loadOffset: number;
  relocation?: ElfRelocation;
  callsThrough: number;
  register: number;
  /** Where the register stopped holding it (overwritten, or the next function began); undefined: the section's end. */
  liveEnd?: number;
}

/** A `call/jmp *%reg` counted as a call of the address loaded at `value.loadOffset`. */
interface CallThroughRegister {
  address: number;
  value: LoadedAddress;
}

/**
 * Finds the calls in one x86-64 code section: rel8/rel32 branches (relocated or not), calls through
 * a RIP-relative GOT slot, and `call/jmp *%reg` where the register holds a named function's address
 * loaded earlier in the same function (rustc and clang -fno-plt hoist `mov fn@GOTPCREL(%rip), %r14`
 * out of loops and share it between calls).
 */
export function scanX86Section(index: ObjectIndex, section: ElfSection, errors: CallSiteDecodeError[]): void {
  const base = index.base(section);
  const code = index.code(section);
  const relocations = index.relocationsBySection.get(section.index);
  const callers = index.callerIndex(section);
  const starts = index.functionStarts(section);
  const startSet = new Set(starts);
  const loaded = new Map<number, LoadedAddress>();
  const loads: Array<{ address: number; value: LoadedAddress }> = [];
  const callsThroughRegisters: CallThroughRegister[] = [];
  const forget = (reg: number, at: number) => {
    const value = loaded.get(reg);
    if (value) value.liveEnd = at;
    loaded.delete(reg);
  };

  const record = index.callRecorder(section);
  const noteFieldEnd = (field: number, end: number) => {
    const rel = relocations?.get(field);
    if (rel) index.fieldToEnd.set(rel, end - field);
  };
  const addendOf = (rel: ElfRelocation, position: number, size: number) => (rel.hasExplicitAddend ? rel.addend : readSigned(code, position, size));

  const onInstruction = (address: number, length: number, info: Readonly<X86InstructionInfo>) => {
    if (startSet.has(address)) for (const reg of [...loaded.keys()]) forget(reg, address);
    if (relocations) {
      // Where each relocated displacement really points, for relocations no call or load explains.
      const end = address + length;
      if (info.ripDisplacementPosition >= 0) noteFieldEnd(base + info.ripDisplacementPosition, end);
      if (info.branchDisplacementPosition >= 0) noteFieldEnd(base + info.branchDisplacementPosition, end);
    }
    const legacy = info.encoding === ENCODING_LEGACY && info.map === 0;
    // A call or jump through a register that holds a loaded function address.
    if (legacy && info.opcode === 0xff && info.modrm >= 0xc0 && ((info.reg & 7) === 2 || (info.reg & 7) === 4)) {
      const held = loaded.get(info.rm);
      if (held) {
        const site = record(held.target.name, address, (info.reg & 7) === 2 ? "call-indirect" : "jmp-indirect", held.target.via, held.relocation);
        site.through = { register: GPR_NAMES[info.rm]!, loadOffset: held.loadOffset - base };
        held.callsThrough++;
        callsThroughRegisters.push({ address, value: held });
      }
    }
    if (loaded.size > 0) {
      const writes = gprWrites(info);
      if (writes !== 0) for (const reg of [...loaded.keys()]) if (writes & (1 << reg)) forget(reg, address);
    }
    if (!legacy || !mayLoadAddress[info.opcode]) return;
    const load = addressLoad(info, address, length);
    if (load) {
      const value: LoadedAddress = { ...load.value, callsThrough: 0, register: load.register };
      forget(load.register, address);
      loaded.set(load.register, value);
      loads.push({ address, value });
    }
  };

  /**
   * Recognises `mov fn@GOTPCREL(%rip), %r`, `lea fn(%rip), %r` and `mov $fn, %r` for a named fn; in
   * a linked file, by the address itself: `mov slot(%rip), %r` through a GOT slot holding fn,
   * `lea fn(%rip), %r`, `mov $fn, %r`.
   */
  const addressLoad = (info: Readonly<X86InstructionInfo>, address: number, length: number) => {
    const end = address + length;
    const op = info.opcode;
    if ((op === 0x8b || op === 0x8d) && info.ripDisplacementPosition >= 0) {
      const field = base + info.ripDisplacementPosition;
      const rel = relocations?.get(field);
      let targets: readonly ResolvedTarget[] = [];
      if (op === 0x8b) {
        if (rel) {
          if (!isGotPcRel(rel.type)) return undefined;
          const symbol = index.symbolOf(rel);
          if (symbol && symbol.type !== "SECTION" && index.names.has(symbol.name)) targets = [{ name: symbol.name, via: "got-relocation" }];
        } else if (index.linked) {
          const slot = end + readSigned(code, info.ripDisplacementPosition, 4);
          index.linked.noteSlot(address, slot);
          targets = index.slotTargets(slot);
        }
      } else if (rel) {
        if (rel.type !== R_X86_64_PC32 && rel.type !== R_X86_64_PLT32) return undefined;
        targets = index.resolve(rel, addendOf(rel, info.ripDisplacementPosition, 4), end - field);
      } else {
        const target = end + readSigned(code, info.ripDisplacementPosition, 4);
        index.noteDirectUse(section, address, target, "address-load");
        targets = index.directTargets(section, target);
      }
      const target = targets[0];
      return target ? { register: info.reg, value: { target, loadOffset: address, relocation: rel ?? target.relocation } } : undefined;
    }
    const movImm = op >= 0xb8 && op <= 0xbf;
    if (movImm || (op === 0xc7 && info.modrm >= 0xc0 && (info.reg & 7) === 0)) {
      const size = movImm && info.rexW ? 8 : 4;
      const rel = relocations?.get(end - size);
      if (!rel) {
        // Only a non-PIE executable can hold a code address as a bare immediate.
        if (!index.linked?.fixedAddresses) return undefined;
        // mov $imm32, %r32 zero-extends; c7 /0 with REX.W sign-extends (an address below 2^31 either way).
        const value = size === 8 ? readSigned(code, end - size - base, 8) : readSigned(code, end - size - base, 4) >>> 0;
        index.linked.noteUse(address, value, "address-load");
        const target = index.directTargets(section, value)[0];
        return target ? { register: info.rm, value: { target, loadOffset: address, relocation: target.relocation } } : undefined;
      }
      if (rel.type !== R_X86_64_32 && rel.type !== R_X86_64_32S && rel.type !== R_X86_64_64) return undefined;
      const target = index.resolve(rel, addendOf(rel, end - size - base, size), 0)[0];
      return target ? { register: info.rm, value: { target, loadOffset: address, relocation: rel } } : undefined;
    }
    return undefined;
  };

  const result = sweepX86(code, base, { knownInstructionStarts: starts, onInstruction });
  const sortedStarts = [...startSet].sort((a, b) => a - b);
  for (const e of result.decodeErrors) {
    // Past an undecodable byte the sweep only trusts itself again at the next known instruction
    // start: it resumed there, or (with none ahead) byte by byte to the end, possibly out of step.
    const next = sortedStarts.find((k) => k > e.offset);
    const end = next !== undefined && next <= base + section.size ? next : base + section.size;
    const caller = callers.find(e.offset)?.name;
    errors.push({ section: section.name, sectionIndex: section.index, offset: e.offset - base, end: end - base, reason: e.reason, bytes: e.bytes, ...(caller ? { caller } : {}), mayHide: [] });
  }

  for (const branch of result.branches) {
    if (branch.displacementOffset !== undefined) relativeBranch(branch);
    else if (branch.ripDisplacementOffset !== undefined) gotBranch(branch);
  }

  creditLoopReloads(loads, result.branches, callsThroughRegisters, sortedStarts);

  for (const { address, value } of loads) {
    if (value.relocation) index.consumed.add(value.relocation);
    index.references.get(value.target.name)!.push({
      name: value.target.name,
      section: section.name,
      offset: address - base,
      kind: "address-load",
      ...(value.relocation ? { relocationType: value.relocation.typeName } : {}),
      callsThrough: value.callsThrough,
    });
  }

  function relativeBranch(branch: X86Branch): void {
    const field = branch.displacementOffset!;
    const rel = relocations?.get(field);
    const end = branch.offset + branch.length;
    if (rel) {
      if (rel.type !== R_X86_64_PLT32 && rel.type !== R_X86_64_PC32 && rel.type !== R_X86_64_PC8) return;
      // The field holds S + A - P; the CPU adds it to the end of the instruction.
      for (const t of index.resolve(rel, addendOf(rel, field - base, branch.displacementSize!), end - field)) record(t.name, branch.offset, branch.kind, t.via, rel);
      return;
    }
    index.noteDirectUse(section, branch.offset, branch.target!, branch.kind);
    for (const t of index.directTargets(section, branch.target!)) {
      if (branch.kind !== "call" && t.symbol && callers.isInside(t.symbol, branch.offset)) continue; // a loop back to its own start
      record(t.name, branch.offset, branch.kind, t.via);
    }
  }

  function gotBranch(branch: X86Branch): void {
    const rel = relocations?.get(branch.ripDisplacementOffset!);
    if (!rel && index.linked) {
      const slot = branch.offset + branch.length + readSigned(code, branch.ripDisplacementOffset! - base, 4);
      index.linked.noteSlot(branch.offset, slot);
      for (const t of index.slotTargets(slot)) record(t.name, branch.offset, branch.kind, t.via);
      return;
    }
    if (!rel || !isGotPcRel(rel.type)) return;
    const symbol = index.symbolOf(rel);
    if (symbol && symbol.type !== "SECTION" && index.names.has(symbol.name)) record(symbol.name, branch.offset, branch.kind, "got-relocation", rel);
  }
}

/**
 * A loop that reloads a function's address at its latch and calls through the register at its head
 * (rustc does: `mov fn@GOTPCREL(%rip), %rbx` before the loop and again before the back edge, `call
 * *%rbx` at the top). A linear scan attributes the call to the first load only, so the reload would
 * look like an address used for something else. A reload is credited with that call when, while the
 * register still holds it, a branch goes back to a point T of the same function, and a call through
 * the same register at or after T (and before the reload) was reached by a value loaded before T:
 * the register is not written between T and the call, so the value from the back edge reaches it.
 */
function creditLoopReloads(
  loads: ReadonlyArray<{ value: LoadedAddress }>,
  branches: readonly X86Branch[],
  calls: readonly CallThroughRegister[],
  functionStarts: readonly number[],
): void {
  const backward = branches.filter((b) => (b.kind === "jmp" || b.kind === "jcc") && b.target !== undefined && b.target < b.offset);
  if (backward.length === 0) return;
  // functionStarts is sorted: the last start at or before `at`, by bisection.
  const functionStart = (at: number) => {
    let low = 0;
    let high = functionStarts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (functionStarts[mid]! <= at) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? -Infinity : functionStarts[low - 1]!;
  };
  for (const { value } of loads) {
    if (value.callsThrough > 0) continue;
    const liveEnd = value.liveEnd ?? Infinity;
    const start = functionStart(value.loadOffset);
    const credited = backward.some((branch) => {
      const head = branch.target!;
      if (branch.offset <= value.loadOffset || branch.offset >= liveEnd || head >= value.loadOffset || head < start) return false;
      return calls.some(
        (call) =>
          call.value.register === value.register &&
          call.value.target.name === value.target.name &&
          call.address >= head &&
          call.address < value.loadOffset &&
          call.value.loadOffset < head,
      );
    });
    if (credited) value.callsThrough++;
  }
}

function isGotPcRel(type: number): boolean {
  return type === R_X86_64_GOTPCRELX || type === R_X86_64_REX_GOTPCRELX || type === R_X86_64_GOTPCREL || type === R_X86_64_CODE_4_GOTPCRELX;
}
