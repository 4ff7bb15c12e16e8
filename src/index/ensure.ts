import type { Config } from "../config.ts";
import { isAppError } from "../errors.ts";
import { buildIndex, type BuildOptions } from "./build.ts";
import { loadIndex } from "./load.ts";
import { liveOrNone, fallbackBuilds, setCurrentBuild, withIndexLock, type LoadedIndex } from "./store.ts";

/**
 * Load the live index. When the live build is unusable (files missing or changed, `current`
 * naming no build), roll back to the newest build that loads — older ones first, so an earlier
 * rollback is respected — and make it live; rebuild from the seeds only when none does, when there
 * is no index yet, or when the live build was made with other settings.
 *
 * @example
 * const index = await ensureIndex(config, { log });
 */
export async function ensureIndex(config: Config, options: BuildOptions): Promise<LoadedIndex> {
  try {
    return await loadIndex(config);
  } catch (error) {
    if (isAppError(error, "INDEX_MISSING")) {
      options.log.info("no index yet: building it from the seeds", { seeds: config.seedsDir });
    } else if (isAppError(error, "INDEX_CORRUPT")) {
      const restored = await rollBackFrom(config, options, error.message);
      if (restored) return restored;
      options.log.warn(`live index unusable (${error.message}) and no other build loads: rebuilding it`);
    } else if (isAppError(error, "INDEX_INCOMPATIBLE")) {
      options.log.warn(`live index unusable (${error.message}): rebuilding it`);
    } else {
      throw error;
    }
  }
  await buildIndex(config, options);
  return loadIndex(config);
}

/** The best other build that loads, made live; undefined when none does. */
async function rollBackFrom(config: Config, options: BuildOptions, why: string): Promise<LoadedIndex | undefined> {
  const live = liveOrNone(config.indexDir);
  for (const id of fallbackBuilds(config.indexDir, live)) {
    let index: LoadedIndex;
    try {
      index = await loadIndex(config, id);
    } catch {
      continue;
    }
    withIndexLock(config.indexDir, () => setCurrentBuild(config.indexDir, id));
    options.log.warn(`live build ${live ?? "(none named)"} unusable (${why}): rolled back to ${id}, the newest build that verifies`);
    return index;
  }
  return undefined;
}
