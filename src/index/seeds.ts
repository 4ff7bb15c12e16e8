import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";
import { loadCorpus, type Corpus } from "../corpus/load.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { libraryCoverage, libraryOrThrow, loadLibrary, type LibraryCoverage, type LibraryQuestion } from "../corpus/library.ts";
import { loadLexicon, type Lexicon } from "../corpus/lexicon.ts";
import { loadStandards, standardsOrThrow, type Standard } from "../corpus/standards.ts";
import { factSchema, isFactName } from "../contract/profile.ts";
import { parseDictionary } from "../search/tokenizer.ts";
import { buildCatalog, loadRuleSources, type RuleSource } from "../rules/catalog.ts";
import { coverageReport, groupSentences, loadCoverageFile, type CoverageReport } from "../rules/coverage.ts";
import type { Rule } from "../rules/schema.ts";
import { parseCacheDir } from "./store.ts";

/*
 * The seeds read and validated, as one build's inputs (prepareInputs), and the two reports over
 * them that build nothing: the seed check (`index --check`) and the rule-coverage audit.
 */

/** Everything a build is made from, validated: the parsed corpus, lexicon, library, dictionary and rules. */
export interface BuildInputs {
  corpus: Corpus;
  lexicon: Lexicon;
  library: LibraryQuestion[];
  standards: Standard[];
  domainWords: string[];
  ruleSources: RuleSource[];
  rules: Rule[];
}

/** Why a lexicon fact is not one the rules know (undefined when it is). */
function unknownFact(fact: string, value: unknown): string | undefined {
  if (!isFactName(fact)) return `unknown fact "${fact}"`;
  return factSchema(fact).safeParse(value).success ? undefined : `${JSON.stringify(value)} is not a valid value of ${fact}`;
}

/**
 * Read and validate the seeds: manifest, documents (unchanged ones from the parse cache), rules
 * (quotes found, test cases passing, no contradictions), lexicon (no conflicts or cycles) and
 * question library (every quote in exactly one passage). Problems of all of them are reported
 * together in one AppError (the code of the first), each naming its file and entry.
 */
export async function prepareInputs(config: Config, options: { log: Logger; cache?: "use" | "refresh" | "none" }): Promise<BuildInputs> {
  const mode = options.cache ?? "use";
  const corpus = await loadCorpus(config.seedsDir, mode === "none" ? {} : { cacheDir: parseCacheDir(config.indexDir), reuse: mode === "use" });
  // Every kind of seed is checked in one run, so a maintainer sees all problems at once.
  const problems: AppError[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      problems.push(error);
      return undefined;
    }
  };
  const ruleSources = attempt(() => loadRuleSources(config.seedsDir));
  const rules = ruleSources && attempt(() => buildCatalog(ruleSources, corpus));
  const lexicon = attempt(() => loadLexicon(config.seedsDir, unknownFact));
  const library = attempt(() => libraryOrThrow(loadLibrary(config.seedsDir, corpus)));
  const standards = attempt(() => standardsOrThrow(loadStandards(config.seedsDir, corpus)));
  const [first] = problems;
  if (first) {
    if (problems.length === 1) throw first;
    throw new AppError(first.code, problems.map((p) => `[${p.code}] ${p.message}`).join("\n"), { codes: problems.map((p) => p.code) });
  }
  const dictionaryFile = path.join(config.seedsDir, "dictionary.txt");
  const dictionaryText = existsSync(dictionaryFile) ? readFileSync(dictionaryFile, "utf8") : "";
  // Only the domain dictionary shapes segmentation. Lexicon forms are matched as substrings and must
  // not become single jieba words: "看病报销" kept whole would no longer match 看病 and 报销 in passages.
  const domainWords = parseDictionary(dictionaryText);
  for (const note of corpus.documents.flatMap((d) => d.notes)) options.log.debug(note);
  return {
    corpus,
    lexicon: lexicon as Lexicon,
    library: library as LibraryQuestion[],
    standards: standards as Standard[],
    domainWords,
    ruleSources: ruleSources as RuleSource[],
    rules: rules as Rule[],
  };
}

/**
 * The rule-coverage audit over the seeds: the plan sentences that name a group and what it gets,
 * which rules cite them, which seeds/rules/coverage.yaml explains, and which are left.
 */
export async function auditRuleCoverage(config: Config, log: Logger): Promise<CoverageReport> {
  const { corpus, lexicon, rules } = await prepareInputs(config, { log, cache: "use" });
  const sentences = groupSentences(corpus.chunks, lexicon);
  return coverageReport(sentences, rules.flatMap((r) => r.quotes), loadCoverageFile(config.seedsDir));
}

export interface CheckReport {
  documents: { id: string; title: string; chunks: number; indicatorRows: number; serviceAreas: string[] }[];
  superseded: string[];
  rules: number;
  ruleTests: number;
  /** Standard terms and variants of the lexicon. */
  lexicon: { terms: number; variants: number };
  library: LibraryCoverage;
  /** Dated standards and their entries. */
  standards: { standards: number; entries: number };
}

/**
 * Validate the seeds without building (maintainers' CI): manifest, documents (service-list counts
 * must match, indicator tables complete), synonyms, and every rule (quotes found, test cases
 * passing, no contradictions). Throws the first problem, naming file and field.
 */
export async function checkSeeds(config: Config, log: Logger): Promise<CheckReport> {
  const { corpus, lexicon, library, standards, ruleSources, rules } = await prepareInputs(config, { log, cache: "none" });
  for (const doc of corpus.documents) {
    for (const row of doc.indicators) {
      const empty = Object.entries(row.values).filter(([, v]) => v === "");
      if (empty.length === Object.keys(row.values).length) {
        throw new AppError("SEED_UNPARSABLE", `${doc.meta.id}: indicator "${row.indicatorText}" in ${row.table} has no values`);
      }
    }
  }
  return {
    documents: corpus.documents.map((d) => ({
      id: d.meta.id,
      title: d.meta.title,
      chunks: corpus.chunks.filter((c) => c.docId === d.meta.id).length,
      indicatorRows: d.indicators.length,
      serviceAreas: d.serviceAreas.map((a) => `${a.area} ${a.items.length}/${a.declaredCount}`),
    })),
    superseded: corpus.superseded.map((d) => `${d.id} → ${d.supersededBy}`),
    rules: rules.length,
    ruleTests: ruleSources.reduce((n, s) => n + s.spec.tests.length, 0),
    lexicon: {
      terms: lexicon.entries.length,
      variants: lexicon.entries.reduce((n, e) => n + e.forms.length, 0) - lexicon.entries.filter((e) => e.forms.includes(e.term)).length,
    },
    library: libraryCoverage(corpus.chunks, library),
    standards: { standards: standards.length, entries: standards.reduce((n, s) => n + s.entries.length, 0) },
  };
}
