import { resultDeps, type ComposeDeps } from "./compose/common.ts";
import { VERDICT_ORDER, type EligibilityResult } from "../contract/answer.ts";
import { matchRules } from "../rules/match.ts";
import { AppError } from "../errors.ts";
import { normalizeText } from "../util/normalize.ts";
import { expandQuery } from "../search/expand.ts";
import { evaluateRule } from "../rules/engine.ts";
import { factOptions, type FactOption } from "../rules/facts.ts";
import { FACT_NAMES, type FactName, type Profile } from "../contract/profile.ts";
import { eligibilityResult } from "../rules/results.ts";
import type { Rule } from "../rules/schema.ts";


/** The rules for a profile's city (all cities when it has none), narrowed to a topic if given. */
export function rulesFor(deps: ComposeDeps, profile: Profile, topic?: string): { cities: string[]; rules: Rule[] } {
  const known = deps.catalog.map((c) => c.city);
  if (profile.city !== undefined && !known.includes(profile.city)) {
    throw new AppError("INPUT_INVALID", `profile.city must be one of ${known.join(", ")} (got "${profile.city}")`);
  }
  const cities = profile.city ? [profile.city] : known;
  const rules = topic?.trim()
    ? matchRules(
        deps.index.rules,
        { norm: normalizeText(topic), expansion: expandQuery(topic, deps.index.corpus.lexicon) },
        cities,
        deps.index.tokenizer,
      )
    : deps.index.rules.filter((r) => r.cities.some((c) => cities.includes(c)));
  return { cities, rules };
}

/**
 * Evaluate a profile against the catalog: `check(profile)` of the core. Results are sorted
 * eligible → conditional → not_eligible → unknown.
 *
 * @example
 * checkProfile(deps, { city: "六安市", employment: "灵活就业" }).results[0].verdict
 */
export function checkProfile(deps: ComposeDeps, profile: Profile, topic?: string): { city: string | null; results: EligibilityResult[] } {
  const { cities, rules } = rulesFor(deps, profile, topic);
  const rd = resultDeps(deps);
  const results = rules
    .flatMap((rule) => rule.cities.filter((c) => cities.includes(c)).map((city) => eligibilityResult(rd, rule, city, { ...profile, city })))
    .map((r, i) => ({ r, i }))
    .sort((a, b) => VERDICT_ORDER[a.r.verdict] - VERDICT_ORDER[b.r.verdict] || a.i - b.i)
    .map(({ r }) => r);
  return { city: profile.city ?? null, results };
}

export interface NextQuestion {
  fact: FactName;
  question: string;
  /** Answer options; "不知道" is always allowed in addition. */
  options: FactOption[];
  /** How many still-open rules this fact helps decide. */
  decides: number;
}

/**
 * The wizard's next question: the fact that appears among the missing facts of the most rules
 * still open (unknown, or conditional with something to confirm), skipping facts the resident
 * declined ("不知道"). Undefined when nothing is left to ask.
 */
export function nextQuestion(deps: ComposeDeps, rules: readonly Rule[], profile: Profile, declined: ReadonlySet<FactName> = new Set()): NextQuestion | undefined {
  const counts = new Map<FactName, number>();
  for (const rule of rules) {
    for (const fact of evaluateRule(rule, profile).missingFacts) {
      if (declined.has(fact) || profile[fact] !== undefined) continue;
      counts.set(fact, (counts.get(fact) ?? 0) + 1);
    }
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || FACT_NAMES.indexOf(a[0]) - FACT_NAMES.indexOf(b[0]))[0];
  if (!best) return undefined;
  const [fact, decides] = best;
  return { fact, question: deps.facts[fact].question, options: factOptions(deps.facts, fact, rules), decides };
}
