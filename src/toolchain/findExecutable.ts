import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
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
