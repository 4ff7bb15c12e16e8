import type { Chunk, IndicatorRow } from "../../corpus/types.ts";
import { fill } from "../../prompts.ts";
import { statesAsked } from "../asks.ts";
import { coverage } from "../evidence.ts";
import type { Citation } from "../../contract/answer.ts";
import { documentMeta, makeCitation, quoteFor, topicalConcepts, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { refs } from "../../util/text.ts";
import { evidenceByCity } from "./city-evidence.ts";
import { rowChunk, rowLine } from "./rows.ts";
import { shortQuote } from "./text.ts";
import { settlement, settlementClash } from "../intent.ts";
import { normalizeText } from "../../util/normalize.ts";

/** An indicator row must name this share of the question's concepts to be shown. */
const MIN_ROW_COVERAGE = 0.5;
/** Figures scoring below this share of the best one are left out. */
const RELATIVE_CUTOFF = 0.8;
const FIGURES_PER_CITY = 3;
/** Figure lines per city in the text; the rest are sources. */
const LINES_PER_CITY = 2;
const YEAR_BONUS = 0.2;
/** A figure sentence whose number is for exactly the towns or villages asked about. */
const SETTLEMENT_BONUS = 0.1;

interface FigureItem {
  score: number;
  chunk: Chunk;
  quote: string;
  row?: IndicatorRow;
}

/** A passage of the plans' background chapter: it states what was achieved by 2020, not a target. */
function isBackground(chunk: Chunk): boolean {
  return /规划背景|发展基础/.test(chunk.location);
}

/** The columns of a row to read, a year the question names first. */
function columnsFor(row: IndicatorRow, norm: string): string[] {
  const columns = Object.keys(row.values);
  const years = norm.match(/20\d\d/g) ?? [];
  const named = columns.filter((c) => years.some((y) => c.includes(y)));
  return named.length > 0 ? [...named, ...columns.filter((c) => !named.includes(c))] : columns;
}

/** The clause of a figure sentence that states the asked kind of number (the whole quote if none does). */
function figureClause(quote: string, q: Question, fits: (text: string) => boolean): string {
  const clauses = quote.split(/(?<=[，；。])/).filter((c) => c.trim());
  const stating = clauses.filter((c) => statesAsked(q.asks, c) && fits(c));
  if (stating.length === 0) return quote;
  const best = stating.sort((a, b) => coverage(q.concepts, b) - coverage(q.concepts, a))[0] as string;
  // A clause that states a number but none of the question ("到2025年") says nothing alone.
  return coverage(q.concepts, best) > 0 ? best.replace(/[，；。]$/, "") : quote;
}

/**
 * A figure answer: indicator-table rows (with their year columns, unit and attribute) and
 * figure-bearing sentences, per city. Undefined when no figure states the question.
 */
export async function composeFigure(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  const { found } = await evidenceByCity(deps, q);
  if (found.length === 0) return undefined;
  const items: FigureItem[] = [];
  // A figure about villages does not answer a question about towns, nor the other way round.
  const lexicon = deps.index.corpus.lexicon;
  // Words describing the person ("我是低保户，看病能报销多少") are not what is counted: a figure must
  // state something of the rest of the question too (not the 低保 standard for a question on 看病).
  const topical = topicalConcepts(lexicon, q);
  const aboutTopic = (text: string) => topical.length === q.concepts.length || topical.length === 0 || coverage(topical, text) > 0;
  const fits = (text: string) => !settlementClash(lexicon, q.norm, text) && aboutTopic(text);
  const asked = settlement(lexicon, q.norm);
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
      const own = asked !== undefined && settlement(lexicon, normalizeText(row.indicatorText)) === asked;
      const score = coverage(q.concepts, `${row.category} ${row.indicatorText}`) + bonus + (own ? SETTLEMENT_BONUS : 0);
      const stated = score >= MIN_ROW_COVERAGE && statesAsked(q.asks, row.indicatorText, row.unit) && fits(`${row.category} ${row.indicatorText}`);
      const chunk = stated ? rowChunk(deps, row) : undefined;
      if (chunk) candidates.push({ score, chunk, quote: chunk.text, row });
    }
    for (const hit of hits) {
      if (hit.chunk.kind === "table-row" || hit.chunk.kind === "service-area") continue;
      const quote = quoteFor(hit.chunk, q.concepts, true);
      if (/\d/.test(quote.text) && statesAsked(q.asks, quote.text) && fits(quote.text)) {
        // "农村的呢": a clause stating the number for villages alone beats one for towns and villages together.
        const own = asked !== undefined && quote.text.split(/[，；。]/).some((c) => statesAsked(q.asks, c) && settlement(lexicon, normalizeText(c)) === asked);
        candidates.push({ score: coverage(q.concepts, quote.text) + (own ? SETTLEMENT_BONUS : 0), chunk: hit.chunk, quote: quote.text });
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

  // Answer first: per city, the figure that answers (with what it is: a 2020 result or a target),
  // then at most one more. Further passages are sources, not text.
  const m = deps.messages.figure;
  const lines: string[] = [];
  const cities = [...new Set(items.map((i) => i.chunk.city))];
  for (const city of cities) {
    const numbered = items.map((item, i) => ({ item, n: i + 1 })).filter(({ item }) => item.chunk.city === city).slice(0, LINES_PER_CITY);
    const onlyAchieved = numbered.every(({ item }) => !item.row && isBackground(item.chunk));
    for (const { item, n } of numbered) {
      if (item.row) {
        lines.push(rowLine(deps, item.row, refs([n]), columnsFor(item.row, q.norm)));
      } else {
        const when = isBackground(item.chunk) ? (onlyAchieved ? m.when_achieved_only : m.when_achieved) : "";
        lines.push(fill(m.sentence, { city, quote: shortQuote(figureClause(item.quote, q, fits), q.concepts), refs: refs([n]), when }));
      }
    }
  }
  return { kind: "figure", text: lines.join("\n"), citations, city: cities.length === 1 ? (cities[0] as string) : null };
}
