#!/usr/bin/env node
// Builds and load-tests local-lto's rustc plugin for the rustc in use (RUSTC, else rustc on PATH),
// into the plugin cache (docs/PLUGIN.md). Run by scripts/setup.sh after `npm run build`.
// The plugin is optional (local-lto falls back to its own pipeline): a rustc it cannot serve is
// reported and exits 0, unless --require is given.
import { ensureRustcPlugin } from "../dist/tools/plugin/rustcPlugin.js";

const require = process.argv.includes("--require");
const rustc = process.env.RUSTC || "rustc";
const result = await ensureRustcPlugin({ rustc });
if (result.ok) {
  const { plugin } = result;
  console.error(`build-plugin: ${plugin.built ? "built" : "up to date"} for ${plugin.rustcVersion.release.text} (LLVM ${plugin.llvmVersion}): ${plugin.path}`);
} else {
  const { problem } = result;
  console.error(`build-plugin: no plugin for ${rustc}: ${problem.message}\n  fix: ${problem.fix}`);
  if (problem.details) console.error(problem.details.replace(/^/gm, "  | "));
  process.exitCode = require ? 1 : 0;
}
