import type { Chunk } from "../corpus/types.ts";
import type { StoredLexical } from "./lexical.ts";
import { topK } from "./bm25.ts";
import { searchLibrary, type StoredLibrary } from "./library.ts";
import { lexicalQuery, scoreLexical } from "./lexical.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** Nearest neighbours of a vector among the chunks (index into `chunks`, cosine similarity). */
export type VectorSearch = (
  vector: number[],
  k: number,
  allow?: (chunk: Chunk) => boolean,
) => Promise<{ index: number; similarity: number }[]>;

/** What hybrid retrieval needs; the loaded index provides it. */
export interface SearchRuntime {
  chunks: readonly Chunk[];
  tokenizer: Tokenizer;
  lexical: StoredLexical;
  /** The question library (phrasings linked to passages); absent in small test indexes. */
  library?: StoredLibrary | undefined;
  /** Chunk id → index into `chunks`. */
  chunkIndex: ReadonlyMap<string, number>;
  embedQuery(text: string): Promise<number[]>;
  vectorSearch: VectorSearch;
}

export interface RetrievalQuery {
  /** The normalised question. */
  text: string;
  /** Official terms added by synonyms. */
  expansions: readonly string[];
  /** Low-weight extra terms (county names inside the scope). */
  minor?: readonly string[] | undefined;
  /** Restrict to these cities (undefined: all). */
  cities?: ReadonlySet<string> | undefined;
  /** Restrict to chunks that pass (e.g. only table rows). */
  allow?: ((chunk: Chunk) => boolean) | undefined;
}

export interface Hit {
  index: number;
  chunk: Chunk;
  /** Fused score (reciprocal rank fusion). */
  score: number;
  lexical: number;
  similarity: number;
  lexicalRank?: number;
  denseRank?: number;
  /** Similarity (0–1) of the closest library phrasing linked to this passage; 0 when none. */
  library: number;
  /** That phrasing. */
  libraryQuestion?: string;
  /** That phrasing's quote: the part of the passage it asks about. */
  libraryQuote?: string;
}

/** RRF constant: large enough that rank 1 and rank 3 are close, as in Cormack et al. (2009). */
const RRF_K = 60;
const DENSE_WEIGHT = 0.8;
/** Weight of the library's ranking in the fusion. */
const LIBRARY_WEIGHT = 1;
/** Library phrasings less similar than this are not a match. */
export const LIBRARY_FLOOR = 0.3;
/**
 * A close library phrasing lifts its passage by this much per unit of similarity above the floor
 * (a rank alone cannot tell a near-identical phrasing from a loose one).
 */
const LIBRARY_BOOST = 0.05;

/**
 * Fuse ranked lists by reciprocal rank: score = Σ weight / (RRF_K + rank). Pure; exported for tests.
 *
 * @example
 * fuseRanks([[3, 1], [1, 2]], [1, 1]) // Map {1 => …, 3 => …, 2 => …}
 */
export function fuseRanks(lists: readonly (readonly number[])[], weights: readonly number[]): Map<number, number> {
  const fused = new Map<number, number>();
  lists.forEach((list, li) => {
    const w = weights[li] ?? 1;
    list.forEach((id, rank) => fused.set(id, (fused.get(id) ?? 0) + w / (RRF_K + rank + 1)));
  });
  return fused;
}

/**
 * Hybrid retrieval: BM25 (words + bigrams) and dense vectors, fused by reciprocal rank, scoped to
 * the query's cities. Returns the best `k` hits, best first.
 */
export async function retrieve(rt: SearchRuntime, query: RetrievalQuery, k: number, candidates = 40): Promise<Hit[]> {
  const allowChunk = (c: Chunk) => (!query.cities || query.cities.has(c.city)) && (!query.allow || query.allow(c));
  const lexScores = scoreLexical(rt.lexical, lexicalQuery(query.text, query.expansions, rt.tokenizer, query.minor), (i) =>
    allowChunk(rt.chunks[i] as Chunk),
  );
  const lexRanked = topK(lexScores, candidates);

  const vector = await rt.embedQuery([query.text, ...query.expansions].join(" "));
  const dense = vector.some((v) => v !== 0) ? await rt.vectorSearch(vector, candidates, allowChunk) : [];
  const denseRanked = dense.filter((d) => d.similarity > 0).map((d) => d.index);
  const similarity = new Map(dense.map((d) => [d.index, d.similarity]));

  const matches = rt.library
    ? searchLibrary(rt.library, rt.tokenizer, query.text, query.expansions, (id) => {
        const i = rt.chunkIndex.get(id);
        return i !== undefined && allowChunk(rt.chunks[i] as Chunk);
      }).filter((m) => m.similarity >= LIBRARY_FLOOR)
    : [];
  const library = new Map<number, { similarity: number; question: string; quote: string | undefined }>();
  for (const m of matches) {
    const i = rt.chunkIndex.get(m.chunkId);
    const entry = rt.library?.questions[m.question];
    if (i !== undefined && entry) library.set(i, { similarity: m.similarity, question: entry.text, quote: entry.quote });
  }
  const fused = fuseRanks([lexRanked, denseRanked, [...library.keys()]], [1, DENSE_WEIGHT, LIBRARY_WEIGHT]);
  for (const [i, { similarity }] of library) fused.set(i, (fused.get(i) ?? 0) + LIBRARY_BOOST * (similarity - LIBRARY_FLOOR));
  const lexRank = new Map(lexRanked.map((id, r) => [id, r + 1]));
  const denseRank = new Map(denseRanked.map((id, r) => [id, r + 1]));
  return [...fused.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, k)
    .map(([index, score]) => ({
      index,
      chunk: rt.chunks[index] as Chunk,
      score,
      lexical: lexScores[index] as number,
      similarity: similarity.get(index) ?? 0,
      ...(lexRank.has(index) ? { lexicalRank: lexRank.get(index) as number } : {}),
      ...(denseRank.has(index) ? { denseRank: denseRank.get(index) as number } : {}),
      library: library.get(index)?.similarity ?? 0,
      ...(library.has(index) ? { libraryQuestion: library.get(index)?.question as string } : {}),
      ...(library.get(index)?.quote ? { libraryQuote: library.get(index)?.quote as string } : {}),
    }));
}
