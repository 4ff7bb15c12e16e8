import { fill } from "../prompts.ts";
import { normalizeText } from "../search/normalize.ts";
import { expandQuery } from "../search/expand.ts";
import { areasOf, namedAreas } from "./areas.ts";
import { allCityNames, detectCities } from "../corpus/cities.ts";
import { composeCompare } from "./compose/compare.ts";
import { MAX_CITIES_SEARCHED, sourcesLine, type ComposeDeps, type Draft, type Question } from "./compose/common.ts";
import { composeEligibility } from "./compose/eligibility.ts";
import { composeFigure } from "./compose/figure.ts";
import { composeList } from "./compose/list.ts";
import { composeNotStated } from "./compose/not-stated.ts";
import { composePassage } from "./compose/passage.ts";
import { questionConcepts, topicText } from "./evidence.ts";
import { screenQuestion } from "./input.ts";
import { detectAsks, detectIntent, hasIntentWord } from "./intent.ts";
import type { Answer, AskContext } from "./types.ts";

export type AnswerDeps = ComposeDeps;

function simple(kind: Draft["kind"], text: string, reason: string, city: string | null = null): Draft {
  return { kind, text, citations: [], city, reason };
}

/** Analyse the question and pick the composer; every outcome is a Draft, never an exception. */
async function draftAnswer(deps: AnswerDeps, raw: string, context: AskContext): Promise<Draft> {
  const m = deps.messages;
  const screened = screenQuestion(raw, deps.config.questionMaxChars);
  if (!screened.ok) {
    const text =
      screened.reason === "too_long"
        ? fill(m.clarify.too_long, { length: screened.length, max: deps.config.questionMaxChars })
        : m.clarify[screened.reason];
    return simple("clarify", text, screened.reason);
  }
  const norm = normalizeText(screened.text);
  const lexicon = deps.index.corpus.lexicon;
  const detected = detectCities(norm, deps.catalog, lexicon);
  const asks = detectAsks(lexicon, norm);
  const intent = detectIntent(lexicon, norm, {
    cities: detected.covered,
    namesArea: namedAreas(norm).length > 0,
    pointsAtArea: areasOf(norm, lexicon).length > 0,
    asks,
  });
  if (intent === "injection") return simple("out_of_scope", m.out_of_scope.injection, "prompt_injection");
  if (intent === "greeting") return simple("greeting", m.greeting, "greeting");
  if (detected.covered.length === 0 && detected.uncovered.length > 0) {
    return simple(
      "out_of_scope",
      fill(m.out_of_scope.city, {
        cities: deps.catalog.map((c) => c.city).join("和"),
        named: detected.uncovered.join("、"),
      }),
      "city_not_covered",
    );
  }
  if (intent === "chitchat") return simple("out_of_scope", m.out_of_scope.chitchat, "chitchat");

  const knownCities = new Set(deps.catalog.map((c) => c.city));
  const saved = context.city && knownCities.has(context.city) ? [context.city] : [];
  const scope = detected.covered.length > 0 ? detected.covered : saved;
  const expansion = expandQuery(norm, deps.index.corpus.lexicon);
  const topic = topicText(detected.rest || norm, lexicon);
  const concepts = questionConcepts(
    topic,
    expansion,
    deps.index.tokenizer,
    deps.index.lexical,
    allCityNames(deps.catalog),
  );
  const countyNames = new Set(deps.catalog.flatMap((c) => c.counties));
  const q: Question = {
    raw: screened.text,
    norm,
    searchText: detected.rest || norm,
    minor: detected.names.filter((n) => countyNames.has(n)),
    scope,
    expansion,
    concepts,
    intent,
    asks,
    topic,
    wantsItems: hasIntentWord(lexicon, norm, "list"),
  };
  const substantive = concepts.some((c) => c.known || c.unknownTopic || c.alternatives.length > 0);
  if (!substantive && intent !== "list" && intent !== "compare") {
    return simple("clarify", m.clarify.vague, "no_topic", scope.length === 1 ? (scope[0] as string) : null);
  }

  if (intent === "list" && scope.length === 0 && deps.catalog.length > MAX_CITIES_SEARCHED) {
    return simple("clarify", fill(m.clarify.which_city, { cities: deps.catalog.map((c) => c.city).join("、") }), "which_city");
  }
  let draft: Draft | undefined;
  switch (intent) {
    case "compare":
      draft = await composeCompare(deps, q);
      break;
    case "list":
      draft = (await composeList(deps, q)) ?? (await composePassage(deps, q));
      break;
    case "figure":
      // No figure of the asked kind for the topic: say the plans do not state it, never show another number.
      draft = (await composeFigure(deps, q)) ?? (await composeNotStated(deps, q));
      break;
    case "eligibility":
      draft = (await composeEligibility(deps, q, context)) ?? (await composePassage(deps, q));
      break;
    default:
      draft = (await composeEligibility(deps, q, context, { onlyWithFacts: true })) ?? (await composePassage(deps, q));
  }
  return (
    draft ??
    simple("out_of_scope", fill(m.out_of_scope.topic, { pointer: m.pointer.general }), "weak_evidence")
  );
}

/** One line about the sources at the end of an answer that cites any (merged for several plans). */
function withDisclaimer(deps: AnswerDeps, draft: Draft): Draft {
  const line = sourcesLine(deps, draft.citations);
  return line ? { ...draft, text: `${draft.text}\n${line}` } : draft;
}

/**
 * Answer a resident's question from the live index: the one entry point every channel uses.
 * Never throws for bad input; the Answer says what happened (`kind`, `reason`).
 *
 * @example
 * const a = await answerQuestion(deps, "打零工的能交住房公积金吗？六安", {});
 * a.kind; a.citations[0].quote;
 */
export async function answerQuestion(deps: AnswerDeps, question: string, context: AskContext = {}): Promise<Answer> {
  const started = performance.now();
  const draft = withDisclaimer(deps, await draftAnswer(deps, question, context));
  return {
    ...(context.id !== undefined ? { id: context.id } : {}),
    question: typeof question === "string" ? question : "",
    city: draft.city,
    kind: draft.kind,
    text: draft.text,
    citations: draft.citations,
    eligibility: draft.eligibility ?? [],
    ...(draft.reason ? { reason: draft.reason } : {}),
    indexId: deps.index.id,
    ...(draft.profile ? { profile: draft.profile } : {}),
    timingsMs: { total: Math.round((performance.now() - started) * 100) / 100 },
  };
}
