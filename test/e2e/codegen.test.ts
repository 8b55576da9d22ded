import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readElf } from "../../src/elf/index.js";
import { describe, expect, test } from "vitest";
import { build } from "../../src/pipeline/build.js";
import { repoRoot, run, tempDir, llvmReadelf } from "../support/toolchain.js";

const fixture = join(repoRoot, "test/fixtures/codegen");
const rustSource = join(fixture, "table.rs");
const helper = join(fixture, "mix.c");

/** Relocation kinds of an object, ignoring those against helper symbols (inlined away in ours). */
function kindsWithoutHelpers(object: string): string[] {
  const kinds = new Set<string>();
  for (const line of run(llvmReadelf, ["-r", object]).split("\n")) {
    const match = line.match(/\s(R_X86_64_[A-Z0-9_]+)\s+\S+\s+(\S+)/);
    if (match && !match[2]!.startsWith("rust_helper_")) kinds.add(match[1]!);
  }
  return [...kinds].sort();
}

/** Bytes of each defined function, by name (relocated fields are zero in relocatable objects). */
function functionBytes(object: string): Map<string, string> {
  const elf = readElf(new Uint8Array(readFileSync(object)));
  const bytes = new Map<string, string>();
  for (const symbol of elf.symbols) {
    if (symbol.type !== "FUNC" || !symbol.isDefined) continue;
    const section = elf.sections[symbol.sectionIndex]!;
    bytes.set(symbol.name, Buffer.from(elf.bytes.subarray(section.offset + symbol.value, section.offset + symbol.value + symbol.size)).toString("hex"));
  }
  return bytes;
}

const configurations: { name: string; flags: string[]; expectAbsent: string[] }[] = [
  { name: "rustc's default (pic)", flags: ["-O"], expectAbsent: ["R_X86_64_32", "R_X86_64_32S"] },
  { name: "static, small code model", flags: ["-O", "-Crelocation-model=static"], expectAbsent: ["R_X86_64_GOTPCREL", "R_X86_64_REX_GOTPCRELX"] },
  { name: "static, kernel code model", flags: ["-O", "-Crelocation-model=static", "-Ccode-model=kernel"], expectAbsent: ["R_X86_64_GOTPCREL", "R_X86_64_REX_GOTPCRELX", "R_X86_64_32"] },
];

describe("codegen follows the Rust side", () => {
  const dir = tempDir();
  for (const config of configurations) for (const codegenBackend of ["rust-lld", "llc"] as const) {
    test(`${config.name}, ${codegenBackend}: same relocation kinds as rustc --emit=obj, from source and from bitcode`, async () => {
      const tag = `${config.name.replace(/\W+/g, "-")}-${codegenBackend}`;
      const rustcObject = join(dir, `${tag}-rustc.o`);
      const rustcBitcode = join(dir, `${tag}-rustc.bc`);
      run("rustc", [...config.flags, "--crate-type=lib", "--emit=obj", "-o", rustcObject, rustSource]);
      run("rustc", [...config.flags, "--crate-type=lib", "--emit=llvm-bc", "-o", rustcBitcode, rustSource]);
      const expected = kindsWithoutHelpers(rustcObject);
      expect(expected.length).toBeGreaterThan(0);
      for (const absent of config.expectAbsent) expect(expected).not.toContain(absent);

      const fromSource = join(dir, `${tag}-source.o`);
      const fromBitcode = join(dir, `${tag}-bitcode.o`);
      const sourceBuild = await build({ rustInput: rustSource, helperInputs: [helper], output: fromSource, rustcArgs: config.flags, codegenBackend });
      await build({ rustInput: rustcBitcode, helperInputs: [helper], output: fromBitcode, codegenBackend });
      expect(sourceBuild.report.toolchain?.["rust-lld"] !== undefined).toBe(codegenBackend === "rust-lld");
      expect(sourceBuild.report.summary.allInlined).toBe(true);
      expect(kindsWithoutHelpers(fromSource)).toEqual(expected);
      expect(kindsWithoutHelpers(fromBitcode)).toEqual(expected);
      // Rust functions that call no helper are rustc's own machine code, byte for byte.
      const ours = functionBytes(fromSource);
      for (const name of ["table_address", "name_length"]) expect(ours.get(name), name).toBe(functionBytes(rustcObject).get(name));
    });
  }
});
