import type { Profile } from "../contract/profile.ts";
import { normalizeText } from "../util/normalize.ts";
import type { Tokenizer } from "../search/tokenizer.ts";
import { evaluateAny } from "./engine.ts";
import type { Rule } from "./schema.ts";

type Topic = { words: string[] } | { phrase: string };
const topicCache = new WeakMap<Rule, Topic[]>();

/**
 * A rule's topics (and service): as words when segmentation keeps all of the topic ("小区改造" →
 * 小区 + 改造), else as a phrase to find whole ("没工作" would shrink to the bare "工作").
 */
function topicsOf(rule: Rule, tokenizer: Tokenizer): Topic[] {
  let topics = topicCache.get(rule);
  if (!topics) {
    topics = [...rule.topics, rule.service].map((t) => {
      const norm = normalizeText(t);
      const words = tokenizer.cut(t);
      return words.join("") === norm.replace(/\s+/g, "") ? { words } : { phrase: norm };
    });
    topicCache.set(rule, topics);
  }
  return topics;
}

/**
 * The rules a question is about: those with a topic (or service) whose words are all words of the
 * question or of the official terms its synonyms added ("小区能不能改造" matches "小区改造", but
 * "收入住房" does not match "入住"), for the cities in scope. Longer topic matches rank first.
 */
export function matchRules(
  rules: readonly Rule[],
  q: { norm: string; expansion: { added: readonly string[] } },
  cities: readonly string[],
  tokenizer: Tokenizer,
  told: Profile = {},
): Rule[] {
  const text = [q.norm, ...q.expansion.added.map(normalizeText)].join(" ");
  const words = new Set(tokenizer.words(text));
  const matches = (t: Topic) => ("words" in t ? t.words.every((w) => words.has(w)) : text.includes(t.phrase));
  const length = (t: Topic) => ("words" in t ? t.words.join("").length : t.phrase.length);
  const scored = rules
    .map((rule) => ({
      rule,
      score: Math.max(
        0,
        ...topicsOf(rule, tokenizer)
          .filter(matches)
          .map(length),
      ),
    }))
    .filter((x) => x.score > 0 && x.rule.cities.some((c) => cities.includes(c)));
  // A weak incidental match ("就业" inside "灵活就业") does not compete with the topic asked about,
  // unless what the resident said about themselves puts them in the rule's group ("在六安打工，
  // 孩子能上学吗" is about the 随迁子女 rule although "义务教育" is the longer topic match).
  const best = Math.max(0, ...scored.map((x) => x.score));
  const hasFacts = Object.keys(told).length > 0;
  const placed = (rule: Rule) => hasFacts && evaluateAny(rule.group, told) === true;
  return scored
    .map((x) => ({ ...x, placed: placed(x.rule) }))
    .filter((x) => x.placed || x.score >= best * TOPIC_CUTOFF)
    .sort((a, b) => Number(b.placed) - Number(a.placed) || b.score - a.score)
    .map((x) => x.rule);
}

/** Matches shorter than this share of the best topic match are dropped. */
const TOPIC_CUTOFF = 0.6;
