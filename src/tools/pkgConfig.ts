import { LocalLtoError } from "../diagnostics/errors.js";
import { runTool } from "../process/run.js";
import { splitShellWords } from "../process/shellWords.js";
import { findExecutable } from "../toolchain/findExecutable.js";
import { tail } from "./failure.js";

/**
 * `pkg-config --cflags <names>`: a library's C flags as its `.pc` files give them (`-I`, `-D`,
 * `-include`, sometimes `-march`), split into argv words as a shell would split them.
 */
export async function pkgConfigCflags(names: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string[]> {
  if (names.length === 0) return [];
  const pkgConfig = findExecutable(env.PKG_CONFIG ?? "pkg-config", env.PATH);
  if (!pkgConfig) {
    throw new LocalLtoError({
      code: "LLTO_TOOL_MISSING",
      message: `--pkg-config ${names.join(" ")} needs pkg-config, which was not found${env.PKG_CONFIG ? ` (PKG_CONFIG=${env.PKG_CONFIG})` : " on PATH"}`,
      fix: "install it (Debian: apt-get install pkg-config), or pass the flags with --cc-args",
    });
  }
  const run = await runTool({ file: pkgConfig, args: ["--cflags", ...names], cwd, env });
  if (run.exitCode !== 0) {
    throw new LocalLtoError({
      code: "LLTO_PKG_CONFIG",
      message: `pkg-config knows no package ${names.length > 1 ? `among ${names.join(", ")}` : names[0]}: ${run.stderr.split("\n").find((l) => l.trim()) ?? `exit ${run.exitCode}`}`,
      fix: "install the library's -dev package, or set PKG_CONFIG_PATH to the directory of its .pc file",
      details: tail(run.stderr),
    });
  }
  return splitShellWords(run.stdout.trim());
}
