import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Native addons (jieba, hnswlib) and child processes: separate processes are the safe pool.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
