import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/**
 * Why stat first: most candidates do not exist (every tool is looked for under several names in
 * every PATH directory), and a throwing accessSync makes an Error with a stack for each, about a
 * tenth of a first build's time before rustc starts (node --cpu-prof).
 */
function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Resolves a bare name through PATH, or checks a path as given; undefined when not runnable. */
export function findExecutable(nameOrPath: string, pathVariable = process.env.PATH ?? ""): string | undefined {
  if (nameOrPath.includes("/")) {
    return isExecutableFile(nameOrPath) ? (isAbsolute(nameOrPath) ? nameOrPath : join(process.cwd(), nameOrPath)) : undefined;
  }
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, nameOrPath);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}
