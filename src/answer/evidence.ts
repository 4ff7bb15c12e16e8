import { charBigrams } from "../util/text.ts";
import { splitSentences } from "../corpus/chunk.ts";
import { type Lexicon } from "../corpus/lexicon.ts";
import { matchLexicon } from "../corpus/lexicon-match.ts";
import type { StoredLexical } from "../search/lexical.ts";
import { documentFrequency, idf } from "../search/bm25.ts";
import { normalizeText, squash } from "../util/normalize.ts";
import type { Expansion } from "../search/expand.ts";
import type { Tokenizer } from "../search/tokenizer.ts";

/*
 * Evidence: which of the question's concepts a passage states, and the sentence that states most.
 * Used to pick verbatim quotes and to abstain when the plans do not speak to a question.
 */

/** A content word of the question, weighted by rarity, with the official terms it stands for. */
export interface Concept {
  term: string;
  weight: number;
  alternatives: string[];
  /** False when the corpus never uses the word (it can still be covered through alternatives). */
  known: boolean;
  /** An unknown noun: a topic the plans never mention (护照, 房价), not a filler word. */
  unknownTopic: boolean;
}

/** jieba tags of nouns and noun-like words. */
const NOUN_TAG = /^(n|nz|nt|nr|ns|nl|ng|vn|an)$/;
/** Weight of an unknown word that is not a noun ("要钱", "建了"): question filler. */
const FILLER_WEIGHT = 0.3;
/**
 * Weight of an unknown noun (小宝宝, 轮椅): a topic word the plans do not use. It counts like an
 * ordinary content word, so it lowers coverage without vetoing an answer by itself.
 */
export const UNKNOWN_TOPIC_WEIGHT = 2;
const PLACE_SUFFIX = /^(市|县|区|省|镇|乡|村)$/;

/** Intent words that say how a question is asked, not what about ("能不能", "哪些", "对比"). */
const FORM_INTENTS = new Set(["eligibility", "eligibility_benefit", "list", "compare", "both_cities", "personal", "greeting", "thanks", "followup_other", "yes_no"]);

/**
 * The question without what is not its topic: person words (我妈), question words (多少钱, 去哪办),
 * intent words (能不能, 哪些) and places no plan covers (上海). What is left is searched for evidence.
 *
 * @example
 * topicText("我妈能领高龄津贴吗 一个月多少钱", lexicon) // "   高龄津贴   "
 */
export function topicText(norm: string, lexicon: Lexicon): string {
  const spans = matchLexicon(lexicon, norm, ["persons", "asks", "intents", "places"]).filter(
    (m) => m.entry.kind !== "intents" || FORM_INTENTS.has(m.entry.term),
  );
  let out = norm;
  for (const m of [...spans].sort((a, b) => b.start - a.start)) {
    // A form with a gap ("哪个…高" in "哪个低保高") gives up only its own words: the gap is the topic.
    const gapped = m.entry.forms.includes(m.form) ? undefined : gapParts(m.entry.forms, m.form);
    out = gapped
      ? out.slice(0, m.start) + " " + m.form.slice(gapped[0].length, m.form.length - gapped[1].length) + " " + out.slice(m.end)
      : out.slice(0, m.start) + " " + out.slice(m.end);
  }
  return out;
}

/** The first and last words of the gapped form that matched `text` ("哪个…高" for "哪个低保高"). */
function gapParts(forms: readonly string[], text: string): [string, string] | undefined {
  for (const f of forms) {
    const parts = f.split("…");
    if (parts.length < 2) continue;
    const first = parts[0] as string;
    const last = parts.at(-1) as string;
    if (text.startsWith(first) && text.endsWith(last) && text.length >= first.length + last.length) return [first, last];
  }
  return undefined;
}

/**
 * The concepts of a question: the content words of its topic text minus city names and stop
 * words, weighted by rarity. Words the plans never use count as ordinary topic words (nouns) or
 * filler, never as a veto.
 *
 * @example
 * questionConcepts(topicText("打零工的能交住房公积金吗", lexicon), expansion, tokenizer, lexical, ["六安"])
 * // [{ term: "打零工", alternatives: ["灵活就业人员"], … }, { term: "住房公积金", … }]
 */
export function questionConcepts(
  topic: string,
  expansion: Expansion,
  tokenizer: Tokenizer,
  lexical: StoredLexical,
  cityNames: readonly string[],
): Concept[] {
  const seen = new Set<string>();
  const out: Concept[] = [];
  for (const { word: term, tag } of tokenizer.tagged(topic)) {
    if (seen.has(term) || PLACE_SUFFIX.test(term)) continue;
    if (cityNames.some((c) => c.includes(term) || term.includes(c))) continue;
    seen.add(term);
    const alternatives = [
      ...new Set(
        expansion.matched
          .filter((m) => m.variant.includes(term) || term.includes(m.variant))
          .flatMap((m) => m.forms),
      ),
    ].filter((a) => a !== term && [...a].length >= 2);
    const known = documentFrequency(lexical.words, term) > 0;
    const chars = [...term].length;
    let weight: number;
    let unknownTopic = false;
    if (known) {
      // Single characters say little on their own.
      weight = idf(lexical.words, term) * (chars === 1 ? 0.3 : 1);
    } else if (alternatives.length > 0) {
      weight = Math.max(...alternatives.map((a) => idf(lexical.words, a)), 1);
    } else if (chars >= 2 && NOUN_TAG.test(tag) && !/^[a-z0-9]+$/.test(term)) {
      weight = UNKNOWN_TOPIC_WEIGHT;
      unknownTopic = true;
    } else {
      weight = FILLER_WEIGHT;
    }
    out.push({ term, weight, alternatives, known, unknownTopic });
  }
  return out;
}

/** How far a normalised text states a concept: 1 when it has the word or an official form. */
export function conceptCoverage(concept: Concept, normText: string): number {
  if (normText.includes(concept.term)) return 1;
  if (concept.alternatives.some((a) => normText.includes(a))) return 1;
  // Typos and variants of long words: share of their character bigrams present.
  if ([...concept.term].length >= 4) {
    const grams = charBigrams(concept.term);
    const share = grams.filter((g) => normText.includes(g)).length / grams.length;
    if (share >= 0.5) return share * 0.8;
  }
  return 0;
}

/** Weighted share of the concepts a text states (0–1). */
export function coverage(concepts: readonly Concept[], text: string): number {
  const total = concepts.reduce((n, c) => n + c.weight, 0);
  if (total === 0) return 0;
  const norm = normalizeText(text);
  return concepts.reduce((n, c) => n + c.weight * conceptCoverage(c, norm), 0) / total;
}

export interface Quote {
  /** Verbatim substring of the passage. */
  text: string;
  score: number;
  /** True when the quote is part of a longer sentence. */
  partial: boolean;
}

const LONG_SENTENCE = 160;
/** An enumeration ("小型体育馆、小型体育场、游泳设施…") is quoted whole up to this length. */
const LONG_ENUMERATION = 320;
const SHORT_SENTENCE = 24;
const CLAUSE = /[^，；：,;:]*[，；：,;:]?/g;

function clauses(sentence: string): string[] {
  return (sentence.match(CLAUSE) ?? []).filter((c) => c.length > 0);
}

/** Trim a long sentence to the clauses around its best clause (verbatim). */
function clauseWindow(sentence: string, concepts: readonly Concept[], preferDigits: boolean): string {
  const parts = clauses(sentence);
  let best = 0;
  let bestScore = -1;
  parts.forEach((p, i) => {
    const s = coverage(concepts, p) + (preferDigits && /\d/.test(p) ? 0.2 : 0);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  });
  let from = Math.max(0, best - 1);
  let to = Math.min(parts.length - 1, best + 1);
  while (parts.slice(from, to + 1).join("").length < 50 && (from > 0 || to < parts.length - 1)) {
    if (to < parts.length - 1) to++;
    else from--;
  }
  return parts
    .slice(from, to + 1)
    .join("")
    .replace(/[，；：,;:]$/, "");
}

/** The sentence of a passage that holds a phrase (whitespace aside), or undefined. */
export function sentenceHolding(passage: string, phrase: string): string | undefined {
  const flat = squash(phrase);
  return splitSentences(passage).find((s) => squash(s.text).includes(flat))?.text.trim();
}

/**
 * The sentence of a passage that states most of the question's concepts (digits count extra for
 * figure questions, enumerations for "which …" questions). Long sentences are trimmed to the
 * clauses around their best clause, except an enumeration asked for, which is quoted whole.
 */
export function bestQuote(passage: string, concepts: readonly Concept[], preferDigits = false, enumeration = false): Quote {
  const sentences = splitSentences(passage);
  let best: { text: string; score: number; i: number } | undefined;
  sentences.forEach((s, i) => {
    const text = s.text.trim();
    if (!text) return;
    const items = enumeration ? Math.min((text.match(/、/g) ?? []).length, 5) / 5 : 0;
    const score = coverage(concepts, text) + (preferDigits && /\d/.test(text) ? 0.15 : 0) + 0.2 * items;
    if (!best || score > best.score) best = { text, score, i };
  });
  if (!best) return { text: passage.trim(), score: 0, partial: false };
  const next = sentences[best.i + 1];
  if ([...best.text].length < SHORT_SENTENCE && next) {
    // A lead phrase alone ("扩大普惠养老服务供给。") says little: quote the sentence after it too.
    const start = (sentences[best.i] as { start: number }).start;
    best = { ...best, text: passage.slice(start, next.end).trim() };
  }
  if (enumeration && best.text.includes("、") && best.text.length <= LONG_ENUMERATION) return { ...best, partial: false };
  if (best.text.length > LONG_SENTENCE) {
    return { text: clauseWindow(best.text, concepts, preferDigits), score: best.score, partial: true };
  }
  return { ...best, partial: false };
}
