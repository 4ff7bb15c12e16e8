import { matchLexicon, type Lexicon } from "../corpus/lexicon.ts";
import { normalizeText } from "../search/normalize.ts";
import { HOUSEHOLD_FACTS, type FactName, type Profile } from "./profile.ts";

/*
 * Facts from free text: "打零工" → employment 灵活就业, "城镇户口的低保户" → hukou 城镇 + incomeStatus 低保,
 * "我爸失能了" → selfCare 失能 about the father (the person asked for), "2003年建的小区" →
 * buildingYear 2003. The fact words live in the lexicon (`facts`); matching is leftmost-longest, so
 * specific phrases win (低保边缘 over 低保, 半失能 over 失能, 农民工 over 农民). Numbers (ages,
 * years, disability grades) are read here.
 */

const CN_DIGIT: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "七十多" → 70, "八十五" → 85, "九" → 9 (for ages). */
function chineseAge(s: string): number | undefined {
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$|^([一二两三四五六七八九])$/.exec(s);
  if (!m) return undefined;
  if (m[3]) return CN_DIGIT[m[3]];
  return (m[1] ? (CN_DIGIT[m[1]] as number) : 1) * 10 + (m[2] ? (CN_DIGIT[m[2]] as number) : 0);
}

export interface Extracted {
  facts: Profile;
  /** "other" when the question is about a relative or another person ("我爸失能了"). */
  subject: "self" | "other";
}

/**
 * Extract profile facts from a question.
 *
 * @example
 * extractFacts("城镇户口的低保户，刚参加工作没房子", lexicon).facts
 * // { hukou: "城镇", incomeStatus: "低保", newlyEmployed: true, housing: "无房" }
 */
export function extractFacts(question: string, lexicon: Lexicon): Extracted {
  const text = normalizeText(question);
  const facts: Profile = {};
  const set = <K extends FactName>(fact: K, value: Profile[K]) => {
    if (facts[fact] === undefined) facts[fact] = value;
  };
  const words = matchLexicon(lexicon, text, ["facts", "persons"]);
  for (const m of words) {
    if (m.entry.kind === "facts") set(m.entry.fact as FactName, m.entry.value as never);
  }

  const age = /(\d{1,3})\s*(?:多)?(?:周)?岁/.exec(text);
  if (age) set("age", Number(age[1]));
  else {
    const cn = /([一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])多?岁/.exec(text);
    const n = cn ? chineseAge((cn[1] as string).replace("多", "")) : undefined;
    if (n !== undefined) set("age", n);
  }
  const year = /((?:19|20)\d{2})\s*年(?:代)?[^，。,.]{0,6}(建|盖|建成|修|的小区|的房|的楼|小区|的老小区)/.exec(text);
  if (year && !/年代/.test(year[0])) set("buildingYear", Number(year[1]));
  const grade = /([一二三四1-4])\s*级(?:残疾|伤残)|残疾\s*([一二三四1-4])\s*级/.exec(text);
  if (grade) {
    const g = (grade[1] ?? grade[2]) as string;
    const grades: Record<string, NonNullable<Profile["disability"]>> = { "1": "一级", "2": "二级", "3": "三级", "4": "四级", 一: "一级", 二: "二级", 三: "三级", 四: "四级" };
    const level = grades[g];
    if (level) set("disability", level);
  }
  // "八十多了" (no 岁) still says the person is in their eighties.
  const decade = /([八九])十多/.exec(text);
  if (facts.age === undefined && decade) set("age", decade[1] === "八" ? 80 : 90);
  if (facts.schoolStage !== undefined && facts.employment === undefined) facts.employment = "学生";
  if (facts.occupation && facts.employment === undefined) facts.employment = "单位职工";

  const other = words.some((m) => m.entry.kind === "persons" && m.entry.relation !== "self");
  return { facts, subject: other ? "other" : "self" };
}

/**
 * Merge the saved profile with facts from the question (the question wins). When the question is
 * about someone else, only household facts (city, hukou, income, housing …) carry over.
 */
export function mergeProfiles(saved: Profile | undefined, extracted: Extracted): Profile {
  const base: Profile = {};
  for (const [k, v] of Object.entries(saved ?? {}) as [FactName, Profile[FactName]][]) {
    if (extracted.subject === "self" || HOUSEHOLD_FACTS.includes(k)) (base as Record<string, unknown>)[k] = v;
  }
  return { ...base, ...extracted.facts };
}
