import type { Profile } from "../contract/profile.ts";
import { normalizeText } from "../util/normalize.ts";
import type { Tokenizer } from "../search/tokenizer.ts";
import { evaluateAny } from "./engine.ts";
import type { Rule } from "./schema.ts";

/** One topic (or the service) of a rule: as words, or as a phrase to find whole; `length` in characters. */
interface Topic {
  rule: Rule;
  words?: string[];
  phrase?: string;
  length: number;
}

/** The catalog's topics indexed by their first word (all of a topic's words must be in the question). */
interface TopicIndex {
  byWord: Map<string, Topic[]>;
  phrases: Topic[];
}

const indexCache = new WeakMap<readonly Rule[], TopicIndex>();

/**
 * A rule's topics (and service): as words when segmentation keeps all of the topic ("小区改造" →
 * 小区 + 改造), else as a phrase to find whole ("没工作" would shrink to the bare "工作"). Built once
 * per catalog (a loaded build's rules), so a question looks up only the topics its words start.
 */
function topicIndex(rules: readonly Rule[], tokenizer: Tokenizer): TopicIndex {
  let index = indexCache.get(rules);
  if (!index) {
    index = { byWord: new Map(), phrases: [] };
    for (const rule of rules) {
      for (const t of [...rule.topics, rule.service]) {
        const norm = normalizeText(t);
        const words = tokenizer.cut(t);
        if (words.length > 0 && words.join("") === norm.replace(/\s+/g, "")) {
          const topic = { rule, words, length: words.join("").length };
          const first = words[0] as string;
          index.byWord.set(first, [...(index.byWord.get(first) ?? []), topic]);
        } else {
          index.phrases.push({ rule, phrase: norm, length: norm.length });
        }
      }
    }
    indexCache.set(rules, index);
  }
  return index;
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
  const index = topicIndex(rules, tokenizer);
  const best = new Map<Rule, number>();
  const found = (t: Topic) => {
    if (t.length > (best.get(t.rule) ?? 0)) best.set(t.rule, t.length);
  };
  for (const w of words) for (const t of index.byWord.get(w) ?? []) if ((t.words as string[]).every((x) => words.has(x))) found(t);
  for (const t of index.phrases) if (text.includes(t.phrase as string)) found(t);
  // Catalog order breaks ties, as before.
  const scored = rules
    .filter((rule) => best.has(rule) && rule.cities.some((c) => cities.includes(c)))
    .map((rule) => ({ rule, score: best.get(rule) as number }));
  // A weak incidental match ("就业" inside "灵活就业") does not compete with the topic asked about,
  // unless what the resident said about themselves puts them in the rule's group ("在六安打工，
  // 孩子能上学吗" is about the 随迁子女 rule although "义务教育" is the longer topic match).
  const top = Math.max(0, ...scored.map((x) => x.score));
  const hasFacts = Object.keys(told).length > 0;
  const placed = (rule: Rule) => hasFacts && evaluateAny(rule.group, told) === true;
  return scored
    .map((x) => ({ ...x, placed: placed(x.rule) }))
    .filter((x) => x.placed || x.score >= top * TOPIC_CUTOFF)
    .sort((a, b) => Number(b.placed) - Number(a.placed) || b.score - a.score)
    .map((x) => x.rule);
}

/** Matches shorter than this share of the best topic match are dropped. */
const TOPIC_CUTOFF = 0.6;
