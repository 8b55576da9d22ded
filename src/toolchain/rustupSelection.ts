import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";

/**
 * What decides which rustc the rustup proxy runs, besides the environment in the key: its
 * settings file (the default toolchain, directory overrides), its toolchains directory (whose
 * entries `rustup toolchain link` adds and re-points) and a `rust-toolchain` file in the working
 * directory or above. Present ones are dependencies, absent ones must stay absent. Without HOME,
 * rustup finds its home from the password database, as this does.
 */
export function rustupSelectionFiles(cwd: string, env: NodeJS.ProcessEnv): { present: string[]; absent: string[] } {
  const home = env.RUSTUP_HOME || join(env.HOME || userInfo().homedir, ".rustup");
  const candidates = [join(home, "settings.toml"), join(home, "toolchains")];
  for (let dir = cwd; ; dir = dirname(dir)) {
    candidates.push(join(dir, "rust-toolchain"), join(dir, "rust-toolchain.toml"));
    if (dirname(dir) === dir) break;
  }
  return { present: candidates.filter((c) => existsSync(c)), absent: candidates.filter((c) => !existsSync(c)) };
}
