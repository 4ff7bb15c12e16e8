import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { readYamlFile } from "../util/files.ts";
import { loadCorpus } from "../corpus/load.ts";
import type { Chunk, DocumentMeta } from "../corpus/types.ts";
import { AppError } from "../errors.ts";
import { candidateValues, evaluateRule, factsOf } from "./engine.ts";
import { factSchema, parseProfile, type FactName, type FactValue, type Profile } from "../contract/profile.ts";
import { RuleFileSchema, type Rule, type RuleSpec } from "./schema.ts";
import { squash } from "../util/normalize.ts";

/*
 * The rule catalog: seeds/rules/*.yaml validated (schema, fact names and values), every quote found
 * verbatim in the corpus and tied to the chunk that holds it, every rule's own tests passing, and no
 * two rules giving opposite answers to the same person. Any failure is a RULES_INVALID naming the
 * file, the rule and the field.
 */

export interface RuleSource {
  file: string;
  area: string;
  spec: RuleSpec;
}

/** The rule-coverage explanations (rules/coverage.ts) live beside the rule files but are not rules. */
export const COVERAGE_FILE = "coverage.yaml";

/** Read and schema-validate every rule file (sorted by name). */
export function loadRuleSources(seedsDir: string): RuleSource[] {
  const dir = path.join(seedsDir, "rules");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && f !== COVERAGE_FILE)
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      const parsed = readYamlFile(file, RuleFileSchema, "RULES_INVALID");
      return parsed.rules.map((spec) => ({ file: `rules/${name}`, area: parsed.area, spec }));
    });
}

/** One problem found in the catalog, named by file and rule when it belongs to one. */
export interface RuleProblem {
  file?: string;
  rule?: string;
  message: string;
}

/** Thrown inside one rule's checks: that rule's remaining checks are skipped, the others go on. */
class RuleFailure extends Error {}

function fail(message: string): never {
  throw new RuleFailure(message);
}

function problemLine(p: RuleProblem): string {
  return (p.file ? `${p.file}: rule ${p.rule}: ` : "") + p.message;
}

/** One RULES_INVALID for every problem found, so a maintainer fixes them in one pass. */
function catalogError(problems: readonly RuleProblem[]): AppError {
  const [first] = problems;
  const message =
    first && problems.length === 1 ? problemLine(first) : `${problems.length} problems in the rule catalog:\n` + problems.map((p) => `- ${problemLine(p)}`).join("\n");
  return new AppError("RULES_INVALID", message, { problems, ...(first?.file ? { file: first.file, rule: first.rule } : {}) });
}

const PLACEHOLDER = /\{(\w+)\}/g;

function checkTemplates(spec: RuleSpec): void {
  const texts = [spec.outside, ...spec.requires.map((r) => r.fail), ...spec.unclear.map((u) => u.note)];
  for (const t of texts) {
    for (const [, name] of t.matchAll(PLACEHOLDER)) {
      if (!spec.needs.includes(name as string)) fail(`template placeholder {${name}} is not one of the rule's needs`);
    }
  }
}

/** Run a rule's own test cases; returns a message per failing case. */
export function runRuleTests(rule: Pick<RuleSpec, "id" | "group" | "requires" | "verdict" | "unclear" | "tests">): string[] {
  const failures: string[] = [];
  rule.tests.forEach((t, i) => {
    const profile = parseProfile(t.profile);
    if (!profile.success) {
      failures.push(`${rule.id} test ${i + 1}: invalid profile: ${profile.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
      return;
    }
    const got = evaluateRule(rule, profile.data).verdict;
    if (got !== t.verdict) failures.push(`${rule.id} test ${i + 1}: ${JSON.stringify(t.profile)} expected ${t.verdict}, got ${got}`);
  });
  return failures;
}

function enumerate(facts: FactName[], rules: Pick<RuleSpec, "group" | "requires">[], limit = 50_000): Profile[] {
  const domains = facts.map((f) => {
    const schema = factSchema(f) as { options?: FactValue[]; def?: { type?: string } };
    const values = Array.isArray(schema.options) ? schema.options : schema.def?.type === "boolean" ? [true, false] : undefined;
    return candidateValues(f, rules, values);
  });
  let profiles: Profile[] = [{}];
  facts.forEach((f, i) => {
    const next: Profile[] = [];
    for (const p of profiles) for (const v of domains[i] ?? []) next.push({ ...p, [f]: v } as Profile);
    profiles = next.slice(0, limit);
  });
  return profiles;
}

/**
 * Rules about the same service in the same city contradict each other when some person is in both
 * rules' groups and one says yes (eligible/conditional) while the other says not_eligible.
 */
export function findConflicts(rules: readonly (Pick<Rule, "id" | "service" | "cities" | "group" | "requires" | "verdict"> & { unclear?: Rule["unclear"] })[]): string[] {
  const out: string[] = [];
  for (const [i, a] of rules.entries()) {
    for (const b of rules.slice(i + 1)) {
      if (a.service !== b.service || !a.cities.some((c) => b.cities.includes(c))) continue;
      const facts = [...new Set([...factsOf(a), ...factsOf(b)])];
      for (const profile of enumerate(facts, [a, b])) {
        const ea = evaluateRule(a, profile);
        const eb = evaluateRule(b, profile);
        if (!ea.inGroup || !eb.inGroup) continue;
        const yes = (v: string) => v === "eligible" || v === "conditional";
        if ((yes(ea.verdict) && eb.verdict === "not_eligible") || (yes(eb.verdict) && ea.verdict === "not_eligible")) {
          out.push(`rules ${a.id} and ${b.id} contradict each other for ${JSON.stringify(profile)}: ${ea.verdict} vs ${eb.verdict}`);
          break;
        }
      }
    }
  }
  return out;
}

export interface CatalogCorpus {
  documents: { meta: DocumentMeta; text: string }[];
  chunks: readonly Chunk[];
  /** Editions the manifest marks superseded (rules must quote the current edition). */
  superseded?: readonly DocumentMeta[];
}

function resolveRule(source: RuleSource, corpus: CatalogCorpus, cities: ReadonlySet<string>): Rule {
  const { spec } = source;
  const ruleCities = Array.isArray(spec.city) ? spec.city : [spec.city];
  for (const c of ruleCities) if (!cities.has(c)) fail(`city "${c}" has no document in the manifest`);
  checkTemplates(spec);
  const quoteChunks = spec.quotes.map((q) => {
    const doc = corpus.documents.find((d) => d.meta.id === q.doc);
    if (!doc) {
      const old = corpus.superseded?.find((d) => d.id === q.doc);
      fail(old ? `quote names document "${q.doc}", which is superseded by "${old.supersededBy}": quote the current edition` : `quote names document "${q.doc}", which is not in the manifest`);
    }
    if (!ruleCities.includes(doc.meta.city)) fail(`quote from ${q.doc} (${doc.meta.city}) but the rule is for ${ruleCities.join("、")}`);
    const needle = squash(q.text);
    if (!squash(doc.text).includes(needle)) fail(`quote not found in ${q.doc}: “${q.text}”`);
    const chunk = corpus.chunks.find((c) => c.docId === q.doc && squash(c.text).includes(needle));
    if (!chunk) fail(`quote spans two passages of ${q.doc}, quote within one: “${q.text}”`);
    return { doc: q.doc, text: q.text, chunkId: chunk.id, city: doc.meta.city };
  });
  for (const c of ruleCities) {
    if (!quoteChunks.some((q) => q.city === c)) fail(`no quote from ${c}'s plan although the rule is for ${c}`);
  }
  const failures = runRuleTests(spec);
  if (failures.length > 0) fail(`test cases fail:\n  ${failures.join("\n  ")}`);
  return { ...spec, area: source.area, file: source.file, cities: ruleCities, needs: spec.needs as FactName[], quoteChunks };
}

/**
 * Validate rule sources against the corpus and resolve each quote to its chunk. Every rule is
 * checked; if any fails, one `RULES_INVALID` lists them all (file, rule and problem: missing
 * quote, unknown city or document, failing test case, contradiction), with `details.problems`.
 */
export function buildCatalog(sources: readonly RuleSource[], corpus: CatalogCorpus): Rule[] {
  const cities = new Set(corpus.documents.map((d) => d.meta.city));
  const seen = new Map<string, string>();
  const rules: Rule[] = [];
  const problems: RuleProblem[] = [];
  for (const source of sources) {
    const where = { file: source.file, rule: source.spec.id };
    const duplicateOf = seen.get(source.spec.id);
    if (duplicateOf !== undefined) {
      problems.push({ ...where, message: `duplicate id (also in ${duplicateOf})` });
      continue;
    }
    seen.set(source.spec.id, source.file);
    try {
      rules.push(resolveRule(source, corpus, cities));
    } catch (error) {
      if (!(error instanceof RuleFailure)) throw error;
      problems.push({ ...where, message: error.message });
    }
  }
  problems.push(...findConflicts(rules).map((message) => ({ message })));
  if (problems.length > 0) throw catalogError(problems);
  return rules;
}

/** Run every rule's test cases, then the catalog checks against the plans, on the seeds on disk. */
export async function testRuleSeeds(seedsDir: string): Promise<{ rules: number; cases: number; failures: string[] }> {
  const sources = loadRuleSources(seedsDir);
  const failures = sources.flatMap((s) => runRuleTests(s.spec).map((f) => `${s.file}: ${f}`));
  if (failures.length === 0) {
    try {
      buildCatalog(sources, await loadCorpus(seedsDir));
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  return { rules: sources.length, cases: sources.reduce((n, s) => n + s.spec.tests.length, 0), failures };
}
