import type { Ask } from "../../corpus/lexicon.ts";
import { fill } from "../../prompts.ts";
import { areaOffice, areasOf } from "../areas.ts";
import { figureAsks } from "../asks.ts";
import { normalizeText } from "../../util/normalize.ts";
import type { Lexicon } from "../../corpus/lexicon.ts";
import { hasIntentWord } from "../intent.ts";
import { matchRules } from "../../rules/match.ts";
import type { Citation } from "../../contract/answer.ts";
import { documentMeta, makeCitation, quoteFor, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { refs } from "../../util/text.ts";
import { cityPassages, evidenceByCity, mergeCityHits } from "./city-evidence.ts";
import { conceptCoverage, coverage } from "../evidence.ts";

/** Passages cited after the "not stated" sentence: the closest ones, not a reading list. */
const CLOSEST = 3;

/** Longest topic phrase shown in a "not stated" sentence. */
const MAX_TOPIC_CHARS = 14;

/**
 * The question's topic in its own words: the stretch of its topic text from the first to the last
 * specific concept ("重度残疾人护理补贴每个月多少钱" → "重度残疾人护理补贴", "村医一个月工资多少" → "村医工资").
 */
export function topicPhrase(q: Pick<Question, "concepts" | "topic">, lexicon?: Lexicon): string {
  const text = q.topic;
  const generic = (term: string) => lexicon !== undefined && hasIntentWord(lexicon, term, "generic");
  const spans = q.concepts
    .filter((c) => [...c.term].length >= 2 && !generic(c.term))
    .map((c) => ({ at: text.indexOf(c.term), end: text.indexOf(c.term) + c.term.length }))
    .filter((s) => s.at >= 0);
  if (spans.length === 0) return "";
  const from = Math.min(...spans.map((s) => s.at));
  const to = Math.max(...spans.map((s) => s.end));
  const phrase = text.slice(from, to).replace(/[\s，,。？?！!、]+/g, "").replace(/^的+|的+$/g, "");
  return [...phrase].length <= MAX_TOPIC_CHARS ? phrase : q.concepts.filter((c) => [...c.term].length >= 2).slice(0, 2).map((c) => c.term).join("、");
}

/** What was asked, in words ("的具体金额"); the first asked kind that has wording. */
function whatAsked(deps: ComposeDeps, asks: readonly Ask[]): string {
  const m = deps.messages.not_stated.what as Record<string, string | undefined>;
  const order: Ask[] = [...asks.filter((a) => a !== "standard" && a !== "rate"), ...figureAsks(asks)];
  for (const a of order) if (m[a]) return m[a] as string;
  return m.standard as string;
}

/**
 * The plans speak of the topic but do not state what was asked (an amount, the materials, an office,
 * a phone number …): the first sentence says so, the closest passages are cited, and where to ask is
 * named only as a kind of office. Undefined when no plan speaks of the topic at all.
 */
export async function composeNotStated(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  const { found } = await evidenceByCity(deps, q);
  if (found.length === 0) return undefined;
  const hits = mergeCityHits(found, CLOSEST);
  const citations: Citation[] = hits.map((h) => makeCitation(deps, h.chunk, quoteFor(h.chunk, q.concepts, false).text, h.score));
  const first = citations[0] as Citation;
  const m = deps.messages.not_stated;
  const topic = topicPhrase(q, deps.index.corpus.lexicon) || m.this_topic;
  const cities = [...new Set(citations.map((c) => c.city))];
  const title = cities.length === 1 ? documentMeta(deps.index, first.docId).title : undefined;
  // The closest passages are cited, not quoted: a number in them is not the answer and must not read as one.
  const vars = { topic, what: whatAsked(deps, q.asks), refs: refs(citations.map((_, i) => i + 1)) };
  const lines = [title ? fill(m.lead, { ...vars, title }) : fill(m.lead_plain, vars)];
  // The office follows the passage's area (村医 → health) before the question's words (工资 → jobs).
  const lexicon = deps.index.corpus.lexicon;
  // Where to ask: the office the rules about this topic name, else the one of the topic's area.
  const rule = matchRules(deps.index.rules, q, cities.length === 1 ? cities : deps.catalog.map((c) => c.city), deps.index.tokenizer)[0];
  const area = areasOf(normalizeText(`${first.location} ${first.chunkText}`), lexicon)[0] ?? areasOf(q.norm, lexicon)[0];
  const office = rule?.confirm ?? (area ? areaOffice(area, lexicon) : undefined);
  lines.push(office ? fill(m.ask_office, { office }) : deps.messages.pointer.general);
  return { kind: "not_stated", text: lines.join("\n"), citations, city: cities.length === 1 ? (cities[0] as string) : null, reason: "not_stated" };
}

/** Passages of the other city cited when only its plan names the service asked about. */
const ELSEWHERE_CITED = 2;

/**
 * No plan in scope speaks of the question because the service it names appears only in another
 * city's plan ("六安有没有免费查两癌的"): say this plan does not mention it and cite where the other
 * plan does. Undefined otherwise.
 */
export async function composeOnlyElsewhere(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  const { found, elsewhere } = await evidenceByCity(deps, q);
  const e = elsewhere[0];
  if (found.length > 0 || !e) return undefined;
  const concept = q.concepts.find((c) => c.term === e.term);
  if (!concept) return undefined;
  const chunks = e.others
    .flatMap((city) => cityPassages(deps.index.chunks, city))
    .filter(({ text }) => conceptCoverage(concept, text) >= 0.5)
    .map(({ chunk, text }) => ({ c: chunk, score: coverage(q.concepts, text) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, ELSEWHERE_CITED);
  const citations = chunks.map(({ c, score }) => makeCitation(deps, c, quoteFor(c, q.concepts, false).text, score));
  const doc = deps.index.corpus.documents.find((d) => d.meta.city === e.city && d.meta.kind === "plan" && !d.meta.supersededBy);
  const m = deps.messages.not_stated;
  const text = fill(m.elsewhere, {
    title: doc?.meta.title ?? e.city,
    term: e.term,
    others: e.others.join("、"),
    refs: refs(citations.map((_, i) => i + 1)),
  });
  return { kind: "not_stated", text, citations, city: e.city, reason: "not_stated" };
}
