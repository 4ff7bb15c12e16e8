import type { Chunk } from "../corpus/types.ts";
import { buildBm25, queryTerms, scoreBm25, type Bm25Index } from "./bm25.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** `lexical.json`: BM25 over jieba words and over character bigrams. */
export interface StoredLexical {
  words: Bm25Index;
  bigrams: Bm25Index;
}

/** Headings and table headers count less than the passage itself. */
const CONTEXT_WEIGHT = 0.3;
/** Bigram matches back up word matches (typos, unknown words) without dominating them. */
const BIGRAM_WEIGHT = 0.3;
/** Official terms added from synonyms weigh a little less than the resident's own words. */
const EXPANSION_WEIGHT = 0.8;
/** Place names inside the city scope (a county) still help, a little. */
const MINOR_WEIGHT = 0.3;

/** The text a chunk is searched by, for dense embeddings: headings, then the passage. */
export function searchText(chunk: Pick<Chunk, "context" | "text">): string {
  return `${chunk.context} ${chunk.text}`;
}

/** BM25 indexes (words, bigrams) over chunks. */
export function buildLexical(chunks: readonly Chunk[], tokenizer: Tokenizer): StoredLexical {
  const words = chunks.map((c) => [
    { tokens: tokenizer.words(c.text), weight: 1 },
    { tokens: tokenizer.words(c.context), weight: CONTEXT_WEIGHT },
  ]);
  const bigrams = chunks.map((c) => [
    { tokens: tokenizer.bigrams(c.text), weight: 1 },
    { tokens: tokenizer.bigrams(c.context), weight: CONTEXT_WEIGHT },
  ]);
  return { words: buildBm25(words), bigrams: buildBm25(bigrams) };
}

export interface LexicalQuery {
  words: Map<string, number>;
  bigrams: Map<string, number>;
}

/** Weighted query terms for a question and the official terms its synonyms added. */
export function lexicalQuery(
  question: string,
  expansions: readonly string[],
  tokenizer: Tokenizer,
  minor: readonly string[] = [],
): LexicalQuery {
  const words = queryTerms(tokenizer.words(question));
  for (const e of expansions) queryTerms(tokenizer.words(e), EXPANSION_WEIGHT, words);
  for (const e of minor) queryTerms(tokenizer.words(e), MINOR_WEIGHT, words);
  const bigrams = queryTerms(tokenizer.bigrams(question));
  for (const e of expansions) queryTerms(tokenizer.bigrams(e), EXPANSION_WEIGHT, bigrams);
  return { words, bigrams };
}

/** Combined lexical score of every chunk (0 when nothing matches or not allowed). */
export function scoreLexical(
  lexical: StoredLexical,
  query: LexicalQuery,
  allow?: (index: number) => boolean,
): Float64Array {
  const w = scoreBm25(lexical.words, query.words, allow);
  const b = scoreBm25(lexical.bigrams, query.bigrams, allow);
  for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) + BIGRAM_WEIGHT * (b[i] as number);
  return w;
}
