import { detectCities, type CityEntry } from "../corpus/cities.ts";
import { intentTerms, type Lexicon, type LexiconKind } from "../corpus/lexicon.ts";
import { matchLexicon } from "../corpus/lexicon-match.ts";
import { normalizeText } from "../util/normalize.ts";
import type { Tokenizer } from "../search/tokenizer.ts";
import { topicText } from "./evidence.ts";
import { asksYesNo, detectAsks } from "./intent.ts";
import { escapeRegExp, messageClauses } from "../util/text.ts";

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
  "context",
  "yes_no",
  "treatment",
]);

/** A duration or a year the resident tells ("五年", "2003年的"): a fact about them, not a topic. */
const DURATION = /^([\d一二两三四五六七八九十几好多半]+)(年|个月|月|天|岁)?$/;

/** Longest turn read as "(那)X呢": a follow-up that swaps one thing of the last question. */
const ELLIPTIC_MAX_CHARS = 12;

export interface TurnAnalysis {
  norm: string;
  /** Covered city names the turn gives (city, alias or county), in order. */
  places: string[];
  cities: string[];
  /** The turn has a topic of its own (a service, a group, or a content word). */
  hasTopic: boolean;
  /** It names a service (低保, 托位): the surest sign of a topic of its own. */
  service: boolean;
  /** Covered words left once the places are taken out. */
  rest: string;
  /** Small talk outside the plans ("明天合肥下雨不"): no topic a later turn can continue. */
  offTopic: boolean;
}

/** How the current turn may continue the last one (only the turn being answered needs these). */
export interface TurnCues {
  /** It tells about the asker or a relative (我爸, 户口不在, 瘫在床上). */
  personal: boolean;
  /** A short "(那)X(的)呢" with no question of its own ("分散供养的呢"): it swaps X into the last question. */
  elliptic: boolean;
  /** It opens with a place and 呢 ("舒城县呢，我家是…"): the last question, asked of that place. */
  placeFirst: boolean;
}

/** What one turn names: places, and whether it has a topic of its own (every turn of the history). */
export function analyseTurn(text: string, lexicon: Lexicon, catalog: readonly CityEntry[], tokenizer: Tokenizer): TurnAnalysis {
  const norm = normalizeText(text);
  const detected = detectCities(norm, catalog, lexicon);
  const rest = detected.rest;
  const named = matchLexicon(lexicon, rest, ["services", "groups"]);
  const offTopic = matchLexicon(lexicon, norm, ["intents"]).some((m) => m.entry.term === "chitchat");
  const base = { norm, places: detected.names, cities: detected.covered, rest, offTopic };
  if (named.length > 0) return { ...base, hasTopic: true, service: named.some((m) => m.entry.kind === "services") };
  // Take out facts, persons, question and intent words: whatever content words remain are a topic.
  let stripped = topicText(rest, lexicon);
  const spans = matchLexicon(lexicon, stripped, ["facts", "intents"]).filter((m) => m.entry.kind === "facts" || NON_TOPIC_INTENTS.has(m.entry.term));
  for (const m of [...spans].sort((a, b) => b.start - a.start)) stripped = stripped.slice(0, m.start) + " " + stripped.slice(m.end);
  const content = tokenizer.cut(stripped).filter((w) => [...w].length >= 2 && !DURATION.test(w));
  return { ...base, hasTopic: content.length > 0, service: false };
}

/** The cues of the turn being answered: does it tell about someone, swap one thing, or open with a place? */
function turnCues(turn: TurnAnalysis, lexicon: Lexicon): TurnCues {
  const said = matchLexicon(lexicon, turn.rest, ["persons", "facts", "intents"]);
  const personal = said.some((m) => m.entry.kind !== "intents" || m.entry.term === "personal");
  const bare = turn.norm.replace(/[\s,，。.!！?？~～]+/g, "");
  const elliptic = /呢$/.test(bare) && [...bare].length <= ELLIPTIC_MAX_CHARS && detectAsks(lexicon, turn.norm).length === 0;
  const first = turn.places[0];
  const placeFirst = first !== undefined && new RegExp(`^那?(?:个)?${escapeRegExp(first)}(?:的|那边|这边)?呢`).test(bare);
  return { personal, elliptic, placeFirst };
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
function topicOf(turn: TurnAnalysis, lexicon: Lexicon): string {
  return topicText(turn.rest, lexicon)
    .replace(/\s+/g, "")
    .replace(/^[的了和与及]+|[的了吗呢吧啊呀不谁啥有]+$/g, "");
}

/** What a "X的呢" may swap in the earlier question: a service or group, and towns or villages. */
const SWAPPED_KINDS: readonly (readonly LexiconKind[])[] = [["services", "groups"], ["settlements"], ["facts"]];

/**
 * "保障性租赁住房的呢" after "淮南公租房谁能申请", "农村的呢" after "淮南城市里老年食堂建多少个",
 * "特困的呢" after "六安低保标准多少": the earlier question with the words of one kind (a service or
 * group; towns or villages; a value of the same fact) giving way to the one the turn names. The rest of the question, its 多少 included, stays.
 */
function swapWord(earlier: string, turn: string, lexicon: Lexicon, kinds: readonly LexiconKind[]): string {
  const said = matchLexicon(lexicon, turn, kinds)[0];
  // "城乡的呢" names both: nothing to swap.
  if (!said || said.entry.term === "城乡") return earlier;
  // A fact word gives way only to another value of the same fact ("特困的呢" after "低保标准多少").
  const other = matchLexicon(lexicon, earlier, kinds).filter(
    (m) => m.entry.term !== said.entry.term && m.entry.term !== "城乡" && m.entry.fact === said.entry.fact && (m.entry.fact === undefined || m.entry.value !== said.entry.value),
  );
  let out = earlier;
  for (const m of [...other].sort((a, b) => b.start - a.start)) out = out.slice(0, m.start) + said.form + out.slice(m.end);
  return out;
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
  const turn = analyseTurn(question, lexicon, catalog, tokenizer);
  const current = { ...turn, ...turnCues(turn, lexicon) };
  const earlier = turns.map((t) => analyseTurn(t, lexicon, catalog, tokenizer));
  const lastCity = [...earlier].reverse().find((t) => t.cities.length > 0)?.cities[0];
  const previous = [...earlier].reverse().find((t) => t.hasTopic && !t.offTopic);
  const context = { turns, ...(current.cities.length === 0 && lastCity ? { city: lastCity } : {}) };
  if (!previous) return { question, followUp: false, ...context };
  // A turn with a topic of its own is a new question, unless it only swaps one thing of the last one
  // ("分散供养的呢", "舒城县呢，我家是…") or tells about a person and asks whether they qualify for
  // what was just discussed ("我爸中风瘫在床上三年了，能享受吗": no service of its own).
  // A story told in clauses before a short question ("我刚分到城区一所小学当老师，还没买房，我能申请吗"):
  // the question clause names no topic, so it asks about the last one, whatever words the story uses.
  const clauses = messageClauses(current.norm);
  const asked = clauses.length > 1 ? analyseTurn(clauses.at(-1) as string, lexicon, catalog, tokenizer) : undefined;
  // One whose question clause does name something ("闯红灯被拍了，罚款能不能帮我撤了") is a new question.
  const bareQuestion = asked !== undefined && !asked.hasTopic;
  const personalAsk = current.personal && (asked ? bareQuestion : !current.service) && asksYesNo(lexicon, current.norm);
  const continues = !current.hasTopic || current.placeFirst || (current.elliptic && current.places.length === 0) || personalAsk;
  if (!continues) return { question, followUp: false, ...context };
  const place = current.places[0];
  if (place && (!current.hasTopic || current.placeFirst)) {
    // A change of place: the earlier question, asked of the new place.
    const named = previous.places;
    let text = previous.norm;
    for (const p of named) text = text.split(p).join(place);
    const carried = named.length > 0 ? text : `${place}${text}`;
    // "那淮南呢" adds nothing to the earlier question; "那淮南收费吗" adds what it asks.
    const adds =
      current.hasTopic ||
      current.personal ||
      matchLexicon(lexicon, current.norm, ["asks", "intents"]).some(
        (m) => m.entry.kind === "asks" || intentTerms(m.entry.term).includes("eligibility") || (m.entry.term === "generic" && [...m.form].length >= 2 && m.form !== "的话"),
      );
    return { question: adds ? `${carried}，${question}` : carried, followUp: true, turns, city: current.cities[0] as string };
  }
  const city = current.cities[0] ?? previous.cities[0] ?? lastCity;
  // "分散供养的呢" keeps the whole last question (its 多少钱); other turns keep its topic only.
  const carried = current.elliptic
    ? SWAPPED_KINDS.reduce((text, kinds) => swapWord(text, current.norm, lexicon, kinds), previous.norm)
    : `${previous.places[0] ?? ""}${topicOf(previous, lexicon)}`;
  return {
    question: `${carried}，${question}`,
    followUp: true,
    turns,
    ...(city ? { city } : {}),
  };
}
