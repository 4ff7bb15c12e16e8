import { describe, expect, it } from "vitest";
import { extractFacts } from "../../src/rules/extract.ts";
import type { Profile } from "../../src/contract/profile.ts";
import { seedLexicon } from "../helpers.ts";

const lexicon = seedLexicon();

/*
 * Facts only from statements about someone: the table of the conversation issue. `judged` are the
 * facts this message is judged by; `stored` the facts a channel may remember for the resident
 * (statements about themselves only: never from a question, a negation or about a relative).
 */
const cases: { text: string; judged: Profile; stored: Profile; subject?: "self" | "other" }[] = [
  // statements about oneself
  { text: "我是低保户", judged: { incomeStatus: "低保" }, stored: { incomeStatus: "低保" } },
  { text: "我在六安打零工", judged: { employment: "灵活就业" }, stored: { employment: "灵活就业" } },
  { text: "我是农村户口的", judged: { hukou: "农村" }, stored: { hukou: "农村" } },
  { text: "我家是城镇户口，家里没房", judged: { hukou: "城镇", housing: "无房" }, stored: { hukou: "城镇", housing: "无房" } },
  { text: "我今年72岁", judged: { age: 72 }, stored: { age: 72 } },
  { text: "我是退伍军人", judged: { veteran: true }, stored: { veteran: true } },
  { text: "我是伤残军人", judged: { veteran: true, disability: "有" }, stored: { veteran: true, disability: "有" } },
  { text: "我们老两口七十多了", judged: { age: 70 }, stored: { age: 70 } },
  { text: "家里房子着火烧没了", judged: { disasterAffected: true }, stored: { disasterAffected: true } },
  { text: "孩子今年高考", judged: { schoolStage: "普通高中" }, stored: {}, subject: "other" },
  { text: "我老公是现役军人，在西藏当兵", judged: { militaryFamily: true }, stored: {}, subject: "other" },
  { text: "我跑外卖的", judged: { employment: "新就业形态" }, stored: { employment: "新就业形态" } },
  { text: "我失业了", judged: { employment: "失业" }, stored: { employment: "失业" } },
  { text: "我是外地户口", judged: { localHukou: false }, stored: { localHukou: false } },
  { text: "我二级残疾", judged: { disability: "二级" }, stored: { disability: "二级" } },
  { text: "我刚参加工作，没房子", judged: { newlyEmployed: true, housing: "无房" }, stored: { newlyEmployed: true, housing: "无房" } },
  { text: "我是老师", judged: { occupation: "教师" }, stored: { occupation: "教师" } },
  { text: "家里困难", judged: { incomeStatus: "低收入" }, stored: { incomeStatus: "低收入" } },
  { text: "我们家是独生子女家庭", judged: { familyPlanning: "独生子女家庭" }, stored: { familyPlanning: "独生子女家庭" } },
  { text: "我家小区是2003年建的", judged: { buildingYear: 2003 }, stored: { buildingYear: 2003 } },
  { text: "我家小区98年的", judged: { buildingYear: 1998 }, stored: { buildingYear: 1998 } },
  { text: "住了12年的房子", judged: {}, stored: {} },
  { text: "农村的也一样吗", judged: {}, stored: {} },
  { text: "我河南户口", judged: { localHukou: false }, stored: { localHukou: false } },
  { text: "我在六安开滴滴，没单位", judged: { employment: "新就业形态", laborContract: false }, stored: { employment: "新就业形态", laborContract: false } },
  { text: "我跑外卖的，和站点签了劳动合同", judged: { employment: "新就业形态", laborContract: true }, stored: { employment: "新就业形态", laborContract: true } },
  { text: "我阜阳人，在淮南厂里上班", judged: { localHukou: false, migrantWorkerFamily: true }, stored: { localHukou: false, migrantWorkerFamily: true } },
  { text: "我当爹的", judged: { gender: "男" }, stored: { gender: "男" } },
  { text: "我不是六安户口", judged: { localHukou: false }, stored: {} },
  { text: "外地人能跟本地人一样看病吗", judged: { localHukou: false }, stored: {} },
  // a statement, then a question: the statement is remembered, the question is not
  { text: "我是低保户，能申请公租房吗", judged: { incomeStatus: "低保" }, stored: { incomeStatus: "低保" } },
  { text: "我是退役军人 去医院看病能优先吗", judged: { veteran: true }, stored: { veteran: true } },
  { text: "我打零工，能交公积金吗", judged: { employment: "灵活就业" }, stored: { employment: "灵活就业" } },
  // questions: never remembered; a group the question names is judged, a benefit asked for is not
  { text: "能领低保不", judged: {}, stored: {} },
  { text: "低保标准多少", judged: {}, stored: {} },
  { text: "六安的五保一个月多少钱", judged: {}, stored: {} },
  { text: "打零工的能交公积金吗", judged: { employment: "灵活就业" }, stored: {} },
  { text: "灵活就业人员可以参加住房公积金吗？", judged: { employment: "灵活就业" }, stored: {} },
  { text: "低保户能申请公租房吗", judged: { incomeStatus: "低保" }, stored: {} },
  { text: "退役军人有什么优待吗", judged: { veteran: true }, stored: {} },
  { text: "失能老人能住养老院吗", judged: { selfCare: "失能" }, stored: {} },
  { text: "外卖骑手有工伤保险吗", judged: { employment: "新就业形态" }, stored: {} },
  { text: "公租房怎么申请", judged: {}, stored: {} },
  // a group named inside a question without a question mark: judged for the group, never remembered
  { text: "六安城镇户籍低保家庭申请公租房的保障率", judged: { hukou: "城镇", incomeStatus: "低保" }, stored: {} },
  { text: "农村户口的参加医保", judged: { hukou: "农村" }, stored: {} },
  // a bare self-description (no 我, no service named) is still about the speaker
  { text: "六安城镇户口，家里没房", judged: { hukou: "城镇", housing: "无房" }, stored: { hukou: "城镇", housing: "无房" } },
  // negations: the opposite of a two-valued fact, or nothing
  { text: "我不是低保户，六安城镇户口，能申请公租房吗", judged: { hukou: "城镇" }, stored: { hukou: "城镇" } },
  { text: "我不是农村户口", judged: { hukou: "城镇" }, stored: {} },
  { text: "我不是退役军人", judged: { veteran: false }, stored: {} },
  { text: "我没有残疾", judged: { disability: "无" }, stored: { disability: "无" } },
  { text: "我不是本地户口", judged: { localHukou: false }, stored: {} },
  { text: "我们家不算低收入", judged: {}, stored: {} },
  { text: "不是特困户", judged: {}, stored: {} },
  // relatives: judged for the relative, never remembered as the resident's own
  { text: "我妈失能了", judged: { selfCare: "失能" }, stored: {}, subject: "other" },
  { text: "我爸今年80岁", judged: { age: 80 }, stored: {}, subject: "other" },
  { text: "我爸瘫痪了，能住敬老院吗", judged: { selfCare: "失能", gender: "男" }, stored: {}, subject: "other" },
  { text: "我家孩子上小学", judged: { schoolStage: "义务教育" }, stored: {}, subject: "other" },
  { text: "她现在失能了，我妈", judged: { selfCare: "失能" }, stored: {}, subject: "other" },
  { text: "我老公是退伍军人", judged: { veteran: true }, stored: {}, subject: "other" },
  { text: "我奶奶八十多了", judged: { age: 80 }, stored: {}, subject: "other" },
  { text: "奶奶86了一个人住在乡下", judged: { age: 86, livingAlone: true, hukou: "农村", gender: "女" }, stored: {}, subject: "other" },
  // the person word says who the question is about: 我妈 is a woman, whatever the speaker is
  { text: "我老婆能做两癌筛查吗", judged: { gender: "女" }, stored: {}, subject: "other" },
  { text: "我是男的，我老婆能做两癌筛查吗", judged: { gender: "女" }, stored: { gender: "男" }, subject: "other" },
  { text: "我今年52了", judged: { age: 52 }, stored: { age: 52 } },
];

describe("facts only from statements about someone", () => {
  it("the table has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$text", ({ text, judged, stored, subject }) => {
    const e = extractFacts(text, lexicon);
    expect(e.facts).toMatchObject(judged);
    for (const [k, v] of Object.entries(e.facts)) if (!(k in judged) && k !== "employment") expect.soft({ [k]: v }).toEqual({});
    expect(e.stated).toEqual(expect.objectContaining(stored));
    expect(Object.keys(e.stated).filter((k) => k !== "employment" && !(k in stored))).toEqual([]);
    if (subject) expect(e.subject).toBe(subject);
  });
});
