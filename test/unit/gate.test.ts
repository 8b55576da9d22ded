import { diagnosticCatalogue } from "../../src/diagnostics/catalogue.js";
import { describe, expect, test } from "vitest";
import { exitCodes } from "../../src/diagnostics/errors.js";
import { combineMemberFacts, uniqueMemberNames } from "../../src/verify/archiveFacts.js";
import { gateFailure, gateVerdict } from "../../src/verify/gate.js";
import { renderReport } from "../../src/report/renderTable.js";
import { reportSchema, reportSchemaId, type HelperReport, type Report } from "../../src/report/schema.js";
import { summarize } from "../../src/report/summarize.js";

/** The verdict, summary, rendering and `--require-inlined` gate, decided from reports alone. */

function row(name: string, verdict: HelperReport["verdict"], extra: Partial<HelperReport> = {}): HelperReport {
  const callsLeft = verdict === "calls-left" ? 2 : 0;
  return {
    name,
    callSitesBefore: null,
    mismatchedCallSitesBefore: null,
    callsLeft,
    calls: Array.from({ length: callsLeft }, (_, i) => ({ section: ".text", offset: i * 8, instruction: "call" as const, via: "plt" as const })),
    addressReferences: 0,
    symbol: "absent",
    inlined: verdict === "inlined",
    verdict,
    ...(verdict === "not-proven" ? { notProven: [`${name} could not be read`] } : {}),
    ...extra,
  };
}

function report(helpers: HelperReport[], command: Report["command"] = "inspect"): Report {
  return reportSchema.parse({ schema: reportSchemaId, command, mode: command === "build" ? "inline" : "none", object: "x.o", helpers, unusedHelpers: [], summary: summarize(helpers), notes: [] });
}

describe("summary", () => {
  test("never claims every helper inlined over an empty set", () => {
    expect(summarize([])).toMatchObject({ helpers: 0, callsLeft: 0, notProven: 0, allInlined: false });
    const text = renderReport(report([]), { color: false });
    expect(text).not.toContain("every helper call inlined");
    expect(text).toContain("nothing checked, nothing proven");
  });

  test("counts not-proven helpers, and claims nothing while one is", () => {
    const helpers = [row("a", "inlined"), row("b", "not-proven")];
    expect(summarize(helpers)).toMatchObject({ helpers: 2, callsLeft: 0, notProven: 1, allInlined: false });
    const text = renderReport(report(helpers), { color: false });
    expect(text).not.toContain("every helper call inlined");
    expect(text).toMatch(/\bb\s+-\s+0\s+absent\s+not proven/);
    expect(text).toContain("1 not proven");
    expect(text).toContain("not proven: b: b could not be read");
  });

  test("claims it when every helper is inlined", () => {
    const helpers = [row("a", "inlined"), row("b", "inlined")];
    expect(summarize(helpers).allInlined).toBe(true);
    expect(renderReport(report(helpers), { color: false })).toContain("every helper call inlined, no helper exported");
  });
});

describe("gateVerdict", () => {
  test("passes only when every helper is inlined", () => {
    expect(gateVerdict(report([row("a", "inlined")]))).toEqual({ pass: true });
    expect(() => gateFailure(report([row("a", "inlined")]))).toThrow(/passes/);
  });

  test("fails over nothing, with exit 12 and a fix that depends on the command", () => {
    for (const command of ["build", "inspect"] as const) {
      const gate = gateVerdict(report([], command));
      expect(gate.pass).toBe(false);
      if (gate.pass) continue;
      expect(gate.failure).toMatchObject({ code: "LLTO_NOTHING_CHECKED" });
      expect(exitCodes[diagnosticCatalogue[gate.failure.code].exit]).toBe(12);
      expect(gate.failure.fix).toMatch(command === "build" ? /__extern/ : /--helper NAME/);
    }
  });

  test("calls left: exit 10, naming every helper with calls and every one not proven", () => {
    const gate = gateVerdict(report([row("a", "calls-left"), row("b", "not-proven"), row("c", "inlined")], "build"));
    expect(gate.pass).toBe(false);
    if (gate.pass) return;
    expect(gate).toMatchObject({ callsLeft: ["a"], notProven: ["b"] });
    expect(gate.failure).toMatchObject({ code: "LLTO_CALLS_LEFT" });
    expect(gate.failure.message).toBe("2 helper call(s) left in the object: a (2); not proven: b; the object was not written");
  });

  test("not proven: exit 12, naming each helper and its first reason", () => {
    const gate = gateVerdict(report([row("a", "inlined"), row("b", "not-proven"), row("c", "not-proven", { notProven: ["the file has no .symtab (stripped) and c is not in .dynsym: …"] })]));
    expect(gate.pass).toBe(false);
    if (gate.pass) return;
    expect(gate.failure).toMatchObject({ code: "LLTO_NOT_PROVEN" });
    expect(gate.failure.message).toBe("2 helper(s) not proven inlined in x.o: b (b could not be read); c (the file has no .symtab (stripped) and c is not in .dynsym: …)");
    expect(gate.failure.fix).toMatch(/unstripped/);
    const unnamed = gateVerdict(report([row("d", "not-proven", { notProven: ["2 uses reach code that no symbol names (first: call at .text+0x9 to 0x1170), and d is not in the symbol table: …"] })]));
    expect(!unnamed.pass && unnamed.failure.fix).toMatch(/before single symbols were removed \(objcopy --strip-symbol, strip -N\)/);
  });

  test("a report whose rows say inlined but whose verdict says otherwise is not trusted: the verdict decides", () => {
    const lying = row("a", "not-proven", { inlined: true });
    expect(gateVerdict(report([lying])).pass).toBe(false);
  });
});

describe("combineMemberFacts", () => {
  const facts = (helpers: HelperReport[]) => ({ helpers, notes: [], coverage: { sections: { decoded: 1, partial: 0, skipped: 0, stubs: 0 }, gaps: [] } });

  test("sums calls over members, naming each call's member, and takes the strongest symbol state", () => {
    const combined = combineMemberFacts(
      [
        { name: "a.o", kind: "elf", facts: facts([row("h", "calls-left", { symbol: "undefined" })]) },
        { name: "b.o", kind: "elf", facts: facts([row("h", "inlined", { symbol: "global", visibility: "default" })]) },
        { name: "lib.rmeta", kind: "skipped", note: "Rust metadata, no code" },
      ],
      ["h"],
    );
    expect(combined.helpers[0]).toMatchObject({ callsLeft: 2, verdict: "calls-left", symbol: "global", visibility: "default" });
    expect(combined.helpers[0]!.calls.map((c) => c.member)).toEqual(["a.o", "a.o"]);
    expect(combined.coverage!.sections.decoded).toBe(2);
  });

  test("one member not proven, or one member that cannot be read, keeps the helper not proven", () => {
    const notProven = combineMemberFacts([{ name: "a.o", kind: "elf", facts: facts([row("h", "not-proven")]) }, { name: "b.o", kind: "elf", facts: facts([row("h", "inlined")]) }], ["h"]);
    expect(notProven.helpers[0]).toMatchObject({ verdict: "not-proven", notProven: ["a.o: h could not be read"] });
    const unreadable = combineMemberFacts([{ name: "a.o", kind: "elf", facts: facts([row("h", "inlined")]) }, { name: "x.o", kind: "unreadable", note: "LLVM bitcode" }], ["h"]);
    expect(unreadable.helpers[0]).toMatchObject({ verdict: "not-proven", inlined: false, notProven: ["x.o: LLVM bitcode"] });
  });

  test("member names are made unique", () => {
    expect(uniqueMemberNames(["a.o", "b.o", "a.o", "a.o"])).toEqual(["a.o", "b.o", "a.o#2", "a.o#3"]);
  });
});
