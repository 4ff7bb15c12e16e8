import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import type { Embeddings } from "@langchain/core/embeddings";
import type { Config } from "../config.ts";
import { sha256 } from "../corpus/load.ts";
import { AppError } from "../errors.ts";
import { LocalEmbeddings, loadLocalModel } from "../search/embeddings/local.ts";
import { OpenAICompatibleEmbeddings } from "../search/embeddings/openai-compatible.ts";
import type { SearchRuntime } from "../search/retrieve.ts";
import { createTokenizer } from "../search/tokenizer.ts";
import { createVectorSearch, readVectorTable, type VectorTable } from "../search/vectors.ts";
import type { Rule } from "../rules/schema.ts";
import type { StoredLibrary } from "../search/library.ts";
import { INDEX_FORMAT_VERSION } from "../version.ts";
import { BuildManifestSchema, type BuildManifest, type StoredCorpus, type StoredLexical } from "./types.ts";

/*
 * The on-disk index: index/builds/<id>/ (immutable once written) and index/current naming the live
 * build. `current` is replaced by rename, so readers see the old or the new id, never half of one.
 */

/** The file naming the live build (replaced atomically). */
export const CURRENT_FILE = "current";

/** The id of the live build, or undefined when none was ever activated. */
export function currentBuildId(indexDir: string): string | undefined {
  const file = path.join(indexDir, CURRENT_FILE);
  if (!existsSync(file)) return undefined;
  const id = readFileSync(file, "utf8").trim();
  return id || undefined;
}

/** Atomically make `id` the live build. */
export function setCurrentBuild(indexDir: string, id: string): void {
  mkdirSync(indexDir, { recursive: true });
  const tmp = path.join(indexDir, `.${CURRENT_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, id + "\n");
  renameSync(tmp, path.join(indexDir, CURRENT_FILE));
}

/** Build ids on disk, oldest first (ids start with their build time). */
export function listBuilds(indexDir: string): string[] {
  const dir = path.join(indexDir, "builds");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith("."))
    .sort();
}

/** Delete all but the newest `keep` builds, never the live one. */
export function pruneBuilds(indexDir: string, keep: number): string[] {
  const live = currentBuildId(indexDir);
  const builds = listBuilds(indexDir);
  const doomed = builds.slice(0, Math.max(0, builds.length - keep)).filter((id) => id !== live);
  for (const id of doomed) rmSync(path.join(indexDir, "builds", id), { recursive: true, force: true });
  return doomed;
}

/** Where parses of seed documents are cached between builds. */
export function parseCacheDir(indexDir: string): string {
  return path.join(indexDir, "cache", "parsed");
}

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

/** A loaded, verified build: everything retrieval and answering need. */
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
}

function embedderFor(config: Config, manifest: BuildManifest, dir: string, tokenizer: ReturnType<typeof createTokenizer>): Embeddings {
  const built = manifest.embeddings;
  if (built.provider !== config.embeddings.provider) {
    throw new AppError(
      "INDEX_INCOMPATIBLE",
      `build ${manifest.id} uses ${built.provider} embeddings but EMBEDDINGS_PROVIDER is ${config.embeddings.provider}`,
    );
  }
  if (config.embeddings.provider === "openai-compatible") {
    if (built.model !== config.embeddings.model) {
      throw new AppError(
        "INDEX_INCOMPATIBLE",
        `build ${manifest.id} embedded with ${built.model ?? "?"} but EMBEDDINGS_MODEL is ${config.embeddings.model}`,
      );
    }
    return new OpenAICompatibleEmbeddings(config.embeddings);
  }
  return new LocalEmbeddings(loadLocalModel(path.join(dir, "embeddings")), tokenizer);
}

/**
 * Load a build (default: the live one), verifying every checksum first. Throws `INDEX_MISSING` when
 * there is no build, `INDEX_CORRUPT` or `INDEX_INCOMPATIBLE` when it cannot be used.
 */
export async function loadIndex(config: Config, id = currentBuildId(config.indexDir)): Promise<LoadedIndex> {
  if (!id) throw new AppError("INDEX_MISSING", `no index in ${config.indexDir}: run \`npm run -s cli -- index\``);
  const dir = path.join(config.indexDir, "builds", id);
  if (!existsSync(dir)) throw new AppError("INDEX_CORRUPT", `live build ${id} is missing from ${dir}`, { dir });
  const build = openBuild(dir);
  const manifest = build.manifest;
  const corpus = build.json<StoredCorpus>("corpus.json");
  const lexical = build.json<StoredLexical>("lexical.json");
  const rules = build.json<Rule[]>("rules.json");
  const library = build.json<StoredLibrary>("library.json");
  const chunkIds = new Set(Array.isArray(corpus.chunks) ? corpus.chunks.map((c) => c.id) : []);
  if (
    !Array.isArray(corpus.chunks) ||
    corpus.chunks.length !== manifest.counts.chunks ||
    !lexical.words ||
    !Array.isArray(rules) ||
    rules.length !== manifest.counts.rules ||
    !Array.isArray(library.questions) ||
    library.questions.length !== manifest.counts.libraryQuestions ||
    library.questions.some((q) => !chunkIds.has(q.chunkId))
  ) {
    throw new AppError("INDEX_CORRUPT", `build ${id}: corpus.json does not match build.json`, { dir });
  }
  const tokenizer = createTokenizer(corpus.domainWords);
  const embedder = embedderFor(config, manifest, dir, tokenizer);
  let store: HNSWLib;
  try {
    store = await HNSWLib.load(path.join(dir, "hnswlib"), embedder);
  } catch (error) {
    throw new AppError("INDEX_CORRUPT", `build ${id}: vector index unreadable: ${(error as Error).message}`, { dir });
  }
  const chunks = corpus.chunks;
  store.index.setEf(Math.max(64, Math.min(400, Math.ceil(chunks.length / 10))));
  if (store.index.getCurrentCount() !== chunks.length) {
    throw new AppError("INDEX_CORRUPT", `build ${id}: ${store.index.getCurrentCount()} vectors for ${chunks.length} chunks`, { dir });
  }
  let table: VectorTable;
  try {
    table = readVectorTable(store.index, chunks.length, (label) => {
      const doc = store.docstore.search(String(label));
      return doc.metadata.index as number;
    });
  } catch (error) {
    throw new AppError("INDEX_CORRUPT", `build ${id}: vector index does not match the chunks: ${(error as Error).message}`, { dir });
  }
  return {
    id,
    dir,
    manifest,
    corpus,
    chunks,
    chunkIndex: new Map(chunks.map((c, i) => [c.id, i])),
    rules,
    library,
    tokenizer,
    lexical,
    embedQuery: (text) => embedder.embedQuery(text),
    vectorSearch: createVectorSearch(store.index, table, chunks),
  };
}

/**
 * Make an earlier build live again: `to`, or the newest build older than the live one that
 * passes verification. Throws INDEX_MISSING when there is none to go back to.
 */
export function rollbackBuild(indexDir: string, to?: string): { from: string | undefined; to: string } {
  const live = currentBuildId(indexDir);
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
}
