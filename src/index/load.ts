import { existsSync } from "node:fs";
import path from "node:path";
import type { Embeddings } from "@langchain/core/embeddings";
import type { Config } from "../config.ts";
import type { Chunk } from "../corpus/types.ts";
import { AppError } from "../errors.ts";
import { LocalEmbeddings, loadLocalModel } from "../search/embeddings/local.ts";
import { OpenAICompatibleEmbeddings } from "../search/embeddings/openai-compatible.ts";
import { type StoredLexical } from "../search/lexical.ts";
import type { StoredLibrary } from "../search/library.ts";
import { createTokenizer } from "../search/tokenizer.ts";
import { loadVectorIndex, VectorIndexError, type StoredVectorIndex } from "../search/vectors.ts";
import type { Rule } from "../rules/schema.ts";
import { currentBuildId, isBuildId, type LoadedIndex } from "./store.ts";
import type { BuildManifest, StoredCorpus } from "./types.ts";
import { openBuild } from "./verify.ts";

/*
 * Loading a verified build into memory: its corpus, BM25, rules and question library, a tokenizer
 * with the build's own dictionary, the embedder it was built with, and its vector index.
 */

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
  if (!isBuildId(id)) throw new AppError("INDEX_CORRUPT", `${JSON.stringify(id)} is not a build id`);
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
  const chunks = corpus.chunks;
  let vectors: StoredVectorIndex;
  try {
    vectors = await loadVectorIndex(path.join(dir, "hnswlib"), embedder, chunks.length);
  } catch (error) {
    if (!(error instanceof VectorIndexError)) throw error;
    const what = { unreadable: "vector index unreadable: ", count: "", mismatch: "vector index does not match the chunks: " }[error.reason];
    throw new AppError("INDEX_CORRUPT", `build ${id}: ${what}${error.message}`, { dir });
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
    vectors,
    vectorSearch: (vector, k, allow) => vectors.search(vector, k, allow && ((i) => allow(chunks[i] as Chunk))),
  };
}
