import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Embeddings } from "@langchain/core/embeddings";
import type { Config } from "../config.ts";
import type { Corpus } from "../corpus/load.ts";
import { sha256 } from "../util/files.ts";
import type { Chunk } from "../corpus/types.ts";
import type { Logger } from "../log.ts";
import { fitLocalEmbeddings, LocalEmbeddings, saveLocalModel } from "../search/embeddings/local.ts";
import { OpenAICompatibleEmbeddings } from "../search/embeddings/openai-compatible.ts";
import { buildLexical, searchText } from "../search/lexical.ts";
import { buildCityCatalog, detectCities } from "../corpus/cities.ts";
import type { LibraryQuestion } from "../corpus/library.ts";
import { buildLibraryIndex, type StoredLibrary } from "../search/library.ts";
import { buildVectorIndex } from "../search/vectors.ts";
import { createTokenizer } from "../search/tokenizer.ts";
import { INDEX_FORMAT_VERSION, TOOL_VERSION } from "../version.ts";
import { prepareInputs } from "./seeds.ts";
import { setCurrentBuild, pruneBuilds, withIndexLock } from "./store.ts";
import type { BuildManifest, StoredCorpus } from "./types.ts";

export interface BuildOptions {
  log: Logger;
  /** Called at each stage (for a progress display). */
  progress?: (stage: string, detail?: string) => void;
  /** Switch `index/current` to the new build (default true). */
  activate?: boolean;
  /** Builds to keep after activating (default: config.indexKeep). */
  keep?: number;
  /** Reuse parses of unchanged documents (default true); false re-parses all and refreshes the cache. */
  cache?: boolean;
}

export interface BuildResult {
  id: string;
  dir: string;
  manifest: BuildManifest;
  /** Documents parsed now vs reused unchanged from the parse cache. */
  stats: { parsed: number; cached: number };
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

/** 2026-03-01T08:00:00.123Z → 20260301T080000.123Z: ids sort by build time. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "");
}

function embeddingsFor(config: Config, texts: readonly string[], tokenizer: ReturnType<typeof createTokenizer>) {
  if (config.embeddings.provider === "local") {
    const model = fitLocalEmbeddings(texts, tokenizer, { dimensions: config.embeddings.dimensions });
    return { embeddings: new LocalEmbeddings(model, tokenizer) as Embeddings, local: model };
  }
  return { embeddings: new OpenAICompatibleEmbeddings(config.embeddings) as Embeddings, local: undefined };
}

/**
 * The text a passage is embedded by: its headings and text, plus the library phrasings linked to it
 * (document expansion), so that everyday words land near the official ones they stand for.
 */
export function embeddingText(chunk: Chunk, phrasings: readonly string[]): string {
  return phrasings.length ? `${searchText(chunk)} ${phrasings.join(" ")}` : searchText(chunk);
}

/** Library phrasings with the covered place names taken out (what incoming questions are compared by). */
function libraryForMatching(corpus: Corpus, library: readonly LibraryQuestion[]): (LibraryQuestion & { match: string })[] {
  const catalog = buildCityCatalog(corpus.documents.map((d) => d.meta));
  return library.map((q) => ({ ...q, match: detectCities(q.text, catalog).rest }));
}

/**
 * Build an index from the seeds into `index/builds/<id>/` (id = build time + inputs hash + random), write a
 * manifest with every file's checksum, then switch `index/current` to it atomically. A failed build
 * leaves the live index untouched. Unchanged documents are not parsed again.
 *
 * @example
 * const { id } = await buildIndex(loadConfig(), { log: createLogger("info") });
 */
export async function buildIndex(config: Config, options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const progress = options.progress ?? (() => {});
  progress("parse", config.seedsDir);
  const { corpus, lexicon, library, standards, domainWords, ruleSources, rules } = await prepareInputs(config, { log: options.log, cache: options.cache === false ? "refresh" : "use" });
  progress(
    "chunk",
    `${corpus.documents.length} documents (${corpus.stats.parsed} parsed, ${corpus.stats.cached} unchanged), ${corpus.chunks.length} chunks, ` +
      `${corpus.documents.reduce((n, d) => n + d.indicators.length, 0)} indicator rows, ` +
      `${corpus.documents.reduce((n, d) => n + d.serviceAreas.length, 0)} service areas, ${rules.length} rules, ${library.length} library questions` +
      (corpus.superseded.length ? `, ${corpus.superseded.length} superseded edition(s) left out` : ""),
  );

  const tokenizer = createTokenizer(domainWords);
  progress("lexical", `BM25 over ${corpus.chunks.length} chunks and ${library.length} library questions`);
  const lexical = buildLexical(corpus.chunks, tokenizer);
  const matching = libraryForMatching(corpus, library);
  const storedLibrary: StoredLibrary = buildLibraryIndex(matching, tokenizer);

  progress("embeddings", config.embeddings.provider);
  const phrasings = new Map<string, string[]>();
  for (const q of matching) phrasings.set(q.chunkId, [...(phrasings.get(q.chunkId) ?? []), q.match]);
  const texts = corpus.chunks.map((c) => embeddingText(c, phrasings.get(c.id) ?? []));
  const { embeddings, local } = embeddingsFor(config, texts, tokenizer);
  const vectors = await embeddings.embedDocuments(texts);
  const dimensions = vectors[0]?.length ?? 0;

  progress("vectors", `HNSW over ${vectors.length} vectors of ${dimensions} dimensions`);
  const vectorIndex = await buildVectorIndex(
    embeddings,
    vectors,
    corpus.chunks.map((c, index) => ({ index, city: c.city, id: c.id, text: c.text })),
  );

  const inputsHash = sha256(
    JSON.stringify({
      format: INDEX_FORMAT_VERSION,
      tool: TOOL_VERSION,
      manifest: corpus.manifest,
      documents: corpus.checksums,
      lexicon,
      library,
      standards,
      domainWords,
      rules: ruleSources,
      embeddings: config.embeddings.provider === "local" ? config.embeddings : { model: config.embeddings.model },
    }),
  );
  const createdAt = new Date();
  // Time, inputs, and a random part: two builds finishing in the same millisecond still differ.
  const id = `${timestamp(createdAt)}-${inputsHash.slice(0, 8)}-${randomBytes(3).toString("hex")}`;
  const buildsDir = path.join(config.indexDir, "builds");
  const tmp = path.join(buildsDir, `.tmp-${id}-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    progress("write", tmp);
    const stored: StoredCorpus = {
      documents: corpus.documents.map((d) => ({
        meta: d.meta,
        text: d.text,
        notes: d.notes,
        blocks: d.blocks.map((b) => ({
          kind: b.kind,
          start: b.start,
          end: b.end,
          location: [b.location.chapter, b.location.section, b.location.subsection, b.location.box]
            .filter(Boolean)
            .map((h) => h?.label)
            .join(" › "),
          ...(b.lead ? { lead: b.lead } : {}),
        })),
      })),
      chunks: corpus.chunks,
      indicators: corpus.documents.flatMap((d) => d.indicators),
      serviceAreas: corpus.documents.flatMap((d) => d.serviceAreas),
      lexicon,
      standards,
      domainWords,
    };
    writeFileSync(path.join(tmp, "corpus.json"), JSON.stringify(stored));
    writeFileSync(path.join(tmp, "lexical.json"), JSON.stringify(lexical));
    writeFileSync(path.join(tmp, "rules.json"), JSON.stringify(rules));
    writeFileSync(path.join(tmp, "library.json"), JSON.stringify(storedLibrary));
    if (local) {
      mkdirSync(path.join(tmp, "embeddings"));
      saveLocalModel(local, path.join(tmp, "embeddings"));
    }
    await vectorIndex.save(path.join(tmp, "hnswlib"));

    const files = Object.fromEntries(listFiles(tmp).map((f) => [f, sha256(readFileSync(path.join(tmp, f)))]));
    const manifest: BuildManifest = {
      formatVersion: INDEX_FORMAT_VERSION,
      id,
      createdAt: createdAt.toISOString(),
      toolVersion: TOOL_VERSION,
      inputsHash,
      documents: corpus.documents.map((d) => ({
        id: d.meta.id,
        title: d.meta.title,
        city: d.meta.city,
        status: d.meta.status,
        period: d.meta.period,
        file: d.meta.file,
        sha256: corpus.checksums[d.meta.id] as string,
        chunks: corpus.chunks.filter((c) => c.docId === d.meta.id).length,
      })),
      counts: {
        documents: corpus.documents.length,
        chunks: corpus.chunks.length,
        indicators: stored.indicators.length,
        serviceAreas: stored.serviceAreas.length,
        rules: rules.length,
        libraryQuestions: library.length,
      },
      embeddings: {
        provider: config.embeddings.provider,
        dimensions,
        ...(config.embeddings.provider === "openai-compatible" ? { model: config.embeddings.model } : {}),
      },
      buildMs: Math.round(performance.now() - started),
      files,
    };
    writeFileSync(path.join(tmp, "build.json"), JSON.stringify(manifest, null, 2));
    // A fresh id: the rename never replaces (let alone first deletes) another build's directory.
    const dir = path.join(buildsDir, id);
    renameSync(tmp, dir);
    if (options.activate !== false) {
      const { corrupt } = withIndexLock(config.indexDir, () => {
        setCurrentBuild(config.indexDir, id);
        return pruneBuilds(config.indexDir, options.keep ?? config.indexKeep);
      });
      for (const bad of corrupt) options.log.warn(`build ${bad} fails verification: left in ${buildsDir} for inspection (not counted, not pruned); delete it when done`);
    }
    progress("done", `${id} in ${manifest.buildMs} ms`);
    return { id, dir, manifest, stats: corpus.stats };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}
