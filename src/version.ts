import { readFileSync } from "node:fs";
import { packagePath } from "./packageRoot.js";

/** local-lto's own version, from its package.json. */
export const localLtoVersion: string = (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version;
