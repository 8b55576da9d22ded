import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../support/toolchain.js";

// A pipe takes 64 KiB at once on Linux: past that a write waits in libuv for the reader, and a
// process that exits then drops the rest (src/cli/exitWhenWritten.ts).
const module = join(repoRoot, "dist/cli/exitWhenWritten.js");
const script = (ending: string) => `import { exitWhenWritten } from ${JSON.stringify(module)}; process.stdout.write("x".repeat(5_000_000)); ${ending}`;

/** Bytes that reach a reader starting a second late, from a Node process that writes 5 MB and then ends with `ending`. */
function bytesThroughSlowPipe(ending: string): number {
  return Number(execFileSync("sh", ["-c", 'node --input-type=module -e "$1" | { sleep 1; wc -c; }', "sh", script(ending)], { encoding: "utf8" }).trim());
}

describe("exitWhenWritten: the process ends once its output has left", () => {
  test("5 MB to a slow pipe all arrive, and the exit code is the one given", () => {
    expect(bytesThroughSlowPipe("await exitWhenWritten(3);")).toBe(5_000_000);
    expect(execFileSync("sh", ["-c", 'node --input-type=module -e "$1" > /dev/null; echo $?', "sh", script("await exitWhenWritten(3);")], { encoding: "utf8" }).trim()).toBe("3");
  });

  test("process.exit alone loses what the pipe could not take (so the test above can fail)", () => {
    expect(bytesThroughSlowPipe("process.exit(0);")).toBeLessThan(5_000_000);
  });
});

describe("tolerateClosedOutput: a reader that goes away early does not change the exit code", () => {
  // `local-lto … | head`: Node's EPIPE on the next write ended the process with 1 in most runs.
  test("a usage error read by `head -c 10` exits 2, every time", () => {
    const launcher = join(repoRoot, "bin/local-lto");
    const codes = execFileSync("bash", ["-c", 'for i in 1 2 3 4 5 6 7 8; do "$1" build --no-such-option 2>&1 | head -c 10 >/dev/null; printf "%s " "${PIPESTATUS[0]}"; done', "bash", launcher], { encoding: "utf8" });
    expect(codes.trim().split(" ")).toEqual(Array(8).fill("2"));
  });
});
