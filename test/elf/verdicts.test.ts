import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeCallSites, readElf, type ElfFile } from "../../src/elf/index.js";
import { gateVerdict } from "../../src/verify/gate.js";
import { readObjectFacts } from "../../src/verify/objectFacts.js";
import { reportSchema, reportSchemaId, type HelperReport, type Report } from "../../src/report/schema.js";
import { summarize } from "../../src/report/summarize.js";
import { CLANG, LLVM_MC, Workdir, fixture, run } from "./helpers/toolchain.js";

/**
 * "No call found" is a proof only when nothing could hide a call: these objects really have code
 * the decoder cannot walk, an address used other than by calls, GOT calls through a register on
 * aarch64, and a machine without a decoder. Each must come out `calls-left` or `not-proven`,
 * never `inlined`, and the gate must fail naming the helper.
 */

const work = new Workdir();
afterAll(() => work.cleanup());

function load(path: string): ElfFile {
  return readElf(work.read(path.slice(work.path.length + 1)));
}

function inspectReport(helpers: HelperReport[]): Report {
  const report: Report = { schema: reportSchemaId, command: "inspect", mode: "none", object: "x.o", helpers, unusedHelpers: [], summary: summarize(helpers), notes: [] };
  return reportSchema.parse(report);
}

function verdicts(helpers: HelperReport[]): Record<string, string> {
  return Object.fromEntries(helpers.map((h) => [h.name, `${h.verdict} ${h.callsLeft}`]));
}

describe("code the decoder cannot walk", () => {
  let elf: ElfFile;
  beforeAll(() => {
    const object = work.file("undecodable.o");
    run(LLVM_MC, ["-triple=x86_64-linux-gnu", "-filetype=obj", fixture("undecodable.s"), "-o", object]);
    elf = load(object);
  });

  it("records the undecoded stretch up to the next function, with the helpers it could hide", () => {
    const analysis = analyzeCallSites(elf, new Set(["ext_helper", "local_helper", "far_helper"]));
    expect(analysis.calls.get("ext_helper")).toEqual([]); // the call really is hidden
    expect(analysis.decodeErrors).toEqual([
      { section: ".text", sectionIndex: 2, offset: 0, end: 0xc, reason: "invalid opcode in 64-bit mode", bytes: expect.stringMatching(/^06 e8/), caller: "hides_calls", mayHide: ["ext_helper", "local_helper"] },
    ]);
    expect(analysis.coverage).toEqual([
      { section: ".text", size: 0x13, status: "partial" },
      { section: ".text.far", size: 1, status: "decoded" },
    ]);
  });

  it("makes a helper a call could hide there not-proven, and leaves one it could not reach proven", () => {
    const facts = readObjectFacts(elf, ["ext_helper", "local_helper", "far_helper", "unrelated"]);
    expect(verdicts(facts.helpers)).toEqual({ ext_helper: "not-proven 0", local_helper: "not-proven 0", far_helper: "calls-left 1", unrelated: "inlined 0" });
    const ext = facts.helpers.find((h) => h.name === "ext_helper")!;
    expect(ext.inlined).toBe(false);
    expect(ext.notProven).toEqual([".text+0x0..0xc (in hides_calls) could not be decoded (invalid opcode in 64-bit mode): a call there would be missed"]);
    expect(facts.coverage?.gaps).toEqual([{ section: ".text", offset: 0, end: 0xc, caller: "hides_calls", reason: "invalid opcode in 64-bit mode" }]);
    expect(facts.notes).toEqual(["could not decode the instruction at .text+0x0 (in hides_calls): invalid opcode in 64-bit mode; not proven: ext_helper, local_helper"]);
  });

  it("fails the gate with exit 12, naming the helper and the stretch", () => {
    const onlyHidden = readObjectFacts(elf, ["ext_helper", "unrelated"]).helpers;
    const report = inspectReport(onlyHidden);
    expect(report.summary).toMatchObject({ helpers: 2, callsLeft: 0, notProven: 1, allInlined: false });
    const gate = gateVerdict(report);
    expect(gate.pass).toBe(false);
    if (gate.pass) return;
    expect(gate.failure).toMatchObject({ code: "LLTO_NOT_PROVEN" });
    expect(gate.failure.message).toContain("ext_helper (.text+0x0..0xc (in hides_calls) could not be decoded");
    expect(gate.notProven).toEqual(["ext_helper"]);
  });
});

describe("a helper whose address is taken", () => {
  it("is not proven: calls through the pointer cannot be counted (clang and gcc)", () => {
    for (const [compiler, flags] of [[CLANG, ["-O2"]], [CLANG, ["-O2", "-fPIC"]], ["gcc", ["-O2", "-fPIC"]]] as const) {
      const elf = load(work.compile(compiler, fixture("address_taken.c"), `address-${compiler.length}-${flags.length}.o`, flags));
      const [row] = readObjectFacts(elf, ["rust_helper_callback"]).helpers;
      expect(row, `${compiler} ${flags.join(" ")}`).toMatchObject({ callsLeft: 0, addressReferences: 1, verdict: "not-proven", inlined: false });
      expect(row!.notProven![0]).toMatch(/^its address is used 1 time\(s\) other than by a counted call \(\.text\+0x[0-9a-f]+ (R_X86_64_\w+|address load)\)/);
    }
  });
});

describe("aarch64 calls through a register loaded from the GOT", () => {
  const aarch64NoPlt = ["--target=aarch64-linux-gnu", "-O2", "-fPIC", "-fno-plt"];

  it("counts blr/br through adrp+ldr :got: (clang -fno-plt), following the register across calls", () => {
    const elf = load(work.compile(CLANG, fixture("extern_calls.c"), "a64-noplt.o", aarch64NoPlt));
    const { calls, references } = analyzeCallSites(elf, new Set(["helper", "other_helper"]));
    expect(calls.get("helper")!.map((s) => `${s.callerSymbol} ${s.instruction} ${s.via} ${s.relocationType} ${s.through?.register}`)).toEqual([
      "two_calls call-indirect got-relocation R_AARCH64_LD64_GOT_LO12_NC x21",
      "two_calls call-indirect got-relocation R_AARCH64_LD64_GOT_LO12_NC x21",
      "tail_call jmp-indirect got-relocation R_AARCH64_LD64_GOT_LO12_NC x1",
      "conditional_tail_call jmp-indirect got-relocation R_AARCH64_LD64_GOT_LO12_NC x1",
    ]);
    expect(calls.get("other_helper")!.map((s) => `${s.callerSymbol} ${s.instruction}`)).toEqual(["mixed call-indirect"]);
    // The adrp :got: page relocations are explained by their loads: no stray reference is left.
    expect(references.get("helper")!.map((r) => `${r.kind} ${r.relocationType} ${r.callsThrough}`)).toEqual([
      "address-load R_AARCH64_LD64_GOT_LO12_NC 2",
      "address-load R_AARCH64_LD64_GOT_LO12_NC 1",
      "address-load R_AARCH64_LD64_GOT_LO12_NC 1",
    ]);
    expect(readObjectFacts(elf, ["helper"]).helpers[0]).toMatchObject({ verdict: "calls-left", callsLeft: 4 });
  });

  it("a register overwritten before the blr is not attributed, and the load keeps the helper unproven", () => {
    const source = work.write("a64-clobber.s", [
      "\t.text", "\t.globl f", "\t.type f,@function", "f:",
      "\tadrp x8, :got:helper", "\tldr x8, [x8, :got_lo12:helper]",
      "\tmov x8, x0", "\tblr x8", "\tret", "\t.size f, .-f",
    ].join("\n"));
    const object = work.file("a64-clobber.o");
    run(LLVM_MC, ["-triple=aarch64-linux-gnu", "-filetype=obj", source, "-o", object]);
    const elf = load(object);
    expect(analyzeCallSites(elf, new Set(["helper"])).calls.get("helper")).toEqual([]);
    const [row] = readObjectFacts(elf, ["helper"]).helpers;
    expect(row).toMatchObject({ callsLeft: 0, verdict: "not-proven" });
    expect(row!.notProven![0]).toMatch(/address is used 1 time\(s\) .*\.text\+0x4 R_AARCH64_LD64_GOT_LO12_NC/);
  });
});

describe("a machine without a call decoder", () => {
  it("gives every helper not-proven (build's report), and the gate names the architecture", () => {
    const elf = load(work.compile(CLANG, fixture("extern_calls.c"), "riscv.o", ["--target=riscv64-linux-gnu", "-O2"]));
    const facts = readObjectFacts(elf, ["helper", "other_helper"]);
    expect(facts.unsupportedArchitecture).toBe("riscv64 (RISC-V)");
    expect(verdicts(facts.helpers)).toEqual({ helper: "not-proven 0", other_helper: "not-proven 0" });
    const gate = gateVerdict({ ...inspectReport(facts.helpers), command: "build" });
    expect(gate.pass).toBe(false);
    if (gate.pass) return;
    expect(gate.failure).toMatchObject({ code: "LLTO_NOT_PROVEN" });
    expect(gate.failure.message).toMatch(/helper \(no call decoder for riscv64 \(RISC-V\) code/);
    expect(gate.failure.message).toMatch(/; the object was not written$/);
    expect(gate.failure.fix).toMatch(/x86-64 and aarch64 objects only/);
  });
});
