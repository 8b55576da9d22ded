/**
 * The helper bitcode cache never serves stale bitcode (docs/VARIANTS.md): everything that decides
 * the bitcode is in the key or re-checked on a hit — headers that would now shadow the one used,
 * include directories that appear, `__has_include` answers, response files, clang's environment —
 * and a corrupt or malformed entry is removed and rebuilt, never trusted and never left to block
 * its key. Each case builds with the real rustc and clang and reads back the inlined constant.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { BuildOptions } from "../../src/pipeline/types.js";
import { llvmBin, tempDir } from "../support/toolchain.js";

const rustSource = `extern "C" { fn rust_helper_value() -> i32; }
#[no_mangle]
pub extern "C" fn get_value() -> i32 { unsafe { rust_helper_value() } }
`;

interface Case {
  dir: string;
  cache: string;
  /** Builds and returns where the helper bitcode came from and the constant Rust now returns. */
  run(extra?: Partial<BuildOptions>): Promise<{ origin: string; value: number; uncached?: string }>;
}

function setUp(helper: string, ccArgs: string[]): Case {
  const dir = tempDir("llto-cache-");
  const cache = join(dir, "cache");
  writeFileSync(join(dir, "lib.rs"), rustSource);
  writeFileSync(join(dir, "helper.c"), helper);
  let n = 0;
  return {
    dir,
    cache,
    async run(extra = {}) {
      const output = join(dir, `out${n}.o`);
      const bitcode = join(dir, `out${n++}.bc`);
      const { report } = await build({ rustInput: "lib.rs", helperInputs: ["helper.c"], output, emitBitcode: bitcode, rustcArgs: ["-O"], ccArgs, cacheDir: cache, mode: "inline", cwd: dir, ...extra });
      const ir = execFileSync(join(llvmBin, "llvm-dis"), [bitcode, "-o", "-"], { encoding: "utf8" });
      const body = ir.slice(ir.indexOf("@get_value"));
      const value = Number(body.match(/ret i32 (-?\d+)/)?.[1]);
      const entry = report.helperBitcode![0]!;
      return { origin: entry.origin, value, uncached: entry.uncached };
    },
  };
}

describe("the helper cache cannot serve stale bitcode", () => {
  test("a header created earlier in the include path shadows the cached one: miss, new value", async () => {
    const c = setUp('#include "value.h"\nint rust_helper_value(void) { return VALUE; }\n', ["-Ifirst", "-Isecond"]);
    mkdirSync(join(c.dir, "first"));
    mkdirSync(join(c.dir, "second"));
    writeFileSync(join(c.dir, "second", "value.h"), "#define VALUE 1\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 1 });
    expect(await c.run()).toMatchObject({ origin: "cache-hit", value: 1 });
    writeFileSync(join(c.dir, "first", "value.h"), "#define VALUE 2\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 2 });
    expect(await c.run()).toMatchObject({ origin: "cache-hit", value: 2 });
  });

  test("an include directory that did not exist appears with the header: miss", async () => {
    const c = setUp("#include <value.h>\nint rust_helper_value(void) { return VALUE; }\n", ["-Ilater", "-Inow"]);
    mkdirSync(join(c.dir, "now"));
    writeFileSync(join(c.dir, "now", "value.h"), "#define VALUE 3\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 3 });
    mkdirSync(join(c.dir, "later"));
    writeFileSync(join(c.dir, "later", "value.h"), "#define VALUE 4\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 4 });
  });

  test("a __has_include answer that changes: miss", async () => {
    const c = setUp('#if __has_include("extra.h")\n#include "extra.h"\n#else\n#define VALUE 5\n#endif\nint rust_helper_value(void) { return VALUE; }\n', []);
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 5 });
    expect(await c.run()).toMatchObject({ origin: "cache-hit", value: 5 });
    writeFileSync(join(c.dir, "extra.h"), "#define VALUE 6\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 6 });
  });

  test("a changed response file (@flags.rsp): miss; an unreadable one: not cached, and said why", async () => {
    const c = setUp("int rust_helper_value(void) { return VALUE; }\n", ["@flags.rsp"]);
    writeFileSync(join(c.dir, "flags.rsp"), "-DVALUE=7\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 7 });
    expect(await c.run()).toMatchObject({ origin: "cache-hit", value: 7 });
    writeFileSync(join(c.dir, "flags.rsp"), "-DVALUE=8\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 8 });
    writeFileSync(join(c.dir, "flags.rsp"), "-DVALUE=9 @nested.rsp\n");
    writeFileSync(join(c.dir, "nested.rsp"), "-DOTHER=1\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 9 });
    writeFileSync(join(c.dir, "nested.rsp"), "-DOTHER=2\n");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 9 });
  });

  test("an environment variable clang reads (CPATH) changes: miss", async () => {
    const c = setUp("#include <value.h>\nint rust_helper_value(void) { return VALUE; }\n", []);
    for (const [name, value] of [["a", 10], ["b", 11]] as const) {
      mkdirSync(join(c.dir, name));
      writeFileSync(join(c.dir, name, "value.h"), `#define VALUE ${value}\n`);
    }
    const withCpath = (dir: string) => ({ env: { ...process.env, CPATH: join(c.dir, dir) } });
    // clang runs in local-lto's own environment; the key reads the build's: keep both the same.
    process.env.CPATH = join(c.dir, "a");
    try {
      expect(await c.run(withCpath("a"))).toMatchObject({ origin: "compiled", value: 10 });
      expect(await c.run(withCpath("a"))).toMatchObject({ origin: "cache-hit", value: 10 });
      process.env.CPATH = join(c.dir, "b");
      expect(await c.run(withCpath("b"))).toMatchObject({ origin: "compiled", value: 11 });
    } finally {
      delete process.env.CPATH;
    }
  });

  test("a corrupt manifest, a corrupt bitcode entry and a directory squatting on an entry are removed and rebuilt; caching resumes", async () => {
    const c = setUp("int rust_helper_value(void) { return 12; }\n", []);
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 12 });
    const manifests = join(c.cache, "manifests");
    const manifest = readdirSync(manifests).find((f) => f.endsWith(".json"))!;
    writeFileSync(join(manifests, manifest), "{ not json");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 12 });
    expect(await c.run()).toMatchObject({ origin: "cache-hit", value: 12 });

    const bitcodeDir = join(c.cache, "bitcode");
    for (const f of readdirSync(bitcodeDir)) writeFileSync(join(bitcodeDir, f), "garbage");
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 12 });
    expect(await c.run()).toMatchObject({ origin: "cache-hit", value: 12 });

    rmSync(join(manifests, manifest));
    mkdirSync(join(manifests, manifest));
    expect(await c.run()).toMatchObject({ origin: "compiled", value: 12 });
    expect(await c.run()).toMatchObject({ origin: "cache-hit", value: 12 });
  });
});
