import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { sha256 } from "../util/files.ts";
import { AppError } from "../errors.ts";
import { INDEX_FORMAT_VERSION } from "../version.ts";
import { BuildManifestSchema, type BuildManifest } from "./types.ts";

/*
 * Verifying a build directory: its manifest (build.json) and the checksum of every file it lists.
 * What is parsed afterwards is the very bytes that were checked.
 */

/** A JSON file of a build (or its bytes, already read); unreadable or malformed is INDEX_CORRUPT. */
function readJson<T>(file: string, bytes?: Buffer): T {
  try {
    return JSON.parse((bytes ?? readFileSync(file)).toString("utf8")) as T;
  } catch (error) {
    throw new AppError("INDEX_CORRUPT", `${file} unreadable: ${(error as Error).message}`, { file });
  }
}

/** A verified build: its manifest, and its JSON files parsed from the very bytes that were checked. */
export interface VerifiedBuild {
  manifest: BuildManifest;
  json<T>(name: string): T;
}

/**
 * Read and verify a build's manifest and the checksum of every file it lists, keeping the bytes of
 * its JSON files so they are read once and what is parsed is what was verified. Throws
 * `INDEX_CORRUPT` (missing/changed file), `INDEX_INCOMPATIBLE` (other format version).
 */
export function openBuild(dir: string): VerifiedBuild {
  const file = path.join(dir, "build.json");
  if (!existsSync(file)) throw new AppError("INDEX_CORRUPT", `${dir} has no build.json`, { dir });
  const parsed = BuildManifestSchema.safeParse(readJson(file));
  if (!parsed.success) throw new AppError("INDEX_CORRUPT", `${file} does not validate`, { file });
  const manifest = parsed.data;
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new AppError(
      "INDEX_INCOMPATIBLE",
      `build ${manifest.id} has format ${manifest.formatVersion}, this version reads ${INDEX_FORMAT_VERSION}`,
    );
  }
  const kept = new Map<string, Buffer>();
  for (const [name, expected] of Object.entries(manifest.files)) {
    const full = path.join(dir, name);
    if (!existsSync(full)) throw new AppError("INDEX_CORRUPT", `build ${manifest.id}: ${name} is missing`, { file: full });
    const bytes = readFileSync(full);
    if (sha256(bytes) !== expected) {
      throw new AppError("INDEX_CORRUPT", `build ${manifest.id}: ${name} fails its checksum`, { file: full });
    }
    if (name.endsWith(".json")) kept.set(name, bytes);
  }
  return {
    manifest,
    json: <T>(name: string) => {
      const bytes = kept.get(name);
      if (!bytes) throw new AppError("INDEX_CORRUPT", `build ${manifest.id}: ${name} is not listed in build.json`, { dir });
      return readJson<T>(path.join(dir, name), bytes);
    },
  };
}

/** Verify a build (see openBuild) and return its manifest. */
export function verifyBuild(dir: string): BuildManifest {
  return openBuild(dir).manifest;
}
