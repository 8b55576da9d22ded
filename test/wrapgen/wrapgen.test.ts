/**
 * The wrapper generator's pure parts, fed clang dumps recorded from test/fixtures/wrapgen/sample.h
 * (record.mjs), and the whole generator replaying those dumps.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  cDeclaration,
  collectUses,
  cWrapper,
  defaultClang,
  emptyUses,
  generateWrappers,
  parseConcatenatedJson,
  readHeaderFacts,
  readProbeAnswers,
  RustPrinter,
  rustIdentifier,
  selectFunctions,
  splitShellWords,
  unsupportedReason,
  type CType,
  type WrappedFunction,
} from "../../src/wrapgen/index.js";
import { repoRoot } from "../support/toolchain.js";
import { sampleOptions } from "../fixtures/wrapgen/options.mjs";

const fixtureDir = join(repoRoot, "test/fixtures/wrapgen");
const recorded = JSON.parse(readFileSync(join(fixtureDir, "recorded.json"), "utf8")) as { dumps: { filtered: boolean; source: string; output: string }[] };
const [headerDump, typeDump, ...laterDumps] = recorded.dumps;
const facts = readHeaderFacts(JSON.parse(headerDump!.output));

/** The recorded type of a function, by the probe line that asked for it. */
function recordedType(name: string): Extract<CType, { kind: "function" }> {
  const key = typeDump!.source.match(new RegExp(`typedef __typeof__\\(${name}\\) llto_wrapgen_type_(\\w+);`))?.[1];
  const type = key === undefined ? undefined : readProbeAnswers(typeDump!.output).types.get(key);
  if (type?.kind !== "function") throw new Error(`no recorded function type for ${name}`);
  return type;
}

function wrapped(name: string): WrappedFunction {
  const fn = facts.functions.find((f) => f.name === name)!;
  return { name, wrapperName: `${name}__extern`, type: recordedType(name), paramNames: fn.paramNames, inline: fn.inline };
}

const int: CType = { kind: "builtin", name: "int" };
const char: CType = { kind: "builtin", name: "char" };
const voidType: CType = { kind: "builtin", name: "void" };

describe("clang's concatenated JSON dumps", () => {
  test("splits objects written one after another, whatever their strings hold", () => {
    const text = '{"kind":"A","name":"{[\\"x"}\n{"kind":"B","inner":[{"kind":"C"}]}\n';
    expect(parseConcatenatedJson(text)).toEqual([{ kind: "A", name: '{["x' }, { kind: "B", inner: [{ kind: "C" }] }]);
  });

  test("refuses text between values and values cut short", () => {
    expect(() => parseConcatenatedJson('{"a":1} Dumping x: {"b":2}')).toThrow(/outside a JSON value/);
    expect(() => parseConcatenatedJson('{"a":{"b":1}')).toThrow(/ends inside a value/);
    expect(() => parseConcatenatedJson('{"a":"open}')).toThrow(/ends inside a value/);
  });
});

describe("the header's static functions and records, from the recorded AST", () => {
  test("every static definition, with its parameters, inline flag and the file that declares it", () => {
    const byName = new Map(facts.functions.map((f) => [f.name, f]));
    expect(byName.get("counter_add")).toMatchObject({ paramNames: ["c", "n"], inline: true, line: 10 });
    expect(byName.get("counter_add")!.file).toMatch(/inner\.h$/);
    expect(byName.get("pair_make")!.file).toMatch(/sample\.h$/);
    expect(byName.get("keywords")!.paramNames).toEqual(["type", "", "match"]);
    expect(byName.get("plain_static")!.inline).toBe(false);
    expect(byName.get("pick")!.spelling).toBe("int (*(int))(void *, int)");
    expect(byName.has("exported")).toBe(false); // extern: not bindgen's to wrap
    expect(byName.has("SAMPLE_MACRO")).toBe(false);
  });

  test("the file of a declaration follows clang's elided locations across includes", () => {
    // counter_get follows counter_add in inner.h with no `file` of its own in the dump.
    const counterGet = facts.functions.find((f) => f.name === "counter_get")!;
    expect(counterGet.file).toMatch(/inner\.h$/);
    expect(counterGet.line).toBe(15);
    const modeNext = facts.functions.find((f) => f.name === "mode_next")!;
    expect(modeNext.file).toMatch(/sample\.h$/);
  });

  test("records by C spelling: complete or not, fields, bitfields, typedef-named anonymous ones", () => {
    expect(facts.records.get("struct counter")).toEqual({ spelling: "struct counter", complete: true, fields: [{ name: "value", bitfield: false }, { name: "flags", bitfield: false }] });
    expect(facts.records.get("pair_t")).toMatchObject({ complete: true, fields: [{ name: "low" }, { name: "high" }] });
    expect(facts.records.get("struct opaque")?.complete).toBe(false);
    expect(facts.records.get("struct flags")?.fields.every((f) => f.bitfield)).toBe(true);
    expect(facts.records.get("union either")?.complete).toBe(true);
    // Declared inside struct outer, yet a file-scope tag in C.
    expect(facts.records.get("struct inner_pos")).toMatchObject({ complete: true, fields: [{ name: "x" }, { name: "y" }] });
  });

  test("only a translation unit is accepted", () => {
    expect(() => readHeaderFacts({ kind: "FunctionDecl" })).toThrow(/TranslationUnitDecl/);
  });

  test("the allow pattern selects by name, also when given with the global flag", () => {
    const pattern = /^pair_/g;
    expect(selectFunctions(facts.functions, pattern).map((f) => f.name)).toEqual(["pair_make", "pair_sum"]);
    expect(selectFunctions(facts.functions, pattern).map((f) => f.name)).toEqual(["pair_make", "pair_sum"]);
    expect(selectFunctions(facts.functions, undefined)).toHaveLength(facts.functions.length);
  });
});

describe("type trees from the type probe", () => {
  test("typedefs, pointers and function pointers keep their structure and sugar", () => {
    const visitAll = recordedType("visit_all");
    expect(visitAll.result).toEqual(int);
    expect(visitAll.params[0]).toEqual({ kind: "pointer", pointee: { ...int, quals: { const: true } } });
    expect(visitAll.params[1]).toMatchObject({ kind: "typedef", name: "size_t" });
    expect(visitAll.params[2]).toMatchObject({ kind: "typedef", name: "visit_fn", underlying: { kind: "pointer", pointee: { kind: "function", params: [{ kind: "pointer" }, int] } } });
  });

  test("an array parameter has decayed to a pointer; a typedef-named anonymous record takes the typedef's name", () => {
    expect(recordedType("keywords").params[2]).toEqual({ kind: "pointer", pointee: { ...char, quals: { const: true } } });
    expect(recordedType("pair_make").result).toEqual({ kind: "typedef", name: "pair_t", underlying: { kind: "record", tag: "struct", name: "pair_t", typedefNamed: true } });
  });

  test("a variadic function and an unrepresentable type are reported, not wrapped", () => {
    expect(recordedType("sum_variadic").variadic).toBe(true);
    expect(unsupportedReason(recordedType("sum_variadic"))).toMatch(/variadic/);
    expect(unsupportedReason(recordedType("widen"))).toMatch(/long double/);
    expect(unsupportedReason(recordedType("pair_make"))).toBeUndefined();
  });

  test("uses: records passed by value, records behind pointers, enums", () => {
    const uses = collectUses(recordedType("pair_sum"), emptyUses());
    expect([...uses.byValue.keys()]).toEqual(["pair_t"]);
    const pointerUses = collectUses(recordedType("counter_get"), emptyUses());
    expect([...pointerUses.byPointer.keys()]).toEqual(["counter"]);
    expect(pointerUses.byValue.size).toBe(0);
    expect([...collectUses(recordedType("mode_next"), emptyUses()).enums.keys()]).toEqual(["mode"]);
  });
});

describe("C declarations and wrappers", () => {
  test("declarators: qualified pointers, function pointers, arrays", () => {
    const constCharPtr: CType = { kind: "pointer", pointee: { ...char, quals: { const: true } }, quals: { const: true } };
    expect(cDeclaration({ kind: "pointer", pointee: constCharPtr }, "list")).toBe("const char *const *list");
    expect(cDeclaration({ kind: "pointer", pointee: { kind: "function", result: int, params: [int], variadic: false } }, "f")).toBe("int (*f) (int)");
    expect(cDeclaration({ kind: "array", element: int, size: 4 }, "a")).toBe("int a[4]");
    expect(cDeclaration({ kind: "pointer", pointee: { kind: "array", element: int, size: 4 } }, "p")).toBe("int (*p)[4]");
    expect(cDeclaration({ kind: "function", result: voidType, params: [], variadic: false }, "g")).toBe("void g(void)");
    expect(cDeclaration({ kind: "record", tag: "union", name: "u" })).toBe("union u");
  });

  test("bindgen's wrapper form: `return` unless void, `argN` for an unnamed parameter, a returned function pointer", () => {
    expect(cWrapper(wrapped("counter_add"))).toBe("void counter_add__extern(struct counter *c, unsigned long n) { counter_add(c, n); }");
    expect(cWrapper(wrapped("keywords"))).toBe("int keywords__extern(int type, int arg2, const char *match) { return keywords(type, arg2, match); }");
    expect(cWrapper(wrapped("pick"))).toBe("int (*pick__extern(int which)) (void *, int) { return pick(which); }");
    expect(cWrapper(wrapped("no_args"))).toBe("void no_args__extern(void) { no_args(); }");
  });
});

describe("Rust declarations", () => {
  const printer = () => new RustPrinter({ records: new Map(), enums: new Map(), useCore: true });

  test("bindgen's mapping: size_t is usize, const pointees are *const, function pointers are Option<unsafe extern fn>", () => {
    const rust = printer();
    const visitAll = recordedType("visit_all");
    expect(visitAll.params.map((p) => rust.type(p, "value"))).toEqual(["*const ::core::ffi::c_int", "usize", "visit_fn", "*mut ::core::ffi::c_void"]);
    expect(rust.aliases.get("visit_fn")).toBeDefined();
    expect(rust.type(rust.aliases.get("visit_fn")!, "value")).toBe(
      '::core::option::Option<unsafe extern "C" fn(arg1: *mut ::core::ffi::c_void, arg2: ::core::ffi::c_int) -> ::core::ffi::c_int>',
    );
    expect(new RustPrinter({ records: new Map(), enums: new Map(), useCore: false }).type(int, "value")).toBe("::std::os::raw::c_int");
  });

  test("the declaration links to the wrapper under the C name; keywords get bindgen's underscore", () => {
    expect(printer().declaration(wrapped("keywords"))).toBe(
      [
        'extern "C" {',
        '    #[link_name = "keywords__extern"]',
        "    pub fn keywords(type_: ::core::ffi::c_int, arg2: ::core::ffi::c_int, match_: *const ::core::ffi::c_char) -> ::core::ffi::c_int;",
        "}",
      ].join("\n"),
    );
    expect(rustIdentifier("loop")).toBe("loop_");
    expect(rustIdentifier("ring")).toBe("ring");
  });

  test("records: opaque with clang's size and alignment, zero-sized when incomplete, fields with checked offsets when by value", () => {
    const rust = printer();
    expect(rust.record({ name: "counter", tag: "struct", layout: { size: 32, align: 32 } })).toContain("#[repr(C, align(32))]\npub struct counter {\n    _opaque: [u8; 32usize],\n}");
    expect(rust.record({ name: "opaque", tag: "struct" })).toBe("#[repr(C)]\npub struct opaque {\n    _unused: [u8; 0],\n}");
    const pair = rust.record({ name: "pair_t", tag: "struct", layout: { size: 16, align: 8 }, fields: [{ name: "low", type: int, offset: 0 }, { name: "type", type: int, offset: 4 }] });
    expect(pair).toContain("pub type_: ::core::ffi::c_int,");
    expect(pair).toContain("assert!(::core::mem::offset_of!(pair_t, type_) == 4usize);");
    expect(rust.enumAlias({ name: "big_mode", size: 8, signed: true })).toBe("pub type big_mode = ::core::ffi::c_long;");
  });
});

describe("the whole generator, replaying the recorded clang dumps", () => {
  test("writes the recorded extern.c and bindings.rs, and says what it skipped and why", async () => {
    const options = sampleOptions(fixtureDir);
    let next = 0;
    const generated = await generateWrappers({
      ...options,
      dumpAst: async (source, filtered) => {
        const dump = recorded.dumps[next++];
        if (!dump) throw new Error("the generator asked clang for more dumps than were recorded");
        expect(source.split(options.header).join("sample.h")).toBe(dump.source);
        expect(filtered).toBe(dump.filtered);
        return dump.output;
      },
    });
    expect(next).toBe(recorded.dumps.length);
    expect(laterDumps.length).toBeGreaterThan(0);
    expect(generated.externC).toBe(readFileSync(join(fixtureDir, "expected-extern.c"), "utf8"));
    expect(generated.bindingsRs).toBe(readFileSync(join(fixtureDir, "expected-bindings.rs"), "utf8"));
    expect(generated.skipped).toEqual([
      { name: "sum_variadic", reason: "a variadic function cannot be wrapped" },
      { name: "widen", reason: "long double has no Rust equivalent" },
      { name: "either_int", reason: "union either, passed by value, is a union" },
      { name: "flags_a", reason: "struct flags, passed by value, has bitfields" },
    ]);
    expect(generated.layouts.get("counter")).toEqual({ size: 32, align: 32 });
    expect(generated.wrapped.map((w) => w.wrapperName)).toContain("plain_static__extern");
  });

  test("a pattern that matches no static function is a usage error naming the pattern", async () => {
    const options = sampleOptions(fixtureDir);
    await expect(generateWrappers({ ...options, allow: /^nothing_here$/, dumpAst: async () => headerDump!.output })).rejects.toMatchObject({ code: "LLTO_USAGE", message: expect.stringMatching(/nothing_here/) });
  });
});

describe("flags as users have them", () => {
  test("a flags string is split as a POSIX shell splits it", () => {
    expect(splitShellWords("-I/usr/include/x86_64-linux-gnu -D_LGPL_SOURCE  ")).toEqual(["-I/usr/include/x86_64-linux-gnu", "-D_LGPL_SOURCE"]);
    expect(splitShellWords(`-include rte_config.h -DNAME='"a b"' -I"/opt/my dir" -DX=a\\ b`)).toEqual(["-include", "rte_config.h", '-DNAME="a b"', "-I/opt/my dir", "-DX=a b"]);
    expect(splitShellWords(`"a\\"b\\n" ''`)).toEqual(['a"b\\n', ""]);
    expect(() => splitShellWords("-DX='open")).toThrow(/unterminated quote/);
  });

  test("the default clang: LOCAL_LTO_CLANG, else clang, else the newest clang-N on PATH", () => {
    const saved = process.env.LOCAL_LTO_CLANG;
    delete process.env.LOCAL_LTO_CLANG;
    try {
      expect(defaultClang("/usr/bin")).toMatch(/\/clang(-\d+)?$/);
      expect(defaultClang("/nonexistent")).toBe("clang");
      process.env.LOCAL_LTO_CLANG = "/opt/clang";
      expect(defaultClang("/usr/bin")).toBe("/opt/clang");
    } finally {
      if (saved === undefined) delete process.env.LOCAL_LTO_CLANG;
      else process.env.LOCAL_LTO_CLANG = saved;
    }
  });
});
