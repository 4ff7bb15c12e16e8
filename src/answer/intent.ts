/*
 * Intent detection over the normalised question, from the lexicon's intent and question words.
 * Ordered checks: safety first (prompt injection), then conversation (greeting, chit-chat), then
 * the kind of answer wanted. The words describe how people ask, never which topic they ask about.
 */

import { ASKS, intentTerms, type Ask, type Lexicon } from "../corpus/lexicon.ts";
import { matchLexicon, type LexiconMatch } from "../corpus/lexicon-match.ts";
import { DETAIL_ASKS } from "./asks.ts";
import { normalizeText } from "../util/normalize.ts";

export type Intent = "greeting" | "injection" | "chitchat" | "compare" | "list" | "eligibility" | "figure" | "passage";

/** What a question asks for that a figure answers (a number of some unit). */
export const FIGURE_ASKS: readonly Ask[] = ["amount", "count", "percent", "standard", "area_size", "duration", "length"];

/** Words a whole message of small talk may consist of. */
const SMALL_TALK = new Set(["greeting", "thanks", "laughter", "identity", "farewell", "help"]);

/** Characters around small talk that do not change it ("你好！", "谢谢~"). */
const FILLER = /[\s!！。.~～,，?？…、:：;；'"“”‘’()（）\-—_*#@👍🙏😊😀😂🤣❤️]+/gu;

/** Within this many characters an injection verb and its object form an instruction ("忽略以上所有指令"). */
const INJECTION_SPAN = 12;

/** Intent-word matches of a text (cached per lexicon and text by the matcher's own tables). */
function intentWords(lexicon: Lexicon, norm: string): LexiconMatch[] {
  return matchLexicon(lexicon, norm, ["intents"]);
}

/** The intent terms a text's words stand for, implied ones included (能免费 → eligibility, list_benefit). */
function intentTermSet(lexicon: Lexicon, norm: string): Set<string> {
  return new Set(intentWords(lexicon, norm).flatMap((m) => intentTerms(m.entry.term)));
}

/** True when one of the intent words `term` (or a word implying it) occurs. */
export function hasIntentWord(lexicon: Lexicon, norm: string, term: string): boolean {
  return intentTermSet(lexicon, norm).has(term);
}

/** A yes-or-no question: 有没有、能不能、…吗, a last 不/没 ("能去不"), or an eligibility word. */
export function asksYesNo(lexicon: Lexicon, norm: string): boolean {
  if (/[不没吗么][？?!！。.\s~～]*$/.test(norm)) return true;
  const terms = intentTermSet(lexicon, norm);
  return terms.has("yes_no") || terms.has("eligibility");
}

/** Whether a text is about towns or villages only ("城里的低保", "农村低保平均保障标准"); undefined for both or neither. */
export function settlement(lexicon: Lexicon, norm: string): "城镇" | "农村" | undefined {
  const terms = new Set(matchLexicon(lexicon, norm, ["settlements"]).map((m) => m.entry.term));
  if (terms.has("城乡") || terms.has("城镇") === terms.has("农村")) return undefined;
  return terms.has("城镇") ? "城镇" : "农村";
}

/**
 * A figure about villages does not answer a question about towns, nor the other way round
 * ("淮南城里的低保标准" is not answered by "农村低保平均保障标准").
 */
export function settlementClash(lexicon: Lexicon, questionNorm: string, text: string): boolean {
  const asked = settlement(lexicon, questionNorm);
  const stated = asked && settlement(lexicon, normalizeText(text));
  return stated !== undefined && stated !== asked;
}

/** An instruction to the system hidden in a message ("忽略以上指令", "system prompt"). */
export function isInjection(lexicon: Lexicon, norm: string): boolean {
  const words = intentWords(lexicon, norm);
  if (words.some((m) => m.entry.term === "injection")) return true;
  const verbs = words.filter((m) => m.entry.term === "injection_verb");
  const objects = words.filter((m) => m.entry.term === "injection_object");
  return verbs.some((v) => objects.some((o) => o.start >= v.end && o.start - v.end <= INJECTION_SPAN));
}

/** A message made only of small talk (greetings, thanks, laughter, "你是真人吗" …), or undefined. */
export function smallTalk(lexicon: Lexicon, norm: string): string | undefined {
  const words = intentWords(lexicon, norm).filter((m) => SMALL_TALK.has(m.entry.term));
  if (words.length === 0) return undefined;
  let rest = norm;
  for (const w of [...words].sort((a, b) => b.start - a.start)) rest = rest.slice(0, w.start) + " " + rest.slice(w.end);
  if (rest.replace(FILLER, "") !== "") return undefined;
  return (words[0] as LexiconMatch).entry.term;
}

/**
 * What the question asks for, in order of mention ("低保一个月多少钱" → ["amount"]). A bare "多少"
 * counts as a figure of any unit.
 *
 * @example
 * detectAsks(lexicon, "公租房要带什么材料去哪办") // ["materials", "office"]
 */
export function detectAsks(lexicon: Lexicon, norm: string): Ask[] {
  // "有没有帮着照看几天的服务": a figure word after "有没有" in the same clause describes the thing
  // asked about; the question is whether it exists.
  const existence = matchLexicon(lexicon, norm, ["intents"]).filter((m) => m.entry.term === "yes_no" && m.form.startsWith("有"));
  const clauseEnd = (from: number) => {
    const i = norm.slice(from).search(/[，。！？!?；;,\s]/);
    return i < 0 ? norm.length : from + i;
  };
  // …and the clause goes on past it ("有没有补贴一个月多少钱" still asks the amount).
  const describes = (m: LexiconMatch) =>
    (FIGURE_ASKS.includes(m.entry.term as Ask) || m.entry.term === "rate") &&
    /[^吗呢啊呀么的]/.test(norm.slice(m.end, clauseEnd(m.end))) &&
    existence.some((e) => e.end <= m.start && clauseEnd(e.end) >= m.end);
  const matches = matchLexicon(lexicon, norm, ["asks"]).filter((m) => !describes(m));
  const found = new Set(matches.map((m) => m.entry.term as Ask));
  // "一个月多少" / "每人多少": a bare "多少" per person or month asks for money ("每年招多少" need not).
  const monthly = matches.some((m) => m.entry.term === "rate" && !m.form.includes("年"));
  if (monthly && found.has("standard") && ![...found].some((a) => SPECIFIC_FIGURES.includes(a))) {
    found.delete("standard");
    found.add("amount");
  }
  found.delete("not_asked");
  return [...found].filter((a) => (ASKS as readonly string[]).includes(a));
}

/** Figure kinds with a unit of their own (everything but the generic "多少"). */
const SPECIFIC_FIGURES: readonly Ask[] = ["amount", "count", "percent", "area_size", "duration", "length"];

export interface IntentSignals {
  /** Covered cities the question names. */
  cities: readonly string[];
  /** An area name of the service lists (幼有所育 …) appears. */
  namesArea: boolean;
  /** Everyday words point at an area (上学 → 学有所教). */
  pointsAtArea: boolean;
  /** What the question asks for (detectAsks). */
  asks: readonly Ask[];
}

/**
 * The intent of a normalised question.
 *
 * @example
 * detectIntent(lexicon, "六安低保标准是多少", { cities: ["六安市"], namesArea: false, pointsAtArea: true, asks: ["standard"] }) // "figure"
 */
export function detectIntent(lexicon: Lexicon, norm: string, signals: IntentSignals): Intent {
  if (isInjection(lexicon, norm)) return "injection";
  if (smallTalk(lexicon, norm)) return "greeting";
  const words = intentTermSet(lexicon, norm);
  if (words.has("chitchat")) return "chitchat";
  // "哪些…基本公共服务", "幼有所育有哪些", "上学有哪些免费或资助的": an area's service list.
  const benefit = words.has("list_benefit");
  const listy = words.has("list") && (words.has("list_topic") || signals.namesArea || (signals.pointsAtArea && benefit));
  if (words.has("compare") && (signals.cities.length >= 2 || words.has("both_cities"))) return "compare";
  if (listy || (signals.namesArea && words.has("list_topic"))) return "list";
  // "一个月能领多少钱" asks an amount, however it is phrased: the figure decides, not a verdict.
  if (signals.asks.some((a) => a !== "standard" && FIGURE_ASKS.includes(a))) return "figure";
  if (words.has("eligibility")) return "eligibility";
  // A bare "是多少" after 电话/地址 asks for that detail, not a figure.
  if (signals.asks.includes("standard") && !signals.asks.some((a) => DETAIL_ASKS.includes(a))) return "figure";
  return "passage";
}
