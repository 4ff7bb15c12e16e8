import { fill } from "../prompts.ts";
import { normalizeText } from "../util/normalize.ts";
import { expandQuery } from "../search/expand.ts";
import { areasOf, namedAreas } from "./areas.ts";
import { allCityNames, detectCities } from "../corpus/cities.ts";
import { composeCompare } from "./compose/compare.ts";
import { MAX_CITIES_SEARCHED, sourcesLine, type ComposeDeps, type Draft, type Question } from "./compose/common.ts";
import { composeEligibility } from "./compose/eligibility.ts";
import { composeFigure } from "./compose/figure.ts";
import { composeList } from "./compose/list.ts";
import { composeNotStated, composeOnlyElsewhere } from "./compose/not-stated.ts";
import { composePassage } from "./compose/passage.ts";
import { composeStandard, namesStandard } from "./compose/standard.ts";
import { questionConcepts, topicText } from "./evidence.ts";
import { screenQuestion } from "./input.ts";
import { NEVER_STATED } from "./asks.ts";
import { escapeRegExp, messageClauses } from "../util/text.ts";
import { detectAsks, detectIntent, hasIntentWord, isInjection, smallTalk } from "./intent.ts";
import type { Answer, AskContext, Interpretation } from "../contract/answer.ts";
import { analyseTurn, resolveTurn } from "./conversation.ts";
import { topicPhrase } from "./compose/not-stated.ts";
import { extractFacts } from "../rules/extract.ts";
import type { Profile } from "../contract/profile.ts";
import { type Lexicon } from "../corpus/lexicon.ts";
import { matchLexicon } from "../corpus/lexicon-match.ts";
import { redact, withoutPersonalNumbers } from "../redact.ts";
import type { Messages } from "../prompts.ts";

export type AnswerDeps = ComposeDeps;

function simple(kind: Draft["kind"], text: string, reason: string, city: string | null = null): Draft {
  return { kind, text, citations: [], city, reason };
}

/** How a turn was understood, for the answer's `interpretation` and the follow-up line. */
interface Understood {
  /** The question as resolved from the conversation (or the turn itself). */
  question: string;
  followUp: boolean;
  /** An instruction around the question was ignored. */
  instructionIgnored?: boolean;
  /** A request it cannot do ("给我回个电话") came with the turn. */
  request?: boolean;
  q?: Question;
  /** Facts stated in earlier turns of the conversation. */
  told?: Profile;
  /** Facts earlier turns gave about someone else ("奶奶86了一个人住"), for a question about them. */
  toldOther?: Profile;
  /** The message held a personal number (taken out before anything read it). */
  personalNumbers?: boolean;
}

/** The clauses of a message without the ones that hold an instruction to the system. */
function withoutInstructions(lexicon: Lexicon, norm: string): string {
  return norm
    .split(/(?<=[，。！？!?；;：:\n])/)
    .filter((clause) => !isInjection(lexicon, clause) && !hasIntentWord(lexicon, clause, "injection"))
    .join("")
    .trim();
}

/** A message without the words of requests it cannot do ("帮我办", "给我回电话"). */
function withoutRequests(lexicon: Lexicon, norm: string): string {
  let out = norm;
  const spans = matchLexicon(lexicon, norm, ["intents"]).filter((m) => m.entry.term === "request");
  for (const m of [...spans].sort((a, b) => b.start - a.start)) out = out.slice(0, m.start) + " " + out.slice(m.end);
  return out;
}

/** A message that asks something (a question mark or particle, a question or eligibility word). */
function asksSomething(lexicon: Lexicon, norm: string): boolean {
  return /[?？吗么]/.test(norm) || detectAsks(lexicon, norm).length > 0 || hasIntentWord(lexicon, norm, "eligibility") || hasIntentWord(lexicon, norm, "list");
}

/** Analyse the question and pick the composer; every outcome is a Draft, never an exception. */
async function draftAnswer(deps: AnswerDeps, raw: string, context: AskContext, understood: Understood): Promise<Draft> {
  const m = deps.messages;
  const screened = screenQuestion(raw, deps.config.questionMaxChars);
  if (!screened.ok) {
    const text =
      screened.reason === "too_long"
        ? fill(m.clarify.too_long, { length: screened.length, max: deps.config.questionMaxChars })
        : m.clarify[screened.reason];
    return simple("clarify", text, screened.reason);
  }
  const lexicon = deps.index.corpus.lexicon;
  let text = screened.text;
  if (isInjection(lexicon, normalizeText(text))) {
    // An instruction wrapped around a real question: the question is answered, the instruction ignored.
    const rest = withoutInstructions(lexicon, normalizeText(text));
    if (!rest || !asksSomething(lexicon, rest)) return simple("out_of_scope", m.out_of_scope.injection, "prompt_injection");
    text = rest;
    understood.instructionIgnored = true;
  }
  const small = smallTalk(lexicon, normalizeText(text));
  if (small) return simple("greeting", small in m.small_talk ? m.small_talk[small as keyof Messages["small_talk"]] : m.greeting, small);

  const resolved = context.history?.length
    ? resolveTurn(context.history, text, lexicon, deps.catalog, deps.index.tokenizer)
    : { question: text, followUp: false, turns: [] as string[] };
  understood.question = resolved.question;
  understood.followUp = resolved.followUp;
  understood.told = factsFromTurns(resolved.turns, lexicon);
  understood.toldOther = factsFromTurns(resolved.turns, lexicon, "other");
  understood.request = hasIntentWord(lexicon, normalizeText(text), "request");
  if (understood.request && !analyseTurn(withoutRequests(lexicon, normalizeText(text)), lexicon, deps.catalog, deps.index.tokenizer).hasTopic) {
    // Only a request it cannot do ("给我回个电话"): say so and where to go, nothing else.
    understood.request = false;
    return simple("out_of_scope", m.conversation.cannot_act, "request");
  }

  const norm = normalizeText(resolved.question);
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
  // "我是淮南的 想问下蚌埠低保多少": the place asked about is the one in the question's last clause, when
  // the covered city is only where the resident is from (its clause names no service: "医保是淮南的" does).
  const clauses = messageClauses(norm);
  const lastClause = clauses.at(-1) ?? norm;
  const onlyWhereFrom = clauses
    .filter((c) => detected.names.some((n) => c.includes(n)))
    .every((c) => matchLexicon(lexicon, c, ["services", "groups"]).length === 0);
  // "在上海那边办吗" names where something is done, not whose plan: that stays the covered city's question.
  const asksOf = (p: string) => new RegExp(`(?<![在到去回跑])${escapeRegExp(p)}`).test(lastClause);
  const askedElsewhere = detected.uncovered.some(asksOf) && !detected.names.some((n) => lastClause.includes(n)) && onlyWhereFrom;
  if ((detected.covered.length === 0 || askedElsewhere) && detected.uncovered.length > 0) {
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
  // "哪家牛肉汤最好喝", "到天堂寨怎么走": no plan gives directions or rankings, whatever passage mentions the place.
  const never = asks.find((a) => NEVER_STATED.includes(a));
  if (never && asks.every((a) => NEVER_STATED.includes(a) || a === "rate")) {
    return simple("out_of_scope", fill(m.out_of_scope.never, { what: m.out_of_scope.never_what[never] ?? "", pointer: m.pointer.general }), "never_stated");
  }

  const knownCities = new Set(deps.catalog.map((c) => c.city));
  // The place: named in the question, else named earlier in the conversation, else the saved city.
  const contextCity = [resolved.city, context.city].find((c) => c !== undefined && knownCities.has(c));
  const scope = detected.covered.length > 0 ? detected.covered : contextCity ? [contextCity] : [];
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
    raw: resolved.question,
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
  understood.q = q;
  const told = understood.told;
  const withTold: AskContext = Object.keys(told).length > 0 ? { ...context, profile: { ...context.profile, ...told } } : context;
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
      // A question naming a standard ("城里的低保标准") is answered by that standard or not at all: a
      // table row that merely mentions 低保 is not it.
      draft =
        (await composeStandard(deps, q)) ??
        (namesStandard(deps, q) ? undefined : await composeFigure(deps, q)) ??
        (await composeNotStated(deps, q));
      break;
    case "eligibility":
      draft = (await composeEligibility(deps, q, withTold)) ?? (await composePassage(deps, q));
      break;
    default:
      draft =
        (namesStandard(deps, q) ? await composeStandard(deps, q) : undefined) ??
        (await composeEligibility(deps, q, withTold, { onlyWithFacts: true, toldEarlier: told, toldAboutOthers: understood.toldOther })) ??
        (await composePassage(deps, q));
  }
  return (
    draft ??
    (await composeOnlyElsewhere(deps, q)) ??
    simple("out_of_scope", fill(m.out_of_scope.topic, { pointer: m.pointer.general }), "weak_evidence")
  );
}

/** Facts stated in earlier turns (oldest first; later statements win), or only those about someone else. */
function factsFromTurns(turns: readonly string[], lexicon: Lexicon, about?: "other"): Profile {
  const told = turns.map((t) => extractFacts(t, lexicon)).filter((e) => about === undefined || e.subject === about);
  return Object.assign({}, ...told.map((e) => e.facts)) as Profile;
}

/**
 * The finished text: the line saying how a follow-up was understood or that an instruction was
 * ignored, the request it cannot do, the composed text, and one disclaimer line.
 */
function finishText(deps: AnswerDeps, draft: Draft, understood: Understood): Draft {
  const m = deps.messages.conversation;
  const before: string[] = [];
  if (understood.personalNumbers) before.push(m.personal_numbers);
  if (understood.request) before.push(m.cannot_act);
  if (understood.instructionIgnored) before.push(m.instruction_ignored);
  const line = sourcesLine(deps, draft.citations);
  let text = draft.text;
  // A resolved follow-up says, in the same sentence, what it was taken to ask.
  if (understood.followUp && draft.kind !== "clarify") text = fill(m.resolved, { question: shorten(understood.question) }) + text;
  return { ...draft, text: [...before, text, ...(line ? [line] : [])].join("\n") };
}

function shorten(s: string, max = 30): string {
  const chars = [...s.replace(/\s+/g, "")];
  return chars.length <= max ? chars.join("") : chars.slice(0, max).join("") + "…";
}

/** How the question was understood: as resolved, its topic, what it asks. */
function interpretationOf(understood: Understood, lexicon: Lexicon): Interpretation | undefined {
  const q = understood.q;
  if (!q) return undefined;
  return {
    question: understood.question,
    topic: topicPhrase(q, lexicon),
    asks: q.asks.find((a) => a !== "rate") ?? q.intent,
    ...(understood.followUp ? { followUp: true } : {}),
  };
}

/**
 * Answer a resident's question from the live index: the one entry point every channel uses.
 * Never throws for bad input; the Answer says what happened (`kind`, `reason`).
 *
 * @example
 * const a = await answerQuestion(deps, "打零工的能交住房公积金吗？六安", {});
 * a.kind; a.citations[0].quote;
 */
export async function answerQuestion(deps: AnswerDeps, raw: string, context: AskContext = {}): Promise<Answer> {
  const started = performance.now();
  // Personal numbers (ID card, phone, bank card) are taken out before anything reads the question:
  // the resident is warned, the question in the message is still answered, the number goes nowhere.
  const question = typeof raw === "string" ? withoutPersonalNumbers(raw) : raw;
  const hadNumbers = typeof raw === "string" && question !== raw;
  const history = context.history?.map((t) => (typeof t === "string" ? withoutPersonalNumbers(t) : t));
  const understood: Understood = { question: typeof question === "string" ? question : "", followUp: false, personalNumbers: hadNumbers };
  const draft = finishText(deps, await draftAnswer(deps, question, { ...context, ...(history ? { history } : {}) }, understood), understood);
  const interpretation = interpretationOf(understood, deps.index.corpus.lexicon);
  // Facts the resident stated about themselves in this turn (never from a question or about a relative).
  const stated = typeof question === "string" && understood.q ? extractFacts(question, deps.index.corpus.lexicon).stated : {};
  return {
    ...(context.id !== undefined ? { id: context.id } : {}),
    question: typeof question === "string" ? redact(raw) : "",
    city: draft.city,
    kind: draft.kind,
    text: draft.text,
    citations: draft.citations,
    eligibility: draft.eligibility ?? [],
    ...(draft.reason ? { reason: draft.reason } : {}),
    indexId: deps.index.id,
    ...(draft.profile ? { profile: draft.profile } : {}),
    ...(interpretation ? { interpretation } : {}),
    ...(Object.keys(stated).length > 0 ? { remember: stated } : {}),
    timingsMs: { total: Math.round((performance.now() - started) * 100) / 100 },
  };
}
