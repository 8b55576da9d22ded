import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRuntime } from "./runtime.js";
import { findTools } from "./tools.js";

const tools = await findTools();
const work = await mkdtemp(join(tmpdir(), "local-lto-bench-"));
const r = await runRuntime(tools, work, { rounds: 2, targetMs: 10, progress: (m) => process.stderr.write(`${m}\n`) });
console.log(JSON.stringify(r, null, 1));
