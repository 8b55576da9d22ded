import { readFileSync } from "node:fs";

/** local-lto's own version, from package.json (one level above both src/ and dist/). */
export const localLtoVersion: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
