import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests drive real compilers: give them time, and keep the two cores busy.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Builds cache helper bitcode and LLVM's answers (docs/VARIANTS.md, docs/INLINING.md): in this
    // run's own directory, never the user's ~/.cache. Tests that check caching pass their own.
    env: { LOCAL_LTO_CACHE_DIR: mkdtempSync(join(tmpdir(), "local-lto-test-cache-")) },
  },
});
