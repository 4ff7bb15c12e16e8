import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    // Native addons (jieba, hnswlib) and child processes: separate processes are the safe pool.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "suite", include: ["test/**/*.test.ts"], exclude: ["test/faults/**"] } },
      // The fault suite loads the machine on purpose (Redis outages under load, concurrent builds):
      // it runs after the rest, one file at a time, so it neither slows other tests into their
      // timeouts nor is slowed by them.
      { extends: true, test: { name: "faults", include: ["test/faults/**/*.test.ts"], sequence: { groupOrder: 1 }, fileParallelism: false } },
    ],
  },
});
