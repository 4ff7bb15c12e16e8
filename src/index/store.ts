import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors.ts";
import type { SearchRuntime } from "../search/retrieve.ts";
import type { StoredLibrary } from "../search/library.ts";
import type { VectorIndex } from "../search/vectors.ts";
import type { Rule } from "../rules/schema.ts";
import type { BuildManifest, StoredCorpus } from "./types.ts";
import { verifyBuild } from "./verify.ts";

/*
 * The on-disk index: index/builds/<id>/ (immutable once written) and index/current naming the live
 * build. `current` is replaced by rename, so readers see the old or the new id, never half of one.
 * Switching and pruning hold index/.lock; rollback and fallback pick builds that verify (verify.ts).
 * Loading a build is load.ts.
 */

/** The file naming the live build (replaced atomically). */
export const CURRENT_FILE = "current";

/** What a build id may look like: a name inside builds/, never a path. */
const BUILD_ID = /^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$/;

/** True when `id` can name a build (letters, digits, . _ -; no path). */
export function isBuildId(id: string): boolean {
  return BUILD_ID.test(id);
}

/**
 * The directory of build `id`. An id given on the command line that is not a build id (a path such
 * as ../x) is INPUT_INVALID: it is never joined into a path.
 */
export function buildDir(indexDir: string, id: string): string {
  if (!isBuildId(id)) throw new AppError("INPUT_INVALID", `${JSON.stringify(id)} is not a build id (see \`index --diff\` or ${path.join(indexDir, "builds")})`);
  return path.join(indexDir, "builds", id);
}

/**
 * The id of the live build, or undefined when none was ever activated. Throws INDEX_CORRUPT when
 * `current` holds something that is not a build id (it is never used as a path).
 */
export function currentBuildId(indexDir: string): string | undefined {
  const file = path.join(indexDir, CURRENT_FILE);
  if (!existsSync(file)) return undefined;
  const id = readFileSync(file, "utf8").trim();
  if (!id) return undefined;
  if (!isBuildId(id)) throw new AppError("INDEX_CORRUPT", `${file} names ${JSON.stringify(id.slice(0, 200))}, which is not a build id`, { file });
  return id;
}

/** The live build's id, or undefined when there is none or `current` is unusable. */
/** The live build id, or undefined when there is none (or `current` is unreadable). */
export function liveOrNone(indexDir: string): string | undefined {
  try {
    return currentBuildId(indexDir);
  } catch {
    return undefined;
  }
}

/** Locks this process holds. */
const held = new Set<string>();

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Run `fn` holding index/.lock, so that switching `current` and pruning never interleave between
 * two processes (one pruning by a stale idea of which build is live). A lock left by a process that
 * died is taken over. Short sections only: waiters poll.
 */
export function withIndexLock<T>(indexDir: string, fn: () => T, waitMs = 30_000): T {
  mkdirSync(indexDir, { recursive: true });
  const lock = path.join(indexDir, ".lock");
  // Re-entrant: a section of this process may call another (activate, then prune).
  if (held.has(lock)) return fn();
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lock, { encoding: "utf8", flag: "r" }).trim() || "0");
      if (holder && holder !== process.pid && !alive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > until) throw new AppError("INDEX_CORRUPT", `${lock} is held by process ${holder} for over ${waitMs / 1000} s`);
      sleepSync(20);
    }
  }
  held.add(lock);
  try {
    return fn();
  } finally {
    held.delete(lock);
    rmSync(lock, { force: true });
  }
}

/** Atomically make `id` the live build. */
export function setCurrentBuild(indexDir: string, id: string): void {
  buildDir(indexDir, id);
  mkdirSync(indexDir, { recursive: true });
  const tmp = path.join(indexDir, `.${CURRENT_FILE}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  writeFileSync(tmp, id + "\n");
  renameSync(tmp, path.join(indexDir, CURRENT_FILE));
}

/** Build ids on disk, oldest first (ids start with their build time). */
export function listBuilds(indexDir: string): string[] {
  const dir = path.join(indexDir, "builds");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith(".") && isBuildId(n))
    .sort();
}

/** True when the build verifies (every file present with its checksum). */
function verifies(indexDir: string, id: string): boolean {
  try {
    verifyBuild(path.join(indexDir, "builds", id));
    return true;
  } catch {
    return false;
  }
}

/**
 * Keep the live build and the newest verified builds, `keep` in all; delete older verified ones.
 * Only verified builds count and only verified builds are deleted: a corrupt build is left in place
 * (reported in `corrupt`) for someone to look at, and never costs a good build its place.
 */
export function pruneBuilds(indexDir: string, keep: number): { deleted: string[]; corrupt: string[] } {
  return withIndexLock(indexDir, () => {
    const live = liveOrNone(indexDir);
    const deleted: string[] = [];
    const corrupt: string[] = [];
    let kept = live ? 1 : 0;
    for (const id of listBuilds(indexDir).reverse()) {
      if (id === live) continue;
      if (!verifies(indexDir, id)) {
        corrupt.push(id);
        continue;
      }
      if (kept < keep) {
        kept++;
        continue;
      }
      rmSync(path.join(indexDir, "builds", id), { recursive: true, force: true });
      deleted.push(id);
    }
    return { deleted, corrupt };
  });
}

/** Where parses of seed documents are cached between builds. */
export function parseCacheDir(indexDir: string): string {
  return path.join(indexDir, "cache", "parsed");
}


/** A loaded, verified build (`loadIndex`, load.ts): everything retrieval and answering need. */
export interface LoadedIndex extends SearchRuntime {
  id: string;
  dir: string;
  manifest: BuildManifest;
  corpus: StoredCorpus;
  chunkIndex: ReadonlyMap<string, number>;
  /** The eligibility rule catalog validated against this build's corpus. */
  rules: Rule[];
  /** The question library: residents' phrasings linked to passages. */
  library: StoredLibrary;
  /** The build's vector index (exact scan or HNSW by scope size); `vectorSearch` searches it by chunk. */
  vectors: VectorIndex;
}

/**
 * Make an earlier build live again: `to`, or the newest build older than the live one that
 * passes verification. Throws INDEX_MISSING when there is none to go back to.
 */
export function rollbackBuild(indexDir: string, to?: string): { from: string | undefined; to: string } {
  if (to !== undefined) buildDir(indexDir, to);
  return withIndexLock(indexDir, () => {
    const live = liveOrNone(indexDir);
    const builds = listBuilds(indexDir);
    const candidates = to ? [to] : builds.filter((b) => live === undefined || b < live).reverse();
    for (const id of candidates) {
      const dir = path.join(indexDir, "builds", id);
      if (!existsSync(dir)) throw new AppError("INDEX_MISSING", `no build ${id} in ${indexDir}`);
      try {
        verifyBuild(dir);
      } catch (error) {
        if (to) throw error;
        continue;
      }
      setCurrentBuild(indexDir, id);
      return { from: live, to: id };
    }
    throw new AppError("INDEX_MISSING", `no earlier build to roll back to in ${indexDir}`);
  });
}

/**
 * Builds to fall back on when the live one cannot be used, best first: those older than it (newest
 * first: an earlier rollback is respected), then newer ones (newest first).
 */
export function fallbackBuilds(indexDir: string, live: string | undefined): string[] {
  const builds = listBuilds(indexDir).filter((b) => b !== live);
  if (!live) return builds.reverse();
  return [...builds.filter((b) => b < live).reverse(), ...builds.filter((b) => b > live).reverse()];
}
