// Bundles local-lto's command-line entry points (dist/cli/main.js, dist/cli/rustcMain.js, and the
// replay entry dist/cli/replayMain.js) into
// dist/bundle/ with esbuild, after tsc. Why: Node resolves and opens each of ~150 ES modules on
// every start, about as long again as an empty `node` (docs/BENCHMARKS.md); the launcher starts
// Node for each crate whose units linked helpers. Dynamic imports stay lazy (split chunks).
// The library (dist/index.js) is not bundled: it is imported, not started.
import { rm } from "node:fs/promises";
import { build } from "esbuild";

// Chunk names carry content hashes: without this, every change would leave the old chunks behind.
await rm("dist/bundle", { recursive: true, force: true });

const shared = {
  outdir: "dist/bundle",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  // CommonJS dependencies (debug, proper-lockfile) call require: give the bundle a real one.
  banner: { js: "import { createRequire as __lltoCreateRequire } from 'node:module'; const require = __lltoCreateRequire(import.meta.url);" },
};
// Each entry on its own: bundled together, every module two entries share would be a chunk of its
// own, and Node's ES module loader spends about 1.5 ms on each file it resolves and loads. The
// replay entry (a repeated build's proof) loads one file at start where it loaded 33 (about 50 ms);
// the rustc mode's (the proof of each crate whose units linked helpers) 10 where it loaded 26
// (callgrind: 273 M instructions → 245 M). Their chunks are named apart from main's.
await build({ ...shared, entryPoints: { main: "dist/cli/main.js" } });
await build({ ...shared, entryPoints: { rustcMain: "dist/cli/rustcMain.js" }, chunkNames: "rustc-[name]-[hash]" });
await build({ ...shared, entryPoints: { replayMain: "dist/cli/replayMain.js" }, chunkNames: "replay-[name]-[hash]" });
// The proof server (src/cli/proofServerMain.ts) is one file with every lazy import in it: it starts
// once and then serves repeats for minutes, during which `npm run build` may replace the bundle's
// chunks; a server that loaded a chunk late would load another build's.
await build({ ...shared, splitting: false, entryPoints: { proofServer: "dist/cli/proofServerMain.js" } });

// Its client, which the launcher starts instead of Node for a repeated build (native/proof-client.c).
// Without a C compiler there is none, and every repeat starts Node as before.
{
  const { spawnSync } = await import("node:child_process");
  const cc = process.env.CC || "cc";
  const compiled = spawnSync(cc, ["-O2", "-Wall", "-Wextra", "-o", "dist/bundle/proof-client", "native/proof-client.c"], { stdio: "inherit" });
  if (compiled.status !== 0) process.stderr.write(`bundle: ${cc} could not compile native/proof-client.c${compiled.error ? ` (${compiled.error.message})` : ""}; repeated builds start Node without the proof server\n`);
}
