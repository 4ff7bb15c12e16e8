import { Jieba } from "@node-rs/jieba";
import { dict as jiebaDict } from "@node-rs/jieba/dict.js";
import { isCjk, normalizeText } from "../util/normalize.ts";

/** Splits text into search terms. Tests and alternative segmenters implement the same shape. */
export interface Tokenizer {
  /** Word terms (jieba search mode), normalised, stop words removed. */
  words(text: string): string[];
  /** Plain segmentation (no overlapping sub-words), normalised, stop words removed. */
  cut(text: string): string[];
  /** Like `cut`, with jieba's part-of-speech tag of each word ("n", "v", "x" …). */
  tagged(text: string): { word: string; tag: string }[];
  /** Character bigrams of every CJK run, for robustness to typos and unknown words. */
  bigrams(text: string): string[];
}

/**
 * Function words and question words that carry no topic. Removed from both questions and passages
 * so that "多少" or "怎么" never decide a ranking.
 */
export const STOP_WORDS = new Set(
  (
    "的 了 和 与 及 以及 等 在 是 为 对 将 把 被 有 也 都 而 或 或者 并 以 于 之 其 这 那 这个 那个 这些 那些 " +
    "我 你 您 他 她 它 我们 你们 他们 咱 咱们 自己 吗 呢 吧 啊 呀 么 嘛 哦 哈 呗 " +
    "什么 啥 怎么 怎么样 怎样 如何 多少 几 几个 哪些 哪个 哪里 哪儿 是否 能否 能不能 可不可以 可以 能 会 要 想 " +
    "请问 请 问 一下 一个 个 些 还 就 又 再 很 最 更 没 没有 不 不是 吧 呢 啦 给 让 被 从 到 向 跟 " +
    "如果 因为 所以 但是 但 然后 还是 就是 只是 已经 现在 目前 里 里面 方面 情况 问题 有关 相关 " +
    "知道 了解 咨询 问问 想问 想知道 告诉 说说 介绍 介绍一下 请教 麻烦 帮忙 帮我 一些 具体 到底 究竟 呀 " +
    "a an the is are was be do does did can could will would should may i you he she it we they my your me " +
    "what which who whom how when where why about in on at of for to from with and or not no yes please tell " +
    "there here this that these those any some get have has"
  ).split(/\s+/),
);

const KEEP = /[\p{L}\p{N}]/u;
/** Quantity questions: 多长, 多久, 几家, 几所 … */
const QUESTION_WORD = /^(多[长久大高远宽重少]|几[个家所岁年次名位项级天月种类条户人张]?)$/;

/*
 * One jieba instance per dictionary. An instance is made from jieba's own dictionary plus the
 * build's domain words and never changes afterwards, so a loaded index segments exactly as its build
 * did whatever else the process has loaded (a hot reload that drops a word drops it for the new
 * build only). An instance costs about 40 MB and a few hundred ms, so tokenizers asking for the same
 * words share one: held weakly (it goes when the last index using it does), except the one asked for
 * last, kept so that the next build or reload with the same dictionary does not make it again.
 */
const instances = new Map<string, WeakRef<Jieba>>();
const kept: { lastUsed?: Jieba } = {};
const released = new FinalizationRegistry<string>((key) => {
  if (!instances.get(key)?.deref()) instances.delete(key);
});

/** The words a dictionary adds, deduplicated and sorted: equal sets share an instance. */
function dictionaryKey(words: readonly string[]): string[] {
  return [...new Set(words.filter((w) => w.trim()))].sort();
}

function jiebaWith(domainWords: readonly string[]): Jieba {
  const words = dictionaryKey(domainWords);
  const key = words.join("\n");
  const known = instances.get(key)?.deref();
  if (known) return (kept.lastUsed = known);
  const jieba = Jieba.withDict(jiebaDict);
  if (words.length > 0) jieba.loadDict(Buffer.from(words.map((w) => `${w} 2000 n`).join("\n") + "\n"));
  instances.set(key, new WeakRef(jieba));
  released.register(jieba, key);
  return (kept.lastUsed = jieba);
}

/**
 * Parse a jieba user dictionary ("word [freq] [tag]" per line, # comments) into its words.
 */
export function parseDictionary(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim().split(/\s+/)[0] ?? "")
    .filter(Boolean);
}

/**
 * A jieba tokenizer with (only) the domain words added to its dictionary; without words, plain jieba.
 * Each loaded index makes its own from its build's words (see above: equal word sets share one
 * instance, different ones never mix).
 *
 * @example
 * const t = createTokenizer(["灵活就业", "住房公积金"]);
 * t.words("打零工的能交住房公积金吗"); // ["打零工", "交", "住房", "公积金", "住房公积金", …]
 */
export function createTokenizer(domainWords: readonly string[] = []): Tokenizer {
  const jieba = jiebaWith(domainWords);
  return {
    words(text: string): string[] {
      const norm = normalizeText(text);
      if (!norm) return [];
      return jieba.cutForSearch(norm, true).filter((w) => KEEP.test(w) && !STOP_WORDS.has(w) && w.trim() !== "");
    },
    cut(text: string): string[] {
      const norm = normalizeText(text);
      if (!norm) return [];
      return jieba.cut(norm, true).filter((w) => KEEP.test(w) && !STOP_WORDS.has(w) && !QUESTION_WORD.test(w));
    },
    tagged(text: string): { word: string; tag: string }[] {
      const norm = normalizeText(text);
      if (!norm) return [];
      return jieba.tag(norm, true).filter(({ word: w }) => KEEP.test(w) && !STOP_WORDS.has(w) && !QUESTION_WORD.test(w));
    },
    bigrams(text: string): string[] {
      const norm = normalizeText(text);
      const out: string[] = [];
      let prev = "";
      for (const ch of norm) {
        if (isCjk(ch)) {
          if (prev) out.push(prev + ch);
          prev = ch;
        } else {
          prev = "";
        }
      }
      return out;
    },
  };
}
