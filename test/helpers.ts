import { readFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { createApp, type App } from "../src/app.ts";
import { loadConfig, type Config } from "../src/config.ts";
import { loadManifest } from "../src/corpus/load.ts";
import { silentLogger } from "../src/log.ts";

export const ROOT = path.resolve(import.meta.dirname, "..");

/** Config for tests: the project's seeds and prompts, the shared test index, no logging. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env: { MINSHENG_INDEX_DIR: inject("indexDir"), LOG_LEVEL: "silent", ...env }, root: ROOT });
}

let shared: Promise<App> | undefined;
/** The application core on the shared test index (one per test file). */
export function testApp(): Promise<App> {
  return (shared ??= createApp(testConfig(), { log: silentLogger }));
}

/** Whitespace removed: "verbatim, whitespace aside". */
export const squash = (s: string) => s.replace(/\s+/g, "");

/** Raw seed text by city, whitespace and bookmark tags removed, for verbatim checks. */
export function rawSourcesByCity(): Record<string, string> {
  const seeds = path.join(ROOT, "seeds");
  const out: Record<string, string> = {};
  for (const d of loadManifest(seeds).documents) {
    out[d.city] = squash(readFileSync(path.join(seeds, d.file), "utf8").replace(/\[bookmark: [^\]]*\]/g, "").replaceAll("**", ""));
  }
  return out;
}
