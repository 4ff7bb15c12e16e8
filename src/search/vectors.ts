import type { HierarchicalNSW } from "hnswlib-node";
import type { Chunk } from "../corpus/types.ts";
import type { VectorSearch } from "./retrieve.ts";

/*
 * Dense search over the chunk vectors. Unscoped (or broadly scoped) questions use the HNSW graph;
 * a question scoped to one or two cities of a large corpus allows only a few percent of the nodes,
 * where a filtered graph walk visits most of the graph anyway. There an exact scan of the allowed
 * vectors is both faster and exact.
 */

/** Above this many allowed chunks the HNSW graph is walked instead of scanning exactly. */
export const EXACT_SCAN_LIMIT = 3000;

export interface VectorTable {
  /** Unit-length vectors, row-major, one row per chunk (chunk order). */
  data: Float32Array;
  dimensions: number;
  /** HNSW label → chunk index. */
  chunkOfLabel: Int32Array;
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
export function exactNearest(table: VectorTable, vector: readonly number[], allowed: readonly number[], k: number): { index: number; similarity: number }[] {
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

/** Vector search for a loaded build: exact scan for narrow scopes, HNSW otherwise. */
export function createVectorSearch(index: HierarchicalNSW, table: VectorTable, chunks: readonly Chunk[]): VectorSearch {
  return async (vector, k, allow) => {
    const n = Math.min(k, chunks.length);
    if (allow) {
      const allowed: number[] = [];
      for (let i = 0; i < chunks.length; i++) if (allow(chunks[i] as Chunk)) allowed.push(i);
      if (allowed.length <= EXACT_SCAN_LIMIT) return exactNearest(table, vector, allowed, n);
    }
    const { chunkOfLabel } = table;
    const filter = allow ? (label: number) => allow(chunks[chunkOfLabel[label] as number] as Chunk) : undefined;
    const found = index.searchKnn([...vector], n, filter);
    return found.neighbors.map((label, i) => ({ index: chunkOfLabel[label] as number, similarity: 1 - (found.distances[i] as number) }));
  };
}
