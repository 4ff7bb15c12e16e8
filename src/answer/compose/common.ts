import type { Config } from "../../config.ts";
import { citationOf } from "../../corpus/citation.ts";
import { metaOf } from "../anchors.ts";
import type { Chunk, DocumentMeta } from "../../corpus/types.ts";
import type { LoadedIndex } from "../../index/store.ts";
import type { Messages } from "../../prompts.ts";
import { retrieve, type Hit } from "../../search/retrieve.ts";
import type { Expansion } from "../../search/expand.ts";
import type { CityEntry } from "../../corpus/cities.ts";
import { normalizeText } from "../../util/normalize.ts";
import { bestQuote, conceptCoverage, coverage, type Concept } from "../evidence.ts";
import type { Intent } from "../intent.ts";
import { citedDocuments, disclaimerLine } from "./text.ts";
import { type Ask, type Lexicon } from "../../corpus/lexicon.ts";
import { matchLexicon } from "../../corpus/lexicon-match.ts";
import type { FactTexts } from "../../rules/facts.ts";
import type { ResultDeps } from "../../rules/results.ts";
import type { Profile } from "../../contract/profile.ts";
import type { AnswerKind, Citation, EligibilityResult } from "../../contract/answer.ts";

/** What every composer can use: the live index, wording and settings. */
export interface ComposeDeps {
  index: LoadedIndex;
  messages: Messages;
  facts: FactTexts;
  config: Config;
  catalog: readonly CityEntry[];
  /** The clock (tests pin it). */
  now: () => Date;
}

/** One question, analysed. */
export interface Question {
  raw: string;
  norm: string;
  /** The question without covered place names: what retrieval searches by. */
  searchText: string;
  /** County names the question gives (searched with a low weight). */
  minor: string[];
  /** Cities to answer for; empty = every covered city, answered per city. */
  scope: string[];
  expansion: Expansion;
  concepts: Concept[];
  intent: Intent;
  /** What the question asks for (amount, count, office, materials …). */
  asks: Ask[];
  /** The question without place, person, question and intent words (what it is about). */
  topic: string;
  /** "哪些 / 哪几个 / 都有啥": the answer should quote an enumeration whole. */
  wantsItems: boolean;
}

/** A composed answer before timings and ids are added. */
export interface Draft {
  kind: AnswerKind;
  text: string;
  citations: Citation[];
  city: string | null;
  reason?: string;
  eligibility?: EligibilityResult[];
  /** The profile eligibility was judged on (saved facts merged with the question's). */
  profile?: Profile;
}

/** Below this weighted share of the question's concepts in any top passage, a city has no evidence. */
export const MIN_COVERAGE = 0.34;
/** When the lexical and dense rankers agree on a passage, this much coverage is enough. */
export const MIN_COVERAGE_AGREED = 0.2;
/** A library phrasing at least this close to the question is evidence on its own. */
export const LIBRARY_EVIDENCE = 0.6;

/** What the best passages say about a question: the inputs of the answer-or-abstain decision. */
export interface Evidence {
  /** Best weighted share of the question's concepts stated by one of the top passages (0–1). */
  coverage: number;
  /** A top passage states a specific (multi-character, known or standard) concept of the question. */
  specific: boolean;
  /** Closest library phrasing among the top passages (0–1). */
  library: number;
  /** Share of the question's concept weight carried by words the plans never use. */
  unknown: number;
  /** The lexical and dense rankers agree on a top passage (both rank it in their top 5). */
  agree: boolean;
}

/** Measure the evidence of the top hits for a question. */
export function measureEvidence(q: Question, hits: readonly Hit[]): Evidence {
  let coverageBest = 0;
  let specific = false;
  let library = 0;
  let agree = false;
  for (const h of hits.slice(0, 3)) {
    const text = normalizeText(`${h.chunk.context} ${h.chunk.text}`);
    coverageBest = Math.max(coverageBest, coverage(q.concepts, text));
    specific ||= q.concepts.some(
      (c) => [...c.term].length >= 2 && (c.known || c.alternatives.length > 0) && conceptCoverage(c, text) >= 0.5,
    );
    library = Math.max(library, h.library);
    agree ||= (h.lexicalRank ?? 99) <= 5 && (h.denseRank ?? 99) <= 5;
  }
  const total = q.concepts.reduce((n, c) => n + c.weight, 0);
  const unknown = total ? q.concepts.filter((c) => c.unknownTopic).reduce((n, c) => n + c.weight, 0) / total : 0;
  return { coverage: coverageBest, specific, library, unknown, agree };
}

/**
 * Whether the top hits answer the question, decided from evidence, never from vocabulary alone:
 * a close library phrasing; or a specific concept stated and enough of the question covered —
 * less when the lexical and dense rankers agree on a passage, and, when most of the question's
 * topic weight is in words the plans never use, only with that agreement.
 */
export function hasEvidence(q: Question, hits: readonly Hit[]): boolean {
  if (q.concepts.length === 0 || hits.length === 0) return false;
  const e = measureEvidence(q, hits);
  if (e.library >= LIBRARY_EVIDENCE) return true;
  if (!e.specific) return false;
  if (e.coverage >= MIN_COVERAGE) return e.unknown < 0.5 || e.agree;
  return e.agree && e.coverage >= MIN_COVERAGE_AGREED;
}

export function documentMeta(index: LoadedIndex, docId: string): DocumentMeta {
  const meta = metaOf(index, docId);
  if (!meta) throw new Error(`unknown document ${docId}`);
  return meta;
}

/** The cities answered for: the scope, or every covered city. */
export function citiesFor(deps: ComposeDeps, q: Question): string[] {
  return q.scope.length > 0 ? q.scope : deps.catalog.map((c) => c.city);
}

/** With more covered cities than this and none named, only the best-matching ones are searched. */
export const MAX_CITIES_SEARCHED = 3;

/**
 * The cities to retrieve from: the scope; every city while there are few; otherwise the cities of
 * the best passages of one retrieval over all plans (so a 50-plan index costs one extra search,
 * not fifty).
 */
export async function citiesToSearch(deps: ComposeDeps, q: Question): Promise<string[]> {
  const all = citiesFor(deps, q);
  if (q.scope.length > 0 || all.length <= MAX_CITIES_SEARCHED) return all;
  const hits = await retrieveFor(deps, q, undefined, 20);
  return [...new Set(hits.map((h) => h.chunk.city))].slice(0, MAX_CITIES_SEARCHED);
}

/** A citation of `quote` (verbatim) inside `chunk`. */
export function makeCitation(deps: ComposeDeps, chunk: Chunk, quote: string, score: number): Citation {
  return citationOf(chunk, documentMeta(deps.index, chunk.docId), deps.messages.status, quote, score);
}

/** Retrieve for one city (or all when `city` is undefined). */
export function retrieveFor(deps: ComposeDeps, q: Question, city: string | undefined, k = 8): Promise<Hit[]> {
  return retrieve(
    deps.index,
    { text: q.searchText, expansions: q.expansion.added, minor: q.minor, cities: city ? new Set([city]) : undefined },
    k,
    deps.config.retrieval.candidates,
  );
}

/** The quote a passage contributes: a table row whole, a list's matching item, else the best sentence. */
export function quoteFor(
  chunk: Chunk,
  concepts: readonly Concept[],
  preferDigits: boolean,
  enumeration = false,
): { text: string; score: number } {
  if (chunk.kind === "table-row") return { text: chunk.text, score: coverage(concepts, chunk.text) };
  if (chunk.kind === "service-area") {
    const [, items = ""] = chunk.text.split("\t");
    const matching = items
      .replace(/[（(]共计\s*\d+\s*项[)）]\s*$/, "")
      .split(/[、，]/)
      .map((item) => ({ item: item.trim(), score: coverage(concepts, item) }))
      .filter((i) => i.item && i.score > 0)
      .sort((a, b) => b.score - a.score);
    if (matching[0]) return { text: matching[0].item, score: matching[0].score };
    return { text: chunk.text, score: coverage(concepts, chunk.text) };
  }
  return bestQuote(chunk.text, concepts, preferDigits, enumeration);
}


/** The one disclaimer line for the documents these citations quote (manifest order), if any. */
export function sourcesLine(deps: ComposeDeps, citations: readonly Citation[]): string | undefined {
  const order = deps.index.corpus.documents.map((d) => d.meta.id);
  return disclaimerLine(deps.messages, citedDocuments(citations, (id) => documentMeta(deps.index, id), order), deps.now());
}

/** What rendering a rule result needs from the loaded index. */
export function resultDeps(deps: ComposeDeps): ResultDeps {
  return {
    messages: deps.messages,
    facts: deps.facts,
    metaOf: (id) => metaOf(deps.index, id),
    chunkById: (id) => {
      const i = deps.index.chunkIndex.get(id);
      return i === undefined ? undefined : deps.index.chunks[i];
    },
    now: deps.now(),
  };
}

/**
 * The question's concepts without the words describing the person ("我是低保户，看病能报销多少" →
 * 看病): what a passage must speak of to answer it. A fact word inside a longer service name (学前 in
 * 学前教育) is part of that name; a word naming a benefit ("能领低保不") stays.
 */
export function topicalConcepts(lexicon: Lexicon, q: Pick<Question, "norm" | "concepts">): Concept[] {
  const names = matchLexicon(lexicon, q.norm, ["services", "groups"]);
  const personWords = matchLexicon(lexicon, q.norm, ["facts"])
    .filter((m) => !m.entry.benefit && !names.some((n) => n.start <= m.start && m.end <= n.end && n.end - n.start > m.end - m.start))
    .map((m) => m.form);
  return q.concepts.filter((c) => !personWords.some((w) => w.includes(c.term) || c.term.includes(w)));
}
