import { entryOn, type Standard, type StandardEntry } from "../../corpus/standards.ts";
import { fill } from "../../prompts.ts";
import { normalizeText } from "../../util/normalize.ts";
import type { Citation } from "../../contract/answer.ts";
import { citiesFor, makeCitation, quoteFor, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { evidenceByCity, mergeCityHits } from "./city-evidence.ts";
import { settlementClash } from "../intent.ts";
import { withoutPersonFacts } from "../../rules/extract.ts";
import { expandQuery } from "../../search/expand.ts";

/*
 * Figure answers from dated standards (seeds/standards): the value in force today with its date and
 * source; when a notice has replaced the plan's value, what the plan said too.
 */

/** What a standard answers: an amount or a bare "how much", not a count or a share. */
const STANDARD_ASKS = new Set(["amount", "standard", "rate"]);

const normalizedTopics = new WeakMap<Standard, string[]>();

/** A standard's topics, normalised once per loaded build (not per question). */
function topicsOf(standard: Standard): string[] {
  let topics = normalizedTopics.get(standard);
  if (!topics) normalizedTopics.set(standard, (topics = standard.topics.map(normalizeText)));
  return topics;
}

const aboutCache = new WeakMap<Question, { about: string; text: string }>();

/**
 * What a question says a standard is about, worked out once per question: its words without those
 * describing the person ("我是低保户，看病能报销多少" names a person's group, not the 低保 standard), and
 * that with the official terms its synonyms add.
 */
function aboutText(deps: ComposeDeps, q: Question): { about: string; text: string } {
  let cached = aboutCache.get(q);
  if (!cached) {
    const lexicon = deps.index.corpus.lexicon;
    const about = withoutPersonFacts(q.norm, lexicon);
    cached = { about, text: [about, ...expandQuery(about, lexicon).added.map(normalizeText)].join(" ") };
    aboutCache.set(q, cached);
  }
  return cached;
}

/** The standard a question names for a city: the one whose longest topic occurs in it. */
export function standardFor(deps: ComposeDeps, q: Question, city: string): Standard | undefined {
  const { text } = aboutText(deps, q);
  let best: { standard: Standard; length: number } | undefined;
  for (const s of deps.index.corpus.standards ?? []) {
    if (!s.entries.some((e) => e.city === city)) continue;
    const length = Math.max(0, ...topicsOf(s).filter((t) => text.includes(t)).map((t) => t.length));
    if (length > 0 && (!best || length > best.length)) best = { standard: s, length };
  }
  return best?.standard;
}

/** The question names a standard by one of its "…标准" topics ("淮南低保标准"): a figure is what it wants. */
export function namesStandard(deps: ComposeDeps, q: Question): boolean {
  const text = aboutText(deps, q).about;
  return (deps.index.corpus.standards ?? []).some((s) => topicsOf(s).some((t) => t.endsWith("标准") && text.includes(t)));
}

function today(deps: ComposeDeps): string {
  return deps.now().toISOString().slice(0, 10);
}

/**
 * A figure answer from a dated standard, per city in scope, or undefined when the question names
 * none (or asks for a count or a share, which standards do not give).
 */
export async function composeStandard(deps: ComposeDeps, q: Question): Promise<Draft | undefined> {
  if (q.asks.length > 0 && !q.asks.every((a) => STANDARD_ASKS.has(a))) return undefined;
  const m = deps.messages.standard;
  const citations: Citation[] = [];
  const lines: string[] = [];
  const cities: string[] = [];
  const cite = (e: StandardEntry): number => {
    const chunk = deps.index.chunks[deps.index.chunkIndex.get(e.chunkId) as number];
    if (!chunk) return 0;
    const at = citations.findIndex((c) => c.chunkId === chunk.id && c.quote === e.source.quote);
    return at >= 0 ? at + 1 : citations.push(makeCitation(deps, chunk, e.source.quote, 1));
  };
  for (const city of citiesFor(deps, q)) {
    const standard = standardFor(deps, q, city);
    const current = standard && entryOn(standard, city, today(deps));
    if (!standard || !current) continue;
    if (settlementClash(deps.index.corpus.lexicon, q.norm, `${standard.name} ${current.source.quote}`)) continue;
    cities.push(city);
    const plan = [...standard.entries].reverse().find((e) => e.city === city && e.docKind === "plan" && e !== current);
    const vars = { city, name: standard.name, value: current.value, unit: current.unit, note: current.note ?? "", n: cite(current) };
    if (current.docKind === "notice") {
      lines.push(fill(m.notice, { ...vars, from: current.from, title: current.docTitle }) + (plan ? fill(m.plan_said, { value: plan.value, unit: plan.unit, note: plan.note ?? "", n: cite(plan) }) : "") + "。");
    } else {
      lines.push(fill(m.plan_only, vars));
    }
  }
  if (cities.length === 0) return undefined;
  // The passages retrieval found follow as further sources.
  const { found } = await evidenceByCity(deps, { ...q, scope: cities });
  for (const h of mergeCityHits(found, deps.config.retrieval.maxCitations)) {
    if (citations.length >= deps.config.retrieval.maxCitations) break;
    if (citations.some((c) => c.chunkId === h.chunk.id)) continue;
    citations.push(makeCitation(deps, h.chunk, quoteFor(h.chunk, q.concepts, true).text, h.score));
  }
  return { kind: "figure", text: lines.join("\n"), citations, city: cities.length === 1 ? (cities[0] as string) : null };
}
