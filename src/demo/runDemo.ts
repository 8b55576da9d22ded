import { packagePath } from "../packageRoot.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalLtoError } from "../diagnostics/errors.js";
import { runTool } from "../process/run.js";
import { build } from "../pipeline/build.js";
import { inspectObject } from "../inspect/inspectObject.js";
import type { Report } from "../report/schema.js";
import { toolPath } from "../toolchain/resolveToolchain.js";
import { readElf } from "../elf/index.js";
import { readFile } from "node:fs/promises";

/** The bundled example: a Rust "driver" calling kernel-style C helpers. */
export const exampleDir = `${packagePath("examples/kernel-style")}/`;

export interface DemoResult {
  outOfLine: { report: Report; exportedHelpers: string[]; output: string };
  localLto: { report: Report; output: string };
  sameOutput: boolean;
}

async function mustRun(file: string, args: string[], what: string): Promise<string> {
  const run = await runTool({ file, args });
  if (run.exitCode !== 0) {
    throw new LocalLtoError({ code: "LLTO_DEMO_FAILED", message: `demo: ${what} failed`, fix: "run `local-lto doctor`", details: run.stderr || run.spawnError || "" });
  }
  return run.stdout;
}

/**
 * Builds the example twice — out of line (Rust object + helper object) and with local-lto —
 * links each with the same C main, runs both, and compares what they print.
 */
export async function runDemo(rustcArgs: string[] = ["-O"]): Promise<DemoResult> {
  const dir = await mkdtemp(join(tmpdir(), "local-lto-demo-"));
  try {
    const lib = join(exampleDir, "lib.rs");
    const helpersC = join(exampleDir, "helpers.c");
    const main = join(exampleDir, "main.c");
    const localObject = join(dir, "driver.o");
    const built = await build({ rustInput: lib, helperInputs: [helpersC], output: localObject, rustcArgs });
    // build() without a replay key always resolves a toolchain.
    const toolchain = built.toolchain!;
    const clang = toolPath(toolchain, "clang");
    const rustc = toolchain.rustc!.path;

    const rustObject = join(dir, "driver-rust.o");
    const helperObject = join(dir, "helpers.o");
    await mustRun(rustc, [...rustcArgs, "--crate-type=lib", "--emit=obj", "-o", rustObject, lib], "rustc --emit=obj");
    await mustRun(clang, ["-O2", "-c", "-o", helperObject, helpersC], "clang -c helpers.c");
    const beforeReport = await inspectObject({ object: rustObject });
    const helperElf = readElf(new Uint8Array(await readFile(helperObject)));
    const exportedHelpers = helperElf.symbols.filter((s) => s.name.startsWith("rust_helper_") && s.binding === "GLOBAL" && s.isDefined).map((s) => s.name);

    const outOfLineProgram = join(dir, "demo-out-of-line");
    const localProgram = join(dir, "demo-local-lto");
    await mustRun(clang, ["-O2", `-I${exampleDir}`, "-o", outOfLineProgram, main, rustObject, helperObject], "linking the out-of-line program");
    await mustRun(clang, ["-O2", `-I${exampleDir}`, "-o", localProgram, main, localObject], "linking the local-lto program");
    const outOfLineOutput = await mustRun(outOfLineProgram, [], "running the out-of-line program");
    const localOutput = await mustRun(localProgram, [], "running the local-lto program");
    return {
      outOfLine: { report: beforeReport, exportedHelpers, output: outOfLineOutput },
      localLto: { report: built.report, output: localOutput },
      sameOutput: outOfLineOutput === localOutput,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
