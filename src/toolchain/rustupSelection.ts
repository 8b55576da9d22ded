import { existsSync, readdirSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";

/**
 * What decides which rustc the rustup proxy runs, besides the environment in the key: its
 * settings file (the default toolchain, directory overrides), its toolchains directory (whose
 * entries `rustup toolchain link` adds and re-points) and a `rust-toolchain` file in the working
 * directory or above. Present ones are dependencies, absent ones must stay absent. Without HOME,
 * rustup finds its home from the password database, as this does.
 */
export function rustupSelectionFiles(cwd: string, env: NodeJS.ProcessEnv): { present: string[]; absent: string[] } {
  // A relative RUSTUP_HOME is the working directory's, as rustup reads it: named absolutely here.
  const home = env.RUSTUP_HOME ? resolve(cwd, env.RUSTUP_HOME) : join(env.HOME || userInfo().homedir, ".rustup");
  const toolchains = join(home, "toolchains");
  const candidates = [join(home, "settings.toml"), toolchains];
  for (let dir = cwd; ; dir = dirname(dir)) {
    candidates.push(join(dir, "rust-toolchain"), join(dir, "rust-toolchain.toml"));
    if (dirname(dir) === dir) break;
  }
  return { present: [...candidates.filter((c) => existsSync(c)), ...linkedToolchains(toolchains)], absent: candidates.filter((c) => !existsSync(c)) };
}

/**
 * The toolchains `rustup toolchain link` made: links, whose identity as a dependency is their
 * final target's (stat follows them). Re-pointing the link itself changes the toolchains
 * directory; this is for a link to a link re-pointed further along (a user trial: a toolchain
 * linked to `/opt/tc`, itself a link moved from stable to nightly, kept stable's answer).
 */
function linkedToolchains(toolchains: string): string[] {
  try {
    return readdirSync(toolchains, { withFileTypes: true })
      .filter((entry) => entry.isSymbolicLink())
      .map((entry) => join(toolchains, entry.name))
      .filter((path) => existsSync(path));
  } catch {
    return [];
  }
}
