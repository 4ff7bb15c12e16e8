import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Embeddings } from "@langchain/core/embeddings";
import { AppError } from "../../errors.ts";
import { randomizedSvd, type SparseRows } from "../linalg.ts";
import type { Tokenizer } from "../tokenizer.ts";

/*
 * Embeddings learned from the corpus at index time, so nothing has to be downloaded: TF-IDF over
 * jieba words and character bigrams, reduced by a truncated SVD (latent semantic analysis).
 * Words that co-occur in passages end up close, which lets a question match a passage that uses
 * related wording.
 */

export interface LocalEmbeddingModel {
  kind: "local-tfidf-svd";
  version: 1;
  dimensions: number;
  /** Feature names: "w:" + word or "b:" + bigram. */
  vocabulary: string[];
  idf: Float32Array;
  /** vocabulary.length × dimensions, row-major. */
  projection: Float32Array;
}

export interface LocalEmbeddingOptions {
  dimensions: number;
  maxFeatures?: number;
  seed?: number;
}

const BIGRAM_WEIGHT = 0.5;

function features(text: string, tokenizer: Tokenizer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of tokenizer.words(text)) counts.set("w:" + w, (counts.get("w:" + w) ?? 0) + 1);
  for (const b of tokenizer.bigrams(text)) counts.set("b:" + b, (counts.get("b:" + b) ?? 0) + 1);
  return counts;
}

function weightOf(feature: string, count: number, idf: number): number {
  return (1 + Math.log(count)) * idf * (feature.startsWith("b:") ? BIGRAM_WEIGHT : 1);
}

/**
 * Learn a local embedding model from passages.
 *
 * @example
 * const model = fitLocalEmbeddings(chunks.map((c) => c.text), tokenizer, { dimensions: 128 });
 */
export function fitLocalEmbeddings(
  texts: readonly string[],
  tokenizer: Tokenizer,
  options: LocalEmbeddingOptions,
): LocalEmbeddingModel {
  const docs = texts.map((t) => features(t, tokenizer));
  const df = new Map<string, number>();
  for (const d of docs) for (const f of d.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const vocabulary = [...df.entries()]
    .filter(([, n]) => n >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxFeatures ?? 40000)
    .map(([f]) => f)
    .sort();
  const index = new Map(vocabulary.map((f, i) => [f, i]));
  const n = docs.length;
  const idf = new Float32Array(vocabulary.length);
  vocabulary.forEach((f, i) => (idf[i] = Math.log((1 + n) / (1 + (df.get(f) ?? 0))) + 1));

  const matrix: SparseRows = { rows: n, cols: vocabulary.length, indices: [], values: [] };
  for (const d of docs) {
    const entries = [...d.entries()]
      .map(([f, c]) => [index.get(f), c] as const)
      .filter((e): e is readonly [number, number] => e[0] !== undefined)
      .sort((a, b) => a[0] - b[0]);
    const values = Float64Array.from(entries.map(([i, c]) => weightOf(vocabulary[i] as string, c, idf[i] as number)));
    const norm = Math.sqrt(values.reduce((n, v) => n + v * v, 0)) || 1;
    matrix.indices.push(Uint32Array.from(entries.map(([i]) => i)));
    matrix.values.push(values.map((v) => v / norm));
  }
  const dimensions = Math.max(1, Math.min(options.dimensions, n - 1, vocabulary.length));
  const svd = randomizedSvd(matrix, dimensions, { seed: options.seed ?? 42 });
  return {
    kind: "local-tfidf-svd",
    version: 1,
    dimensions: svd.k,
    vocabulary,
    idf,
    projection: Float32Array.from(svd.v),
  };
}

/** Project text into the model's space; a text with no known feature gives the zero vector. */
export function embedWithModel(model: LocalEmbeddingModel, tokenizer: Tokenizer, text: string): number[] {
  const dims = model.dimensions;
  const out = new Float64Array(dims);
  const index = vocabularyIndex(model);
  for (const [f, count] of features(text, tokenizer)) {
    const i = index.get(f);
    if (i === undefined) continue;
    const w = weightOf(f, count, model.idf[i] as number);
    const off = i * dims;
    for (let d = 0; d < dims; d++) out[d] = (out[d] as number) + w * (model.projection[off + d] as number);
  }
  const norm = Math.sqrt(out.reduce((n, v) => n + v * v, 0));
  return Array.from(out, (v) => (norm > 0 ? v / norm : 0));
}

const indexCache = new WeakMap<LocalEmbeddingModel, Map<string, number>>();
function vocabularyIndex(model: LocalEmbeddingModel): Map<string, number> {
  let idx = indexCache.get(model);
  if (!idx) {
    idx = new Map(model.vocabulary.map((f, i) => [f, i]));
    indexCache.set(model, idx);
  }
  return idx;
}

/** LangChain `Embeddings` over a local model, so LangChain's vector stores can use it. */
export class LocalEmbeddings extends Embeddings {
  readonly model: LocalEmbeddingModel;
  private readonly tokenizer: Tokenizer;

  constructor(model: LocalEmbeddingModel, tokenizer: Tokenizer) {
    super({});
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** Synchronous embedding (the model is in memory). */
  embed(text: string): number[] {
    return embedWithModel(this.model, this.tokenizer, text);
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((d) => this.embed(d));
  }

  override async embedQuery(document: string): Promise<number[]> {
    return this.embed(document);
  }
}

const MODEL_FILE = "local-embeddings.json";
const PROJECTION_FILE = "local-embeddings.bin";

/** Write the model as JSON (vocabulary, idf) plus a little-endian float32 projection file. */
export function saveLocalModel(model: LocalEmbeddingModel, dir: string): string[] {
  writeFileSync(
    path.join(dir, MODEL_FILE),
    JSON.stringify({
      kind: model.kind,
      version: model.version,
      dimensions: model.dimensions,
      vocabulary: model.vocabulary,
      idf: Array.from(model.idf),
    }),
  );
  writeFileSync(path.join(dir, PROJECTION_FILE), Buffer.from(model.projection.buffer, model.projection.byteOffset, model.projection.byteLength));
  return [MODEL_FILE, PROJECTION_FILE];
}

/** Read a model written by `saveLocalModel`; a malformed file is `INDEX_CORRUPT`. */
export function loadLocalModel(dir: string): LocalEmbeddingModel {
  try {
    const meta = JSON.parse(readFileSync(path.join(dir, MODEL_FILE), "utf8")) as {
      kind: string;
      version: number;
      dimensions: number;
      vocabulary: string[];
      idf: number[];
    };
    const bin = readFileSync(path.join(dir, PROJECTION_FILE));
    const projection = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    if (meta.kind !== "local-tfidf-svd" || projection.length !== meta.vocabulary.length * meta.dimensions) {
      throw new Error("projection size does not match vocabulary × dimensions");
    }
    return {
      kind: "local-tfidf-svd",
      version: 1,
      dimensions: meta.dimensions,
      vocabulary: meta.vocabulary,
      idf: Float32Array.from(meta.idf),
      projection,
    };
  } catch (error) {
    throw new AppError("INDEX_CORRUPT", `local embedding model unreadable: ${(error as Error).message}`, { dir });
  }
}
