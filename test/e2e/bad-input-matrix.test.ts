/**
 * The bad-input matrix (issue "never a lost file"): every input and output slot of `build`
 * against every kind of bad path. Each cell runs the real CLI and asserts: exit code is a
 * documented user error (never 70, never 0), one `error[CODE]` line with a fix, and no file
 * anywhere in the test's tree changed, appeared or disappeared (special files keep their type).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exitCodes } from "../../src/diagnostics/errors.js";
import { clang, exampleDir, tempDir } from "../support/toolchain.js";
import { runCli } from "../support/cli.js";

const dir = tempDir("llto-matrix-");
const lib = join(dir, "lib.rs");
const helpers = join(dir, "helpers.c");
const out = join(dir, "out.o");

/** Path → a fingerprint of what is there: type and, for regular files, the bytes. */
function snapshot(root: string): Map<string, string> {
  const seen = new Map<string, string>();
  const walk = (path: string) => {
    const info = lstatSync(path);
    if (info.isDirectory()) {
      seen.set(path, "dir");
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (info.isFile()) {
      seen.set(path, `file:${readFileSync(path).toString("base64")}`);
    } else {
      seen.set(path, info.isSymbolicLink() ? "symlink" : info.isFIFO() ? "fifo" : info.isSocket() ? "socket" : "special");
    }
  };
  walk(root);
  return seen;
}

let server: ReturnType<typeof createServer> | undefined;

beforeAll(async () => {
  copyFileSync(join(exampleDir, "lib.rs"), lib);
  for (const name of readdirSync(exampleDir)) if (/\.(c|h)$/.test(name)) copyFileSync(join(exampleDir, name), join(dir, name));
  writeFileSync(out, "an old object that must survive\n");
  writeFileSync(join(dir, "empty.c"), "");
  writeFileSync(join(dir, "asm.c"), 'void rust_helper_mark(void) { __asm__ volatile("my_global_label: nop"); }\n');
  writeFileSync(join(dir, "asm.rs"), 'extern "C" { fn rust_helper_mark(); }\n#[no_mangle] pub extern "C" fn twice() { unsafe { rust_helper_mark(); rust_helper_mark() } }\n');
  writeFileSync(join(dir, "text.bc"), "not bitcode\n");
  writeFileSync(join(dir, "truncated.bc"), Buffer.concat([Buffer.from([0x42, 0x43, 0xc0, 0xde]), Buffer.alloc(40, 0x11)]));
  writeFileSync(join(dir, "image.rs"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  execFileSync(clang, ["-c", "-O2", "-o", join(dir, "elf.o"), helpers]);
  execFileSync(clang, ["-c", "-emit-llvm", "-O2", "--target=aarch64-linux-gnu", "-ffreestanding", "-o", join(dir, "arm64.bc"), helpers]);
  mkdirSync(join(dir, "folder.rs"));
  mkdirSync(join(dir, "outdir"));
  execFileSync("mkfifo", [join(dir, "fifo.rs"), join(dir, "fifo.c"), join(dir, "fifo.o")]);
  symlinkSync("/dev/null", join(dir, "null.o"));
  symlinkSync("/proc/self/fd/1", join(dir, "stdout.json"));
  symlinkSync(lib, join(dir, "lib-link.o"));
  linkSync(helpers, join(dir, "helpers-hardlink.o"));
  writeFileSync(join(dir, "target.o"), "the symlink's target\n");
  symlinkSync(join(dir, "target.o"), join(dir, "link-to-file.o"));
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(join(dir, "socket.o"), resolve));
});

afterAll(() => {
  server?.close();
});

interface Cell {
  name: string;
  args: string[];
  code: string;
  exit: number;
  env?: Record<string, string>;
  /** Text the message must contain (e.g. the flag or variable that gave a bad tool). */
  mentions?: string;
}

const base = (overrides: { rust?: string; helpers?: string[]; output?: string; extra?: string[] }) => [
  "build",
  overrides.rust ?? lib,
  ...(overrides.helpers ?? [helpers]).flatMap((h) => ["--helpers", h]),
  "-o",
  overrides.output ?? out,
  ...(overrides.extra ?? []),
];

const cells: Cell[] = [
  // Inputs.
  { name: "Rust input missing", args: base({ rust: join(dir, "nope.rs") }), code: "LLTO_INPUT_UNREADABLE", exit: exitCodes.unreadablePath },
  { name: "helper input missing", args: base({ helpers: [join(dir, "nope.c")] }), code: "LLTO_INPUT_UNREADABLE", exit: exitCodes.unreadablePath },
  { name: "Rust input is a directory", args: base({ rust: join(dir, "folder.rs") }), code: "LLTO_INPUT_NOT_FILE", exit: exitCodes.unreadablePath },
  { name: "Rust input is a FIFO (never a hang)", args: base({ rust: join(dir, "fifo.rs") }), code: "LLTO_INPUT_NOT_FILE", exit: exitCodes.unreadablePath },
  { name: "helper input is a FIFO", args: base({ helpers: [join(dir, "fifo.c")] }), code: "LLTO_INPUT_NOT_FILE", exit: exitCodes.unreadablePath },
  { name: "helper input is a character device", args: base({ helpers: ["/dev/zero"] }), code: "LLTO_INPUT_NOT_FILE", exit: exitCodes.unreadablePath },
  { name: "helper input is a socket", args: base({ helpers: [join(dir, "socket.o")] }), code: "LLTO_INPUT_NOT_FILE", exit: exitCodes.unreadablePath },
  { name: "helper input is empty", args: base({ helpers: [join(dir, "empty.c")] }), code: "LLTO_INPUT_EMPTY", exit: exitCodes.invalidInput },
  { name: "helper input named .bc is text", args: base({ helpers: [join(dir, "text.bc")] }), code: "LLTO_INPUT_CORRUPT", exit: exitCodes.invalidInput },
  { name: "helper input is truncated bitcode", args: base({ helpers: [join(dir, "truncated.bc")], extra: ["--mode", "inline"] }), code: "LLTO_INPUT_CORRUPT", exit: exitCodes.invalidInput },
  { name: "Rust input is an image", args: base({ rust: join(dir, "image.rs") }), code: "LLTO_INPUT_FOREIGN", exit: exitCodes.invalidInput },
  { name: "helper input is an ELF object (inline mode)", args: base({ helpers: [join(dir, "elf.o")], extra: ["--mode", "inline"] }), code: "LLTO_INPUT_FOREIGN", exit: exitCodes.invalidInput },
  { name: "helper bitcode for another architecture", args: base({ helpers: [join(dir, "arm64.bc")] }), code: "LLTO_TARGET_MISMATCH", exit: exitCodes.targetMismatch },
  { name: "helpers config missing", args: base({ extra: ["--helpers-config", join(dir, "nope.json")] }), code: "LLTO_INPUT_UNREADABLE", exit: exitCodes.unreadablePath },
  { name: "helpers config is a FIFO (never a hang)", args: base({ extra: ["--helpers-config", join(dir, "fifo.c")] }), code: "LLTO_INPUT_NOT_FILE", exit: exitCodes.unreadablePath },
  // Outputs.
  { name: "-o is the Rust source", args: base({ output: lib }), code: "LLTO_OUTPUT_IS_INPUT", exit: exitCodes.usage },
  { name: "-o is a symlink to the Rust source", args: base({ output: join(dir, "lib-link.o") }), code: "LLTO_OUTPUT_NOT_REGULAR", exit: exitCodes.unreadablePath },
  { name: "-o is a hard link of the helper source", args: base({ output: join(dir, "helpers-hardlink.o") }), code: "LLTO_OUTPUT_IS_INPUT", exit: exitCodes.usage },
  { name: "-o is a directory", args: base({ output: join(dir, "outdir") }), code: "LLTO_OUTPUT_NOT_REGULAR", exit: exitCodes.unreadablePath },
  { name: "-o ends with a slash", args: base({ output: `${join(dir, "outdir")}/` }), code: "LLTO_OUTPUT_UNWRITABLE", exit: exitCodes.unreadablePath },
  { name: "-o in a missing directory", args: base({ output: join(dir, "missing", "out.o") }), code: "LLTO_OUTPUT_UNWRITABLE", exit: exitCodes.unreadablePath },
  { name: "-o is a FIFO", args: base({ output: join(dir, "fifo.o") }), code: "LLTO_OUTPUT_NOT_REGULAR", exit: exitCodes.unreadablePath },
  { name: "-o is a socket", args: base({ output: join(dir, "socket.o") }), code: "LLTO_OUTPUT_NOT_REGULAR", exit: exitCodes.unreadablePath },
  { name: "-o is a symlink to /dev/null", args: base({ output: join(dir, "null.o") }), code: "LLTO_OUTPUT_NOT_REGULAR", exit: exitCodes.unreadablePath },
  { name: "-o is a symlink to a regular file", args: base({ output: join(dir, "link-to-file.o") }), code: "LLTO_OUTPUT_NOT_REGULAR", exit: exitCodes.unreadablePath },
  { name: "--report is the object", args: base({ extra: ["--report", out] }), code: "LLTO_OUTPUT_IS_INPUT", exit: exitCodes.usage },
  { name: "--report is a symlink to /proc/self/fd/1", args: base({ extra: ["--report", join(dir, "stdout.json")] }), code: "LLTO_OUTPUT_NOT_REGULAR", exit: exitCodes.unreadablePath },
  { name: "--report in a missing directory (after -o was checked)", args: base({ extra: ["--report", join(dir, "missing", "r.json")] }), code: "LLTO_OUTPUT_UNWRITABLE", exit: exitCodes.unreadablePath },
  { name: "--emit-bc is the helper source", args: base({ extra: ["--emit-bc", helpers] }), code: "LLTO_OUTPUT_IS_INPUT", exit: exitCodes.usage },
  { name: "--emit-bc is the object", args: base({ extra: ["--emit-bc", out] }), code: "LLTO_OUTPUT_IS_INPUT", exit: exitCodes.usage },
  { name: "--emit-bc is a character device", args: base({ extra: ["--emit-bc", "/dev/null"] }), code: "LLTO_OUTPUT_NOT_REGULAR", exit: exitCodes.unreadablePath },
  // Tools the user named, and flags that make a compiler write something else.
  { name: "--clang names gcc", args: base({ extra: ["--clang=/usr/bin/gcc"] }), code: "LLTO_TOOL_NOT_WHAT_IT_CLAIMS", exit: exitCodes.toolMissing, mentions: "--clang" },
  { name: "--opt names /bin/true (auto mode does not fall back)", args: base({ extra: ["--opt=/bin/true"] }), code: "LLTO_TOOL_NOT_WHAT_IT_CLAIMS", exit: exitCodes.toolMissing, mentions: "--opt" },
  { name: "--llvm-link names a missing file", args: base({ extra: ["--llvm-link=/nonexistent/llvm-link"] }), code: "LLTO_TOOL_MISSING", exit: exitCodes.toolMissing, mentions: "--llvm-link" },
  { name: "RUSTC names /bin/true", args: base({}), env: { RUSTC: "/bin/true" }, code: "LLTO_TOOL_NOT_WHAT_IT_CLAIMS", exit: exitCodes.toolMissing, mentions: "RUSTC names" },
  { name: "LOCAL_LTO_RUSTC names a missing file", args: base({}), env: { LOCAL_LTO_RUSTC: "/nonexistent/rustc" }, code: "LLTO_TOOL_MISSING", exit: exitCodes.toolMissing, mentions: "LOCAL_LTO_RUSTC" },
  { name: "--cc-arg=-S", args: base({ extra: ["--cc-arg=-S"] }), code: "LLTO_CC_ARG_OWNED", exit: exitCodes.usage },
  { name: "--cc-arg=-E", args: base({ extra: ["--cc-arg=-E"] }), code: "LLTO_CC_ARG_OWNED", exit: exitCodes.usage },
  { name: "--cc-arg=-M", args: base({ extra: ["--cc-arg=-M"] }), code: "LLTO_CC_ARG_OWNED", exit: exitCodes.usage },
  { name: "--cc-arg=-fsyntax-only", args: base({ extra: ["--cc-arg=-fsyntax-only"] }), code: "LLTO_CC_ARG_OWNED", exit: exitCodes.usage },
  { name: "--rustc-arg=--print=cfg", args: base({ extra: ["--rustc-arg=--print=cfg"] }), code: "LLTO_RUSTC_ARG_OWNED", exit: exitCodes.usage },
  { name: "--rustc-arg=+nightly (rustup's toolchain for the compile alone)", args: base({ extra: ["--rustc-arg=+nightly"] }), code: "LLTO_RUSTC_ARG_OWNED", exit: exitCodes.usage },
  { name: "a helper whose inline asm defines a global label, inlined twice", args: base({ rust: join(dir, "asm.rs"), helpers: [join(dir, "asm.c")], extra: ["--rustc-arg=-O"] }), code: "LLTO_HELPER_ASM_LABEL", exit: exitCodes.unsafeHelpers },
  { name: "-o is the helpers config", args: [...base({ output: join(dir, "config.json") }), "--helpers-config", join(dir, "config.json")], code: "LLTO_OUTPUT_IS_INPUT", exit: exitCodes.usage },
];

describe("the bad-input matrix: every slot × every bad kind", () => {
  test.each(cells)("$name", async (cell) => {
    if (cell.args.includes(join(dir, "config.json"))) writeFileSync(join(dir, "config.json"), JSON.stringify({ helpers: [helpers] }));
    const before = snapshot(dir);
    const cli = await runCli(cell.args, { env: { LOCAL_LTO_CACHE_DIR: join(dir, "..", `${dir.split("/").pop()}-cache`), ...cell.env } });
    expect(cli.exitCode, cli.stderr).toBe(cell.exit);
    if (cell.mentions) expect(cli.stderr).toContain(cell.mentions);
    expect(cli.exitCode).not.toBe(exitCodes.internal);
    const errorLines = cli.stderr.split("\n").filter((l) => l.startsWith("error["));
    expect(errorLines, cli.stderr).toEqual([expect.stringContaining(`error[${cell.code}]`)]);
    expect(cli.stderr).toMatch(/\n {2}fix: \S/);
    expect(snapshot(dir)).toEqual(before);
  });

  test("a long output name still stages beside it (the staging name fits NAME_MAX)", async () => {
    const long = join(dir, `${"o".repeat(250)}.o`);
    const cli = await runCli(base({ output: long }), { env: { LOCAL_LTO_CACHE_DIR: join(dir, "..", `${dir.split("/").pop()}-cache`) } });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(lstatSync(long).isFile()).toBe(true);
    expect(readFileSync(out, "utf8")).toBe("an old object that must survive\n");
  });

  test("--report - prints the JSON report on standard output and writes no file", async () => {
    const cli = await runCli(base({ output: join(dir, "r.o"), extra: ["--report", "-"] }), { env: { LOCAL_LTO_CACHE_DIR: join(dir, "..", `${dir.split("/").pop()}-cache`) } });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).command).toBe("build");
    expect(readdirSync(dir)).not.toContain("-");
  });
});
