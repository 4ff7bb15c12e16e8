import { fill } from "../../prompts.ts";
import { extractFacts, mergeProfiles, withoutPersonFacts } from "../../rules/extract.ts";
import { expandQuery } from "../../search/expand.ts";
import type { Profile } from "../../contract/profile.ts";
import { evaluateAny, evaluateRule } from "../../rules/engine.ts";
import { eligibilityResult, factLabels } from "../../rules/results.ts";
import { matchRules } from "../../rules/match.ts";
import type { FactName } from "../../contract/profile.ts";
import type { Rule } from "../../rules/schema.ts";
import { VERDICT_ORDER, type AskContext, type Citation, type EligibilityResult } from "../../contract/answer.ts";
import { citiesFor, resultDeps, makeCitation, quoteFor, sourcesLine, LIBRARY_EVIDENCE, type ComposeDeps, type Draft, type Question } from "./common.ts";
import { refs } from "../../util/text.ts";
import { evidenceByCity, mergeCityHits, type CityHits } from "./city-evidence.ts";
import { squash } from "../../util/normalize.ts";
import { asksForFact, statesAsked } from "../asks.ts";
import { asksYesNo, hasIntentWord } from "../intent.ts";
import { coverage, sentenceHolding } from "../evidence.ts";
import { shortQuote } from "./text.ts";

const PERSONAL = /(我|俺|本人|咱|家里|家人|老伴|孩子|儿子|女儿)/;

/** A best passage stating this share of the question brings in the rules quoting it. */
const PASSAGE_ROUTE_COVERAGE = 0.8;
/** Below this share a passage brings in no rule at all. */
const WEAK_PASSAGE_COVERAGE = 0.5;

/** At most this many rule results in one answer (the most relevant, decided ones first). */
const MAX_RESULTS = 4;



/** A rule's basis is cut to about this many characters in an answer's text. */
const BASIS_CHARS = 90;

/** Results told in full in a text; the others get their verdict line, and the not-eligible ones one line together. */
const DETAILED = 1;

/**
 * Render eligibility results as text with numbered citations (shared by ask, check and the bot's
 * wizard), verdict first: eligible and conditional results before the others, the first ones with
 * their reason, basis and what is still needed, the not-eligible ones folded into one line, and one
 * disclaimer line (unless the caller adds its own).
 */
export function renderResults(
  deps: ComposeDeps,
  results: readonly EligibilityResult[],
  options: { disclaimer?: boolean; tellMore?: boolean } = {},
): { text: string; citations: Citation[] } {
  const m = deps.messages.eligibility;
  const citations: Citation[] = [];
  const lines: string[] = [];
  const cite = (r: EligibilityResult): string =>
    refs(
      r.citations.map((c) => {
        const n = citations.findIndex((x) => x.chunkId === c.chunkId && x.quote === c.quote) + 1;
        return n > 0 ? n : citations.push(c);
      }),
    );
  // Eligible and conditional first; the rest keep the order of relevance (the rule the question
  // names before one its passage happens to quote), so an off-topic 不符合 never leads an open question.
  const rank = (r: EligibilityResult) => Math.min(VERDICT_ORDER[r.verdict], VERDICT_ORDER.not_eligible);
  const ordered = [...results].sort((a, b) => rank(a) - rank(b));
  const folded = ordered.filter((r, i) => r.verdict === "not_eligible" && i > 0);
  const shown = ordered.filter((r) => !folded.includes(r));
  shown.forEach((r, i) => {
    lines.push(fill(m.heading, { city: r.city, title: r.title, verdict: m.verdict[r.verdict], refs: cite(r) }));
    // The basis is cut at a clause boundary for reading; the result's reasons keep it whole.
    const basis = fill(m.basis, { basis: "" });
    const read = (x: string) => (x.startsWith(basis) ? shortQuote(x, [], BASIS_CHARS) : x);
    if (i < DETAILED) lines.push(...r.reasons.filter((x) => !x.startsWith(m.confirm_prefix)).slice(0, 3).map(read));
  });
  if (folded.length > 0) {
    for (const r of folded) cite(r);
    lines.push(fill(m.folded, { count: folded.length, titles: folded.map((r) => r.title).join("、") }));
  }
  const confirm = shown[0]?.reasons.find((x) => x.startsWith(m.confirm_prefix));
  if (confirm) lines.push(confirm);
  const missing = [...new Set(shown.flatMap((r) => r.missingFacts))];
  if (missing.length > 0 && options.tellMore !== false) lines.push(fill(m.tell_more, { facts: factLabels(deps, missing as FactName[]) }));
  if (options.disclaimer !== false) {
    const line = sourcesLine(deps, citations);
    if (line) lines.push(line);
  }
  return { text: lines.join("\n").trim(), citations };
}

/** The rules for `cities` quoting a part of one passage that `fits` (the quote without whitespace). */
function rulesQuoting(deps: ComposeDeps, chunkId: string, cities: readonly string[], fits: (quoted: string) => boolean): Rule[] {
  return deps.index.rules.filter(
    (rule) => rule.cities.some((c) => cities.includes(c)) && rule.quoteChunks.some((qc) => qc.chunkId === chunkId && fits(squash(qc.text))),
  );
}

/**
 * The rules that quote the sentence of each city's best passage that answers (for a service list,
 * the item asked about), not every rule of the passage.
 */
function rulesQuotingBestPassages(deps: ComposeDeps, q: Question, found: readonly CityHits[], cities: readonly string[]): { rule: Rule; coverage: number }[] {
  const out: { rule: Rule; coverage: number }[] = [];
  for (const { hits } of found) {
    const best = hits[0];
    if (!best) continue;
    const stated = coverage(q.concepts, `${best.chunk.context} ${best.chunk.text}`);
    // The rule must quote the sentence that answers, not just another sentence of the same passage.
    const quote = squash(quoteFor(best.chunk, q.concepts, false).text);
    for (const rule of rulesQuoting(deps, best.chunk.id, cities, (t) => quote.includes(t) || t.includes(quote))) out.push({ rule, coverage: stated });
  }
  return out;
}

/** The rules quoting the sentence a close library phrasing of a city's best passage was written for. */
function rulesOfLibraryMatches(deps: ComposeDeps, found: readonly CityHits[], cities: readonly string[]): Rule[] {
  const out = new Set<Rule>();
  for (const { hits } of found) {
    const best = hits[0];
    if (!best?.libraryQuote || best.library < LIBRARY_EVIDENCE) continue;
    const sentence = squash(sentenceHolding(best.chunk.text, best.libraryQuote) ?? best.libraryQuote);
    for (const rule of rulesQuoting(deps, best.chunk.id, cities, (t) => sentence.includes(t))) out.add(rule);
  }
  return [...out];
}

/**
 * Eligibility answers: rules about the question's topic evaluated on the saved profile merged with
 * the facts the question gives (the question wins), verdict first, then reasons, quotes and what
 * is still needed. Undefined when no rule is about the question.
 */
export async function composeEligibility(
  deps: ComposeDeps,
  q: Question,
  context: AskContext,
  /**
   * `toldEarlier`: facts the resident stated in earlier turns of this conversation (they count as told);
   * `toldAboutOthers`: those of them about someone else, which a question about someone else is judged by.
   */
  options: { onlyWithFacts?: boolean; toldEarlier?: Profile; toldAboutOthers?: Profile } = {},
): Promise<(Draft & { profile: Profile }) | undefined> {
  const cities = citiesFor(deps, q);
  const lexicon = deps.index.corpus.lexicon;
  const extracted = extractFacts(q.raw, lexicon);
  // A rule is found by what is asked about, not by words describing the person ("我不是低保户，能申请公租房吗").
  const about = withoutPersonFacts(q.norm, lexicon);
  let byTopic = matchRules(deps.index.rules, { norm: about, expansion: expandQuery(about, lexicon) }, cities, deps.index.tokenizer, extracted.facts);
  if (byTopic.length === 0 && about !== q.norm) byTopic = matchRules(deps.index.rules, q, cities, deps.index.tokenizer, extracted.facts);
  // …and through the passage retrieval found for it (the library's phrasings lead there): a rule
  // quoting the best passage of a city is about the question too. How much of the question that
  // passage states decides how far it counts: the best passage may be about the person's group
  // rather than what they ask ("我是送外卖的，能交公积金吗" finds a passage on 新业态 training).
  const { found } = await evidenceByCity(deps, q);
  const byPassage = rulesQuotingBestPassages(deps, q, found, cities);
  // A close library phrasing names the sentence it asks about: the rules quoting that sentence are
  // about the question as surely as those its topic words name ("房子着火烧没了…能给点救助吗").
  for (const rule of rulesOfLibraryMatches(deps, found, cities)) if (!byTopic.includes(rule)) byTopic.push(rule);
  const strong = byPassage.filter((p) => p.coverage >= PASSAGE_ROUTE_COVERAGE).map((p) => p.rule);
  const weak = byPassage.filter((p) => p.coverage >= WEAK_PASSAGE_COVERAGE && p.coverage < PASSAGE_ROUTE_COVERAGE).map((p) => p.rule);
  const told: Profile = { ...options.toldEarlier, ...extracted.facts };
  const placed = (rule: Rule) => Object.keys(told).length > 0 && evaluateAny(rule.group, told) === true;
  // Every rule the topic words name rules the person out: look further.
  const topicExcludes = byTopic.length > 0 && byTopic.every((r) => evaluateRule(r, told).verdict === "not_eligible");
  // Rules whose group the stated facts fit come first. A passage that states nearly all of the
  // question brings its rules in; one that states less only when no topic word names a rule, or every
  // rule named by topic rules the person out ("孩子上高中学费能免吗" reaches 普通高中免学杂费 through its list item).
  let rules = [
    ...new Set([
      ...byTopic.filter(placed),
      ...strong.filter(placed),
      ...(byTopic.length === 0 || topicExcludes ? weak.filter(placed) : []),
      ...byTopic,
      ...strong,
      ...(byTopic.length === 0 ? weak : []),
    ]),
  ];
  if (options.onlyWithFacts) {
    // A question that is not phrased as "can I" still gets verdicts when someone tells us about
    // themselves or a relative with facts the rules about its topic use ("我失业了，有就业援助吗"),
    // or names the group a rule of its best passage is for ("退伍兵考事业单位年龄能放宽不").
    // "村里有退役军人服务站吗" names a group but asks about a place: no verdicts.
    // A yes-or-no question whose answering sentence a rule quotes ("淮南有哪吒…有没有喘息服务") is a
    // question about that rule, whoever asks.
    const toldNames = Object.keys(told);
    const plain = !asksForFact(q.asks) && !q.asks.includes("date");
    // Facts the resident states about themselves ("退伍回来想开个小饭馆") place them in a rule that both
    // the topic words and the best passage name, however little of the question that passage states;
    // a group word in a noun ("退役军人服务站") does not.
    const stated = extracted.stated;
    const placedByTopic =
      Object.keys(stated).length > 0 &&
      byTopic.some((r) => byPassage.some((p) => p.rule === r) && evaluateAny(r.group, stated) === true);
    const placedByPassage = ([...strong, ...weak].some(placed) || placedByTopic) && plain;
    // The sentence that answers is the one a rule quotes: the yes-or-no is that rule's verdict. "要交钱吗"
    // is such a question too when that sentence says what is free ("…场馆免费提供公共文化服务").
    const onCost = q.asks.length > 0 && q.asks.every((a) => a === "cost");
    const answering = byPassage.map((p) => p.rule).filter((r) => !onCost || r.quoteChunks.some((qc) => statesAsked(["cost"], qc.text)));
    // Someone asking whether they (or their family) get what the topic words name, when no passage
    // sentence quoted by a rule answers better: the topic's rules.
    if (answering.length === 0 && byPassage.length === 0 && PERSONAL.test(q.norm)) answering.push(...byTopic);
    // "农村的也一样吗" asks whether two things are alike, not whether someone qualifies.
    const yesNo = asksYesNo(lexicon, q.norm) && !hasIntentWord(lexicon, q.norm, "compare");
    const yesNoOnRule = answering.length > 0 && (plain || onCost) && yesNo;
    // Facts told in this turn or earlier ("我们小区2015年建的" … "能搞老旧小区改造吗") that the topic's
    // rules use make a yes-or-no about the topic a question about those rules.
    const statedNames = Object.keys({ ...options.toldEarlier, ...extracted.stated });
    const usesTold = plain && yesNo && byTopic.some((r) => r.needs.some((f) => statedNames.includes(f)));
    if (!PERSONAL.test(q.norm) && !placedByPassage && !yesNoOnRule && !usesTold) return undefined;
    const withTold = rules.filter((r) => r.needs.some((f) => toldNames.includes(f)));
    rules = yesNoOnRule ? [...new Set([...answering.filter(placed), ...withTold.filter(placed), ...answering, ...withTold])] : withTold;
  }
  if (rules.length === 0) return undefined;
  // A question about someone else ("她算那种吗") is judged by what earlier turns said about them, not
  // by the resident's own facts (only household facts carry over).
  const aboutOther = extracted.subject === "other" ? (options.toldAboutOthers ?? {}) : {};
  const profile = mergeProfiles(context.profile, { ...extracted, facts: { ...aboutOther, ...extracted.facts } });
  const rd = resultDeps(deps);
  const results = rules
    .flatMap((rule) => rule.cities.filter((c) => cities.includes(c)).map((city) => eligibilityResult(rd, rule, city, { ...profile, city })))
    .slice(0, MAX_RESULTS);
  const rendered = renderResults(deps, results, { disclaimer: false });
  const citations = rendered.citations;
  // The passages retrieval found for the question follow the rules' own quotes as further sources.
  for (const h of mergeCityHits(found, deps.config.retrieval.maxCitations)) {
    if (citations.length >= deps.config.retrieval.maxCitations) break;
    if (citations.some((c) => c.chunkId === h.chunk.id)) continue;
    citations.push(makeCitation(deps, h.chunk, quoteFor(h.chunk, q.concepts, false).text, h.score));
  }
  const text = rendered.text;
  const resultCities = [...new Set(results.map((r) => r.city))];
  return {
    kind: "eligibility",
    text,
    citations,
    city: resultCities.length === 1 ? (resultCities[0] as string) : null,
    eligibility: results,
    profile,
  };
}
