/**
 * C flags as users have them (issue 10, item 7): `--pkg-config <name>` adds a library's
 * `pkg-config --cflags` (quoted words, `-include file`, defines) to every helper compile and so to
 * the cache key; `--cc-args "<string>"` is split as a shell would split it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import type { BuildOptions } from "../../src/pipeline/types.js";
import { llvmBin, tempDir } from "../support/toolchain.js";

const dir = tempDir("llto-cflags-");
const pcDir = join(dir, "pc");
mkdirSync(join(pcDir, "my dir"), { recursive: true });
writeFileSync(join(dir, "lib.rs"), 'extern "C" { fn rust_helper_value() -> i32; }\n#[no_mangle]\npub extern "C" fn get_value() -> i32 { unsafe { rust_helper_value() } }\n');
writeFileSync(join(dir, "helper.c"), '#include "spaced.h"\nint rust_helper_value(void) { return PRE + SPACED + BASE + EXTRA; }\n');
writeFileSync(join(pcDir, "pre.h"), "#define PRE 1000\n");
writeFileSync(join(pcDir, "my dir", "spaced.h"), "#define SPACED 200\n");

function writePc(base: number): void {
  writeFileSync(join(pcDir, "demo.pc"), `prefix=${pcDir}\nName: demo\nDescription: test\nVersion: 1\nCflags: -include \${prefix}/pre.h "-I\${prefix}/my dir" -DBASE=${base}\n`);
}

let n = 0;
async function inlinedValue(extra: Partial<BuildOptions>): Promise<{ value: number; origin: string }> {
  const bitcode = join(dir, `out${n}.bc`);
  const { report } = await build({
    rustInput: join(dir, "lib.rs"),
    helperInputs: [join(dir, "helper.c")],
    output: join(dir, `out${n++}.o`),
    emitBitcode: bitcode,
    rustcArgs: ["-O"],
    cacheDir: join(dir, "cache"),
    mode: "inline",
    env: { ...process.env, PKG_CONFIG_PATH: pcDir },
    ...extra,
  });
  const ir = execFileSync(join(llvmBin, "llvm-dis"), [bitcode, "-o", "-"], { encoding: "utf8" });
  return { value: Number(ir.slice(ir.indexOf("@get_value")).match(/ret i32 (-?\d+)/)?.[1]), origin: report.helperBitcode![0]!.origin };
}

describe("C flags as users have them", () => {
  test("--pkg-config: -include, a quoted -I with a space and a define reach clang; a changed .pc file is a cache miss", async () => {
    writePc(30);
    expect(await inlinedValue({ pkgConfig: ["demo"], ccArgStrings: ["-DEXTRA=4"] })).toEqual({ value: 1234, origin: "compiled" });
    expect(await inlinedValue({ pkgConfig: ["demo"], ccArgStrings: ["-DEXTRA=4"] })).toEqual({ value: 1234, origin: "cache-hit" });
    writePc(50);
    expect(await inlinedValue({ pkgConfig: ["demo"], ccArgStrings: ["-DEXTRA=4"] })).toEqual({ value: 1254, origin: "compiled" });
  });

  test("--cc-args is split as a shell splits it, and --cc-arg after it wins", async () => {
    writePc(30);
    const value = await inlinedValue({ pkgConfig: ["demo"], ccArgStrings: ["-DEXTRA='5' -UNOTHING"], ccArgs: ["-UEXTRA", "-DEXTRA=6"] });
    expect(value.value).toBe(1236);
  });

  test("an unknown package and an unterminated quote are user errors with a fix", async () => {
    await expect(inlinedValue({ pkgConfig: ["no-such-library"] })).rejects.toMatchObject({ code: "LLTO_PKG_CONFIG", exit: "invalidInput" });
    await expect(inlinedValue({ ccArgStrings: ["-DX='open"] })).rejects.toMatchObject({ code: "LLTO_USAGE", message: expect.stringContaining("unterminated quote") });
  });
});
