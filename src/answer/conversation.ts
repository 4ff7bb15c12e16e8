import { detectCities, type CityEntry } from "../corpus/cities.ts";
import { matchLexicon, type Lexicon } from "../corpus/lexicon.ts";
import { normalizeText } from "../search/normalize.ts";
import type { Tokenizer } from "../search/tokenizer.ts";
import { topicText } from "./evidence.ts";

/*
 * Follow-up questions without a model, as rules over the lexicon (GOV.UK Chat rewrites a follow-up
 * from the last turns before retrieval; this does the same with words):
 *  - "那淮南呢" / "寿县呢" after "六安低保标准是多少": the earlier question with the new place;
 *  - "有补贴吗" / "我是农村户口的，能办吗" / "要带什么材料": the earlier topic carried into this turn;
 *  - a turn with a topic of its own is a new question (the earlier topic is dropped), though a city
 *    named earlier still tells which plan to read.
 */

/** At most this many earlier turns are read. */
export const HISTORY_TURNS = 10;

/** Intent words that carry no topic of their own. */
const NON_TOPIC_INTENTS = new Set([
  "generic",
  "list_benefit",
  "eligibility",
  "eligibility_benefit",
  "personal",
  "negation",
  "followup_other",
  "list",
  "compare",
  "greeting",
  "thanks",
]);

export interface TurnAnalysis {
  norm: string;
  /** Covered city names the turn gives (city, alias or county), in order. */
  places: string[];
  cities: string[];
  /** The turn has a topic of its own (a service, a group, or a content word). */
  hasTopic: boolean;
}

/** What one turn names: places, and whether it has a topic of its own. */
export function analyseTurn(text: string, lexicon: Lexicon, catalog: readonly CityEntry[], tokenizer: Tokenizer): TurnAnalysis {
  const norm = normalizeText(text);
  const detected = detectCities(norm, catalog, lexicon);
  const rest = detected.rest;
  if (matchLexicon(lexicon, rest, ["services", "groups"]).length > 0) {
    return { norm, places: detected.names, cities: detected.covered, hasTopic: true };
  }
  // Take out facts, persons, question and intent words: whatever content words remain are a topic.
  let stripped = topicText(rest, lexicon);
  const spans = matchLexicon(lexicon, stripped, ["facts", "intents"]).filter((m) => m.entry.kind === "facts" || NON_TOPIC_INTENTS.has(m.entry.term));
  for (const m of [...spans].sort((a, b) => b.start - a.start)) stripped = stripped.slice(0, m.start) + " " + stripped.slice(m.end);
  const content = tokenizer.cut(stripped).filter((w) => [...w].length >= 2 && !/^[\d\s.]+$/.test(w));
  return { norm, places: detected.names, cities: detected.covered, hasTopic: content.length > 0 };
}

export interface Resolved {
  /** The question to answer: the turn itself, or rewritten from the conversation. */
  question: string;
  /** True when earlier turns changed what is asked (a follow-up). */
  followUp: boolean;
  /** A covered city the conversation named (context when the question names none). */
  city?: string;
  /** Earlier turns read (most recent last), for facts stated in them. */
  turns: string[];
}

/** The earlier question's topic, without its question and intent words ("低保标准是多少" → "低保标准"). */
function topicOf(turn: TurnAnalysis, lexicon: Lexicon, catalog: readonly CityEntry[]): string {
  return topicText(detectCities(turn.norm, catalog, lexicon).rest, lexicon)
    .replace(/\s+/g, "")
    .replace(/^[的了和与及]+|[的了吗呢吧啊呀不谁啥有]+$/g, "");
}

/**
 * Resolve a turn against the conversation's earlier turns (oldest first).
 *
 * @example
 * resolveTurn(["六安低保标准是多少"], "那淮南呢？", lexicon, catalog, tokenizer).question // "淮南低保标准是多少"
 */
export function resolveTurn(
  history: readonly string[],
  question: string,
  lexicon: Lexicon,
  catalog: readonly CityEntry[],
  tokenizer: Tokenizer,
): Resolved {
  const turns = history.filter((t) => typeof t === "string" && t.trim()).slice(-HISTORY_TURNS);
  if (turns.length === 0) return { question, followUp: false, turns };
  const current = analyseTurn(question, lexicon, catalog, tokenizer);
  const earlier = turns.map((t) => analyseTurn(t, lexicon, catalog, tokenizer));
  const lastCity = [...earlier].reverse().find((t) => t.cities.length > 0)?.cities[0];
  if (current.hasTopic) {
    return { question, followUp: false, turns, ...(current.cities.length === 0 && lastCity ? { city: lastCity } : {}) };
  }
  const previous = [...earlier].reverse().find((t) => t.hasTopic);
  if (!previous) return { question, followUp: false, turns, ...(lastCity && current.cities.length === 0 ? { city: lastCity } : {}) };
  const place = current.places[0];
  if (place) {
    // A change of place: the earlier question, asked of the new place.
    const named = previous.places;
    let text = previous.norm;
    for (const p of named) text = text.split(p).join(place);
    const carried = named.length > 0 ? text : `${place}${text}`;
    // "那淮南呢" adds nothing to the earlier question; "那淮南收费吗" adds what it asks.
    const adds = matchLexicon(lexicon, current.norm, ["asks", "intents"]).some(
      (m) => m.entry.kind === "asks" || m.entry.term.startsWith("eligibility") || (m.entry.term === "generic" && [...m.form].length >= 2 && m.form !== "的话"),
    );
    return { question: adds ? `${carried}，${question}` : carried, followUp: true, turns, city: current.cities[0] as string };
  }
  const city = previous.cities[0] ?? lastCity;
  const prefix = previous.places[0] ?? "";
  return {
    question: `${prefix}${topicOf(previous, lexicon, catalog)}，${question}`,
    followUp: true,
    turns,
    ...(city ? { city } : {}),
  };
}
