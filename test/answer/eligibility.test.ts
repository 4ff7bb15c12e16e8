import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { AnswerSchema } from "../../src/contract/answer.ts";
import { factOptions, parseFactAnswer } from "../../src/rules/facts.ts";
import { silentLogger } from "../../src/log.ts";
import { rawSourcesByCity, squash, testApp, testConfig } from "../helpers.ts";

const raw = rawSourcesByCity();

describe("eligibility questions are answered by the rules", () => {
  it("打零工的能交住房公积金吗？六安 → conditional, verdict first, cited", async () => {
    const app = await testApp();
    const a = AnswerSchema.parse(await app.ask("打零工的能交住房公积金吗？六安"));
    expect(a.kind).toBe("eligibility");
    expect(a.eligibility).toHaveLength(1);
    const [r] = a.eligibility;
    expect(r).toMatchObject({ ruleId: "luan.housing-fund.flexible-workers", city: "六安市", verdict: "conditional", missingFacts: [] });
    expect(a.text.split("\n")[0]).toBe("六安市·灵活就业人员参加住房公积金：有条件符合[1]。");
    expect(a.citations[0]?.quote).toBe("鼓励灵活就业人员参加住房公积金制度");
    expect(raw["六安市"]).toContain(squash(a.citations[0]!.quote));
    expect(a.profile).toMatchObject({ employment: "灵活就业" });
  });

  it("names both cities' different wording when no city is given (鼓励 vs 试点)", async () => {
    const app = await testApp();
    const a = await app.ask("灵活就业人员可以参加住房公积金吗？");
    expect(a.eligibility.map((r) => r.city).sort()).toEqual(["六安市", "淮南市"]);
    expect(a.text).toContain("试点");
    expect(a.text).toContain("鼓励");
  });

  it("a case the plan neither names nor excludes is 还不能确定 with the reason, never 不符合", async () => {
    const app = await testApp();
    const a = await app.ask("我是送外卖的，六安能交失业保险吗");
    expect(a.profile).toMatchObject({ employment: "新就业形态" });
    const own = a.eligibility.filter((r) => r.ruleId === "both.insurance.unemployment");
    expect(own.map((r) => r.verdict)).toEqual(["unknown"]);
    expect(own[0]!.reasons[0]).toContain("没有写明");
    expect(a.text).not.toContain("不符合");
  });

  it("a platform worker asking about a rule for 灵活就业人员 is told it depends on a labour contract", async () => {
    const app = await testApp();
    const a = await app.ask("我是送外卖的，能交住房公积金吗");
    expect(a.profile).toMatchObject({ employment: "新就业形态" });
    expect(a.eligibility.map((r) => [r.city, r.verdict, r.missingFacts])).toEqual([
      ["六安市", "conditional", ["laborContract"]],
      ["淮南市", "conditional", ["laborContract"]],
    ]);
    const freelance = await app.ask("我在六安开滴滴，没单位，公积金能自己交吗");
    expect(freelance.eligibility.map((r) => [r.verdict, r.missingFacts])).toEqual([["conditional", []]]);
    const contracted = await app.ask("我在六安跑外卖，和站点签了劳动合同，能按灵活就业交公积金吗");
    expect(contracted.profile).toMatchObject({ employment: "新就业形态", laborContract: true });
    expect(contracted.eligibility[0]?.verdict).toBe("not_eligible");
    // Someone the rule plainly does not speak of is still told so.
    const employee = await app.ask("六安能交住房公积金吗", { profile: { employment: "单位职工" } });
    expect(employee.eligibility[0]?.verdict).toBe("not_eligible");
  });

  it("what the resident says about themselves picks the rule whose group it names", async () => {
    const app = await testApp();
    const a = await app.ask("我是农村户口，在六安打工，孩子能在城里上学吗");
    expect(a.eligibility[0]).toMatchObject({ ruleId: "luan.education.migrant-children", verdict: "conditional", missingFacts: ["schoolStage"] });
    // Facts alone never bring in a rule about another topic (no housing-fund rule for a schooling question).
    const worker = await app.ask("我是打零工的，在六安打工，孩子能上学吗");
    expect(worker.eligibility.some((r) => r.ruleId.includes("housing-fund"))).toBe(false);
  });

  it("asks for what is missing and says so in the text", async () => {
    const app = await testApp();
    const a = await app.ask("淮南低收入住房困难家庭能申请公租房吗");
    const r = a.eligibility.find((x) => x.ruleId === "huainan.public-rental.low-income-urban");
    expect(r).toMatchObject({ verdict: "conditional", missingFacts: ["hukou"] });
    expect(a.text).toContain("还需要确认：户口类型");
  });

  it("uses the saved profile, and the question's own facts win", async () => {
    const app = await testApp();
    const saved = await app.ask("淮南公租房我能申请吗", { profile: { incomeStatus: "低保", hukou: "城镇", housing: "无房" } });
    expect(saved.eligibility.find((x) => x.ruleId === "huainan.public-rental.low-income-urban")?.verdict).toBe("eligible");
    const overridden = await app.ask("淮南公租房我能申请吗？我家有房", { profile: { incomeStatus: "低保", hukou: "城镇", housing: "无房" } });
    expect(overridden.eligibility.find((x) => x.ruleId === "huainan.public-rental.low-income-urban")?.verdict).toBe("not_eligible");
  });

  it("judges a relative on the relative's facts (我爸失能了)", async () => {
    const app = await testApp();
    const a = await app.ask("我爸失能了家里困难，能优先住公办养老院吗？六安", { profile: { age: 40, selfCare: "自理" } });
    const r = a.eligibility.find((x) => x.ruleId === "both.elderly-care.public-priority-disabled");
    expect(r).toMatchObject({ verdict: "conditional", missingFacts: ["age"] });
  });

  it("a question about 我老婆 or 我老公 is judged for a woman or a man, and the rule asked about leads", async () => {
    const app = await testApp();
    const wife = await app.ask("我老婆在淮南，能做两癌筛查吗");
    expect(wife.eligibility.find((x) => x.ruleId === "huainan.women.two-cancer-screening")?.verdict).toBe("conditional");
    const husband = await app.ask("我老公在淮南能做两癌筛查吗");
    expect(husband.eligibility[0]).toMatchObject({ ruleId: "huainan.women.two-cancer-screening", verdict: "not_eligible" });
    // Another rule of the same passage never opens the answer with its 不符合.
    expect(husband.text.split("\n")[0]).toContain("两癌");
    expect(husband.remember?.gender).toBeUndefined();
  });

  it("says when the plan is still studying something (长期护理保险)", async () => {
    const app = await testApp();
    const a = await app.ask("六安我妈失能了，能享受长期护理保险吗");
    const r = a.eligibility.find((x) => x.ruleId === "luan.elderly.long-term-care-insurance");
    expect(r?.verdict).toBe("unknown");
    expect(r?.reasons.join()).toContain("还在研究");
  });

  it("says once that the plan is a planning document, 淮南's a draft, and that the period is over", async () => {
    const app = await testApp();
    const a = await app.ask("淮南的灵活就业人员能缴存住房公积金吗");
    const last = a.text.split("\n").at(-1) ?? "";
    expect(last).toContain("征求意见稿");
    expect(last).toContain("规划不是办事指南");
    expect(last).toContain("规划期已结束");
    expect(a.text.match(/规划不是办事指南/g)).toHaveLength(1);
    expect(a.eligibility[0]!.reasons.join()).not.toContain("规划不是办事指南");
    const earlier = await createApp(testConfig(), { log: silentLogger, warmUp: false, now: () => new Date("2024-06-01") });
    const b = await earlier.ask("淮南的灵活就业人员能缴存住房公积金吗");
    expect(b.text).not.toContain("规划期已结束");
  });

  it("'要交钱吗' about a service the plan makes free is a yes-or-no on that rule", async () => {
    const app = await testApp();
    const a = await app.ask("带孩子去淮南工人文化宫参加活动要交钱吗");
    expect(a.kind).toBe("eligibility");
    expect(a.eligibility[0]?.verdict).toBe("eligible");
    expect(a.eligibility[0]?.citations[0]?.quote).toContain("免费");
  });

  it("what the resident says of themselves places them in a rule its topic and passage name (退伍 + 创业)", async () => {
    const app = await testApp();
    const a = await app.ask("退伍回来想在谢家集开个小饭馆，创业有啥扶持");
    expect(a.kind).toBe("eligibility");
    expect(a.eligibility.map((r) => r.title).join()).toMatch(/退役军人/);
    // A group word inside a noun does not: the station's opening hours are a detail, not a verdict.
    const station = await app.ask("霍山县的退役军人服务站几点上班");
    expect(station.kind).not.toBe("eligibility");
  });

  it("a family asking whether they get what the topic words name is judged by the topic's rules, even when the best passage is another sentence", async () => {
    const app = await testApp();
    const a = await app.ask("家里老人想做适老化改造，这个是政府免费给弄吗", { history: ["我们家在金安区"] });
    expect(a.kind).toBe("eligibility");
    expect(a.eligibility[0]?.title).toContain("适老化改造");
  });

  it("a close library phrasing brings in the rule quoting the sentence it was written for (刚毕业…租房有补贴没)", async () => {
    const app = await testApp();
    const a = await app.ask("刚大学毕业来淮南上班，租房有补贴没");
    expect(a.eligibility[0]?.ruleId).toBe("huainan.graduates.rent-living-subsidy");
    expect(a.eligibility[0]?.verdict).toBe("conditional");
  });

  it("a long basis is cut at a clause boundary in the text and kept whole in the result", async () => {
    const app = await testApp();
    const a = await app.ask("带孩子去淮南工人文化宫参加活动要交钱吗");
    const line = a.text.split("\n").find((l) => l.startsWith("规划依据："));
    const whole = a.eligibility[0]?.reasons.find((r) => r.startsWith("规划依据：")) ?? "";
    expect(line).toBeDefined();
    expect([...(line as string)].length).toBeLessThanOrEqual(92);
    expect(whole.length).toBeGreaterThan((line as string).length);
    expect(whole.startsWith((line as string).replace(/…$/, ""))).toBe(true);
  });

  it("falls back to a passage answer when no rule is about the question", async () => {
    const app = await testApp();
    const a = await app.ask("淮南可以去哪里看博物馆吗");
    expect(a.kind).not.toBe("eligibility");
  });
});

describe("check and the wizard", () => {
  it("check evaluates a profile against the catalog, decided verdicts first", async () => {
    const app = await testApp();
    const { city, results } = app.check({ city: "淮南市", employment: "灵活就业" });
    expect(city).toBe("淮南市");
    expect(results.every((r) => r.city === "淮南市")).toBe(true);
    expect(results[0]?.verdict).not.toBe("unknown");
    const order = { eligible: 0, conditional: 1, not_eligible: 2, unknown: 3 };
    const ranks = results.map((r) => order[r.verdict]);
    expect([...ranks].sort((x, y) => x - y)).toEqual(ranks);
  });

  it("rejects a city no plan covers", async () => {
    const app = await testApp();
    expect(() => app.check({ city: "南京市" })).toThrow(/must be one of/);
  });

  it("asks first the fact that decides the most open rules, never a declined one", async () => {
    const app = await testApp();
    const { rules } = app.eligibility.rulesFor({ city: "六安市" }, "公租房");
    expect(rules.map((r) => r.id).sort()).toEqual(["luan.public-rental.low-income-urban", "luan.public-rental.public-service-youth"]);
    const first = app.eligibility.nextQuestion(rules, { city: "六安市" });
    expect(first?.fact).toBe("housing");
    expect(first?.decides).toBe(2);
    const next = app.eligibility.nextQuestion(rules, { city: "六安市" }, new Set(["housing"]));
    expect(next?.fact).not.toBe("housing");
    expect(app.eligibility.nextQuestion(rules, { city: "六安市", housing: "有房" })).toBeUndefined();
  });

  it("offers number facts as ranges cut at the rules' thresholds", async () => {
    const app = await testApp();
    const options = factOptions(app.eligibility.facts, "age", app.index.rules);
    expect(options.map((o) => o.label)).toEqual(expect.arrayContaining(["60–79岁", "80岁及以上"]));
    expect(parseFactAnswer(app.eligibility.facts, "age", "72", options)).toBe(72);
    const housing = factOptions(app.eligibility.facts, "housing", app.index.rules);
    expect(parseFactAnswer(app.eligibility.facts, "housing", "1", housing)).toBe("无房");
    expect(parseFactAnswer(app.eligibility.facts, "housing", "随便", housing)).toBeUndefined();
  });
});
