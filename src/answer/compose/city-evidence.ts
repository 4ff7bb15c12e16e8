import type { Hit } from "../../search/retrieve.ts";
import type { Chunk } from "../../corpus/types.ts";
import { normalizeText } from "../../util/normalize.ts";
import { matchLexicon } from "../../corpus/lexicon-match.ts";
import { conceptCoverage, coverage, type Concept } from "../evidence.ts";
import { citiesToSearch, hasEvidence, retrieveFor, type ComposeDeps, type Question } from "./common.ts";

/* The passages each city's plan has for a question, retrieved once and shared by the composers. */

export interface CityHits {
  city: string;
  hits: Hit[];
}

/** A city whose plan never names the service asked about while another city's plan does. */
export interface OnlyElsewhere {
  city: string;
  /** The service word ("两癌"). */
  term: string;
  /** The cities whose plans name it. */
  others: string[];
}

export interface CityEvidence {
  found: CityHits[];
  missing: string[];
  elsewhere: OnlyElsewhere[];
}

const evidenceCache = new WeakMap<Question, Promise<CityEvidence>>();

/**
 * Retrieve per city in scope and keep the cities whose plan speaks to the question (once per
 * question: composers that fall back to one another share the retrieval).
 */
export function evidenceByCity(deps: ComposeDeps, q: Question): Promise<CityEvidence> {
  let pending = evidenceCache.get(q);
  if (!pending) evidenceCache.set(q, (pending = retrieveEvidence(deps, q)));
  return pending;
}

async function retrieveEvidence(deps: ComposeDeps, q: Question): Promise<CityEvidence> {
  const found: CityHits[] = [];
  const missing: string[] = [];
  const elsewhere: OnlyElsewhere[] = [];
  for (const city of await citiesToSearch(deps, q)) {
    const hits = rerankByEvidence(q, await retrieveFor(deps, q, city, 12)).slice(0, 8);
    const other = onlyElsewhere(deps, q, city);
    if (other) elsewhere.push(other);
    if (hasEvidence(q, hits) && !other) found.push({ city, hits });
    else missing.push(city);
  }
  return { found, missing, elsewhere };
}

/** A passage with its text normalised for matching. */
export interface NormalisedPassage {
  chunk: Chunk;
  text: string;
}

/** Each city's passages, normalised once per loaded build, and which concepts each city's plan states. */
const passagesCache = new WeakMap<readonly Chunk[], { byCity: Map<string, NormalisedPassage[]>; states: Map<string, boolean> }>();

function cached(chunks: readonly Chunk[]): { byCity: Map<string, NormalisedPassage[]>; states: Map<string, boolean> } {
  let c = passagesCache.get(chunks);
  if (!c) {
    const byCity = new Map<string, NormalisedPassage[]>();
    for (const chunk of chunks) {
      const list = byCity.get(chunk.city) ?? [];
      if (list.length === 0) byCity.set(chunk.city, list);
      list.push({ chunk, text: normalizeText(`${chunk.context} ${chunk.text}`) });
    }
    passagesCache.set(chunks, (c = { byCity, states: new Map() }));
  }
  return c;
}

/** A city's passages with their normalised text (computed once per loaded build). */
export function cityPassages(chunks: readonly Chunk[], city: string): readonly NormalisedPassage[] {
  return cached(chunks).byCity.get(city) ?? [];
}

/** Whether any passage of the city's plan states the concept (answered once per build, city and concept). */
function cityStates(chunks: readonly Chunk[], city: string, concept: Concept): boolean {
  const { states } = cached(chunks);
  const key = `${city}\u0000${concept.term}\u0000${concept.alternatives.join("\u0000")}`;
  let stated = states.get(key);
  if (stated === undefined) {
    stated = cityPassages(chunks, city).some((p) => conceptCoverage(concept, p.text) >= 0.5);
    states.set(key, stated);
  }
  return stated;
}

/**
 * The question's most specific word is one this city's plan never uses while another covered
 * city's plan does ("六安有没有免费查两癌的": only 淮南's plan speaks of 两癌): this plan does not
 * state it, however well its passages match the rest of the question.
 */
function onlyElsewhere(deps: ComposeDeps, q: Question, city: string): OnlyElsewhere | undefined {
  // Only a word naming a service counts: "上海", "学历" or "待着" are not what a question is about.
  const lexicon = deps.index.corpus.lexicon;
  const namesService = (c: Concept) => matchLexicon(lexicon, c.term, ["services"]).some((m) => m.start === 0 && m.end === c.term.length);
  const candidates = q.concepts.filter((c) => c.known && [...c.term].length >= 2 && namesService(c));
  const top = candidates.reduce<Concept | undefined>((best, c) => (!best || c.weight > best.weight ? c : best), undefined);
  if (!top) return undefined;
  const states = (c: string) => cityStates(deps.index.chunks, c, top);
  if (states(city)) return undefined;
  const others = deps.catalog.map((c) => c.city).filter((c) => c !== city && states(c));
  return others.length > 0 ? { city, term: top.term, others } : undefined;
}

/** Share of evidence (concept coverage) in the final ranking; measured flat between 0.3 and 0.5. */
const EVIDENCE_WEIGHT = 0.4;

/**
 * Re-rank retrieved hits by how much of the question each states (coverage of its concepts),
 * blended with the fused retrieval score.
 */
export function rerankByEvidence(q: Question, hits: readonly Hit[]): Hit[] {
  const top = Math.max(...hits.map((h) => h.score), 1e-9);
  return hits
    .map((h) => ({
      h,
      s: (1 - EVIDENCE_WEIGHT) * (h.score / top) + EVIDENCE_WEIGHT * coverage(q.concepts, `${h.chunk.context} ${h.chunk.text}`),
    }))
    .sort((a, b) => b.s - a.s)
    .map(({ h, s }) => ({ ...h, score: s }));
}

/**
 * Interleave per-city hits into one best-first list, `total` long, giving each city a fair share.
 */
export function mergeCityHits(groups: readonly CityHits[], total: number): Hit[] {
  const share = Math.max(2, Math.ceil(total / Math.max(groups.length, 1)));
  return groups
    .flatMap((g) => g.hits.slice(0, share))
    .sort((a, b) => b.score - a.score)
    .slice(0, total);
}

