import { answerQuestion, type AnswerDeps } from "./answer/answer.ts";
import { buildCityCatalog } from "./corpus/cities.ts";
import type { Answer, AskContext, EligibilityResult } from "./contract/answer.ts";
import { figureRows, indexInfo, serviceCatalog, sourceView, type FigureRow, type IndexInfo, type ServiceCatalog, type SourceView } from "./answer/lookup.ts";
import { checkProfile, eligibilityDoor, type EligibilityDoor } from "./answer/check.ts";
import { factOptions, type FactOption } from "./rules/facts.ts";
import { FACT_NAMES, type FactName, type Profile } from "./contract/profile.ts";
import type { Config } from "./config.ts";
import type { Chunk } from "./corpus/types.ts";
import { retrieve } from "./search/retrieve.ts";
import { normalizeText } from "./util/normalize.ts";
import { ensureIndex } from "./index/ensure.ts";
import type { LoadedIndex } from "./index/store.ts";
import type { Logger } from "./log.ts";
import { loadMessages, type Messages } from "./prompts.ts";
import { loadFactTexts, type FactTexts } from "./rules/facts.ts";

// Types channels need along with the App (they import the core's types only from here).
export type { Chunk } from "./corpus/types.ts";
export type { EligibilityDoor, NextQuestion, RuleListing } from "./answer/check.ts";
export type { FigureRow, IndexInfo, ServiceCatalog, SourceView } from "./answer/lookup.ts";
export type { Rule } from "./rules/schema.ts";

/** The core every channel (CLI, bot, HTTP) receives: it decides, channels only format. */
export interface App {
  config: Config;
  log: Logger;
  messages: Messages;
  /** The live index (replaced as a whole on reload). */
  readonly index: LoadedIndex;
  /** Answer one question. Never throws for bad input. */
  ask(question: string, context?: AskContext): Promise<Answer>;
  /** Evaluate a profile against the rule catalog (optionally only rules about `topic`). */
  check(profile: Profile, topic?: string): { city: string | null; results: EligibilityResult[] };
  /** The eligibility flows' steps: rules for a topic, the next question, judging and rendering, the catalog. */
  readonly eligibility: EligibilityDoor;
  /** A passage in its section context (undefined for an unknown chunk id). */
  source(chunkId: string): SourceView | undefined;
  /** The service lists, area by area, for some cities (default: all). */
  services(cities?: readonly string[]): ServiceCatalog;
  /** Indicator-table rows, filtered. */
  figures(options?: { cities?: readonly string[]; query?: string }): FigureRow[];
  /** The live build: id, date, documents and their status. */
  info(): IndexInfo;
  /** The profile facts the rules use, with wording and options, for forms. */
  profileFacts(): ProfileFact[];
  /** The covered cities. */
  cities(): string[];
  /** Passages for a search text (a chunk id finds its own passage), best first; for the maintainers' review. */
  passages(query: string, options?: { cities?: readonly string[]; limit?: number }): Promise<Chunk[]>;
}

/** How long-running channels reach the live core: called per request, so a reload never splits one. */
export type CoreSource = () => App;

/** A profile fact as a form shows it. */
export interface ProfileFact {
  name: FactName;
  label: string;
  question: string;
  group: string;
  type: "choice" | "number";
  options: FactOption[];
}

export interface AppDeps {
  log: Logger;
  /** Use this index instead of loading (or building) the live one. */
  index?: LoadedIndex;
  /** Progress of a first build, if one is needed. */
  progress?: (stage: string, detail?: string) => void;
  /** Run a few questions through every composer at start so the first resident is served warm (default true). */
  warmUp?: boolean;
  /** The clock (default: the system's). */
  now?: () => Date;
}

/**
 * Questions made from the loaded corpus itself (a lead phrase, an indicator, a service area, a
 * comparison), one per composer: they JIT-compile the answer path before real traffic arrives.
 */
export function warmUpQuestions(index: LoadedIndex): string[] {
  const lead = index.chunks.find((c) => c.lead && c.kind === "paragraph")?.lead;
  const row = index.corpus.indicators[0];
  const area = index.corpus.serviceAreas[0];
  const cities = [...new Set(index.corpus.documents.map((d) => d.meta.city))];
  return [
    lead ?? "",
    row ? `${row.city}${row.indicator}是多少` : "",
    area ? `${area.city}${area.area}有哪些基本公共服务` : "",
    cities.length >= 2 ? `${cities[0]}和${cities[1]}的基本公共服务清单有什么不同` : "",
  ].filter(Boolean);
}

function profileFacts(deps: AnswerDeps): ProfileFact[] {
  const used = new Set<FactName>(deps.index.rules.flatMap((r) => r.needs));
  return FACT_NAMES.filter((f) => f !== "city" && used.has(f)).map((name) => {
    const t = deps.facts[name];
    const numeric = name === "age" || name === "buildingYear";
    return {
      name,
      label: t.label,
      question: t.question,
      group: t.group,
      type: numeric ? "number" : "choice",
      options: numeric ? [] : factOptions(deps.facts, name, deps.index.rules),
    };
  });
}

/** Wire the core once: wording, the live index (built if missing) and the answer pipeline. */
export function makeAnswerDeps(config: Config, messages: Messages, facts: FactTexts, index: LoadedIndex, now: () => Date = () => new Date()): AnswerDeps {
  return {
    index,
    messages,
    facts,
    config,
    catalog: buildCityCatalog(index.corpus.documents.map((d) => d.meta)),
    now,
  };
}

/**
 * Build the application core.
 *
 * @example
 * const app = await createApp(loadConfig(), { log: createLogger("info") });
 * const answer = await app.ask("六安低保标准是多少");
 */
export async function createApp(config: Config, deps: AppDeps): Promise<App> {
  const messages = loadMessages(config.promptsDir);
  const facts = loadFactTexts(config.promptsDir);
  const index = deps.index ?? (await ensureIndex(config, { log: deps.log, ...(deps.progress ? { progress: deps.progress } : {}) }));
  const answerDeps = makeAnswerDeps(config, messages, facts, index, deps.now);
  if (deps.warmUp !== false) {
    for (const q of warmUpQuestions(index)) await answerQuestion(answerDeps, q);
  }
  return {
    config,
    log: deps.log,
    messages,
    index,
    ask: (question, context) => answerQuestion(answerDeps, question, context),
    check: (profile, topic) => checkProfile(answerDeps, profile, topic),
    eligibility: eligibilityDoor(answerDeps),
    source: (chunkId) => sourceView(index, messages, chunkId),
    services: (cities) => serviceCatalog(index, messages, cities),
    figures: (options) => figureRows(index, messages, options),
    info: () => indexInfo(index, messages),
    profileFacts: () => profileFacts(answerDeps),
    cities: () => answerDeps.catalog.map((c) => c.city),
    passages: async (query, options = {}) => {
      const direct = index.chunkIndex.get(query.trim());
      if (direct !== undefined) return [index.chunks[direct] as Chunk];
      const cities = options.cities ? new Set(options.cities) : undefined;
      const hits = await retrieve(index, { text: normalizeText(query), expansions: [], cities }, options.limit ?? 8, config.retrieval.candidates);
      return hits.map((h) => h.chunk);
    },
  };
}
