import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRuleSources } from "../../src/rules/catalog.ts";
import { evaluateAny, evaluateMap, evaluateRule, testCondition, type RuleLogic } from "../../src/rules/engine.ts";
import { CONDITION, DISABILITY, EMPLOYMENT, FACT_NAMES, MEDICAL_INSURANCE, FAMILY_PLANNING, HOUSING, INCOME, SCHOOL_STAGE, SELF_CARE, type FactName, type Profile } from "../../src/contract/profile.ts";
import { ROOT } from "../helpers.ts";

/** A rule whose unclear case reads two facts, so the properties also cover partly decided unclear cases. */
const twoFactUnclear: RuleLogic = {
  group: [{ employment: "灵活就业" }],
  requires: [{ any: [{ hukou: "城镇" }], fail: "x" }],
  verdict: "conditional",
  unclear: [{ when: { employment: "新就业形态", age: { lt: 60 } }, note: "规划没有单独说明" }],
};
const rules: RuleLogic[] = [...loadRuleSources(path.join(ROOT, "seeds")).map((s) => s.spec), twoFactUnclear];

const values: Record<Exclude<FactName, "city">, fc.Arbitrary<unknown>> = {
  hukou: fc.constantFrom("城镇", "农村"),
  localHukou: fc.boolean(),
  age: fc.integer({ min: 0, max: 110 }),
  employment: fc.constantFrom(...EMPLOYMENT),
  occupation: fc.constantFrom("教师", "医护", "其他"),
  newlyEmployed: fc.boolean(),
  incomeStatus: fc.constantFrom(...INCOME),
  housing: fc.constantFrom(...HOUSING),
  disability: fc.constantFrom(...DISABILITY),
  selfCare: fc.constantFrom(...SELF_CARE),
  veteran: fc.boolean(),
  familyPlanning: fc.constantFrom(...FAMILY_PLANNING),
  buildingYear: fc.integer({ min: 1950, max: 2025 }),
  gender: fc.constantFrom("男", "女"),
  schoolStage: fc.constantFrom(...SCHOOL_STAGE),
  planningMarriage: fc.boolean(),
  planningPregnancy: fc.boolean(),
  migrantWorkerFamily: fc.boolean(),
  carer: fc.boolean(),
  militaryFamily: fc.boolean(),
  graduate: fc.boolean(),
  pregnant: fc.boolean(),
  livingAlone: fc.boolean(),
  condition: fc.constantFrom(...CONDITION),
  medicalInsurance: fc.constantFrom(...MEDICAL_INSURANCE),
  disasterAffected: fc.boolean(),
  laborContract: fc.boolean(),
};
const profileArb = fc.record(values, { requiredKeys: [] }) as fc.Arbitrary<Profile>;
const factArb = fc.constantFrom(...(FACT_NAMES.filter((f) => f !== "city") as Exclude<FactName, "city">[]));
const extraFact = factArb.chain((fact) => values[fact].map((value) => ({ fact, value })));

describe("engine properties (every rule of the catalog)", () => {
  it("adding a fact never turns a decided verdict into unknown", () => {
    fc.assert(
      fc.property(profileArb, extraFact, ({ ...profile }, { fact, value }) => {
        for (const rule of rules) {
          const before = evaluateRule(rule, profile).verdict;
          if (before === "unknown" || profile[fact] !== undefined) continue;
          const after = evaluateRule(rule, { ...profile, [fact]: value } as Profile).verdict;
          if (after === "unknown") return false;
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });

  it("unknown facts never produce not_eligible: every completion of the profile agrees", () => {
    fc.assert(
      fc.property(profileArb, extraFact, (profile, { fact, value }) => {
        for (const rule of rules) {
          if (evaluateRule(rule, profile).verdict !== "not_eligible" || profile[fact] !== undefined) continue;
          if (evaluateRule(rule, { ...profile, [fact]: value } as Profile).verdict !== "not_eligible") return false;
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });

  it("an empty profile is never not_eligible", () => {
    for (const rule of rules) expect(evaluateRule(rule, {}).verdict, JSON.stringify(rule.group)).not.toBe("not_eligible");
  });
});

describe("conditions", () => {
  it("compare values", () => {
    expect(testCondition("灵活就业", "灵活就业")).toBe(true);
    expect(testCondition({ in: ["低保", "特困"] }, "低保")).toBe(true);
    expect(testCondition({ notIn: ["有房"] }, "无房")).toBe(true);
    expect(testCondition({ gte: 60 }, 60)).toBe(true);
    expect(testCondition({ gte: 60, lt: 80 }, 80)).toBe(false);
    expect(testCondition({ lte: 2000 }, 2000)).toBe(true);
    expect(testCondition({ gt: 5 }, "x")).toBe(false);
  });

  it("use three-valued logic on partial profiles", () => {
    expect(evaluateMap({ hukou: "城镇", housing: "无房" }, { hukou: "城镇" })).toBeUndefined();
    expect(evaluateMap({ hukou: "城镇", housing: "无房" }, { hukou: "农村" })).toBe(false);
    expect(evaluateAny([{ hukou: "城镇" }, { age: { gte: 60 } }], { age: 70 })).toBe(true);
    expect(evaluateAny([{ hukou: "城镇" }, { age: { gte: 60 } }], { age: 30 })).toBeUndefined();
  });

  it("an unclear case outside the group is unknown with the rule's note, never not_eligible", () => {
    const rule = { ...twoFactUnclear, requires: [] };
    expect(evaluateRule(rule, { employment: "新就业形态", age: 30 })).toMatchObject({ verdict: "unknown", missingFacts: [], unclear: "规划没有单独说明" });
    // Partly decided: unknown, and the fact that decides it is named.
    expect(evaluateRule(rule, { employment: "新就业形态" })).toMatchObject({ verdict: "unknown", missingFacts: ["age"] });
    expect(evaluateRule(rule, { employment: "新就业形态", age: 70 }).verdict).toBe("not_eligible");
    expect(evaluateRule(rule, { employment: "单位职工" }).verdict).toBe("not_eligible");
    expect(evaluateRule(rule, { employment: "灵活就业" }).verdict).toBe("conditional");
    // A failed requirement still rules the person out.
    expect(evaluateRule(twoFactUnclear, { employment: "新就业形态", age: 30, hukou: "农村" }).verdict).toBe("not_eligible");
  });

  it("a matched group with an open requirement is conditional and says what to confirm", () => {
    const rule = {
      group: [{ incomeStatus: { in: ["低保", "低收入"] } }],
      requires: [{ any: [{ hukou: "城镇" }], fail: "x" }],
      verdict: "eligible" as const,
    };
    expect(evaluateRule(rule, { incomeStatus: "低收入" })).toMatchObject({ verdict: "conditional", inGroup: true, missingFacts: ["hukou"] });
    expect(evaluateRule(rule, { incomeStatus: "低收入", hukou: "城镇" }).verdict).toBe("eligible");
    expect(evaluateRule(rule, { hukou: "农村" }).verdict).toBe("not_eligible");
    expect(evaluateRule(rule, {})).toMatchObject({ verdict: "unknown", missingFacts: expect.arrayContaining(["incomeStatus", "hukou"]) });
  });
});
