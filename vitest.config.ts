import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Compile-only tests that pin the public types of the entry points (expectTypeOf).
    typecheck: { enabled: true, include: ["test/types/**/*.test-d.ts"] },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});
