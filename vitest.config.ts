import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests drive real compilers: give them time, and keep the two cores busy.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
