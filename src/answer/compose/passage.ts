import { fill } from "../../prompts.ts";
import { DETAIL_ASKS, statesAsked } from "../asks.ts";
import { composeNotStated } from "./not-stated.ts";
import type { Citation } from "../../contract/answer.ts";
import type { Chunk } from "../../corpus/types.ts";
import { makeCitation, quoteFor, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { refs } from "../../util/text.ts";
import { evidenceByCity, mergeCityHits } from "./city-evidence.ts";
import { indicatorRowOf, rowLine } from "./rows.ts";
import { shortQuote } from "./text.ts";

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
