/**
 * BM25 over weighted terms. A document is a list of fields, each a token list with a weight
 * (passage text 1, headings lower), so term frequency and length are weighted sums (BM25F-lite).
 */

export interface Bm25Params {
  k1: number;
  b: number;
}

export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

/** Serializable BM25 index. */
export interface Bm25Index {
  params: Bm25Params;
  docCount: number;
  avgLength: number;
  lengths: number[];
  /** term → [docIndex, weightedTf, docIndex, weightedTf, …] (flat, docIndex ascending). */
  postings: Record<string, number[]>;
}

export interface WeightedField {
  tokens: readonly string[];
  weight: number;
}

/**
 * Build an index from documents given as weighted token fields.
 *
 * @example
 * const idx = buildBm25([[{ tokens: ["公租房", "保障"], weight: 1 }]]);
 */
export function buildBm25(docs: readonly (readonly WeightedField[])[], params: Bm25Params = DEFAULT_BM25): Bm25Index {
  const postings = new Map<string, number[]>();
  const lengths: number[] = [];
  docs.forEach((fields, docIndex) => {
    const tf = new Map<string, number>();
    let length = 0;
    for (const f of fields) {
      for (const t of f.tokens) tf.set(t, (tf.get(t) ?? 0) + f.weight);
      length += f.tokens.length * f.weight;
    }
    lengths.push(length);
    for (const [term, w] of tf) {
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push(docIndex, w);
    }
  });
  const total = lengths.reduce((a, b) => a + b, 0);
  return {
    params,
    docCount: docs.length,
    avgLength: docs.length ? total / docs.length : 0,
    lengths,
    postings: Object.fromEntries(postings),
  };
}

/** Inverse document frequency (BM25+ style, never negative). */
export function idf(index: Bm25Index, term: string): number {
  const df = (index.postings[term]?.length ?? 0) / 2;
  return Math.log(1 + (index.docCount - df + 0.5) / (df + 0.5));
}

/** Document frequency of a term. */
export function documentFrequency(index: Bm25Index, term: string): number {
  return (index.postings[term]?.length ?? 0) / 2;
}

/**
 * Score every document for weighted query terms; documents without any term score 0.
 * `allow` restricts scoring to some documents (city scoping).
 */
export function scoreBm25(
  index: Bm25Index,
  query: ReadonlyMap<string, number>,
  allow?: (docIndex: number) => boolean,
): Float64Array {
  const scores = new Float64Array(index.docCount);
  const { k1, b } = index.params;
  for (const [term, qWeight] of query) {
    const list = index.postings[term];
    if (!list) continue;
    const w = idf(index, term) * qWeight;
    for (let i = 0; i < list.length; i += 2) {
      const doc = list[i] as number;
      if (allow && !allow(doc)) continue;
      const tf = list[i + 1] as number;
      const norm = 1 - b + (b * (index.lengths[doc] as number)) / (index.avgLength || 1);
      scores[doc] = (scores[doc] as number) + (w * (tf * (k1 + 1))) / (tf + k1 * norm);
    }
  }
  return scores;
}

/** Indexes of the `k` highest positive scores, best first. */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > 0) idx.push(i);
  idx.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return idx.slice(0, k);
}

/** Count tokens into a weighted query map. */
export function queryTerms(tokens: readonly string[], weight = 1, into = new Map<string, number>()): Map<string, number> {
  for (const t of tokens) into.set(t, Math.max(into.get(t) ?? 0, weight));
  return into;
}
