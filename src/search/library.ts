import type { LibraryQuestion } from "../corpus/library.ts";
import { buildBm25, idf, queryTerms, scoreBm25, topK, type Bm25Index } from "./bm25.ts";
import type { Tokenizer } from "./tokenizer.ts";

/*
 * The question field: library questions (residents' phrasings linked to passages) indexed on their
 * own. An incoming question is compared with each phrasing; a close match retrieves the linked
 * passage with a boost, and how close it is counts as evidence that the plans answer the question.
 */

/** `library.json` of a build: the phrasings (place names removed for matching) and their BM25 indexes. */
export interface StoredLibrary {
  questions: (LibraryQuestion & { match: string })[];
  words: Bm25Index;
  bigrams: Bm25Index;
}

/** Bigrams say less than words: they back up typos and unsegmented words. */
const BIGRAM_WEIGHT = 0.5;
/** Official terms the lexicon adds count less than the resident's own words. */
const EXPANSION_WEIGHT = 0.5;
/** Candidates compared in full after the BM25 pass. */
const CANDIDATES = 24;

/**
 * Index library questions. `match` is the text compared (the question without covered place names,
 * which every phrasing of a city shares and which scoping already handles).
 */
export function buildLibraryIndex(questions: readonly (LibraryQuestion & { match: string })[], tokenizer: Tokenizer): StoredLibrary {
  return {
    questions: [...questions],
    words: buildBm25(questions.map((q) => [{ tokens: tokenizer.words(q.match), weight: 1 }])),
    bigrams: buildBm25(questions.map((q) => [{ tokens: tokenizer.bigrams(q.match), weight: 1 }])),
  };
}

/** A library phrasing close to the question. */
export interface LibraryMatch {
  /** Index into the library's questions. */
  question: number;
  chunkId: string;
  /** Cosine of the idf-weighted term sets (words and bigrams), 0–1. */
  similarity: number;
}

type TermVector = Map<string, number>;

function vectorOf(index: StoredLibrary, words: readonly string[], bigrams: readonly string[], expansions: readonly string[] = []): TermVector {
  const v: TermVector = new Map();
  for (const w of words) v.set(`w:${w}`, idf(index.words, w));
  for (const w of expansions) if (!v.has(`w:${w}`)) v.set(`w:${w}`, idf(index.words, w) * EXPANSION_WEIGHT);
  for (const b of bigrams) v.set(`b:${b}`, idf(index.bigrams, b) * BIGRAM_WEIGHT);
  return v;
}

function cosine(a: TermVector, b: TermVector): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, w] of a) {
    na += w * w;
    const o = b.get(t);
    if (o !== undefined) dot += w * o;
  }
  for (const w of b.values()) nb += w * w;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

const vectorCache = new WeakMap<StoredLibrary, (TermVector | undefined)[]>();

function questionVector(index: StoredLibrary, i: number, tokenizer: Tokenizer): TermVector {
  let cache = vectorCache.get(index);
  if (!cache) vectorCache.set(index, (cache = new Array<TermVector | undefined>(index.questions.length)));
  let v = cache[i];
  if (!v) {
    const text = (index.questions[i] as { match: string }).match;
    v = vectorOf(index, tokenizer.words(text), tokenizer.bigrams(text));
    cache[i] = v;
  }
  return v;
}

/**
 * The library phrasings closest to a question (already without place names), best first, one per
 * passage, restricted to passages `allow` accepts.
 *
 * @example
 * searchLibrary(lib, tokenizer, "打零工的能交公积金吗", ["灵活就业"], (id) => true)[0]
 * // { chunkId: "luan-…#c0186", similarity: 0.71, … }
 */
export function searchLibrary(
  index: StoredLibrary,
  tokenizer: Tokenizer,
  text: string,
  expansions: readonly string[],
  allow: (chunkId: string) => boolean,
  k = 8,
): LibraryMatch[] {
  if (index.questions.length === 0) return [];
  const words = tokenizer.words(text);
  const bigrams = tokenizer.bigrams(text);
  const expansionWords = expansions.flatMap((e) => tokenizer.words(e));
  const wq = queryTerms(words);
  queryTerms(expansionWords, EXPANSION_WEIGHT, wq);
  const allowQ = (i: number) => allow((index.questions[i] as LibraryQuestion).chunkId);
  const ws = scoreBm25(index.words, wq, allowQ);
  const bs = scoreBm25(index.bigrams, queryTerms(bigrams), allowQ);
  for (let i = 0; i < ws.length; i++) ws[i] = (ws[i] as number) + BIGRAM_WEIGHT * (bs[i] as number);
  const query = vectorOf(index, words, bigrams, expansionWords);
  const best = new Map<string, LibraryMatch>();
  for (const i of topK(ws, CANDIDATES)) {
    const q = index.questions[i] as LibraryQuestion;
    const similarity = cosine(query, questionVector(index, i, tokenizer));
    const prev = best.get(q.chunkId);
    if (!prev || similarity > prev.similarity) best.set(q.chunkId, { question: i, chunkId: q.chunkId, similarity });
  }
  return [...best.values()].sort((a, b) => b.similarity - a.similarity || a.question - b.question).slice(0, k);
}
