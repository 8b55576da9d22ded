/**
 * bin/local-lto (POSIX sh, run by dash as Debian's /bin/sh) against the TypeScript it mirrors:
 * the same decision for every case of cases.ts, the same target directory, the same flag list
 * for helper sets, the same configuration variables. rustc is a stand-in script here (it prints
 * its arguments); the launcher's trace (LOCAL_LTO_LAUNCHER_TRACE=1) says what was decided, and
 * LOCAL_LTO_NODE stands in for Node so that nothing past the decision runs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRustcArgs } from "../../src/rustc/args.js";
import { configEnvVars } from "../../src/rustc/config/loadConfig.js";
import { helperSetCodegenKeys } from "../../src/rustc/helperSetArgs.js";
import { targetDirFor } from "../../src/rustc/targetDir.js";
import { repoRoot } from "../support/toolchain.js";
import { decisionCases } from "./cases.js";

const launcher = join(repoRoot, "bin/local-lto");

function scratch(withConfig: boolean): { dir: string; rustc: string; node: string } {
  const dir = mkdtempSync(join(tmpdir(), "llto-launcher-"));
  const rustc = join(dir, "bin/rustc");
  mkdirSync(join(dir, "bin"));
  writeFileSync(rustc, '#!/bin/sh\necho "RUSTC $*"\n');
  const node = join(dir, "bin/fake-node");
  writeFileSync(node, '#!/bin/sh\necho "NODE $*"\n');
  chmodSync(rustc, 0o755);
  chmodSync(node, 0o755);
  if (withConfig) {
    writeFileSync(join(dir, "local-lto.toml"), 'helpers = ["h.c"]\n');
    writeFileSync(join(dir, "h.c"), "int h__extern(int x) { return x; }\n");
  }
  return { dir, rustc, node };
}

function launch(where: ReturnType<typeof scratch>, args: string[], env: Record<string, string> = {}): { trace: string[]; stdout: string; stderr: string; status: number | null } {
  const run = spawnSync("/bin/sh", [launcher, where.rustc, ...args], {
    cwd: where.dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOCAL_LTO_LAUNCHER_TRACE: "1", LOCAL_LTO_NODE: where.node, ...env },
    encoding: "utf8",
  });
  const trace = run.stderr.split("\n").filter((l) => l.startsWith("local-lto launcher: ")).map((l) => l.slice("local-lto launcher: ".length));
  return { trace, stdout: run.stdout, stderr: run.stderr, status: run.status };
}

describe("bin/local-lto decides as src/rustc/decide.ts", () => {
  const configured = scratch(true);
  const bare = scratch(false);
  for (const c of decisionCases) {
    it(c.name, () => {
      const run = launch(configured, c.args);
      const decision = run.trace.find((t) => !t.startsWith("target-dir "));
      if (c.expected === "compile" || c.expected === "dep-info") {
        // No entry yet: Node prepares the helper set (and would then compile).
        expect(decision).toBe("node no-entry");
        expect(run.stdout).toMatch(/^NODE .*\/dist\/bundle\/rustcMain\.mjs /);
      } else {
        expect(decision).toBe(`pass-through ${c.expected}`);
        // rustc got exactly the arguments, nothing else.
        expect(run.stdout).toBe(`RUSTC ${c.args.join(" ")}\n`);
        expect(/^note: local-lto: /m.test(run.stderr)).toBe(!!c.note);
      }
      // Without a configuration, rustc always runs as it is, and there is never a note.
      const plain = launch(bare, c.args);
      expect(plain.stdout).toBe(`RUSTC ${c.args.join(" ")}\n`);
      expect(plain.stderr).not.toMatch(/^note:/m);
    });
  }

  it("local-lto rustc … runs LOCAL_LTO_RUSTC, else rustc on PATH", () => {
    const where = scratch(false);
    const run = spawnSync("/bin/sh", [launcher, "rustc", "-vV"], { cwd: where.dir, env: { PATH: `${join(where.dir, "bin")}:${process.env.PATH}` }, encoding: "utf8" });
    expect(run.stdout).toBe("RUSTC -vV\n");
    const viaEnv = spawnSync("/bin/sh", [launcher, "rustc", "-vV"], { cwd: where.dir, env: { PATH: process.env.PATH, LOCAL_LTO_RUSTC: where.rustc }, encoding: "utf8" });
    expect(viaEnv.stdout).toBe("RUSTC -vV\n");
  });

  it("starts Node without NODE_EXTRA_CA_CERTS and passes it on under LOCAL_LTO_NODE_EXTRA_CA_CERTS; rustc run as it is keeps it", () => {
    const where = scratch(true);
    writeFileSync(where.node, '#!/bin/sh\necho "NODE ${NODE_EXTRA_CA_CERTS-unset} ${LOCAL_LTO_NODE_EXTRA_CA_CERTS-unset}"\n');
    writeFileSync(where.rustc, '#!/bin/sh\necho "RUSTC ${NODE_EXTRA_CA_CERTS-unset} ${LOCAL_LTO_NODE_EXTRA_CA_CERTS-unset}"\n');
    const compile = ["--crate-name", "c", "--crate-type", "lib", "--emit=dep-info,metadata,link", "src/lib.rs"];
    expect(launch(where, compile, { NODE_EXTRA_CA_CERTS: "/certs.pem" }).stdout).toBe("NODE unset /certs.pem\n");
    expect(launch(where, ["-vV"], { NODE_EXTRA_CA_CERTS: "/certs.pem" }).stdout).toBe("RUSTC /certs.pem unset\n");
    // Set but empty, or not set: Node reads nothing either way, and nothing is moved.
    expect(launch(where, compile, { NODE_EXTRA_CA_CERTS: "" }).stdout).toBe("NODE  unset\n");
    expect(launch(where, compile).stdout).toBe("NODE unset unset\n");
    // Only the launcher sets the other name: one left in the environment is not passed on as the user's value.
    expect(launch(where, compile, { LOCAL_LTO_NODE_EXTRA_CA_CERTS: "/leak.pem" }).stdout).toBe("NODE unset unset\n");
    expect(launch(where, compile, { NODE_EXTRA_CA_CERTS: "", LOCAL_LTO_NODE_EXTRA_CA_CERTS: "/leak.pem" }).stdout).toBe("NODE  unset\n");
  });

  it("hands subcommands to Node's main program", () => {
    const where = scratch(false);
    for (const args of [["--version"], ["inspect", "x.o"], ["cargo", "build"], ["report"], []]) {
      const run = spawnSync("/bin/sh", [launcher, ...args], { cwd: where.dir, env: { PATH: process.env.PATH, LOCAL_LTO_NODE: where.node }, encoding: "utf8" });
      expect(run.stdout).toMatch(new RegExp(`^NODE .*/dist/bundle/main\\.mjs${args.length ? ` ${args.join(" ")}` : ""}\\n$`));
    }
  });
});

describe("bin/local-lto finds the target directory as src/rustc/targetDir.ts", () => {
  const where = scratch(true);
  mkdirSync(join(where.dir, "target/release/.fingerprint"), { recursive: true });
  mkdirSync(join(where.dir, "target/x86_64-unknown-linux-gnu/release/.fingerprint"), { recursive: true });
  const cases: [string, string[], Record<string, string>?][] = [
    ["Cargo's deps", ["--out-dir", "target/release/deps"]],
    ["Cargo's deps with --target", ["--target", "x86_64-unknown-linux-gnu", "--out-dir", `${where.dir}/target/x86_64-unknown-linux-gnu/release/deps/`]],
    ["examples", ["--out-dir", "target/release/examples"]],
    ["an out-dir that is not Cargo's", ["--out-dir", "build/objs"]],
    ["Make's -o", ["-o", "build/./drv/a.o"]],
    ["Kbuild's --emit=obj=", ["--emit=dep-info=drv/.a.o.d,obj=drv/../drv/a.o"]],
    ["no output named", []],
    ["LOCAL_LTO_TARGET_DIR", ["--out-dir", "target/release/deps"], { LOCAL_LTO_TARGET_DIR: "elsewhere" }],
  ];
  for (const [name, extra, env] of cases) {
    it(name, () => {
      const args = ["--crate-name", "a", "--crate-type", "lib", ...extra, "a.rs"];
      const run = launch(where, args, env);
      const sh = run.trace.find((t) => t.startsWith("target-dir "))?.slice("target-dir ".length);
      expect(sh).toBe(targetDirFor(parseRustcArgs(args), where.dir, env ?? {}));
    });
  }
});

describe("bin/local-lto keys helper sets on what the TypeScript does", () => {
  const script = readFileSync(launcher, "utf8");

  it("the same -C keys as helperSetArgs", () => {
    const block = script.slice(script.indexOf("# llto_key_codegen"));
    const keys = block.split("\n")[2]!.trim().replace(/\)$/, "").split("|").map((k) => k.trim());
    expect(keys).toEqual([...helperSetCodegenKeys]);
  });

  it("every configuration variable, LOCAL_LTO_CONFIG and PKG_CONFIG_PATH in the key", () => {
    const keytext = script.split("\n").find((l) => l.startsWith("keytext="))!;
    for (const name of [...Object.keys(configEnvVars), "LOCAL_LTO_CONFIG", "PKG_CONFIG_PATH"]) expect(keytext).toContain(`\${${name}-}`);
  });

  it("is a POSIX sh script that dash accepts", () => {
    expect(() => execFileSync("dash", ["-n", launcher])).not.toThrow();
  });
});
