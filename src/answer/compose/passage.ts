import { fill } from "../../prompts.ts";
import type { Hit } from "../../search/retrieve.ts";
import { DETAIL_ASKS, statesAsked } from "../asks.ts";
import { coverage } from "../evidence.ts";
import { composeNotStated } from "./not-stated.ts";
import type { Citation } from "../types.ts";
import type { Chunk } from "../../corpus/types.ts";
import { citiesToSearch, hasEvidence, makeCitation, quoteFor, refs, retrieveFor, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { indicatorRowOf, rowLine } from "./rows.ts";
import { shortQuote } from "./text.ts";

export interface CityHits {
  city: string;
  hits: Hit[];
}

const evidenceCache = new WeakMap<Question, Promise<{ found: CityHits[]; missing: string[] }>>();

/**
 * Retrieve per city in scope and keep the cities whose plan speaks to the question (once per
 * question: composers that fall back to one another share the retrieval).
 */
export function evidenceByCity(deps: ComposeDeps, q: Question): Promise<{ found: CityHits[]; missing: string[] }> {
  let pending = evidenceCache.get(q);
  if (!pending) evidenceCache.set(q, (pending = retrieveEvidence(deps, q)));
  return pending;
}

async function retrieveEvidence(deps: ComposeDeps, q: Question): Promise<{ found: CityHits[]; missing: string[] }> {
  const found: CityHits[] = [];
  const missing: string[] = [];
  for (const city of await citiesToSearch(deps, q)) {
    const hits = rerankByEvidence(q, await retrieveFor(deps, q, city, 12)).slice(0, 8);
    if (hasEvidence(q, hits)) found.push({ city, hits });
    else missing.push(city);
  }
  return { found, missing };
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

/**
 * The extractive answer: the best sentence of each top passage, quoted verbatim with its location,
 * per city when the question names none. Undefined when no city's plan speaks to the question.
 */
export async function composePassage(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  const { found, missing } = await evidenceByCity(deps, q);
  if (found.length === 0) return undefined;
  // A detail the plans rarely give (materials, an office, a phone number …) is answered only when a
  // top passage states it; otherwise the answer says it is not stated.
  if (q.asks.some((a) => DETAIL_ASKS.includes(a))) {
    const states = found.some(({ hits }) => hits.slice(0, 3).some((h) => statesAsked(q.asks, quoteFor(h.chunk, q.concepts, false).text)));
    if (!states) return composeNotStated(deps, q);
  }
  const max = deps.config.retrieval.maxCitations;
  const hits = mergeCityHits(found, max);
  const citations: Citation[] = hits.map((h) => {
    const quote = quoteFor(h.chunk, q.concepts, q.intent === "figure", q.wantsItems);
    return makeCitation(deps, h.chunk, quote.text, h.score);
  });
  // Answer first: per city, the one statement that answers, with its citation. Other passages are
  // sources, not text.
  const lines: string[] = [];
  for (const { city } of found) {
    const n = citations.findIndex((c) => c.city === city) + 1;
    if (n > 0) lines.push(leadLine(deps, q, citations[n - 1] as Citation, n));
  }
  if (q.scope.length !== 1) {
    for (const city of missing) lines.push(fill(deps.messages.answer.city_missing, { city }));
  }
  return {
    kind: "answer",
    text: lines.join("\n"),
    citations,
    city: found.length === 1 ? (found[0] as { city: string }).city : null,
  };
}

/** The sentence that answers from one citation: a table row read out, a list item named, or the quote. */
export function leadLine(deps: ComposeDeps, q: Question, c: Citation, n: number): string {
  const chunk = deps.index.chunks[deps.index.chunkIndex.get(c.chunkId) as number] as Chunk;
  const m = deps.messages.answer;
  if (chunk.kind === "table-row") {
    const row = indicatorRowOf(deps, chunk);
    if (row) return rowLine(deps, row, refs([n]));
  }
  if (chunk.kind === "service-area") {
    const area = deps.index.corpus.serviceAreas.find((a) => a.docId === chunk.docId && a.start === chunk.start);
    if (area && c.quote !== chunk.text) return fill(m.in_list, { city: c.city, area: area.area, item: c.quote, refs: refs([n]) });
  }
  return fill(m.lead, { city: c.city, quote: shortQuote(c.quote, q.concepts), refs: refs([n]) });
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
