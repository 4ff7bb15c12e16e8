import { buildBm25, queryTerms, scoreBm25, topK, type Bm25Index } from "../search/bm25.ts";
import { createTokenizer, type Tokenizer } from "../search/tokenizer.ts";
import type { ScoredAnswer } from "./score.ts";

/*
 * The baseline every change is measured against: plain BM25 over jieba words on naive paragraph
 * chunks (one per non-empty source line, bookmarks removed), no structure, no synonyms, no city
 * scoping, no dense vectors, no abstention. It answers with its top paragraphs. Its jieba is plain
 * (no domain dictionary): it gets none of the system's vocabulary, whatever index the process holds.
 */

interface Paragraph {
  city: string;
  text: string;
}

export interface Baseline {
  paragraphs: Paragraph[];
  index: Bm25Index;
  tokenizer: Tokenizer;
}

/** Build the baseline from raw plan texts by city (with plain jieba unless given a tokenizer). */
export function buildBaseline(sources: Readonly<Record<string, string>>, tokenizer: Tokenizer = createTokenizer()): Baseline {
  const paragraphs = Object.entries(sources).flatMap(([city, raw]) =>
    raw
      .split("\n")
      .map((l) => l.replace(/\[bookmark: [^\]]*\]/g, "").trim())
      .filter(Boolean)
      .map((text) => ({ city, text })),
  );
  const index = buildBm25(paragraphs.map((p) => [{ tokens: tokenizer.words(p.text), weight: 1 }]));
  return { paragraphs, index, tokenizer };
}

/** The baseline's answer: its top `k` paragraphs as citations, the first as text. */
export function baselineAnswer(b: Baseline, id: string, question: string, k = 5): ScoredAnswer {
  const started = performance.now();
  const top = topK(scoreBm25(b.index, queryTerms(b.tokenizer.words(question))), k);
  const citations = top.map((i) => {
    const p = b.paragraphs[i] as Paragraph;
    return { city: p.city, quote: p.text, chunkText: p.text };
  });
  return {
    id,
    kind: "answer",
    text: citations[0]?.quote ?? "",
    citations,
    eligibility: [],
    timingsMs: { total: performance.now() - started },
  };
}
