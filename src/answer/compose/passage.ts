import { fill } from "../../prompts.ts";
import type { Hit } from "../../search/retrieve.ts";
import { DETAIL_ASKS, statesAsked } from "../asks.ts";
import { coverage } from "../evidence.ts";
import { composeNotStated } from "./not-stated.ts";
import type { Citation } from "../types.ts";
import {
  citiesToSearch,
  closingLines,
  documentMeta,
  hasEvidence,
  makeCitation,
  quoteFor,
  quoteLines,
  refs,
  retrieveFor,
  type ComposeDeps,
  type Draft,
  type Question,
} from "./common.ts";

/** How many quotes the text shows; further citations are listed as "更多相关原文". */
const QUOTES_SHOWN = 3;

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
  const shown = Math.min(QUOTES_SHOWN + (found.length > 1 ? 1 : 0), citations.length);
  const lines: string[] = [];
  if (found.length === 1 && q.scope.length <= 1) {
    const meta = documentMeta(deps.index, (citations[0] as Citation).docId);
    lines.push(fill(deps.messages.answer.intro, { title: meta.title }));
    lines.push(...quoteLines(deps, citations, range(1, shown)));
  } else {
    for (const { city } of found) {
      const numbers = range(1, shown).filter((n) => citations[n - 1]?.city === city);
      if (numbers.length === 0) continue;
      lines.push(fill(deps.messages.answer.city_heading, { city }));
      lines.push(...quoteLines(deps, citations, numbers));
    }
  }
  if (q.scope.length !== 1) {
    for (const city of missing) lines.push(fill(deps.messages.answer.city_missing, { city }));
  }
  if (citations.length > shown) {
    lines.push(fill(deps.messages.answer.more, { refs: refs(range(shown + 1, citations.length)) }));
  }
  lines.push(...closingLines(deps, q, citations));
  return {
    kind: "answer",
    text: lines.join("\n"),
    citations,
    city: found.length === 1 ? (found[0] as { city: string }).city : null,
  };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
