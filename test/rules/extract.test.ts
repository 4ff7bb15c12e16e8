import { describe, expect, it } from "vitest";
import { extractFacts as extractWith, mergeProfiles } from "../../src/rules/extract.ts";
import { seedLexicon } from "../helpers.ts";

const lexicon = seedLexicon();
const extractFacts = (text: string) => extractWith(text, lexicon);

describe("fact extraction from free text", () => {
  it.each([
    ["打零工的能交公积金吗", { employment: "灵活就业" }],
    ["我是自由职业", { employment: "灵活就业" }],
    ["城镇户口的低保户", { hukou: "城镇", incomeStatus: "低保" }],
    ["刚参加工作，没房子", { newlyEmployed: true, housing: "无房" }],
    ["2003年建的小区能改造吗", { buildingYear: 2003 }],
    ["我们小区2012年交房的，能排进老旧小区改造吗", { buildingYear: 2012 }],
    ["我们家在凤台农村，就两个闺女", { hukou: "农村", familyPlanning: "双女家庭" }],
    ["寿县农村的", { hukou: "农村" }],
    ["老公在部队当兵 孩子在叶集上学", { militaryFamily: true }],
    ["我妈老年痴呆在家我一个人照顾", { selfCare: "失智", carer: true }],
    ["我是外卖骑手", { employment: "新就业形态" }],
    ["低保边缘家庭", { incomeStatus: "低保边缘" }],
    ["五保户", { incomeStatus: "特困" }],
    ["二级残疾", { disability: "二级" }],
    ["我今年72岁", { age: 72 }],
    ["老人七十多岁了", { age: 70 }],
    ["刚工作没房的老师", { occupation: "教师", newlyEmployed: true, housing: "无房", employment: "单位职工" }],
    ["我是退伍军人", { veteran: true }],
    ["農村戶口的低保戶", { hukou: "农村", incomeStatus: "低保" }],
    ["我是农村户口，在六安打工，孩子能在城里上学吗", { hukou: "农村", migrantWorkerFamily: true }],
    ["两口子进城打工，孩子读小学", { migrantWorkerFamily: true, schoolStage: "义务教育" }],
  ])("%s", (text, facts) => {
    expect(extractFacts(text).facts).toMatchObject(facts);
  });

  it("a fact denied earlier is not given back by a service named later ('不是特困户…能进特困人员照护机构吗')", () => {
    const e = extractFacts("我爸在寿县有退休金，不是特困户，就是半失能了，能进县里那个特困人员照护机构吗");
    expect(e.facts.incomeStatus).toBeUndefined();
    expect(e.facts.selfCare).toBe("半失能");
  });

  it("half-disabled wins over disabled, 低保边缘 over 低保", () => {
    expect(extractFacts("我妈半失能").facts.selfCare).toBe("半失能");
    expect(extractFacts("低保边缘户").facts.incomeStatus).toBe("低保边缘");
  });

  it("knows when the question is about someone else", () => {
    const e = extractFacts("我爸失能了家里困难");
    expect(e.subject).toBe("other");
    expect(e.facts).toMatchObject({ selfCare: "失能", incomeStatus: "低收入" });
    expect(extractFacts("我失业了").subject).toBe("self");
  });

  it("extracts nothing from a question without facts", () => {
    expect(extractFacts("公租房怎么申请").facts).toEqual({});
    expect(extractFacts("打工人能交公积金吗").facts.migrantWorkerFamily).toBeUndefined();
  });
});

describe("merging with the saved profile", () => {
  const saved = { city: "六安市", hukou: "城镇" as const, age: 35, employment: "单位职工" as const, housing: "有房" as const };

  it("the question's facts win", () => {
    expect(mergeProfiles(saved, extractFacts("我现在打零工，没房子"))).toMatchObject({ employment: "灵活就业", housing: "无房", age: 35, hukou: "城镇" });
  });

  it("about someone else, only household facts carry over", () => {
    const merged = mergeProfiles(saved, extractFacts("我爸失能了"));
    expect(merged).toMatchObject({ city: "六安市", hukou: "城镇", housing: "有房", selfCare: "失能" });
    expect(merged.age).toBeUndefined();
    expect(merged.employment).toBeUndefined();
  });
});
