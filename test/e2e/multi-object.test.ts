/**
 * Many objects, one program: two Rust crates built with the same helpers, linked into one
 * executable directly and through one relocatable object first (`ld -r`, as the kernel links
 * built-in code into vmlinux). Fixtures: test/fixtures/multi/.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { LocalLtoError } from "../../src/diagnostics/errors.js";
import { build } from "../../src/pipeline/build.js";
import { clang, llvmBin, repoRoot, run, tempDir } from "../support/toolchain.js";

const fixtures = join(repoRoot, "test/fixtures/multi");
const crates = ["first", "second"] as const;
const main = join(fixtures, "main.c");
const state = join(fixtures, "state.c");
const dir = tempDir("llto-multi-");
const object = (crate: string, variant: string) => join(dir, `${crate}-${variant}.o`);
const expected = "first reads 5, second reads 5\nmix 217 218\n";

async function buildBoth(helpers: string, variant: string, allow?: "external-data"[]) {
  return Promise.all(crates.map((crate) => build({ rustInput: join(fixtures, `${crate}.rs`), helperInputs: [join(fixtures, helpers)], output: object(crate, variant), rustcArgs: ["-O"], allow, mode: "inline" })));
}

function linkAndRun(name: string, objects: string[]): string {
  const exe = join(dir, name);
  run(clang, ["-o", exe, main, ...objects]);
  return run(exe, []);
}

/** Defined, non-local symbols of an object, as llvm-nm sees them. */
function globalDefinitions(path: string): string[] {
  return run(join(llvmBin, "llvm-nm"), ["--defined-only", "--extern-only", "--format=just-symbols", path]).split("\n").filter(Boolean).sort();
}

describe("the out-of-line program the objects must match", () => {
  test("Rust objects, helper object and state, linked as usual", () => {
    const objects = crates.map((crate) => {
      const o = join(dir, `${crate}-rustc.o`);
      run("rustc", ["-O", "--crate-type=lib", "--emit=obj", "-o", o, join(fixtures, `${crate}.rs`)]);
      return o;
    });
    const helperObject = join(dir, "helpers-out-of-line.o");
    run(clang, ["-O2", "-c", "-o", helperObject, join(fixtures, "helpers.c")]);
    expect(linkAndRun("out-of-line", [...objects, helperObject, state])).toBe(expected);
  });
});

describe("helpers that keep state the right way (state.c linked once, declared extern in the helpers)", () => {
  beforeAll(async () => {
    const results = await buildBoth("helpers.c", "shared");
    for (const { report } of results) {
      expect(report.safetyChecks!.every((c) => c.status === "passed")).toBe(true);
      expect(report.summary.globalHelperSymbols).toBe(0);
    }
  });

  test("each object exports only its own Rust functions; the helper it kept out of line is local", () => {
    expect(globalDefinitions(object("first", "shared"))).toEqual(["first_add", "first_mix", "first_read"]);
    expect(globalDefinitions(object("second", "shared"))).toEqual(["second_add", "second_mix", "second_read"]);
    // rust_helper_mix is noinline: both objects carry a local copy, which must not clash.
    for (const crate of crates) expect(run(join(llvmBin, "llvm-nm"), [object(crate, "shared")])).toMatch(/ t rust_helper_mix\n/);
  });

  test("linked directly into one executable: no duplicate symbols, one counter", () => {
    expect(linkAndRun("direct", [object("first", "shared"), object("second", "shared"), state])).toBe(expected);
  });

  test("linked into one relocatable object first with ld.lld -r, then into the executable", () => {
    const combined = join(dir, "builtin-lld.o");
    run(join(llvmBin, "ld.lld"), ["-r", "-o", combined, object("first", "shared"), object("second", "shared")]);
    expect(globalDefinitions(combined)).toEqual(["first_add", "first_mix", "first_read", "second_add", "second_mix", "second_read"]);
    expect(linkAndRun("via-lld-r", [combined, state])).toBe(expected);
  });

  test("the same with GNU ld -r", () => {
    const combined = join(dir, "builtin-bfd.o");
    run("ld", ["-r", "-o", combined, object("first", "shared"), object("second", "shared")]);
    expect(linkAndRun("via-ld-r", [combined, state])).toBe(expected);
  });
});

describe("helpers that define the state themselves", () => {
  test("are refused for each object, naming the static variable and the helpers that use it", async () => {
    const refused = await buildBoth("helpers_private_state.c", "refused").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LocalLtoError);
    expect((refused as LocalLtoError).code).toBe("LLTO_UNSAFE_HELPERS");
    expect((refused as LocalLtoError).message).toMatch(/static variable `count`.*helpers_private_state\.c.*pulled in by rust_helper_counter_add, rust_helper_counter_read/);
  });

  test("forced with --allow=external-data, the program silently changes meaning: two counters", async () => {
    await buildBoth("helpers_private_state.c", "forced", ["external-data"]);
    // What the override costs, measured: each object counts on its own.
    expect(linkAndRun("forced", [object("first", "forced"), object("second", "forced")])).toBe("first reads 2, second reads 3\nmix 217 218\n");
  });
});
