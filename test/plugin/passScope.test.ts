/**
 * The plugin's pass scope on the link path (docs/INLINING.md §5): loaded by Debian's opt and by
 * rustc's rust-lld (no rustc option, stable is fine), with LOCAL_LTO_PASS_SCOPE naming the Rust
 * module's functions, passes change the helpers and the Rust functions that call them, and nothing
 * else.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { runTool } from "../../src/process/run.js";
import { rustLldArguments } from "../../src/tools/rustLld.js";
import { inlineArguments, inlinePassEnvironment } from "../../src/inlining/passPipeline.js";
import type { RustcPlugin } from "../../src/tools/plugin/rustcPlugin.js";
import { llvmBin, run, tempDir } from "../support/toolchain.js";
import { pluginFor } from "./pluginSupport.js";

const dir = tempDir("llto-pass-scope-");
// `add x, 0` and a store/load through a stack slot are what instcombine/SROA remove: a function
// the passes may touch loses them, one they must not keep them.
const module = `
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

define internal i32 @helper(i32 %x) {
  %slot = alloca i32, align 4
  store i32 %x, ptr %slot, align 4
  %v = load i32, ptr %slot, align 4
  %r = add i32 %v, 1
  ret i32 %r
}

define i32 @rust_caller(i32 %x) {
  %c = call i32 @helper(i32 %x)
  %r = add i32 %c, 0
  ret i32 %r
}

define i32 @rust_untouched(i32 %x) {
  %slot = alloca i32, align 4
  store i32 %x, ptr %slot, align 4
  %v = load i32, ptr %slot, align 4
  %r = add i32 %v, 0
  ret i32 %r
}
`;

/** A function's body (its attributes may differ: the noinline list adds one). */
function functionText(ir: string, name: string): string {
  const start = ir.indexOf(`@${name}(`);
  return ir.slice(ir.indexOf("{", start), ir.indexOf("\n}", start));
}

let plugin: RustcPlugin;
let input: string;
let rustFunctions: string;
beforeAll(async () => {
  plugin = await pluginFor("rustc");
  input = join(dir, "merged.ll");
  writeFileSync(input, module);
  rustFunctions = join(dir, "rust-functions.csv");
  writeFileSync(rustFunctions, "rust_caller,noinline\nrust_untouched,noinline\n");
});

describe("LOCAL_LTO_PASS_SCOPE", () => {
  test("opt: the helper is inlined into its caller and cleaned up; the function that calls no helper keeps every instruction", async () => {
    const options = { noinlineList: rustFunctions, scopePlugin: plugin.path };
    const out = await runTool({ file: join(llvmBin, "opt"), args: [...inlineArguments(options), "-S", input, "-o", "-"], env: inlinePassEnvironment(options) });
    expect(out.stderr).toBe("");
    expect(out.exitCode).toBe(0);
    const caller = functionText(out.stdout, "rust_caller");
    expect(caller).not.toContain("call i32");
    expect(caller).not.toContain("alloca");
    expect(caller).toMatch(/add i32 %x, 1/);
    expect(functionText(out.stdout, "rust_untouched")).toBe(functionText(module, "rust_untouched"));
  });

  test("without the scope, the same pipeline rewrites the function that calls no helper too (the control)", async () => {
    const options = { noinlineList: rustFunctions, scopePlugin: plugin.path };
    const out = await runTool({ file: join(llvmBin, "opt"), args: [...inlineArguments(options), "-S", input, "-o", "-"] });
    expect(out.exitCode).toBe(0);
    expect(functionText(out.stdout, "rust_untouched")).not.toContain("alloca");
  });

  test("no Rust function calls into the scope: no pass runs at all, module passes included", async () => {
    const only = join(dir, "only-untouched.ll");
    writeFileSync(only, module.replace(/define i32 @rust_caller[\s\S]*?\n}\n/, ""));
    const options = { noinlineList: rustFunctions, scopePlugin: plugin.path };
    const out = await runTool({ file: join(llvmBin, "opt"), args: [...inlineArguments(options), "-S", only, "-o", "-"], env: inlinePassEnvironment(options) });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain("define internal i32 @helper");
    expect(functionText(out.stdout, "rust_untouched")).toBe(functionText(module, "rust_untouched"));
  });

  test("rust-lld (rustc's LLVM) loads the plugin and keeps the scope: the object has the caller inlined and the other function as written", async () => {
    const bitcode = join(dir, "merged.bc");
    run(join(llvmBin, "llvm-as"), [input, "-o", bitcode]);
    const object = join(dir, "scoped.o");
    const lld = run("rustc", ["--print", "sysroot"]).trim() + "/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld";
    const options = { noinlineList: rustFunctions, scopePlugin: plugin.path };
    const out = await runTool({ file: lld, args: rustLldArguments(bitcode, object, { optLevel: "3", functionSections: true, trapUnreachable: true, llvmOptions: [] }, options), env: inlinePassEnvironment(options) });
    expect(out.stderr).toBe("");
    expect(out.exitCode).toBe(0);
    const disassembly = run(join(llvmBin, "llvm-objdump"), ["-d", "--no-show-raw-insn", object]);
    const body = (name: string) => disassembly.slice(disassembly.indexOf(`<${name}>:`), disassembly.indexOf("\n\n", disassembly.indexOf(`<${name}>:`)));
    expect(body("rust_caller")).toMatch(/leal\s+0x1\(%rdi\), %eax/);
    // Unoptimized, the stack slot survives into the object: the store and the load are there.
    expect(body("rust_untouched")).toMatch(/movl\s+%edi, -0x4\(%rsp\)/);
    expect(readFileSync(object).length).toBeGreaterThan(0);
  });
});
