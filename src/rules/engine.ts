import type { Verdict } from "../contract/answer.ts";
import { concreteValues, type FactName, type FactValue, type Profile } from "../contract/profile.ts";
import { conditionMaps, type Condition, type ConditionMap, type Requirement, type RuleSpec } from "./schema.ts";

/*
 * The eligibility engine: pure functions from a (partial) profile to verdicts. Three-valued logic:
 * a condition on a fact the profile lacks is undecided, so
 *   - a known fact that rules a person out gives not_eligible, whatever else is unknown;
 *   - an undecided group gives unknown (with the facts that would decide it);
 *   - a matched group with undecided requirements gives conditional (with what is still needed);
 *   - outside the group, a case the rule marks unclear (the plan neither names nor excludes it)
 *     gives unknown with the rule's note, or unknown with the facts that would decide it.
 * Adding a fact can only settle things further: a decided verdict never becomes unknown, and an
 * unknown fact never produces not_eligible (property-tested).
 */

type Truth = boolean | undefined;

/** Whether a known value satisfies a condition. */
export function testCondition(condition: Condition, value: FactValue): boolean {
  if (typeof condition !== "object" || condition === null) return value === condition;
  if ("in" in condition) return condition.in.includes(value);
  if ("notIn" in condition) return !condition.notIn.includes(value);
  if (typeof value !== "number") return false;
  const c = condition as { gte?: number; lte?: number; gt?: number; lt?: number };
  return (
    (c.gte === undefined || value >= c.gte) &&
    (c.lte === undefined || value <= c.lte) &&
    (c.gt === undefined || value > c.gt) &&
    (c.lt === undefined || value < c.lt)
  );
}

/**
 * Whether a fact's value satisfies a condition: undefined when the value is unknown, or vague
 * ("有残疾") and the values it stands for do not all decide the same way.
 */
export function testFact(fact: FactName, condition: Condition, value: FactValue | undefined): Truth {
  if (value === undefined) return undefined;
  const concrete = concreteValues(fact, value);
  if (!concrete) return testCondition(condition, value);
  const results = new Set(concrete.map((v) => testCondition(condition, v)));
  return results.size === 1 ? [...results][0] : undefined;
}

/** All conditions of a map: false if one fails, true if all hold, undefined otherwise. */
export function evaluateMap(map: ConditionMap, profile: Profile): Truth {
  let undecided = false;
  for (const [fact, condition] of Object.entries(map)) {
    const t = testFact(fact as FactName, condition, profile[fact as FactName]);
    if (t === false) return false;
    if (t === undefined) undecided = true;
  }
  return undecided ? undefined : true;
}

/** A fact still to be told: absent, or vague where the rule needs more. */
function open(fact: FactName, condition: Condition, profile: Profile): boolean {
  return testFact(fact, condition, profile[fact]) === undefined;
}

/** Any of the maps: true if one holds, false if all fail, undefined otherwise. */
export function evaluateAny(maps: readonly ConditionMap[], profile: Profile): Truth {
  let undecided = false;
  for (const map of maps) {
    const t = evaluateMap(map, profile);
    if (t === true) return true;
    if (t === undefined) undecided = true;
  }
  return undecided ? undefined : false;
}

/** Facts still missing in the alternatives that could still hold. */
function missingIn(maps: readonly ConditionMap[], profile: Profile): FactName[] {
  const out = new Set<FactName>();
  for (const map of maps) {
    if (evaluateMap(map, profile) === false) continue;
    for (const [fact, condition] of Object.entries(map) as [FactName, Condition][]) if (open(fact, condition, profile)) out.add(fact);
  }
  return [...out];
}

export interface RuleEvaluation {
  verdict: Verdict;
  /** The profile is (known to be) in the group the plan speaks of. */
  inGroup: boolean | undefined;
  /** The requirement that rules the person out, if one does. */
  failed?: Requirement;
  /** Facts still needed to decide (unknown) or to confirm (conditional). */
  missingFacts: FactName[];
  /** Why the plan leaves this person's case open (an unclear case of the rule). */
  unclear?: string;
}

/** The rule fields the engine reads. */
export type RuleLogic = Pick<RuleSpec, "group" | "requires" | "verdict"> & { unclear?: RuleSpec["unclear"] };

/**
 * Evaluate one rule for a partial profile.
 *
 * @example
 * evaluateRule(rule, { employment: "灵活就业" }) // { verdict: "conditional", inGroup: true, missingFacts: [] }
 */
export function evaluateRule(rule: RuleLogic, profile: Profile): RuleEvaluation {
  const inGroup = evaluateAny(rule.group, profile);
  const failed = rule.requires.find((r) => evaluateAny(r.any, profile) === false);
  // A known failed requirement rules the person out whether or not they are in the group.
  if (failed) return { verdict: "not_eligible", inGroup, failed, missingFacts: [] };
  if (inGroup === false) {
    const open = (rule.unclear ?? []).map((u) => ({ ...u, holds: evaluateMap(u.when, profile) })).filter((u) => u.holds !== false);
    const sure = open.find((u) => u.holds === true);
    if (sure) return { verdict: "unknown", inGroup, missingFacts: [], unclear: sure.note };
    if (open.length > 0) return { verdict: "unknown", inGroup, missingFacts: missingIn(open.map((u) => u.when), profile) };
    return { verdict: "not_eligible", inGroup, missingFacts: [] };
  }
  if (inGroup === undefined) {
    const missing = new Set([...missingIn(rule.group, profile), ...rule.requires.flatMap((r) => missingIn(r.any, profile))]);
    return { verdict: "unknown", inGroup, missingFacts: [...missing] };
  }
  const open = rule.requires.filter((r) => evaluateAny(r.any, profile) === undefined);
  if (open.length > 0) {
    return {
      verdict: rule.verdict === "unknown" ? "unknown" : "conditional",
      inGroup,
      missingFacts: [...new Set(open.flatMap((r) => missingIn(r.any, profile)))],
    };
  }
  return { verdict: rule.verdict, inGroup, missingFacts: [] };
}

/** The facts a rule reads. */
export function factsOf(rule: Pick<RuleLogic, "group" | "requires" | "unclear">): FactName[] {
  return [...new Set(conditionMaps(rule).flatMap((m) => Object.keys(m) as FactName[]))];
}

/**
 * The values worth trying for a fact when enumerating profiles: every enum value or boolean, and for
 * numbers the values around each threshold the rules use.
 */
export function candidateValues(fact: FactName, rules: readonly Pick<RuleLogic, "group" | "requires" | "unclear">[], enumValues: readonly FactValue[] | undefined): FactValue[] {
  if (enumValues) return [...enumValues];
  const points = new Set<number>();
  for (const rule of rules) {
    for (const map of conditionMaps(rule)) {
      const c = map[fact];
      if (c === undefined) continue;
      const nums =
        typeof c === "number" ? [c] : typeof c === "object" && c !== null ? Object.values(c).flat().filter((x): x is number => typeof x === "number") : [];
      for (const n of nums) [n - 1, n, n + 1].forEach((x) => points.add(x));
    }
  }
  return [...points].sort((a, b) => a - b);
}
