import type { Citation, EligibilityResult } from "../contract/answer.ts";
import { citationOf } from "../corpus/citation.ts";
import type { Chunk, DocumentMeta } from "../corpus/types.ts";
import { fill, type Messages } from "../prompts.ts";
import { evaluateRule } from "./engine.ts";
import { valueLabel, type FactTexts } from "./facts.ts";
import type { FactName, Profile } from "../contract/profile.ts";
import type { Rule } from "./schema.ts";

/*
 * Engine outcomes rendered as EligibilityResults: verdict, reasons (what the resident told us,
 * what the plan says, what is still needed, the document's status and where to confirm),
 * missing facts and the verbatim citations the rule rests on.
 */

export interface ResultDeps {
  messages: Messages;
  facts: FactTexts;
  metaOf(docId: string): DocumentMeta | undefined;
  chunkById(id: string): Chunk | undefined;
  /** Today, for saying when a plan's period is over. */
  now: Date;
  /** How to show facts the person gave as a range ("0–59岁"), instead of the value that stands for it. */
  valueLabels?: Partial<Record<FactName, string>>;
}

function profileValues(deps: ResultDeps, profile: Profile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(profile)) {
    if (v !== undefined) out[k] = deps.valueLabels?.[k as FactName] ?? valueLabel(deps.facts, k as FactName, v);
  }
  return out;
}

/** Labels of facts, joined for a sentence ("住房情况、户口类型"). */
export function factLabels(deps: Pick<ResultDeps, "facts">, facts: readonly FactName[]): string {
  return facts.map((f) => deps.facts[f].label).join("、");
}

/** The citations of a rule for one city, as Answer citations. */
export function ruleCitations(deps: ResultDeps, rule: Rule, city: string): Citation[] {
  return rule.quoteChunks
    .filter((q) => q.city === city)
    .flatMap((q) => {
      const chunk = deps.chunkById(q.chunkId);
      const meta = deps.metaOf(q.doc);
      return chunk && meta ? [citationOf(chunk, meta, deps.messages.status, q.text)] : [];
    });
}

/**
 * Evaluate one rule for one city and render the result.
 *
 * @example
 * eligibilityResult(deps, rule, "六安市", { employment: "灵活就业" }).verdict // "conditional"
 */
export function eligibilityResult(deps: ResultDeps, rule: Rule, city: string, profile: Profile): EligibilityResult {
  const m = deps.messages.eligibility;
  const outcome = evaluateRule(rule, profile);
  // A rule's texts may name facts that did not decide this verdict ("低保" rules it out before 自理情况
  // is known): those read "未说明", never an unfilled placeholder.
  const values = { ...Object.fromEntries(rule.needs.map((f) => [f, m.not_told])), ...profileValues(deps, profile) };
  const reasons: string[] = [];
  // The city is the rule's own scope, not something the resident told: it is not repeated back.
  const known = rule.needs.filter((f) => f !== "city" && profile[f] !== undefined);
  if (outcome.verdict === "not_eligible") {
    reasons.push(fill(outcome.failed ? outcome.failed.fail : rule.outside, values));
  } else if (outcome.unclear) {
    reasons.push(fill(outcome.unclear, values));
  } else if (known.length > 0) {
    reasons.push(fill(m.known, { facts: known.map((f) => fill(m.fact, { label: deps.facts[f].label, value: values[f] as string })).join("，") }));
  }
  reasons.push(fill(m.basis, { basis: rule.basis }));
  if (outcome.missingFacts.length > 0) {
    const template = outcome.inGroup ? m.to_confirm : m.missing;
    reasons.push(fill(template, { facts: factLabels(deps, outcome.missingFacts) }));
  }
  reasons.push(fill(m.confirm, { confirm: rule.confirm }));
  return {
    ruleId: rule.id,
    title: rule.title,
    city,
    verdict: outcome.verdict,
    reasons,
    missingFacts: outcome.missingFacts,
    citations: ruleCitations(deps, rule, city),
  };
}
