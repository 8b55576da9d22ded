import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArchiveFormatError, readArchive } from "../../src/elf/readArchive.js";
import { inspectObject } from "../../src/inspect/inspectObject.js";
import { reportSchema } from "../../src/report/schema.js";
import { CLANG, LLVM_BIN, RUSTC, Workdir, fixture, run } from "./helpers/toolchain.js";

/**
 * The archive reader against real `ar` and `llvm-ar` output (GNU long names, BSD `#1/` names,
 * symbol tables, odd sizes, duplicate names) and a real rlib; `inspect` over every member.
 */

const work = new Workdir();
afterAll(() => work.cleanup());
const LLVM_AR = `${LLVM_BIN}/llvm-ar`;

let members: string[];
beforeAll(() => {
  work.compile(CLANG, fixture("extern_calls.c"), "ext.o", ["-O2"]);
  work.compile(CLANG, fixture("helpers_in_one_tu.c"), "a_member_with_a_name_longer_than_fifteen.o", ["-O2"]);
  work.write("odd.txt", "odd");
  work.write("x", "");
  members = ["ext.o", "a_member_with_a_name_longer_than_fifteen.o", "odd.txt", "x"];
});

function archive(tool: string, args: string[], name: string, files = members): Uint8Array {
  run(tool, [...args, name, ...files], work.path);
  return work.read(name);
}

function listed(tool: string, name: string): string[] {
  return run(tool, ["t", name], work.path).trim().split("\n");
}

function expectMembersMatch(bytes: Uint8Array, names: string[]): void {
  const parsed = readArchive(bytes);
  expect(parsed.members.map((m) => m.name)).toEqual(names);
  for (const m of parsed.members) expect(Buffer.from(m.data).equals(readFileSync(join(work.path, m.name.replace(/#\d+$/, ""))))).toBe(true);
}

describe("readArchive against ar and llvm-ar", () => {
  it("GNU ar rcs: symbol table, // long names, odd-sized and empty members", () => {
    const bytes = archive("ar", ["rcs"], "gnu.a");
    const parsed = readArchive(bytes);
    expect(parsed).toMatchObject({ format: "gnu", hasSymbolTable: true });
    expect(parsed.members.map((m) => m.name)).toEqual(listed("ar", "gnu.a"));
    expectMembersMatch(bytes, members);
  });

  it("llvm-ar --format=gnu", () => {
    const bytes = archive(LLVM_AR, ["--format=gnu", "rcs"], "llvm-gnu.a");
    expect(readArchive(bytes).members.map((m) => m.name)).toEqual(listed(LLVM_AR, "llvm-gnu.a"));
    expectMembersMatch(bytes, members);
  });

  it("llvm-ar --format=bsd: #1/ names, __.SYMDEF", () => {
    const bytes = archive(LLVM_AR, ["--format=bsd", "rcs"], "bsd.a");
    const parsed = readArchive(bytes);
    expect(parsed).toMatchObject({ format: "bsd", hasSymbolTable: true });
    expect(parsed.members.map((m) => m.name)).toEqual(listed(LLVM_AR, "bsd.a"));
    expectMembersMatch(bytes, members);
  });

  it("keeps members that share a name (ar q)", () => {
    const bytes = archive("ar", ["q"], "dup.a", ["ext.o", "ext.o"]);
    expect(readArchive(bytes).members.map((m) => m.name)).toEqual(["ext.o", "ext.o"]);
  });

  it("refuses thin archives, truncated archives and broken headers with ArchiveFormatError", () => {
    run("ar", ["rcT", "thin.a", "ext.o"], work.path);
    expect(() => readArchive(work.read("thin.a"))).toThrow(/thin archive/);
    const whole = work.read("gnu.a");
    const reasons: string[] = [];
    for (const cut of [8 + 30, whole.length - 1, 200]) {
      try {
        readArchive(whole.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(ArchiveFormatError);
        reasons.push((error as ArchiveFormatError).reason);
      }
    }
    expect(reasons).toHaveLength(3);
    expect(reasons.every((r) => /truncated/.test(r))).toBe(true);
    const badSize = whole.slice();
    badSize.set(Buffer.from("12x4      "), 8 + 48);
    expect(() => readArchive(badSize)).toThrow(/not a decimal number/);
  });
});

describe("inspect on archives", () => {
  it("a real rlib: lib.rmeta and the codegen units, one row per helper naming the member of each call", async () => {
    const rlib = work.file("libcalls.rlib");
    run(RUSTC, ["-O", "--crate-type=rlib", "--edition=2021", "-Ccodegen-units=4", "--crate-name=calls", fixture("calls_c_helper.rs"), "-o", rlib]);
    const parsed = readArchive(work.read("libcalls.rlib"));
    expect(parsed.members.map((m) => m.name)).toEqual(listed(LLVM_AR, "libcalls.rlib"));
    expect(parsed.members[0]!.name).toBe("lib.rmeta");

    const report = reportSchema.parse(await inspectObject({ object: rlib, helperNames: ["helper", "other_helper", "never_called"] }));
    const byName = Object.fromEntries(report.helpers.map((h) => [h.name, h]));
    expect(byName.helper).toMatchObject({ verdict: "calls-left", callsLeft: 3, symbol: "undefined" });
    expect(byName.other_helper).toMatchObject({ verdict: "calls-left", callsLeft: 1 });
    expect(byName.never_called).toMatchObject({ verdict: "inlined", symbol: "absent" });
    const objects = parsed.members.filter((m) => m.name.endsWith(".o")).map((m) => m.name);
    for (const call of [...byName.helper!.calls, ...byName.other_helper!.calls]) expect(objects).toContain(call.member);
    expect(report.members!.map((m) => `${m.name} ${m.kind}`)).toEqual(parsed.members.map((m) => `${m.name} elf`));
  });

  it("a static library: calls in every member, and the same counts as inspecting each object", async () => {
    run(CLANG, ["-O2", "-ffunction-sections", "-c", fixture("helpers_in_one_tu.c"), "-o", work.file("one-tu.o")]);
    run("ar", ["rcs", "lib.a", "ext.o", "one-tu.o", "odd.txt"], work.path);
    const report = await inspectObject({ object: work.file("lib.a"), helperNames: ["helper"] });
    const single = await Promise.all(["ext.o", "one-tu.o"].map((o) => inspectObject({ object: work.file(o), helperNames: ["helper"] })));
    expect(report.helpers[0]!.callsLeft).toBe(single[0]!.helpers[0]!.callsLeft + single[1]!.helpers[0]!.callsLeft);
    expect(report.helpers[0]!.symbol).toBe("local"); // one-tu.o defines it, ext.o only references it
    expect(new Set(report.helpers[0]!.calls.map((c) => c.member))).toEqual(new Set(["ext.o", "one-tu.o"]));
    expect(report.members).toEqual([
      { name: "ext.o", kind: "elf" },
      { name: "one-tu.o", kind: "elf" },
      { name: "odd.txt", kind: "skipped", note: "text, no code" },
    ]);
  });

  it("a member that is LLVM bitcode keeps every helper not proven", async () => {
    run(CLANG, ["-O2", "-c", "-emit-llvm", fixture("extern_calls.c"), "-o", work.file("lto.o")]);
    run("ar", ["rc", "lto.a", "lto.o", "one-tu.o"], work.path);
    const report = await inspectObject({ object: work.file("lto.a"), helperNames: ["rust_helper_elsewhere"] });
    expect(report.helpers[0]).toMatchObject({ verdict: "not-proven", callsLeft: 0, inlined: false });
    expect(report.helpers[0]!.notProven).toEqual(["lto.o: LLVM bitcode (linker-plugin LTO or -Cembed-bitcode object), not machine code: calls in it cannot be counted"]);
    expect(report.summary.allInlined).toBe(false);
  });

  it("refuses a thin archive with LLTO_NOT_ELF, naming the cause", async () => {
    await expect(inspectObject({ object: work.file("thin.a") })).rejects.toMatchObject({ code: "LLTO_NOT_ELF", exit: "invalidInput", message: expect.stringMatching(/thin archive/) });
  });

  it("an archive member for a machine without a decoder: cannot prove (exit 12)", async () => {
    run(CLANG, ["--target=riscv64-linux-gnu", "-O2", "-c", fixture("extern_calls.c"), "-o", work.file("rv.o")]);
    run("ar", ["rc", "rv.a", "ext.o", "rv.o"], work.path);
    await expect(inspectObject({ object: work.file("rv.a") })).rejects.toMatchObject({ code: "LLTO_CANNOT_PROVE", exit: "cannotProve", message: expect.stringMatching(/rv\.a\(rv\.o\) is riscv64/) });
  });
});
