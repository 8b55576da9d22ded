/** What the reader refuses, with which line and reason, and what it tolerates. */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { LocalLtoError } from "../../src/diagnostics/errors.js";
import { IrParseError, parseModule } from "../../src/ir/index.js";
import { fixture, fixturesDir, run, Scratch, tool } from "./helpers.js";

function parseError(text: string): IrParseError {
  try {
    parseModule(text);
  } catch (e) {
    expect(e).toBeInstanceOf(IrParseError);
    return e as IrParseError;
  }
  throw new Error("expected parseModule to throw");
}

describe("not IR at all", () => {
  const scratch = new Scratch();
  afterAll(() => scratch.dispose());

  it("rejects empty and blank text", () => {
    for (const text of ["", "\n\n", "   \t\n"]) {
      const e = parseError(text);
      expect(e.line).toBe(1);
      expect(e.reason).toMatch(/empty input/);
    }
  });

  it("rejects text with only comments", () => {
    expect(parseError("; ModuleID = 'x'\n; nothing else\n").reason).toMatch(/no LLVM IR/);
  });

  it("rejects binary garbage", () => {
    const bytes = Buffer.from([0x13, 0x37, 0x00, 0xff, 0x80, 0x0a, 0x41, 0x00]);
    const e = parseError(bytes.toString("latin1"));
    expect(e.reason).toMatch(/binary data/);
    expect(e.line).toBe(1);
  });

  it("rejects text whose first content is not IR", () => {
    const e = parseError("; comment\n\nhello world\ndefine void @f() {\n  ret void\n}\n");
    expect(e.line).toBe(3);
    expect(e.reason).toMatch(/not LLVM IR text: "hello world"/);
    expect(parseError("{ json: true }").reason).toMatch(/not LLVM IR text/);
  });

  it("recognises bitcode, however it was decoded, and says what to do", () => {
    const bc = scratch.path("calls.bc");
    run(tool("llvm-as"), [`${fixturesDir}/calls.ll`, "-o", bc]);
    const bytes = readFileSync(bc);
    for (const text of [bytes.toString("utf8"), bytes.toString("latin1")]) {
      const e = parseError(text);
      expect(e.reason).toBe("this is bitcode: disassemble it with llvm-dis first");
      expect(e.message).toContain("this is bitcode: disassemble it with llvm-dis first");
    }
    // The wrapper header (0x0B17C0DE) that Apple tools put in front of bitcode.
    const wrapped = Buffer.concat([Buffer.from([0xde, 0xc0, 0x17, 0x0b]), bytes]);
    expect(parseError(wrapped.toString("latin1")).reason).toMatch(/this is bitcode/);
  });

  it("recognises an ELF object", () => {
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]);
    expect(parseError(elf.toString("latin1")).reason).toMatch(/ELF object/);
  });

  it("is a LocalLtoError with the invalid-input exit code", () => {
    const e = parseError("");
    expect(e).toBeInstanceOf(LocalLtoError);
    expect(e.code).toBe("LLTO_IR_PARSE");
    expect(e.exit).toBe("invalidInput");
    expect(e.fix).toMatch(/llvm-dis/);
  });
});

describe("malformed IR", () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ["a body without its closing brace", "define void @f() {\n  ret void\n\ndefine void @g() {\n  ret void\n}\n", 1, /no closing \}/],
    ["a body cut off at the end", "source_filename = \"x\"\ndefine void @f() {\n  ret void\n", 2, /no closing \}/],
    ["an unterminated call", "define void @f() {\n  call void @g(i32 1,\n", 2, /not terminated/],
    ["a call without arguments", "declare void @g()\ndefine void @f() {\n  call void @g\n  ret void\n}\n", 3, /malformed call/],
    ["an undefined attribute group", "declare void @g()\ndefine void @f() {\n  call void @g() #7\n  ret void\n}\n", 3, /attribute group #7 is not defined/],
    ["a redefinition", "define void @f() {\n  ret void\n}\ndeclare void @f()\n", 4, /redefinition of @f/],
    ["a stray closing brace", "source_filename = \"x\"\n}\n", 2, /unexpected text at top level/],
    ["a malformed attribute group", "attributes #0 = { nounwind = }\n", 1, /malformed attribute/],
    ["an unknown comdat kind", "$c = comdat sometimes\n", 1, /unknown comdat kind/],
    ["a header without a name", "define void f() {\n  ret void\n}\n", 1, /expected @name/],
    ["a global without a kind", "@g = internal 42\n", 1, /expected global, constant or alias/],
  ];
  it.each(cases)("rejects %s", (_what, text, line, reason) => {
    const e = parseError(text);
    expect(e.line).toBe(line);
    expect(e.reason).toMatch(reason);
  });
});

describe("tolerated", () => {
  it("accepts an empty module as llvm-dis prints it", () => {
    const m = parseModule("; ModuleID = 'empty.bc'\nsource_filename = \"empty.c\"\n");
    expect(m.sourceFilename).toBe("empty.c");
    expect(m.functions.size + m.globals.size).toBe(0);
  });

  it("skips top-level entities it does not know once the text is IR", () => {
    const m = parseModule(
      'source_filename = "x"\nfuturekeyword foo bar\nuselistorder ptr @f, { 1, 0 }\n^0 = module: (path: "x")\ndefine void @f() {\n  ret void\n}\n',
    );
    expect([...m.functions.keys()]).toEqual(["f"]);
  });

  it("counts instructions it does not know and skips their syntax", () => {
    const m = parseModule("define void @f() {\n  %x = frobnicate i32 1, @nowhere\n  ret void\n}\n");
    expect(m.functions.get("f")!.instructionCount).toBe(2);
  });

  it("reads CRLF text like LF text", () => {
    const lf = parseModule(fixture("calls.ll"));
    const crlf = parseModule(fixture("calls.ll").replace(/\n/g, "\r\n"));
    expect(crlf).toEqual(lf);
  });
});
