/**
 * Perf sanity: parses the IR of a large Rust crate and prints how long it took. The first parse
 * in this process is the one that counts (the tool parses once per run, before V8 has optimized
 * anything). No timing assertions: CI machines vary.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { findAddressTakenFunctions, parseModule } from "../../src/ir/index.js";
import { expectAgreesWithLlvm } from "./agreement.js";
import { run, rustc, Scratch } from "./helpers.js";

const REGEX_SYNTAX = "/usr/share/cargo/registry/regex-syntax-0.6.27/src/lib.rs";
const scratch = new Scratch();
afterAll(() => scratch.dispose());

let largeLl = "";
let text = "";
beforeAll(() => {
  largeLl = largeModule();
  text = readFileSync(largeLl, "utf8");
});

/** A crate big enough to matter: Debian's regex-syntax with its Unicode tables, or a generated one. */
function largeModule(): string {
  const out = scratch.path("large.ll");
  if (existsSync(REGEX_SYNTAX)) {
    const features = ["unicode", "unicode-age", "unicode-bool", "unicode-case", "unicode-gencat", "unicode-perl", "unicode-script", "unicode-segment"];
    run(rustc(), [
      "--edition", "2018", "--crate-type", "lib", "--crate-name", "regex_syntax", "-O", "--emit=llvm-ir",
      ...features.flatMap((f) => ["--cfg", `feature="${f}"`]),
      "-o", out, REGEX_SYNTAX,
    ]);
  } else {
    const fns = Array.from({ length: 400 }, (_, i) =>
      `#[inline(never)] pub fn f${i}(v: &mut Vec<String>, x: u64) -> usize { v.push(format!("{}-{}", x, ${i})); v.iter().map(|s| s.len()).sum::<usize>() + v.len() }`,
    );
    run(rustc(), ["--crate-type", "lib", "--crate-name", "synthetic", "-O", "--emit=llvm-ir", "-o", out, scratch.write("synthetic.rs", fns.join("\n"))]);
  }
  return out;
}

it("parses a large module and prints the time", () => {
  const lines = text.split("\n").length;
  const times: number[] = [];
  let calls = 0;
  let functions = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const m = parseModule(text);
    times.push(performance.now() - t0);
    functions = m.functions.size;
    calls = [...m.functions.values()].reduce((n, f) => n + f.callSites.length, 0);
    if (i === 0) {
      const t1 = performance.now();
      findAddressTakenFunctions(m);
      console.log(`findAddressTakenFunctions: ${(performance.now() - t1).toFixed(1)} ms`);
    }
  }
  console.log(
    `parseModule: ${(text.length / 1e6).toFixed(1)} MB, ${lines} lines, ${functions} functions, ${calls} call sites: ` +
      `first ${times[0]!.toFixed(0)} ms, then ${times.slice(1).map((t) => t.toFixed(0)).join(", ")} ms`,
  );
  expect(functions).toBeGreaterThan(0);
});

it("reads the large module as LLVM does", () => {
  expectAgreesWithLlvm(largeLl);
});
