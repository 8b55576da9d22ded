/**
 * `local-lto doctor` with the real toolchain: the tool table, the link path's verdict, and the
 * plugin path's line (issue 12: the plugin is checked by doctor), which never changes the exit code.
 */
import { describe, expect, test } from "vitest";
import { runCli } from "../support/cli.js";
import { pluginCacheDir, pluginFor } from "../plugin/pluginSupport.js";
import { tempDir } from "../support/toolchain.js";

describe("local-lto doctor", () => {
  test("the plugin built for this rustc: its line names rustc, LLVM, headers and the opt-in stable rustc needs", async () => {
    await pluginFor("rustc");
    const cli = await runCli(["doctor"], { env: { LOCAL_LTO_PLUGIN_DIR: pluginCacheDir } });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(cli.stdout).toContain("inline mode is available");
    expect(cli.stdout).toMatch(/^rustc plugin: ok for rustc 1\.\d+\.\d+ \(LLVM 22\.1\.\d+, headers 22\.1\.\d+, loaded with RUSTC_BOOTSTRAP=1 in rustc's environment only\): \/\S+libllto_plugin\.so$/m);
    expect(cli.stdout).toMatch(/^plugin mode is available \(this stable rustc: with --rustc-bootstrap or LOCAL_LTO_RUSTC_BOOTSTRAP=1\); the rustc mode/m);
  });

  test("no plugin built: the reason and the fix, auto mode's fallback, and still exit 0 (the link path works)", async () => {
    const empty = tempDir("llto-doctor-no-plugin-");
    const cli = await runCli(["doctor"], { env: { LOCAL_LTO_PLUGIN_DIR: empty } });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^rustc plugin: unavailable: the rustc plugin for LLVM 22\.1\.\d+ is not built yet \(fix: run node scripts\/build-plugin\.mjs/m);
    expect(cli.stdout).toContain("plugin mode and the rustc mode are not available: auto mode takes the link path");
  });
});
