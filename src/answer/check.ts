import { resultDeps, sourcesLine, type ComposeDeps } from "./compose/common.ts";
import { renderResults } from "./compose/eligibility.ts";
import { VERDICT_ORDER, type Citation, type EligibilityResult } from "../contract/answer.ts";
import { matchRules } from "../rules/match.ts";
import { AppError } from "../errors.ts";
import { normalizeText } from "../util/normalize.ts";
import { expandQuery } from "../search/expand.ts";
import { evaluateRule } from "../rules/engine.ts";
import { testRuleSeeds } from "../rules/catalog.ts";
import { factOptions, parseFactAnswer, valueLabel, type FactOption, type FactTexts } from "../rules/facts.ts";
import { FACT_NAMES, type FactName, type FactValue, type Profile } from "../contract/profile.ts";
import { eligibilityResult, ruleCitations } from "../rules/results.ts";
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
  return { city: profile.city ?? null, results: judgeRules(deps, rules, cities, profile) };
}

/** Each rule judged in each of its cities in scope, sorted eligible → conditional → not_eligible → unknown. */
function judgeRules(
  deps: ComposeDeps,
  rules: readonly Rule[],
  cities: readonly string[],
  profile: Profile,
  valueLabels?: Partial<Record<FactName, string>>,
): EligibilityResult[] {
  const rd = { ...resultDeps(deps), ...(valueLabels ? { valueLabels } : {}) };
  return rules
    .flatMap((rule) => rule.cities.filter((c) => cities.includes(c)).map((city) => eligibilityResult(rd, rule, city, { ...profile, city })))
    .map((r, i) => ({ r, i }))
    .sort((a, b) => VERDICT_ORDER[a.r.verdict] - VERDICT_ORDER[b.r.verdict] || a.i - b.i)
    .map(({ r }) => r);
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

/** A rule as the catalog lists it (the contract's `rules --json`). */
export interface RuleListing {
  id: string;
  title: string;
  city: string[];
  area: string;
  service: string;
  citations: Citation[];
}

/**
 * What the eligibility flows of the channels (the bot's /check, the terminal's interactive check,
 * the console's form) need of the core, so they never reach into composers or the rule engine.
 */
export interface EligibilityDoor {
  /** The rules for a profile's city (all cities when none), narrowed to a topic if given. */
  rulesFor(profile: Profile, topic?: string): { cities: string[]; rules: Rule[] };
  /** The wizard's next question (undefined when nothing is left to ask). */
  nextQuestion(rules: readonly Rule[], profile: Profile, declined?: ReadonlySet<FactName>): NextQuestion | undefined;
  /**
   * Judge rules for a profile in each of their cities in scope, sorted eligible → … → unknown.
   * `valueLabels`: how facts given as a range read in reasons ("0–59岁").
   */
  judge(rules: readonly Rule[], cities: readonly string[], profile: Profile, valueLabels?: Partial<Record<FactName, string>>): EligibilityResult[];
  /** Results as text with numbered citations, verdict first (one disclaimer line unless turned off). */
  render(results: readonly EligibilityResult[], options?: { disclaimer?: boolean; tellMore?: boolean }): { text: string; citations: Citation[] };
  /** The documents-and-status line for some citations (undefined when none). */
  sourcesLine(citations: readonly Citation[]): string | undefined;
  /** Wording of the profile facts: label, question, unit, options. */
  readonly facts: FactTexts;
  /** How a fact's value reads ("灵活就业", "65岁"). */
  valueLabel(fact: FactName, value: FactValue): string;
  /** A typed answer to a wizard question as a fact value (undefined when it is not one of the options). */
  parseAnswer(fact: FactName, input: string, options: readonly FactOption[]): FactValue | undefined;
  /** The rule catalog with each rule's citations. */
  catalog(): RuleListing[];
  /** Run every rule's test cases and the catalog checks on the seeds on disk. */
  testSeeds(): Promise<{ rules: number; cases: number; failures: string[] }>;
}

/** The eligibility door over one loaded core. */
export function eligibilityDoor(deps: ComposeDeps): EligibilityDoor {
  return {
    rulesFor: (profile, topic) => rulesFor(deps, profile, topic),
    nextQuestion: (rules, profile, declined) => nextQuestion(deps, rules, profile, declined),
    judge: (rules, cities, profile, valueLabels) => judgeRules(deps, rules, cities, profile, valueLabels),
    render: (results, options) => renderResults(deps, results, options),
    sourcesLine: (citations) => sourcesLine(deps, citations),
    facts: deps.facts,
    valueLabel: (fact, value) => valueLabel(deps.facts, fact, value),
    parseAnswer: (fact, input, options) => parseFactAnswer(deps.facts, fact, input, options),
    catalog: () => {
      const rd = resultDeps(deps);
      return deps.index.rules.map((r) => ({
        id: r.id,
        title: r.title,
        city: r.cities,
        area: r.area,
        service: r.service,
        citations: r.cities.flatMap((c) => ruleCitations(rd, r, c)),
      }));
    },
    testSeeds: () => testRuleSeeds(deps.config.seedsDir),
  };
}
