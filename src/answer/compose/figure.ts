import type { Chunk, IndicatorRow } from "../../corpus/types.ts";
import { fill } from "../../prompts.ts";
import { statesAsked } from "../asks.ts";
import { coverage } from "../evidence.ts";
import type { Citation } from "../types.ts";
import {
  closingLines,
  documentMeta,
  makeCitation,
  quoteFor,
  refs,
  type ComposeDeps,
  type Draft,
  type Question,
} from "./common.ts";
import { evidenceByCity, range } from "./passage.ts";

/** An indicator row must name this share of the question's concepts to be shown. */
const MIN_ROW_COVERAGE = 0.5;
/** Figures scoring below this share of the best one are left out. */
const RELATIVE_CUTOFF = 0.8;
const FIGURES_PER_CITY = 3;
const YEAR_BONUS = 0.2;

interface FigureItem {
  score: number;
  chunk: Chunk;
  quote: string;
  row?: IndicatorRow;
}

function rowChunk(deps: ComposeDeps, row: IndicatorRow): Chunk | undefined {
  return deps.index.chunks.find((c) => c.docId === row.docId && c.start === row.start && c.kind === "table-row");
}

/**
 * A figure answer: indicator-table rows (with their year columns, unit and attribute) and
 * figure-bearing sentences, per city. Undefined when no figure states the question.
 */
export async function composeFigure(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  const { found } = await evidenceByCity(deps, q);
  if (found.length === 0) return undefined;
  const items: FigureItem[] = [];
  const extra: { chunk: Chunk; score: number }[] = [];
  for (const { city, hits } of found) {
    const candidates: FigureItem[] = [];
    const years = q.norm.match(/20\d\d/g) ?? [];
    for (const row of deps.index.corpus.indicators.filter((r) => r.city === city)) {
      const columns = Object.keys(row.values).join(" ");
      // A year the question names picks its table; otherwise the plan's targets (the last year of
      // its period) come first.
      const targetYear = documentMeta(deps.index, row.docId).period.match(/20\d\d/g)?.pop() ?? "";
      const bonus = years.some((y) => columns.includes(y))
        ? YEAR_BONUS
        : targetYear && columns.includes(targetYear)
          ? YEAR_BONUS / 4
          : 0;
      const score = coverage(q.concepts, `${row.category} ${row.indicatorText}`) + bonus;
      const chunk = score >= MIN_ROW_COVERAGE && statesAsked(q.asks, row.indicatorText, row.unit) ? rowChunk(deps, row) : undefined;
      if (chunk) candidates.push({ score, chunk, quote: chunk.text, row });
    }
    for (const hit of hits) {
      if (hit.chunk.kind === "table-row" || hit.chunk.kind === "service-area") continue;
      const quote = quoteFor(hit.chunk, q.concepts, true);
      if (/\d/.test(quote.text) && statesAsked(q.asks, quote.text)) {
        candidates.push({ score: coverage(q.concepts, quote.text), chunk: hit.chunk, quote: quote.text });
      }
    }
    candidates.sort((a, b) => b.score - a.score);
    const best = candidates[0]?.score ?? 0;
    const kept = candidates.filter((c) => c.score >= best * RELATIVE_CUTOFF && c.score > 0).slice(0, FIGURES_PER_CITY);
    items.push(...kept);
    const used = new Set(kept.map((k) => k.chunk.id));
    extra.push(...hits.filter((h) => !used.has(h.chunk.id)).map((h) => ({ chunk: h.chunk, score: h.score })));
  }
  if (items.length === 0) return undefined;
  items.sort((a, b) => b.score - a.score);

  const citations: Citation[] = items.map((i) => makeCitation(deps, i.chunk, i.quote, i.score));
  const max = Math.max(deps.config.retrieval.maxCitations, citations.length);
  for (const e of extra.sort((a, b) => b.score - a.score)) {
    if (citations.length >= max) break;
    if (citations.some((c) => c.chunkId === e.chunk.id)) continue;
    citations.push(makeCitation(deps, e.chunk, quoteFor(e.chunk, q.concepts, true).text, e.score));
  }

  const m = deps.messages.figure;
  const lines: string[] = [];
  const cities = [...new Set(items.map((i) => i.chunk.city))];
  for (const city of cities) {
    const numbered = items.map((item, i) => ({ item, n: i + 1 })).filter(({ item }) => item.chunk.city === city);
    const title = documentMeta(deps.index, (numbered[0] as { item: FigureItem }).item.chunk.docId).title;
    if (cities.length > 1) lines.push(fill(deps.messages.answer.city_heading, { city }));
    lines.push(fill(m.intro, { title }));
    for (const { item, n } of numbered) {
      if (item.row) {
        const values = Object.entries(item.row.values)
          .filter(([, v]) => v !== "")
          .map(([column, value]) => fill(m.value, { column, value }))
          .join("，");
        lines.push(
          fill(m.row, {
            table: item.row.table,
            indicator: item.row.indicatorText,
            values: values ? `：${values}` : "",
            attribute: item.row.attribute ? fill(m.attribute, { attribute: item.row.attribute }) : "",
            n,
          }),
        );
      } else {
        lines.push(fill(m.sentence, { quote: item.quote, n, location: item.chunk.location }));
      }
    }
  }
  if (citations.length > items.length) {
    lines.push(fill(deps.messages.answer.more, { refs: refs(range(items.length + 1, citations.length)) }));
  }
  lines.push(...closingLines(deps, q, citations));
  return { kind: "figure", text: lines.join("\n"), citations, city: cities.length === 1 ? (cities[0] as string) : null };
}
