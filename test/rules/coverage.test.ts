import { describe, expect, it } from "vitest";
import { evaluateRule } from "../../src/rules/engine.ts";
import type { RuleLogic } from "../../src/rules/engine.ts";
import { runCli, testApp } from "../helpers.ts";

describe("the rule catalog covers the plans", () => {
  it("rules --coverage --json: at least 95 % of the group sentences are covered by rules or explained", async () => {
    const r = await runCli(["rules", "--coverage", "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { sentences: number; covered: number; explained: number; uncovered: { docId: string; quote: string }[] };
    expect(report.sentences).toBeGreaterThan(100);
    expect((report.covered + report.explained) / report.sentences).toBeGreaterThanOrEqual(0.95);
    expect(report.uncovered.length).toBe(report.sentences - report.covered - report.explained);
    for (const u of report.uncovered) expect(Object.keys(u).sort()).toEqual(["docId", "quote"]);
  });

  it("has well over 150 rules, each with a positive and a negative test case", async () => {
    const app = await testApp();
    expect(app.index.rules.length).toBeGreaterThan(150);
    for (const rule of app.index.rules) {
      expect(rule.tests.some((t) => t.verdict === rule.verdict), rule.id).toBe(true);
      expect(rule.tests.some((t) => t.verdict !== rule.verdict && (t.verdict === "not_eligible" || t.verdict === "unknown")), rule.id).toBe(true);
    }
  });
});

describe("vague facts", () => {
  const anyGrade: RuleLogic = { group: [{ disability: { in: ["一级", "二级", "三级", "四级"] } }], requires: [], verdict: "conditional" };
  const severe: RuleLogic = { group: [{ disability: { in: ["一级", "二级"] } }], requires: [], verdict: "eligible" };

  it("'有残疾' decides a rule for every grade, and leaves a rule for some grades open (asking the grade)", () => {
    expect(evaluateRule(anyGrade, { disability: "有" }).verdict).toBe("conditional");
    expect(evaluateRule(severe, { disability: "有" })).toMatchObject({ verdict: "unknown", missingFacts: ["disability"] });
    expect(evaluateRule(severe, { disability: "重度" }).verdict).toBe("eligible");
    expect(evaluateRule(severe, { disability: "无" }).verdict).toBe("not_eligible");
  });
});

describe("routing a question to rules", () => {
  it("through the passage the question finds, when no topic word names a rule", async () => {
    const a = await (await testApp()).ask("退伍兵考六安的国企事业单位，年龄学历能放宽不");
    expect(a.kind).toBe("eligibility");
    expect(a.eligibility[0]?.citations[0]?.quote).toMatch(/退役军人/);
    expect(a.profile?.veteran).toBe(true);
  });

  it("a topic named by its words wins over the person's group ('送外卖的…公积金' is about the housing fund)", async () => {
    const a = await (await testApp()).ask("我是送外卖的，能交住房公积金吗");
    expect(a.eligibility.every((r) => r.ruleId.includes("housing-fund"))).toBe(true);
  });

  it("every rule's texts render for its test profiles with any one fact left untold (no unfilled placeholder)", async () => {
    const app = await testApp();
    for (const rule of app.index.rules) {
      for (const t of rule.tests) {
        const profiles = [t.profile, ...Object.keys(t.profile).map((f) => Object.fromEntries(Object.entries(t.profile).filter(([k]) => k !== f)))];
        for (const profile of profiles) {
          const results = app.eligibility.judge([rule], rule.cities, profile);
          for (const r of results) expect(r.reasons.join("\n"), rule.id).not.toMatch(/\{\w+\}/);
        }
      }
    }
    // The case that once failed: 低保 rules it out before 自理情况 is known.
    const county = app.index.rules.find((r) => r.outside.includes("{selfCare}") && r.needs.includes("incomeStatus"));
    if (!county) throw new Error("no rule names 自理情况 in its outside text any more: pick another case");
    const [r] = app.eligibility.judge([county], county.cities.slice(0, 1), { incomeStatus: "低保" });
    expect(r?.verdict).toBe("not_eligible");
    expect(r?.reasons[0]).toContain("未说明");
  });

  it("a verdict outside the group is said gently, naming whom the rule is for", async () => {
    const a = await (await testApp()).ask("六安能交住房公积金吗", { profile: { employment: "单位职工" } });
    expect(a.eligibility[0]?.verdict).toBe("not_eligible");
    expect(a.eligibility[0]?.reasons[0]).toMatch(/^这一条是给灵活就业人员的/);
  });
});
