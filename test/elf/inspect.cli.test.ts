import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportSchema } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { CLANG, LLVM_BIN, LLVM_MC, RUSTC, Workdir, fixture, run } from "./helpers/toolchain.js";

/**
 * `local-lto inspect` as a user runs it (the built CLI: `npm run build` first): every way the
 * proof cannot pass ends in one `error[CODE]` line, a `fix:` line and its documented exit code.
 */

const work = new Workdir();
afterAll(() => work.cleanup());

function expectOneDiagnostic(stderr: string, code: string): string {
  const errorLines = stderr.split("\n").filter((l) => l.startsWith("error["));
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toContain(`error[${code}]`);
  expect(stderr).toMatch(/\n {2}fix: \S/);
  expect(stderr).not.toMatch(/internal error|\n\s+at .*\.js:\d+/);
  return errorLines[0]!;
}

beforeAll(() => {
  run(LLVM_MC, ["-triple=x86_64-linux-gnu", "-filetype=obj", fixture("undecodable.s"), "-o", work.file("undecodable.o")]);
  work.compile(CLANG, fixture("extern_calls.c"), "ext.o", ["-O2"]);
});

describe("architectures without a call decoder: exit 12, naming the architecture", () => {
  const targets: Array<[string, RegExp]> = [
    ["riscv64-linux-gnu", /is riscv64 \(RISC-V\) code/],
    ["powerpc64le-linux-gnu", /is ppc64le \(PowerPC64\) code/],
    ["s390x-linux-gnu", /is s390x \(IBM S\/390, ELF64 big-endian\) code/],
    ["i686-linux-gnu", /is i386 \(Intel 80386, ELF32 little-endian\) code/],
  ];
  for (const [target, named] of targets) {
    it(target, async () => {
      const object = work.compile(CLANG, fixture("extern_calls.c"), `${target}.o`, [`--target=${target}`, "-O2"]);
      const cli = await runCli(["inspect", object, "--helper", "helper"]);
      expect(cli.exitCode).toBe(12);
      expect(expectOneDiagnostic(cli.stderr, "LLTO_CANNOT_PROVE")).toMatch(named);
      expect(cli.stdout).toBe("");
    });
  }
});

describe("--require-inlined never passes over what it could not read", () => {
  it("a helper in undecodable code: the report says not proven, exit 12 names it", async () => {
    const cli = await runCli(["inspect", work.file("undecodable.o"), "--helper", "ext_helper", "--require-inlined"]);
    expect(cli.exitCode).toBe(12);
    expect(expectOneDiagnostic(cli.stderr, "LLTO_NOT_PROVEN")).toMatch(/1 helper\(s\) not proven inlined in .*: ext_helper \(\.text\+0x0\.\.0xc \(in hides_calls\) could not be decoded/);
    expect(cli.stdout).toMatch(/ext_helper\s+-\s+0\s+undefined\s+not proven/);
    expect(cli.stdout).not.toContain("every helper call inlined");
  });

  it("no helper matched: the report says nothing was checked, exit 12", async () => {
    const cli = await runCli(["inspect", work.file("ext.o"), "--require-inlined", "--json"]);
    expect(cli.exitCode).toBe(12);
    expectOneDiagnostic(cli.stderr, "LLTO_NOTHING_CHECKED");
    const report = reportSchema.parse(JSON.parse(cli.stdout));
    expect(report.summary).toMatchObject({ helpers: 0, allInlined: false });
  });

  it("an object whose e_type was changed to NONE, EXEC or CORE is refused, not read as a linked file (exit 4)", async () => {
    const source = work.write("direct.c", "__attribute__((noinline)) int rust_helper_foo(int x){return x*3+1;}\nint caller(int x){return rust_helper_foo(x)+1;}\n");
    const object = work.compile(CLANG, source, "direct.o", ["-O2"]);
    for (const type of [0, 2, 4]) {
      const bytes = work.read("direct.o");
      bytes[16] = type;
      const damaged = work.file(`direct-etype-${type}.o`);
      writeFileSync(damaged, bytes);
      const cli = await runCli(["inspect", damaged, "--helper", "rust_helper_foo", "--require-inlined"]);
      expect(cli.exitCode, `e_type ${type}`).toBe(4);
      expect(expectOneDiagnostic(cli.stderr, "LLTO_NOT_ELF")).toMatch(/e_type is (NONE|EXEC|CORE)/);
      expect(cli.stdout).not.toContain("inlined");
    }
    // The object as compiled: the call is there.
    expect((await runCli(["inspect", object, "--helper", "rust_helper_foo", "--require-inlined"])).exitCode).toBe(10);
  });

  it("calls left: exit 10", async () => {
    const cli = await runCli(["inspect", work.file("ext.o"), "--helper", "helper", "--require-inlined"]);
    expect(cli.exitCode).toBe(10);
    expect(expectOneDiagnostic(cli.stderr, "LLTO_CALLS_LEFT")).toContain("helper (4)");
  });

  it("a stripped shared object that no longer names a hidden helper: exit 12", async () => {
    const lib = work.file("libh.so");
    run("gcc", ["-O2", "-shared", "-fPIC", "-s", "-o", lib, fixture("linked_lib.c")]);
    const cli = await runCli(["inspect", lib, "--helper", "rust_helper_hidden", "--helper", "rust_helper_ext", "--require-inlined"]);
    expect(cli.exitCode).toBe(12);
    expect(expectOneDiagnostic(cli.stderr, "LLTO_NOT_PROVEN")).toMatch(/rust_helper_hidden \(the file has no \.symtab \(stripped\)/);
    expect(cli.stdout).toMatch(/rust_helper_ext\s+-\s+0\s+global\s+inlined/);
  });

  it("passes when every named helper is proven inlined", async () => {
    const cli = await runCli(["inspect", work.file("ext.o"), "--helper", "not_called_anywhere", "--require-inlined"]);
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout).toContain("every helper call inlined");
  });
});

describe("archives", () => {
  it("an rlib: rows per helper, calls naming their member, exit 10 with calls left", async () => {
    const rlib = work.file("libcalls.rlib");
    run(RUSTC, ["-O", "--crate-type=rlib", "--edition=2021", "--crate-name=calls", fixture("calls_c_helper.rs"), "-o", rlib]);
    const cli = await runCli(["inspect", rlib, "--helper", "helper", "--json", "--require-inlined"]);
    expect(cli.exitCode).toBe(10);
    const report = reportSchema.parse(JSON.parse(cli.stdout));
    expect(report.helpers[0]!.callsLeft).toBe(3);
    expect(report.helpers[0]!.calls.every((c) => c.member?.endsWith(".rcgu.o"))).toBe(true);
    expect(report.members![0]).toEqual({ name: "lib.rmeta", kind: "elf" });
  });

  it("a thin archive: exit 4, LLTO_NOT_ELF", async () => {
    run(`${LLVM_BIN}/llvm-ar`, ["rcT", "thin.a", "ext.o"], work.path);
    const cli = await runCli(["inspect", work.file("thin.a")]);
    expect(cli.exitCode).toBe(4);
    expect(expectOneDiagnostic(cli.stderr, "LLTO_NOT_ELF")).toMatch(/thin archive/);
  });
});

describe("inputs that are not regular files (a user trial: a FIFO blocked for ever, /dev/zero was read until memory ran out)", () => {
  for (const [what, path] of [
    ["a FIFO", () => {
      const fifo = work.file("pipe.o");
      run("mkfifo", [fifo]);
      return fifo;
    }],
    ["/dev/zero", () => "/dev/zero"],
    ["/dev/null", () => "/dev/null"],
    ["a directory", () => work.file("")],
  ] as const) {
    it(`${what}: exit 3, LLTO_INPUT_NOT_FILE, at once`, async () => {
      const cli = await runCli(["inspect", path(), "--helper", "helper"]);
      expect(cli.exitCode).toBe(3);
      expect(expectOneDiagnostic(cli.stderr, "LLTO_INPUT_NOT_FILE")).toContain("not a regular file");
    }, 20_000);
  }
});
