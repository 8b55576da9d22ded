import { chmodSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { resolveToolchain } from "../../src/toolchain/resolveToolchain.js";
import { readCachedBanner, writeCachedBanner } from "../../src/toolchain/versionCache.js";
import { tempDir } from "../support/toolchain.js";

/** A stand-in executable that only answers `--version`/`-vV`: discovery is what is under test here. */
function fakeTool(dir: string, name: string, banner: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\ncat <<'EOF'\n${banner}\nEOF\n`);
  chmodSync(path, 0o755);
  return path;
}

const rustcBanner = (llvm: string) => `rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: ${llvm}`;

describe("tool discovery", () => {
  const env = (dir: string) => ({ PATH: join(dir, "bin"), LOCAL_LTO_NO_TOOL_CACHE: "1", LOCAL_LTO_LLVM_DIR: join(dir, "llvm"), LOCAL_LTO_SYSTEM_LLVM_ROOT: join(dir, "usr-lib") });

  test("a suffixed tool of rustc's major wins over an unsuffixed one of another major", async () => {
    const dir = tempDir();
    fakeTool(join(dir, "bin"), "rustc", rustcBanner("22.1.2"));
    fakeTool(join(dir, "bin"), "llvm-link", "LLVM version 14.0.6");
    const suffixed = fakeTool(join(dir, "bin"), "llvm-link-22", "Debian LLVM version 22.1.8");
    const toolchain = await resolveToolchain({}, env(dir));
    expect(toolchain.llvmMajor).toBe(22);
    expect(toolchain.tools.llvmLink).toMatchObject({ path: suffixed, source: "suffixed", verdict: "ok" });
  });

  test("only a mismatched tool: verdict mismatch, and the fix names the package and the flag", async () => {
    const dir = tempDir();
    fakeTool(join(dir, "bin"), "rustc", rustcBanner("22.1.2"));
    fakeTool(join(dir, "bin"), "opt", "LLVM version 14.0.6");
    const toolchain = await resolveToolchain({}, env(dir));
    expect(toolchain.tools.opt.verdict).toBe("mismatch");
    expect(toolchain.tools.opt.problem?.fix).toContain("apt-get install llvm-22");
    expect(toolchain.tools.opt.problem?.fix).toContain("--opt=");
  });

  test("missing tools list where local-lto looked", async () => {
    const dir = tempDir();
    fakeTool(join(dir, "bin"), "rustc", rustcBanner("22.1.2"));
    const toolchain = await resolveToolchain({}, env(dir));
    expect(toolchain.tools.llc.verdict).toBe("missing");
    expect(toolchain.tools.llc.problem?.message).toContain("usr-lib/llvm-22/bin/llc");
    expect(toolchain.tools.llc.problem?.message).toContain("llc-22");
  });

  test("a flag beats the environment, which beats the search; a bad override is reported, not skipped", async () => {
    const dir = tempDir();
    fakeTool(join(dir, "bin"), "rustc", rustcBanner("22.1.2"));
    const fromEnv = fakeTool(join(dir, "other"), "my-llc", "LLVM version 22.1.0");
    const fromFlag = fakeTool(join(dir, "flag"), "llc", "LLVM version 22.1.1");
    expect((await resolveToolchain({}, { ...env(dir), LOCAL_LTO_LLC: fromEnv })).tools.llc).toMatchObject({ path: fromEnv, source: "environment" });
    expect((await resolveToolchain({ llc: fromFlag }, { ...env(dir), LOCAL_LTO_LLC: fromEnv })).tools.llc).toMatchObject({ path: fromFlag, source: "flag" });
    const bad = (await resolveToolchain({ llc: join(dir, "nope") }, env(dir))).tools.llc;
    expect(bad.verdict).toBe("missing");
    expect(bad.problem?.message).toContain("--llc");
  });

  test("clang may be older than rustc's LLVM, never newer; LLVM tools must match exactly", async () => {
    const dir = tempDir();
    fakeTool(join(dir, "bin"), "rustc", rustcBanner("22.1.2"));
    fakeTool(join(dir, "llvm"), "clang", "Debian clang version 19.1.7");
    fakeTool(join(dir, "llvm"), "llvm-link", "LLVM version 23.0.0");
    const toolchain = await resolveToolchain({}, env(dir));
    expect(toolchain.tools.clang).toMatchObject({ verdict: "ok", source: "llvm-dir" });
    expect(toolchain.tools.llvmLink.verdict).toBe("mismatch");
    const newer = await resolveToolchain({ clang: fakeTool(join(dir, "new"), "clang", "clang version 23.0.0") }, env(dir));
    expect(newer.tools.clang.verdict).toBe("mismatch");
  });

  test("rustc without an LLVM backend is a toolchain problem", async () => {
    const dir = tempDir();
    fakeTool(join(dir, "bin"), "rustc", "rustc 1.95.0\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0");
    const toolchain = await resolveToolchain({}, env(dir));
    expect(toolchain.rustcTool.problem?.code).toBe("LLTO_RUSTC_NO_LLVM");
  });
});

describe("the version cache", () => {
  test("a banner is reused while the executable is unchanged, and dropped when it changes", async () => {
    const dir = tempDir();
    const tool = fakeTool(dir, "opt", "LLVM version 22.1.8");
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(dir, "cache");
    try {
      await writeCachedBanner(tool, "LLVM version 22.1.8");
      expect(await readCachedBanner(tool)).toBe("LLVM version 22.1.8");
      utimesSync(tool, new Date(), new Date(Date.now() + 5000));
      expect(await readCachedBanner(tool)).toBeUndefined();
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
  });
});
