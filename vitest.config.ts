import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// Builds cache helper bitcode and LLVM's answers (docs/VARIANTS.md, docs/INLINING.md): in this
// run's own directory, never the user's ~/.cache. Tests that check caching pass their own.
const cacheDir = mkdtempSync(join(tmpdir(), "local-lto-test-cache-"));

export default defineConfig({
  test: {
    // End-to-end tests drive real compilers: give them time, and keep the two cores busy.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "all", include: ["test/**/*.test.ts"], env: { LOCAL_LTO_CACHE_DIR: cacheDir, LOCAL_LTO_SERVER_IDLE_SECONDS: "15" } } },
      // The end-to-end suite once more on the plugin path (issue 12): with the opt-in, auto mode
      // takes it on this stable rustc. plugin-mode.test.ts already runs both paths.
      {
        extends: true,
        test: {
          name: "e2e on the plugin path",
          include: ["test/e2e/**/*.test.ts"],
          exclude: ["test/e2e/plugin-mode.test.ts"],
          env: { LOCAL_LTO_CACHE_DIR: cacheDir, LOCAL_LTO_RUSTC_BOOTSTRAP: "1", LOCAL_LTO_SERVER_IDLE_SECONDS: "15" },
        },
      },
    ],
  },
});
