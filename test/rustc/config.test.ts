import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalLtoError } from "../../src/diagnostics/errors.js";
import { parseKbuildCmd } from "../../src/rustc/config/kbuildCmd.js";
import { configCandidates, envOverrides, loadRustcConfig, selectsCrate } from "../../src/rustc/config/loadConfig.js";

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "llto-config-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function configError(dir: string, env: NodeJS.ProcessEnv = {}, targetDir?: string): Promise<LocalLtoError> {
  try {
    await loadRustcConfig(dir, targetDir, env);
  } catch (error) {
    if (error instanceof LocalLtoError) return error;
    throw error;
  }
  throw new Error("expected LLTO_CONFIG");
}

describe("loadRustcConfig", () => {
  it("reads local-lto.toml, with paths relative to it", async () => {
    const dir = workspace({
      "local-lto.toml": 'helpers = ["sys/extern.c", "pre.bc"]\ncc-args = "-Iinclude -DX=\'a b\'"\npkg-config = ["ck"]\nhelper-suffix = "__extern"\nrequire-inlined = true\ncrates = ["hot-loop"]\n',
      "sys/extern.c": "",
      "pre.bc": "",
    });
    const config = (await loadRustcConfig(dir, undefined, {}))!;
    expect(config.source).toEqual({ kind: "local-lto.toml", path: join(dir, "local-lto.toml"), table: "" });
    expect(config.files).toEqual([join(dir, "local-lto.toml")]);
    expect(config.helpers).toEqual([
      { path: join(dir, "sys/extern.c"), kind: "c-source" },
      { path: join(dir, "pre.bc"), kind: "bitcode" },
    ]);
    expect(config.ccArgs).toEqual(["-Iinclude", "-DX=a b"]);
    expect(config.pkgConfig).toEqual(["ck"]);
    expect(config.helperNaming).toEqual({ suffix: "__extern" });
    expect(config.requireInlined).toBe(true);
    expect(config.crates).toEqual(["hot_loop"]);
    expect(selectsCrate(config, "hot_loop")).toBe(true);
    expect(selectsCrate(config, "plain")).toBe(false);
    expect(config.reconcile).toBe(true);
    expect(config.nullPointerPolicy).toBe("caller");
  });

  it("reads [workspace.metadata.local-lto] and [package.metadata.local-lto] from Cargo.toml", async () => {
    const ws = workspace({ "Cargo.toml": '[workspace]\nmembers = []\n\n[workspace.metadata.local-lto]\nhelpers = ["h.c"]\n', "h.c": "" });
    expect((await loadRustcConfig(ws, undefined, {}))!.source).toEqual({ kind: "Cargo.toml", path: join(ws, "Cargo.toml"), table: "workspace.metadata.local-lto" });
    const pkg = workspace({ "Cargo.toml": '[package]\nname = "p"\n\n[package.metadata.local-lto]\nhelpers = ["h.c"]\n', "h.c": "" });
    expect((await loadRustcConfig(pkg, undefined, {}))!.source.table).toBe("package.metadata.local-lto");
  });

  it("finds the workspace's configuration beside the target directory (registry crates run elsewhere)", async () => {
    const ws = workspace({ "local-lto.toml": 'helpers = ["h.c"]\n', "h.c": "", "registry/cc/Cargo.toml": '[package]\nname = "cc"\n' });
    const config = await loadRustcConfig(join(ws, "registry/cc"), join(ws, "target"), {});
    expect(config?.source.path).toBe(join(ws, "local-lto.toml"));
    expect(configCandidates(join(ws, "registry/cc"), join(ws, "target"), {})).toEqual([
      join(ws, "registry/cc/local-lto.toml"),
      join(ws, "registry/cc/Cargo.toml"),
      join(ws, "local-lto.toml"),
      join(ws, "Cargo.toml"),
    ]);
  });

  it("is undefined without a configuration, and a Cargo.toml without the table is none", async () => {
    expect(await loadRustcConfig(workspace({ "Cargo.toml": '[package]\nname = "local-lto-user"\n' }), undefined, {})).toBeUndefined();
    expect(await loadRustcConfig(workspace({}), undefined, {})).toBeUndefined();
  });

  it("takes LOCAL_LTO_CONFIG first, and the environment's overrides over any file", async () => {
    const dir = workspace({ "local-lto.toml": 'helpers = ["a.c"]\n', "a.c": "", "other/cfg.toml": 'helpers = ["b.c"]\nrequire-inlined = true\n', "other/b.c": "", "c.c": "" });
    const other = (await loadRustcConfig(dir, undefined, { LOCAL_LTO_CONFIG: "other/cfg.toml" }))!;
    expect(other.helpers.map((h) => h.path)).toEqual([join(dir, "other/b.c")]);
    const env = { LOCAL_LTO_REQUIRE_INLINED: "0", LOCAL_LTO_CRATES: "a, b-c", LOCAL_LTO_CC_ARGS: "-DY -I inc" };
    const over = (await loadRustcConfig(dir, undefined, { ...env, LOCAL_LTO_CONFIG: "other/cfg.toml" }))!;
    expect(over.requireInlined).toBe(false);
    expect(over.crates).toEqual(["a", "b_c"]);
    expect(over.ccArgs).toEqual(["-DY", "-I", "inc"]);
    // LOCAL_LTO_HELPERS alone is a configuration, relative to the working directory.
    const envOnly = (await loadRustcConfig(workspace({ "c.c": "" }), undefined, { LOCAL_LTO_HELPERS: "c.c" }))!;
    expect(envOnly.source.kind).toBe("environment");
    expect(envOverrides({ LOCAL_LTO_HELPERS: "x.c 'y z.c'", LOCAL_LTO_HELPER_PREFIX: "rust_helper_" })).toEqual({ helpers: ["x.c", "y z.c"], "helper-prefix": "rust_helper_" });
  });

  it("takes helpers and their C flags from Kbuild's .cmd file (helpers-cmd), and cfg-defines", async () => {
    const savedcmd =
      "savedcmd_rust/helpers/helpers.o := clang -Wp,-MMD,rust/helpers/.helpers.o.d  -nostdinc -I./arch/x86/include -I./include -include ./include/linux/compiler-version.h -D__KERNEL__ -fno-delete-null-pointer-checks -mno-sse -O2 '-DKBUILD_MODFILE=\"rust/helpers/helpers\"' -DKBUILD_BASENAME='\"helpers\"' -c -o rust/helpers/helpers.o rust/helpers/helpers.c  ; ./tools/objtool/objtool --hacks=jump_label rust/helpers/helpers.o";
    const dir = workspace({ "local-lto.toml": 'helpers-cmd = ["rust/helpers/.helpers.o.cmd"]\ncfg-defines = ["MODULE"]\ncc-args = ["-g0"]\n', "rust/helpers/.helpers.o.cmd": `${savedcmd}\n\nsource_rust/helpers/helpers.o := rust/helpers/helpers.c\n` });
    const config = (await loadRustcConfig(dir, undefined, {}))!;
    expect(config.helpers).toEqual([{ path: join(dir, "rust/helpers/helpers.c"), kind: "c-source" }]);
    expect(config.ccArgs).toEqual(["-nostdinc", "-I./arch/x86/include", "-I./include", "-include", "./include/linux/compiler-version.h", "-D__KERNEL__", "-fno-delete-null-pointer-checks", "-mno-sse", "-O2", '-DKBUILD_MODFILE="rust/helpers/helpers"', '-DKBUILD_BASENAME="helpers"', "-g0"]);
    expect(config.files).toEqual([join(dir, "local-lto.toml"), join(dir, "rust/helpers/.helpers.o.cmd")]);
    expect(config.cfgDefines).toEqual(["MODULE"]);
    expect(parseKbuildCmd("cmd_drivers/x.o := gcc -MD -MF d/.x.o.d -c -o drivers/x.o drivers/x.c\n")).toEqual({ object: "drivers/x.o", source: "drivers/x.c", ccArgs: [] });
    expect(() => parseKbuildCmd("deps_x.o := \\\n")).toThrow(/no `savedcmd_/);
  });

  describe("errors name the file and the key", () => {
    const cases: [string, Record<string, string>, RegExp, RegExp?][] = [
      ["a TOML syntax error, with line and column", { "local-lto.toml": 'helpers = ["a.c",\n  2' }, /^local-lto\.toml:2:4: not valid TOML: /],
      ["a wrong type in a list", { "local-lto.toml": 'helpers = ["a.c", 3]\n', "a.c": "" }, /^local-lto\.toml: helpers\[1\]: /],
      ["no helpers at all", { "local-lto.toml": 'cc-args = ["-O2"]\n' }, /^local-lto\.toml: helpers: name the helpers: helpers = \["extern\.c"\] or helpers-cmd = /],
      ["a missing Kbuild .cmd file", { "local-lto.toml": 'helpers-cmd = ["rust/helpers/.helpers.o.cmd"]\n' }, /^local-lto\.toml: helpers-cmd\[0\]: rust\/helpers\/\.helpers\.o\.cmd cannot be read \(ENOENT\)$/],
      ["an unknown key, with the key it resembles", { "local-lto.toml": 'helpers = ["a.c"]\nrequire_inlined = true\n', "a.c": "" }, /^local-lto\.toml: require_inlined: unknown key$/, /write require-inlined/],
      ["a bad value in Cargo.toml", { "Cargo.toml": '[workspace]\n[workspace.metadata.local-lto]\nhelpers = ["a.c"]\nrequire-inlined = "yes"\n', "a.c": "" }, /^Cargo\.toml: workspace\.metadata\.local-lto\.require-inlined: expected true or false$/],
      ["a helper file that does not exist", { "local-lto.toml": 'helpers = ["sys/missing.c"]\n' }, /^local-lto\.toml: helpers\[0\]: sys\/missing\.c does not exist/],
      ["a helper that is neither C nor bitcode", { "local-lto.toml": 'helpers = ["h.o"]\n', "h.o": "" }, /^local-lto\.toml: helpers\[0\]: h\.o is neither C \(\.c\) nor LLVM bitcode/],
      ["a bad regular expression", { "local-lto.toml": 'helpers = ["a.c"]\nhelper-regex = "(("\n', "a.c": "" }, /^local-lto\.toml: helper-regex: not a regular expression/],
      ["an unknown safety check", { "local-lto.toml": 'helpers = ["a.c"]\nallow = ["everything"]\n', "a.c": "" }, /^local-lto\.toml: allow\[0\]: expected one of external-data, /],
    ];
    for (const [name, files, message, fix] of cases) {
      it(name, async () => {
        const error = await configError(workspace(files));
        expect(error.code).toBe("LLTO_CONFIG");
        expect(error.exitCode).toBe(4);
        expect(error.message).toMatch(message);
        if (fix) expect(error.fix).toMatch(fix);
      });
    }

    it("a bad environment value names the variable", async () => {
      const error = await configError(workspace({ "local-lto.toml": 'helpers = ["a.c"]\n', "a.c": "" }), { LOCAL_LTO_REQUIRE_INLINED: "maybe" });
      expect(error.message).toBe("LOCAL_LTO_REQUIRE_INLINED=maybe: expected 1, 0, true or false");
    });

    it("an unreadable LOCAL_LTO_CONFIG", async () => {
      const error = await configError(workspace({}), { LOCAL_LTO_CONFIG: "nope.toml" });
      expect(error.message).toMatch(/^LOCAL_LTO_CONFIG=.*nope\.toml: cannot be read \(ENOENT\)$/);
    });
  });
});
