import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * local-lto's own folder (where package.json, bin/, plugin/ and examples/ are), found by walking up
 * from this module: the same answer from dist/ as compiled by tsc and from the bundle
 * (scripts/bundle.mjs), which sit at different depths.
 */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "local-lto") return dir;
    if (dirname(dir) === dir) throw new Error(`internal: local-lto's package.json not found above ${from}`);
  }
}

export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A file of local-lto's own folder, e.g. `packagePath("plugin/link_helpers.cpp")`. */
export function packagePath(relative: string): string {
  return join(packageRoot, relative);
}
