import { fill } from "../../prompts.ts";
import { DETAIL_ASKS, figureAsks, statesAsked } from "../asks.ts";
import { coverage } from "../evidence.ts";
import { composeNotStated } from "./not-stated.ts";
import type { Citation } from "../../contract/answer.ts";
import type { Chunk } from "../../corpus/types.ts";
import type { Hit } from "../../search/retrieve.ts";
import { makeCitation, quoteFor, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { refs } from "../../util/text.ts";
import { evidenceByCity, mergeCityHits } from "./city-evidence.ts";
import { indicatorRowOf, rowLine } from "./rows.ts";
import { shortQuote } from "./text.ts";

/** A detail asked for must be stated within this many top passages of a city. */
const DETAIL_DEPTH = 3;

/**
 * How much of the question the clause stating the asked detail is about (with the clause after it:
 * "到2025年底，" says what follows); -1 when no clause states it.
 */
function statingFit(quote: string, q: Question): number {
  const details = q.asks.filter((a) => DETAIL_ASKS.includes(a));
  const clauses = quote.split(/(?<=[，；。,;])/);
  let best = -1;
  clauses.forEach((c, i) => {
    if (statesAsked(details, c)) best = Math.max(best, coverage(q.concepts, c + (clauses[i + 1] ?? "")));
  });
  return best;
}

/** "、" a sentence needs to count as enumerating items (three or more). */
const MIN_ENUMERATION = 2;

/**
 * Hits that fit what is asked (fit ≥ 0) first, best fit first, the rest after; the new order keeps
 * the scores' scale (merging cities sorts by score).
 */
function leadFirst(top: readonly Hit[], fit: (h: Hit) => number): Hit[] {
  const scored = top.map((h) => ({ h, fit: fit(h) }));
  const fitting = scored.filter((t) => t.fit >= 0).sort((a, b) => b.fit - a.fit);
  const scores = top.map((h) => h.score).sort((a, b) => b - a);
  return [...fitting, ...scored.filter((t) => t.fit < 0)].map((t, i) => ({ ...t.h, score: scores[i] as number }));
}

/**
 * The extractive answer: the best sentence of each top passage, quoted verbatim with its location,
 * per city when the question names none. Undefined when no city's plan speaks to the question.
 */
export async function composePassage(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  const evidence = await evidenceByCity(deps, q);
  let found = evidence.found;
  const missing = evidence.missing;
  if (found.length === 0) return undefined;
  // A detail the plans rarely give (materials, an office, a phone number, a date …) is answered only
  // when a top passage states it; otherwise the answer says it is not stated.
  const details = q.asks.some((a) => DETAIL_ASKS.includes(a));
  if (details) {
    const states = (h: Hit) => statesAsked(q.asks, quoteFor(h.chunk, q.concepts, false).text);
    if (!found.some(({ hits }) => hits.slice(0, DETAIL_DEPTH).some(states))) return composeNotStated(deps, q);
  }
  // Passages stating the detail lead, or for "有哪几种" those enumerating items, the one most about
  // the question first.
  const items = q.asks.includes("items");
  if (details || items) {
    const fit = (h: Hit) => {
      const quote = quoteFor(h.chunk, q.concepts, false, items).text;
      return details ? statingFit(quote, q) : (quote.match(/、/g) ?? []).length >= MIN_ENUMERATION ? coverage(q.concepts, quote) : -1;
    };
    found = found.map(({ city, hits }) => ({ city, hits: [...leadFirst(hits.slice(0, DETAIL_DEPTH), fit), ...hits.slice(DETAIL_DEPTH)] }));
  }
  // A table row states only a number: it does not lead an answer to a question that asks none
  // ("医保怎么交" is not answered by the insurance coverage rate).
  if (figureAsks(q.asks).length === 0) {
    found = found.map(({ city, hits }) => ({ city, hits: leadFirst(hits, (h) => (h.chunk.kind === "table-row" ? -1 : 0)) }));
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
  // "什么时候建成": the cut keeps the clause that gives the year.
  const details = q.asks.filter((a) => DETAIL_ASKS.includes(a));
  const stating = details.length > 0 ? (clause: string) => statesAsked(details, clause) : undefined;
  return fill(m.lead, { city: c.city, quote: shortQuote(c.quote, q.concepts, undefined, stating), refs: refs([n]) });
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
