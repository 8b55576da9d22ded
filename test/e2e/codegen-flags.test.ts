/**
 * No codegen flag is dropped silently: for each rustc flag that changes the object, local-lto's
 * object (both code generation backends) has the same sections (name, type, flags, alignment),
 * the same symbols and the same relocation kinds as `rustc --emit=obj` with that flag — helper
 * calls, which local-lto inlines, aside. Flags it cannot honour are refused by name in inline
 * mode and accepted in static mode, where rustc writes the object itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readElf, type ElfFile } from "../../src/elf/index.js";
import { build } from "../../src/pipeline/build.js";
import { repoRoot, run, tempDir } from "../support/toolchain.js";

const fixture = join(repoRoot, "test/fixtures/codegen");
const rustSource = join(fixture, "table.rs");
const helper = join(fixture, "mix.c");
const isHelper = (name: string) => name.startsWith("rust_helper_");

interface ObjectShape {
  sections: string[];
  symbols: string[];
  relocations: string[];
  /** Sizes of the code sections that call no helper: padding and alignment flags change them. */
  codeSizes: Record<string, number>;
}

/**
 * Differences that come from the pipeline's shape, not from a flag (docs/ARCHITECTURE.md):
 * string tables are laid out by the writer (LLVM's MC shares one for section and symbol names,
 * lld writes .shstrtab apart); rustc names its anonymous constants `.Lanon.<hash>.N` when it
 * writes an object and `alloc_<hash>` when it writes bitcode, so their local section names differ;
 * lld's LTO always adds an address-significance table (`.llvm_addrsig`), which only lets a final
 * `--icf=safe` link fold more.
 */
const writerSections = new Set([".strtab", ".shstrtab", ".llvm_addrsig", ".rela.llvm_addrsig"]);
const normalizeName = (name: string) => name.replace(/\.L(anon\.[0-9a-f]+\.\d+|alloc_[0-9a-f]+)/g, ".L<constant>");

/** What a flag can change in an object, as comparable lists (helper symbols and their relocations aside). */
function shapeOf(path: string): ObjectShape {
  const elf: ElfFile = readElf(new Uint8Array(readFileSync(path)));
  const sectionName = (index: number) => elf.sections[index]?.name ?? `#${index}`;
  const relocations = new Set<string>();
  const callsHelper = new Set(elf.relocations.filter((r) => isHelper(elf.symbols[r.symbolIndex]?.name ?? "")).map((r) => r.sectionIndex));
  for (const reloc of elf.relocations) {
    const section = elf.sections[reloc.relocationSectionIndex]!;
    {
      const symbol = elf.symbols[reloc.symbolIndex];
      if (symbol && isHelper(symbol.name)) continue;
      if (writerSections.has(section.name)) continue;
      relocations.add(`${normalizeName(section.name)} ${reloc.typeName}`);
    }
  }
  return {
    sections: elf.sections.filter((s) => !writerSections.has(s.name)).map((s) => `${normalizeName(s.name)} ${s.typeName} flags=${s.flags} align=${s.addralign}`).sort(),
    // Section symbols are the writer's choice (MC emits those relocations need, lld one per section).
    symbols: elf.symbols.filter((s) => s.name && !isHelper(s.name) && s.type !== "FILE" && s.type !== "SECTION").map((s) => `${normalizeName(s.name)} ${s.type} ${s.binding} ${s.isDefined ? normalizeName(sectionName(s.sectionIndex)) : "UND"}`).sort(),
    relocations: [...relocations].sort(),
    codeSizes: Object.fromEntries(elf.sections.filter((s) => s.isExecutable && s.size > 0 && !callsHelper.has(s.index)).map((s) => [s.name, s.size])),
  };
}

const configurations: { name: string; flags: string[]; check: (shape: ObjectShape) => void; backends?: ("rust-lld" | "llc")[] }[] = [
  { name: "defaults", flags: ["-O"], check: () => undefined },
  { name: "-Cllvm-args=-align-all-functions=6", flags: ["-O", "-Cllvm-args=-align-all-functions=6"], check: (s) => expect(s.sections.filter((l) => l.startsWith(".text.")).every((l) => l.endsWith("align=64"))).toBe(true) },
  { name: "-Cllvm-args=-x86-branches-within-32B-boundaries", flags: ["-O", "-Cllvm-args=-x86-branches-within-32B-boundaries"], check: () => undefined },
  { name: "-Zemit-stack-sizes", flags: ["-O", "-Zemit-stack-sizes"], check: (s) => expect(s.sections.some((l) => l.startsWith(".stack_sizes"))).toBe(true) },
  { name: "-Cforce-frame-pointers=yes", flags: ["-O", "-Cforce-frame-pointers=yes"], check: () => undefined },
  { name: "-Zfunction-sections=no", flags: ["-O", "-Zfunction-sections=no"], check: (s) => expect(s.sections.some((l) => l.startsWith(".text.table"))).toBe(false), backends: ["llc"] },
];

describe("every codegen flag is honoured: local-lto's object has the shape of rustc's", () => {
  const dir = tempDir("llto-flags-");
  const bootstrap = process.env.RUSTC_BOOTSTRAP;
  // -Z flags on stable rustc, for rustc run here and by local-lto alike.
  beforeAll(() => void (process.env.RUSTC_BOOTSTRAP = "1"));
  afterAll(() => {
    if (bootstrap === undefined) delete process.env.RUSTC_BOOTSTRAP;
    else process.env.RUSTC_BOOTSTRAP = bootstrap;
  });

  for (const config of configurations) {
    for (const codegenBackend of config.backends ?? (["rust-lld", "llc"] as const)) {
      test(`${config.name} (${codegenBackend})`, async () => {
        const tag = `${config.name.replace(/\W+/g, "_")}-${codegenBackend}`;
        const rustcObject = join(dir, `${tag}-rustc.o`);
        run("rustc", [...config.flags, "--crate-type=lib", "--emit=obj", "-o", rustcObject, rustSource]);
        const ours = join(dir, `${tag}-local-lto.o`);
        const { report } = await build({ rustInput: rustSource, helperInputs: [helper], output: ours, rustcArgs: config.flags, codegenBackend, mode: "inline" });
        expect(report.summary.allInlined).toBe(true);
        const expected = shapeOf(rustcObject);
        config.check(expected);
        if (!config.flags.includes("-Zfunction-sections=no")) expect(Object.keys(expected.codeSizes).length).toBeGreaterThan(0);
        const actual = shapeOf(ours);
        // Sections that called a helper in rustc's object hold the inlined code in ours.
        actual.codeSizes = Object.fromEntries(Object.keys(expected.codeSizes).map((name) => [name, actual.codeSizes[name] ?? -1]));
        expect(actual).toEqual(expected);
      });
    }
  }

  test("a flag local-lto cannot honour is refused by name in inline mode, and works in static mode", async () => {
    const flags = ["-O", "-Zuse-ctors-section=yes"];
    await expect(build({ rustInput: rustSource, helperInputs: [helper], output: join(dir, "refused.o"), rustcArgs: flags, mode: "inline" })).rejects.toMatchObject({
      code: "LLTO_RUSTC_ARG_UNSUPPORTED",
      message: expect.stringContaining("-Zuse-ctors-section=yes"),
    });
    const { report } = await build({ rustInput: rustSource, helperInputs: [helper], output: join(dir, "static.o"), rustcArgs: flags, mode: "static" });
    expect(report.mode).toBe("static");
  });

  test("an unknown -C or -Z key is never dropped: refused in inline mode", async () => {
    await expect(build({ rustInput: rustSource, helperInputs: [helper], output: join(dir, "unknown.o"), rustcArgs: ["-O", "-Zsome-future-flag=yes"], mode: "inline" })).rejects.toMatchObject({
      code: "LLTO_RUSTC_ARG_UNSUPPORTED",
      message: expect.stringContaining("-Zsome-future-flag=yes"),
    });
  });
});
