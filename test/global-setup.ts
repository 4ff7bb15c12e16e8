import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { loadConfig } from "../src/config.ts";
import { buildIndex } from "../src/index/build.ts";
import { silentLogger } from "../src/log.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** An index built once from the project's seeds, shared read-only by all test files. */
    indexDir: string;
  }
}

/**
 * The index shared by the run. Vitest calls a global setup for the root config and for each project
 * (the suite and the fault suite): they share one build, removed when the last of them tears down.
 */
const shared = globalThis as { minshengTestIndex?: { dir: Promise<string>; users: number } };

/** Build the real index once for the whole run (tests that change seeds build their own). */
export default async function setup(project: TestProject) {
  shared.minshengTestIndex ??= {
    users: 0,
    dir: (async () => {
      const indexDir = mkdtempSync(path.join(os.tmpdir(), "minsheng-test-index-"));
      const config = loadConfig({ env: { MINSHENG_INDEX_DIR: indexDir, LOG_LEVEL: "silent" }, root: process.cwd() });
      await buildIndex(config, { log: silentLogger });
      return indexDir;
    })(),
  };
  const entry = shared.minshengTestIndex;
  entry.users++;
  const indexDir = await entry.dir;
  project.provide("indexDir", indexDir);
  return () => {
    if (--entry.users > 0) return;
    rmSync(indexDir, { recursive: true, force: true });
    shared.minshengTestIndex = undefined;
  };
}
