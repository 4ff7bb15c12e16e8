import { normalizeText } from "../search/normalize.ts";
import { HOUSEHOLD_FACTS, type FactName, type Profile } from "./profile.ts";

/*
 * Facts from free text: "打零工" → employment 灵活就业, "城镇户口的低保户" → hukou 城镇 + incomeStatus 低保,
 * "我爸失能了" → selfCare 失能 about the father (the person asked for), "2003年建的小区" →
 * buildingYear 2003. Patterns describe how people talk, in the order that lets specific phrases win
 * (低保边缘 before 低保, 半失能 before 失能).
 */

type Rule<K extends FactName> = { fact: K; value: NonNullable<Profile[K]>; pattern: RegExp };
const r = <K extends FactName>(fact: K, value: NonNullable<Profile[K]>, pattern: RegExp): Rule<K> => ({ fact, value, pattern });

const PATTERNS: Rule<FactName>[] = [
  r("employment", "新就业形态", /(新就业形态|外卖|骑手|网约车|快递员|快递小哥|送快递|跑滴滴|网约配送|平台从业|新业态)/),
  r("employment", "灵活就业", /(灵活就业|打零工|零工|打短工|做零活|自由职业|个体户|个体工商户|个体经营|散工|临时工)/),
  r("employment", "失业", /(失业|下岗|没工作|没有工作|没了工作|找不到工作|待业|无业)/),
  r("employment", "退休", /(退休)/),
  r("employment", "务农", /(务农|种地|种田|农民(?!工))/),
  r("employment", "学生", /(学生|在读|在校生|读大学|上大学)/),
  r("employment", "单位职工", /(单位上班|在单位|职工|上班族|在职|公司上班|企业上班)/),
  r("occupation", "教师", /(老师|教师)/),
  r("occupation", "医护", /(医生|护士|医护|医务人员)/),
  r("newlyEmployed", true, /(刚参加工作|刚工作|刚上班|刚毕业|新就业|应届|参加工作不久)/),
  r("hukou", "城镇", /(城镇户口|城市户口|城镇户籍|城市户籍|非农户口|城镇居民)/),
  r("hukou", "农村", /(农村户口|农业户口|农村户籍|农村居民|农民(?!工))/),
  r("localHukou", false, /(外地户口|外地户籍|非本地户籍|没有本地户口|没本地户口|外地人|外来人口|新市民|随迁|进城务工|外地来的)/),
  r("localHukou", true, /(本地户口|本地户籍|本市户口|本市户籍|本地人)/),
  r("incomeStatus", "低保边缘", /(低保边缘)/),
  r("incomeStatus", "特困", /(特困|五保)/),
  r("incomeStatus", "低保", /(低保)/),
  r("incomeStatus", "中等偏下收入", /(中等偏下)/),
  r("incomeStatus", "低收入", /(低收入|收入低|收入很低|家里困难|家庭困难|经济困难|生活困难|困难家庭|家里穷|贫困)/),
  r("housing", "住房困难", /(住房困难|住得挤|房子小|房子太小|危房|房子漏|房子破)/),
  r("housing", "无房", /(没房|无房|没有房|没有住房|没地方住|租房住|租房子住|没自己的房)/),
  r("housing", "有房", /(有房|自己的房|自有住房)/),
  r("selfCare", "半失能", /(半失能|部分自理|部分不能自理)/),
  r("selfCare", "失智", /(失智|老年痴呆|痴呆|阿尔茨海默)/),
  r("selfCare", "失能", /(失能|瘫痪|瘫了|卧床|不能自理|生活不能自理|动不了)/),
  r("selfCare", "自理", /(能自理|生活自理|身体还好|身体健康)/),
  r("veteran", true, /(退役军人|退伍|老兵|转业军人|复员|当过兵)/),
  r("familyPlanning", "计划生育特殊家庭", /(失独|计划生育特殊家庭|独生子女伤残|独生子女死亡)/),
  r("familyPlanning", "双女家庭", /(双女|两个女儿|俩女儿|两个闺女|俩闺女)/),
  r("familyPlanning", "独生子女家庭", /(独生子女|独生子|独生女)/),
  r("gender", "女", /(女性|妇女|女的|女士|孕妇|宝妈|我老婆|我妻子|我妈|我母亲|我奶奶|我外婆|女儿|闺女)/),
  r("gender", "男", /(男性|男的|先生|我老公|我丈夫|我爸|我父亲|我爷爷|我外公|儿子)/),
  r("planningMarriage", true, /(准备结婚|要结婚|打算结婚|快结婚|结婚前|马上结婚|婚前|领证|准备成家)/),
  r("planningPregnancy", true, /(备孕|要孩子|要二胎|要三胎|怀孕|生孩子|孕前)/),
  r("migrantWorkerFamily", true, /(进城务工|进城打工|城里打工|外地打工|外出打工|在[\u4e00-\u9fa5]{1,4}(?:市|县|区)?打工|农民工|打工的|随迁)/),
  r("schoolStage", "学前", /(幼儿园|学前)/),
  r("schoolStage", "义务教育", /(小学|初中|义务教育|上学年龄)/),
  r("schoolStage", "普通高中", /(普通高中|读高中|上高中|高中生)/),
  r("schoolStage", "中职", /(中职|技校|职业学校|职高|中专)/),
  r("schoolStage", "高校", /(大学|大专|本科|研究生)/),
];

/** Words that show the question is about someone else (the facts describe that person). */
const OTHER_PERSON =
  /(我爸|我妈|我父亲|我母亲|爸爸|妈妈|老爸|老妈|父母|我爷爷|我奶奶|我外公|我外婆|爷爷|奶奶|外公|外婆|老人家|家里老人|我家老人|孩子|儿子|女儿|闺女|小孩|娃|我老公|我老婆|我丈夫|我妻子|亲戚|邻居)/;

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
 * extractFacts("城镇户口的低保户，刚参加工作没房子").facts
 * // { hukou: "城镇", incomeStatus: "低保", newlyEmployed: true, housing: "无房" }
 */
export function extractFacts(question: string): Extracted {
  const text = normalizeText(question);
  const facts: Profile = {};
  const set = <K extends FactName>(fact: K, value: Profile[K]) => {
    if (facts[fact] === undefined) facts[fact] = value;
  };
  for (const { fact, value, pattern } of PATTERNS) if (pattern.test(text)) set(fact, value as never);

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
  } else if (/(没有残疾|不是残疾|无残疾)/.test(text)) set("disability", "无");
  // Age words imply life stage when no number is given.
  if (facts.age === undefined && /(高龄老人|八十多|九十多)/.test(text)) set("age", 80);
  if (facts.schoolStage !== undefined && facts.employment === undefined) facts.employment = "学生";
  if (facts.occupation && facts.employment === undefined) facts.employment = "单位职工";

  return { facts, subject: OTHER_PERSON.test(text) ? "other" : "self" };
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
