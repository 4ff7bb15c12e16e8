import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { HierarchicalNSW } from "hnswlib-node";

/*
 * Dense search over the chunk vectors, behind one interface (`VectorIndex`) with two strategies:
 *
 * - **exact scan** (`exactScan`): cosine against every vector in the scope, from a table of unit
 *   vectors read back from the graph at load. Exact, and for a few thousand rows faster than a
 *   graph walk. Every question is scoped to its cities, so on the two plans (well under
 *   `EXACT_SCAN_LIMIT` chunks) every search is an exact scan.
 * - **HNSW** (`hnswGraph`): the LangChain `HNSWLib` store (hnswlib-node), searched through its public
 *   `similaritySearchVectorWithScore` with the scope as its filter. Approximate, and sub-linear: it
 *   pays only on large scopes. A filtered walk over a scope holding a few percent of the nodes
 *   visits most of the graph anyway, which is why the choice goes by the size of the scope, not of
 *   the corpus.
 *
 * `scopedVectorIndex` picks between them by that one threshold. The graph is what is stored on disk
 * (`hnswlib/`: `hnswlib.index`, `docstore.json`, `args.json`); the exact table is derived from it.
 * Only this file touches LangChain's vector store or hnswlib-node (checked by dependency-cruiser).
 */

/**
 * Scopes of at most this many chunks are scanned exactly; larger ones walk the HNSW graph. At 128
 * dimensions (`npm run bench:vectors`, median per search of 40) a scan of 3,000 vectors takes about
 * 1–2 ms — noise next to an answer — and is exact; it then grows linearly (≈14 ms at 10,000, ≈60 ms at
 * 30,000) while a graph walk stays at 0.3–6 ms. Below the limit exactness wins, above it speed.
 */
export const EXACT_SCAN_LIMIT = 3000;

/** A nearest neighbour: index into the chunks, cosine similarity. */
export interface Neighbour {
  index: number;
  similarity: number;
}

/** Which chunks a search may return, by chunk index. */
export type Scope = (index: number) => boolean;

export type VectorStrategy = "exact" | "hnsw";

/** Nearest-neighbour search over one vector per chunk. */
export interface VectorIndex {
  /** Number of vectors (= chunks). */
  readonly size: number;
  readonly dimensions: number;
  /** The `k` chunks in `scope` (all when undefined) most similar to `vector`, most similar first. */
  search(vector: readonly number[], k: number, scope?: Scope): Promise<Neighbour[]>;
}

/** A build's vector index: both strategies, the one used chosen per search by the scope's size. */
export interface StoredVectorIndex extends VectorIndex {
  /** The strategy a scope of `scopeSize` chunks is searched with. */
  strategyFor(scopeSize: number): VectorStrategy;
  /** Write the index into `dir` (created if missing). */
  save(dir: string): Promise<void>;
}

export interface VectorTable {
  /** Unit-length vectors, row-major, one row per chunk (chunk order). */
  data: Float32Array;
  dimensions: number;
  /** HNSW label → chunk index. */
  chunkOfLabel: Int32Array;
}

/** The strategy for a scope of `scopeSize` chunks (see EXACT_SCAN_LIMIT). */
export function vectorStrategy(scopeSize: number, limit = EXACT_SCAN_LIMIT): VectorStrategy {
  return scopeSize <= limit ? "exact" : "hnsw";
}

/**
 * Read every stored point back from an HNSW index, in chunk order. `chunkOfLabel` maps the graph's
 * labels to chunk indexes (the vector store's documents carry them).
 */
export function readVectorTable(index: HierarchicalNSW, chunkCount: number, chunkOfLabel: (label: number) => number): VectorTable {
  const dimensions = index.getNumDimensions();
  const data = new Float32Array(chunkCount * dimensions);
  const labels = index.getIdsList();
  const map = new Int32Array(labels.reduce((m, l) => Math.max(m, l), 0) + 1).fill(-1);
  for (const label of labels) {
    const chunk = chunkOfLabel(label);
    if (!(chunk >= 0 && chunk < chunkCount)) throw new Error(`vector ${label} names no chunk (${chunk})`);
    map[label] = chunk;
    const point = index.getPoint(label);
    let norm = 0;
    for (const v of point) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    const row = chunk * dimensions;
    for (let d = 0; d < dimensions; d++) data[row + d] = (point[d] as number) / norm;
  }
  return { data, dimensions, chunkOfLabel: map };
}

/** The `k` most similar of the `allowed` rows by cosine (exact). */
export function exactNearest(table: VectorTable, vector: readonly number[], allowed: readonly number[], k: number): Neighbour[] {
  const { data, dimensions } = table;
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  const q = Float32Array.from(vector, (v) => v / norm);
  const scored = allowed.map((index) => {
    let dot = 0;
    const row = index * dimensions;
    for (let d = 0; d < dimensions; d++) dot += (data[row + d] as number) * (q[d] as number);
    return { index, similarity: dot };
  });
  scored.sort((a, b) => b.similarity - a.similarity || a.index - b.index);
  return scored.slice(0, k);
}

/** The exact-scan strategy over a table of unit vectors; `among` scans a list of rows already in scope. */
export function exactScan(table: VectorTable): VectorIndex & { among(vector: readonly number[], rows: readonly number[], k: number): Neighbour[] } {
  const size = table.dimensions ? table.data.length / table.dimensions : 0;
  const among = (vector: readonly number[], rows: readonly number[], k: number) => exactNearest(table, vector, rows, k);
  return {
    size,
    dimensions: table.dimensions,
    among,
    search: async (vector, k, scope) => {
      const rows: number[] = [];
      for (let i = 0; i < size; i++) if (!scope || scope(i)) rows.push(i);
      return among(vector, rows, Math.min(k, size));
    },
  };
}

/** The chunk a document of the vector store stands for (its `metadata.index`). */
function chunkOf(doc: Document): number {
  return doc.metadata.index as number;
}

/**
 * The HNSW strategy over a LangChain `HNSWLib` store whose documents carry their chunk index in
 * `metadata.index`. Searched through the store's public API; the scope is its filter.
 */
export function hnswGraph(store: HNSWLib): VectorIndex {
  const size = store.index.getCurrentCount();
  return {
    size,
    dimensions: store.index.getNumDimensions(),
    search: async (vector, k, scope) => {
      const n = Math.min(k, size);
      if (n === 0) return [];
      const filter = scope ? (doc: Document) => scope(chunkOf(doc)) : undefined;
      const found = await store.similaritySearchVectorWithScore([...vector], n, filter);
      // The store returns cosine distances.
      return found.map(([doc, distance]) => ({ index: chunkOf(doc), similarity: 1 - distance }));
    },
  };
}

/**
 * Both strategies over one store, choosing per search by the size of the scope (the number of
 * chunks it allows, or all of them when unscoped): exact up to `limit`, the graph above.
 */
export function scopedVectorIndex(store: HNSWLib, table: VectorTable, limit = EXACT_SCAN_LIMIT): StoredVectorIndex {
  const exact = exactScan(table);
  const graph = hnswGraph(store);
  const size = graph.size;
  const strategyFor = (scopeSize: number) => vectorStrategy(scopeSize, limit);
  return {
    size,
    dimensions: graph.dimensions,
    strategyFor,
    search: async (vector, k, scope) => {
      const n = Math.min(k, size);
      const rows: number[] = [];
      for (let i = 0; i < size; i++) if (!scope || scope(i)) rows.push(i);
      if (strategyFor(rows.length) === "exact") return exact.among(vector, rows, n);
      return graph.search(vector, n, scope);
    },
    save: (dir) => store.save(dir),
  };
}

/** What is stored with each vector: the chunk's position, city and id. */
export interface VectorMeta {
  /** Index of the chunk (the position of the vector). */
  index: number;
  city: string;
  id: string;
  /** The chunk's text, kept with the vector. */
  text: string;
}

/**
 * Build a vector index over `vectors` (one per chunk, chunk order). `embeddings` is what the store
 * embeds text queries with (this project embeds queries itself and searches by vector).
 */
export async function buildVectorIndex(embeddings: EmbeddingsInterface, vectors: number[][], meta: readonly VectorMeta[]): Promise<StoredVectorIndex> {
  const dimensions = vectors[0]?.length ?? 0;
  const store = new HNSWLib(embeddings, { space: "cosine", numDimensions: dimensions });
  await store.addVectors(
    vectors,
    meta.map((m) => new Document({ pageContent: m.text, metadata: { index: m.index, city: m.city, id: m.id } })),
  );
  return fromStore(store, vectors.length);
}

/** Why a stored vector index cannot be used. */
export class VectorIndexError extends Error {
  constructor(
    readonly reason: "unreadable" | "count" | "mismatch",
    message: string,
  ) {
    super(message);
  }
}

function fromStore(store: HNSWLib, chunkCount: number): StoredVectorIndex {
  const index = store.index;
  if (index.getCurrentCount() !== chunkCount) {
    throw new VectorIndexError("count", `${index.getCurrentCount()} vectors for ${chunkCount} chunks`);
  }
  let table: VectorTable;
  try {
    table = readVectorTable(index, chunkCount, (label) => chunkOf(store.docstore.search(String(label))));
  } catch (error) {
    throw new VectorIndexError("mismatch", (error as Error).message);
  }
  // Breadth of the graph walk: wider on larger graphs (recall), bounded (latency).
  index.setEf(Math.max(64, Math.min(400, Math.ceil(chunkCount / 10))));
  return scopedVectorIndex(store, table);
}

/**
 * Load the vector index saved in `dir`, checking it holds one vector per chunk, each naming its
 * chunk. Throws `VectorIndexError` ("unreadable", "count", "mismatch").
 */
export async function loadVectorIndex(dir: string, embeddings: EmbeddingsInterface, chunkCount: number): Promise<StoredVectorIndex> {
  let store: HNSWLib;
  try {
    store = await HNSWLib.load(dir, embeddings);
  } catch (error) {
    throw new VectorIndexError("unreadable", (error as Error).message);
  }
  return fromStore(store, chunkCount);
}
