import { chineseNumeral } from "../util/text.ts";
import { intentTerms, type Lexicon } from "../corpus/lexicon.ts";
import { matchLexicon, type LexiconMatch } from "../corpus/lexicon-match.ts";
import { normalizeText } from "../util/normalize.ts";
import { HOUSEHOLD_FACTS, type FactName, type Profile } from "../contract/profile.ts";

/*
 * Facts from free text: "打零工" → employment 灵活就业, "城镇户口的低保户" → hukou 城镇 + incomeStatus 低保,
 * "我爸失能了" → selfCare 失能 about the father (the person asked for), "2003年建的小区" →
 * buildingYear 2003. The fact words live in the lexicon (`facts`); matching is leftmost-longest, so
 * specific phrases win (低保边缘 over 低保, 半失能 over 失能, 农民工 over 农民). Numbers (ages,
 * years, disability grades) are read here.
 */

/** "七十多" → 70, "八十五" → 85, "九" → 9 (for ages). */
function chineseAge(s: string): number | undefined {
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$|^([一二两三四五六七八九])$/.exec(s);
  return m ? chineseNumeral(s) : undefined;
}

export interface Extracted {
  /** Facts to judge this question by: what was stated, plus a group the question names ("打零工的能…吗"). */
  facts: Profile;
  /** "other" when the question is about a relative or another person ("我爸失能了"). */
  subject: "self" | "other";
  /** Facts the resident stated about themselves (never from a question or a negation): safe to remember. */
  stated: Profile;
}

/** Two-valued facts: a negation ("我不是农村户口") states the other value. */
const OPPOSITES: Partial<Record<FactName, [unknown, unknown]>> = {
  hukou: ["城镇", "农村"],
  localHukou: [true, false],
  veteran: [true, false],
  newlyEmployed: [true, false],
  gender: ["男", "女"],
  planningMarriage: [true, false],
  planningPregnancy: [true, false],
  migrantWorkerFamily: [true, false],
};

/** A clause that asks (ends in a question particle or mark, or holds a question or eligibility word). */
function isQuestionClause(clause: string, mark: string, lexicon: Lexicon): boolean {
  if (/[?？]/.test(mark) || /[吗呢么不没]\s*$/.test(clause)) return true;
  return matchLexicon(lexicon, clause, ["asks", "intents"]).some(
    (m) => m.entry.kind === "asks" || intentTerms(m.entry.term).includes("eligibility") || m.entry.term === "list",
  );
}

/** Marks a fact word as describing a person ("低保户", "…的", "…家庭"), not a benefit. */
const PERSON_MARK = /^(的|户|家庭|人员|对象|老人|群体)/;

/**
 * Extract profile facts from a message, clause by clause: a statement ("我是低保户") gives facts
 * about whoever it is about (the resident, or a relative it names); a negation gives the opposite of
 * a two-valued fact or nothing ("我不是低保户" says nothing about income); a question gives a fact
 * only for the group it names ("打零工的能交公积金吗"), never one that is the benefit asked for
 * ("能领低保不"), and questions never give facts to remember.
 *
 * @example
 * extractFacts("城镇户口的低保户，刚参加工作没房子", lexicon).facts
 * // { hukou: "城镇", incomeStatus: "低保", newlyEmployed: true, housing: "无房" }
 */
export function extractFacts(question: string, lexicon: Lexicon): Extracted {
  const text = normalizeText(question);
  const facts: Profile = {};
  const stated: Profile = {};
  let subject: "self" | "other" = "self";
  const denied = new Set<string>();
  let clauseSubject: "self" | "other" | undefined;
  // The relative a clause is about, carried like its subject ("我妈…，能做两癌筛查吗").
  let clausePerson: LexiconMatch | undefined;
  const employments = new Set<NonNullable<Profile["employment"]>>();
  const clauses = [...text.matchAll(/([^，。！？!?；;,\n ]+)([，。！？!?；;,\n ]*)/g)];
  for (const [, clause = "", mark = ""] of clauses) {
    const words = matchLexicon(lexicon, clause, ["facts", "persons", "intents"]);
    // A clause naming a relative is about them, even with 我 in it ("我家孩子…").
    const persons = words.filter((m) => m.entry.kind === "persons");
    const person = persons.find((m) => m.entry.relation !== "self") ?? persons[0];
    if (person) clauseSubject = person.entry.relation === "self" ? "self" : "other";
    if (person) clausePerson = person;
    const about = clauseSubject ?? "self";
    const asking = isQuestionClause(clause, mark, lexicon);
    if (asking) subject = about;
    // A question about 我妈 or 老公 is about a woman or a man: the word says so, nobody has to.
    const gender = clausePerson?.entry.gender;
    if (asking && about === "other" && gender) facts.gender = gender;
    // Said about the speaker: the clause has a first-person marker of its own ("我是城镇户口"), or it
    // is a bare self-description ("六安城镇户口", "家里困难"). A clause without a marker that also
    // names a service qualifies a group in a question ("城镇户籍低保家庭申请公租房的保障率"): judged, never remembered.
    const ownSelf = persons.length > 0 && person?.entry.relation === "self";
    const factSpans = words.filter((m) => m.entry.kind === "facts");
    const namesService = matchLexicon(lexicon, clause, ["services"]).some((s) => !factSpans.some((f) => f.start < s.end && s.start < f.end));
    const aboutSpeaker = about === "self" && (ownSelf || !namesService);
    const negations = words.filter((m) => m.entry.term === "negation");
    for (const m of words) {
      if (m.entry.kind !== "facts") continue;
      const fact = m.entry.fact as FactName;
      let value: unknown = m.entry.value;
      const negated = negations.some((n) => n.end <= m.start && m.start - n.end <= 1);
      // "跟本地人一样", "和城里人比": a group the person compares themselves with, not what they are;
      // "农村的也一样吗", "城里的呢" with no person named: the places a follow-up asks about.
      if (/[跟和同像比]$/.test(clause.slice(0, m.start))) continue;
      if (persons.length === 0 && /^(?:也|呢|又|怎么样|咋样|如何|一样)/.test(clause.slice(m.end))) continue;
      if (negated) {
        const pair = OPPOSITES[fact];
        if (!pair) {
          // "不是特困户" says nothing of what they are, but a later "特困人员照护机构" must not make them one.
          denied.add(fact);
          continue;
        }
        value = pair[0] === value ? pair[1] : pair[0];
      }
      if (asking && m.entry.benefit && !PERSON_MARK.test(clause.slice(m.end))) continue;
      if (denied.has(fact) && !negated) continue;
      if (fact === "employment" && !negated) employments.add(value as NonNullable<Profile["employment"]>);
      // "伤残军人", "残疾军人": a veteran with a disability (the grade untold).
      if (fact === "veteran" && value === true && /伤残|残疾/.test(m.form) && facts.disability === undefined) {
        facts.disability = "有";
        if (!asking && (aboutSpeaker || m.entry.speaker === true) && stated.disability === undefined) stated.disability = "有";
      }
      if ((facts as Record<string, unknown>)[fact] === undefined) (facts as Record<string, unknown>)[fact] = value;
      const self = aboutSpeaker || m.entry.speaker === true;
      if (!asking && self && !negated && (stated as Record<string, unknown>)[fact] === undefined) {
        (stated as Record<string, unknown>)[fact] = value;
      }
    }
    readNumbers(clause, facts, !asking && aboutSpeaker ? stated : undefined);
    // "奶奶86了", "我爸今年八十二了", "老两口都七十多了": an age without 岁 right after a person.
    if (facts.age === undefined) {
      for (const p of persons) {
        const m = /^(?:今年|已经|都|快)?(\d{2,3}|[一二三四五六七八九]十[一二三四五六七八九]?)多?(?:了|岁)/.exec(clause.slice(p.end));
        const n = m ? (/\d/.test(m[1] as string) ? Number(m[1]) : chineseAge(m[1] as string)) : undefined;
        if (n === undefined || n > 120) continue;
        facts.age = n;
        if (!asking && aboutSpeaker && stated.age === undefined) stated.age = n;
        break;
      }
    }
    const elsewhere = fromElsewhere(clause, lexicon);
    if (elsewhere) {
      // Like every denial, "不是六安户口" is judged but not remembered.
      for (const p of !asking && aboutSpeaker && elsewhere === "place" ? [facts, stated] : [facts]) if (p.localHukou === undefined) p.localHukou = false;
    }
  }
  for (const p of [facts, stated]) derive(p, employments);
  if (!clauses.some(([, c = "", m = ""]) => isQuestionClause(c, m, lexicon)) && clauseSubject === "other") subject = "other";
  return { facts, subject, stated };
}

/**
 * Facts that follow from others: a pupil is a student, a teacher an employee; a platform worker who
 * also says they work for a company ("跑外卖，签了劳动合同") has a labour contract, one who says they
 * freelance ("开滴滴，自己干") has none; someone from elsewhere who works here is a migrant worker.
 */
function derive(p: Profile, employments: ReadonlySet<NonNullable<Profile["employment"]>>): void {
  if (p.schoolStage !== undefined && p.employment === undefined) p.employment = "学生";
  if (p.occupation && p.employment === undefined) p.employment = "单位职工";
  if (p.employment === "新就业形态" && p.laborContract === undefined) {
    if (employments.has("单位职工")) p.laborContract = true;
    else if (employments.has("灵活就业")) p.laborContract = false;
  }
  const working = p.employment === "单位职工" || p.employment === "灵活就业" || p.employment === "新就业形态";
  if (p.localHukou === false && working && p.migrantWorkerFamily === undefined) p.migrantWorkerFamily = true;
}

/**
 * "河南户口", "我阜阳人", "老家是信阳的": a place outside the two cities named as where the person is
 * from; "不是六安户口": the hukou of a place the person says is not theirs (not 农村/城镇 — that is 户口类型).
 */
function fromElsewhere(clause: string, lexicon: Lexicon): "place" | "denied" | undefined {
  if (/不是(?!农村|城镇|城市|农业|非农|城里|本地)[\u4e00-\u9fa5]{2,4}?(?:户口|户籍)/.test(clause)) return "denied";
  const named = matchLexicon(lexicon, clause, ["places"]).some(
    (m) => /^(?:的)?(?:户口|户籍|人(?![口民])|籍)/.test(clause.slice(m.end)) || /老家(?:是|在)?$/.test(clause.slice(0, m.start)),
  );
  return named ? "place" : undefined;
}

/** "98" → 1998, "05" → 2005 (two-digit years of a building). */
function fullYear(y: string): number {
  const n = Number(y);
  return y.length === 4 ? n : n >= 50 ? 1900 + n : 2000 + n;
}

/** Ages, the year a compound was built and disability grades, read from one clause. */
function readNumbers(text: string, facts: Profile, stated?: Profile): void {
  const set = <K extends FactName>(fact: K, value: Profile[K]) => {
    for (const p of stated ? [facts, stated] : [facts]) if (p[fact] === undefined) p[fact] = value;
  };
  const age = /(\d{1,3})\s*(?:多)?(?:周)?岁/.exec(text);
  if (age) set("age", Number(age[1]));
  else {
    const cn = /([一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])多?岁/.exec(text);
    const n = cn ? chineseAge((cn[1] as string).replace("多", "")) : undefined;
    if (n !== undefined) set("age", n);
  }
  const year = /((?:19|20)\d{2}|(?<![\d了有住满近快多])\d{2})\s*年(?:代)?[^，。,.]{0,6}(建|盖|建成|修|交房|交付|入住|落成|竣工|的小区|的房|的楼|小区|的老小区)/.exec(text);
  // "小区98年的", "楼是2003年的": the year after the compound.
  const after = year ? undefined : /(?:小区|楼|房子)(?:是|都是)?((?:19|20)\d{2}|(?<![\d了有住满近快多])\d{2})\s*年(?!代)的?/.exec(text);
  const built = year && !/年代/.test(year[0]) ? year[1] : after?.[1];
  if (built) set("buildingYear", fullYear(built));
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
}

/**
 * The message without the words that describe a person ("我不是低保户，能申请公租房吗" →
 * "我不是  ，能申请公租房吗"): what a rule's topic is looked for in. A word that also names a
 * benefit ("能领低保不") stays: there it is the topic.
 */
export function withoutPersonFacts(norm: string, lexicon: Lexicon): string {
  let out = norm;
  const spans = matchLexicon(lexicon, norm, ["facts"]).filter((m) => !m.entry.benefit);
  for (const m of [...spans].sort((a, b) => b.start - a.start)) out = out.slice(0, m.start) + " ".repeat(m.end - m.start) + out.slice(m.end);
  return out;
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
