import type { Config } from "../config.ts";
import { isAppError } from "../errors.ts";
import { buildIndex, type BuildOptions } from "./build.ts";
import { loadIndex, type LoadedIndex } from "./store.ts";

/**
 * Load the live index; build it first when there is none, and rebuild it (saying why) when the live
 * build is corrupt or was made with other settings.
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
    } else if (isAppError(error, "INDEX_CORRUPT", "INDEX_INCOMPATIBLE")) {
      options.log.warn(`live index unusable (${error.message}): rebuilding it`);
    } else {
      throw error;
    }
  }
  await buildIndex(config, options);
  return loadIndex(config);
}
