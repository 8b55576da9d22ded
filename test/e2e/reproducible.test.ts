/**
 * Reproducible output (docs/SAFETY.md#reproducible-output): the same inputs give a byte-identical
 * object whatever the working directory, the checkout's location, the temporary directory, the
 * output path and the helper cache's state; no temporary path ever reaches the object.
 */
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli } from "../support/cli.js";
import { exampleDir, tempDir } from "../support/toolchain.js";

const root = tempDir("llto-repro-");
/** Two checkouts of the same sources at different depths and names. */
const checkoutA = join(root, "alpha/deep/checkout");
const checkoutB = join(root, "b");
for (const checkout of [checkoutA, checkoutB]) cpSync(exampleDir, join(checkout, "src"), { recursive: true });
const tmpA = join(root, "tmp-alpha");
const tmpB = join(root, "tmp-bravo-longer-name");
mkdirSync(tmpA);
mkdirSync(tmpB);

/** Builds from inside `checkout` with relative inputs, its own TMPDIR and cache, to `output`. */
async function buildIn(checkout: string, tmp: string, output: string, extra: string[]): Promise<Buffer> {
  mkdirSync(join(checkout, "out"), { recursive: true });
  const cli = await runCli(["build", "src/lib.rs", "--helpers", "src/helpers.c", "-o", output, "--rustc-arg=-O", ...extra], { cwd: checkout, env: { TMPDIR: tmp } });
  expect(cli.exitCode, cli.stderr).toBe(0);
  return readFileSync(join(checkout, output));
}

/** Printable runs of 4+ bytes, like strings(1). */
function strings(bytes: Buffer): string {
  return (bytes.toString("latin1").match(/[\x20-\x7e]{4,}/g) ?? []).join("\n");
}

function expectNoBuildPaths(bytes: Buffer, alsoAbsent: string[]): void {
  const text = strings(bytes);
  for (const path of [root, tmpA, tmpB, "local-lto-", ".local-lto-", ...alsoAbsent]) expect(text, path).not.toContain(path);
}

describe("the same inputs give the same bytes", () => {
  test("without debug info: other checkout, working directory, TMPDIR, output name and cache state", async () => {
    const a = await buildIn(checkoutA, tmpA, "out/driver.o", ["--cache-dir", join(root, "cache-a")]);
    const b = await buildIn(checkoutB, tmpB, "some-other-name.o", ["--no-cache"]);
    // A cache hit gives the same object as a compile.
    const c = await buildIn(checkoutA, tmpB, "out/again.o", ["--cache-dir", join(root, "cache-a")]);
    expect(b.equals(a)).toBe(true);
    expect(c.equals(a)).toBe(true);
    expectNoBuildPaths(a, ["driver.o", "some-other-name"]);
  });

  test("with debug info and the documented path maps, the checkout's location does not matter either", async () => {
    const debugFlags = (checkout: string) => ["--rustc-arg=-g", `--rustc-arg=--remap-path-prefix=${checkout}=.`, "--cc-arg=-g", `--cc-arg=-ffile-prefix-map=${checkout}=.`, "--no-cache"];
    const a = await buildIn(checkoutA, tmpA, "out/debug.o", debugFlags(checkoutA));
    const b = await buildIn(checkoutB, tmpB, "debug-b.o", debugFlags(checkoutB));
    expect(b.equals(a)).toBe(true);
    expectNoBuildPaths(a, []);
    expect(strings(a)).toContain("./src/helpers.c");
  });

  test("with debug info and no maps, only the user's own paths appear, never a temporary one", async () => {
    const a = await buildIn(checkoutA, tmpA, "out/debug-plain.o", ["--rustc-arg=-g", "--cc-arg=-g", "--no-cache"]);
    const text = strings(a);
    // The source paths and the working directory are the user's, recorded by rustc and clang as usual.
    expect(text).toContain(join(checkoutA, "src/helpers.c"));
    for (const path of [tmpA, tmpB, "local-lto-"]) expect(text, path).not.toContain(path);
  });
});
