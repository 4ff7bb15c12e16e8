import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Embeddings } from "@langchain/core/embeddings";
import type { Config } from "../config.ts";
import { loadCorpus, type Corpus } from "../corpus/load.ts";
import { sha256 } from "../util/files.ts";
import type { Chunk } from "../corpus/types.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { fitLocalEmbeddings, LocalEmbeddings, saveLocalModel } from "../search/embeddings/local.ts";
import { OpenAICompatibleEmbeddings } from "../search/embeddings/openai-compatible.ts";
import { buildLexical, searchText } from "../search/lexical.ts";
import { buildCityCatalog, detectCities } from "../corpus/cities.ts";
import { libraryCoverage, libraryOrThrow, loadLibrary, type LibraryCoverage, type LibraryQuestion } from "../corpus/library.ts";
import { loadLexicon, type Lexicon } from "../corpus/lexicon.ts";
import { loadStandards, standardsOrThrow, type Standard } from "../corpus/standards.ts";
import { buildLibraryIndex, type StoredLibrary } from "../search/library.ts";
import { buildVectorIndex } from "../search/vectors.ts";
import { factSchema, isFactName } from "../contract/profile.ts";
import { createTokenizer, parseDictionary } from "../search/tokenizer.ts";
import { buildCatalog, loadRuleSources, type RuleSource } from "../rules/catalog.ts";
import { coverageReport, groupSentences, loadCoverageFile, type CoverageReport } from "../rules/coverage.ts";
import type { Rule } from "../rules/schema.ts";
import { INDEX_FORMAT_VERSION, TOOL_VERSION } from "../version.ts";
import { parseCacheDir, setCurrentBuild, pruneBuilds, withIndexLock } from "./store.ts";
import type { BuildManifest, StoredCorpus } from "./types.ts";

export interface BuildOptions {
  log: Logger;
  /** Called at each stage (for a progress display). */
  progress?: (stage: string, detail?: string) => void;
  /** Switch `index/current` to the new build (default true). */
  activate?: boolean;
  /** Builds to keep after activating (default: config.indexKeep). */
  keep?: number;
  /** Reuse parses of unchanged documents (default true); false re-parses all and refreshes the cache. */
  cache?: boolean;
}

export interface BuildResult {
  id: string;
  dir: string;
  manifest: BuildManifest;
  /** Documents parsed now vs reused unchanged from the parse cache. */
  stats: { parsed: number; cached: number };
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

/** 2026-03-01T08:00:00.123Z → 20260301T080000.123Z: ids sort by build time. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "");
}

function embeddingsFor(config: Config, texts: readonly string[], tokenizer: ReturnType<typeof createTokenizer>) {
  if (config.embeddings.provider === "local") {
    const model = fitLocalEmbeddings(texts, tokenizer, { dimensions: config.embeddings.dimensions });
    return { embeddings: new LocalEmbeddings(model, tokenizer) as Embeddings, local: model };
  }
  return { embeddings: new OpenAICompatibleEmbeddings(config.embeddings) as Embeddings, local: undefined };
}

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
 * The text a passage is embedded by: its headings and text, plus the library phrasings linked to it
 * (document expansion), so that everyday words land near the official ones they stand for.
 */
export function embeddingText(chunk: Chunk, phrasings: readonly string[]): string {
  return phrasings.length ? `${searchText(chunk)} ${phrasings.join(" ")}` : searchText(chunk);
}

/** Library phrasings with the covered place names taken out (what incoming questions are compared by). */
function libraryForMatching(corpus: Corpus, library: readonly LibraryQuestion[]): (LibraryQuestion & { match: string })[] {
  const catalog = buildCityCatalog(corpus.documents.map((d) => d.meta));
  return library.map((q) => ({ ...q, match: detectCities(q.text, catalog).rest }));
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

/**
 * Build an index from the seeds into `index/builds/<id>/` (id = build time + inputs hash + random), write a
 * manifest with every file's checksum, then switch `index/current` to it atomically. A failed build
 * leaves the live index untouched. Unchanged documents are not parsed again.
 *
 * @example
 * const { id } = await buildIndex(loadConfig(), { log: createLogger("info") });
 */
export async function buildIndex(config: Config, options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const progress = options.progress ?? (() => {});
  progress("parse", config.seedsDir);
  const { corpus, lexicon, library, standards, domainWords, ruleSources, rules } = await prepareInputs(config, { log: options.log, cache: options.cache === false ? "refresh" : "use" });
  progress(
    "chunk",
    `${corpus.documents.length} documents (${corpus.stats.parsed} parsed, ${corpus.stats.cached} unchanged), ${corpus.chunks.length} chunks, ` +
      `${corpus.documents.reduce((n, d) => n + d.indicators.length, 0)} indicator rows, ` +
      `${corpus.documents.reduce((n, d) => n + d.serviceAreas.length, 0)} service areas, ${rules.length} rules, ${library.length} library questions` +
      (corpus.superseded.length ? `, ${corpus.superseded.length} superseded edition(s) left out` : ""),
  );

  const tokenizer = createTokenizer(domainWords);
  progress("lexical", `BM25 over ${corpus.chunks.length} chunks and ${library.length} library questions`);
  const lexical = buildLexical(corpus.chunks, tokenizer);
  const matching = libraryForMatching(corpus, library);
  const storedLibrary: StoredLibrary = buildLibraryIndex(matching, tokenizer);

  progress("embeddings", config.embeddings.provider);
  const phrasings = new Map<string, string[]>();
  for (const q of matching) phrasings.set(q.chunkId, [...(phrasings.get(q.chunkId) ?? []), q.match]);
  const texts = corpus.chunks.map((c) => embeddingText(c, phrasings.get(c.id) ?? []));
  const { embeddings, local } = embeddingsFor(config, texts, tokenizer);
  const vectors = await embeddings.embedDocuments(texts);
  const dimensions = vectors[0]?.length ?? 0;

  progress("vectors", `HNSW over ${vectors.length} vectors of ${dimensions} dimensions`);
  const vectorIndex = await buildVectorIndex(
    embeddings,
    vectors,
    corpus.chunks.map((c, index) => ({ index, city: c.city, id: c.id, text: c.text })),
  );

  const inputsHash = sha256(
    JSON.stringify({
      format: INDEX_FORMAT_VERSION,
      tool: TOOL_VERSION,
      manifest: corpus.manifest,
      documents: corpus.checksums,
      lexicon,
      library,
      standards,
      domainWords,
      rules: ruleSources,
      embeddings: config.embeddings.provider === "local" ? config.embeddings : { model: config.embeddings.model },
    }),
  );
  const createdAt = new Date();
  // Time, inputs, and a random part: two builds finishing in the same millisecond still differ.
  const id = `${timestamp(createdAt)}-${inputsHash.slice(0, 8)}-${randomBytes(3).toString("hex")}`;
  const buildsDir = path.join(config.indexDir, "builds");
  const tmp = path.join(buildsDir, `.tmp-${id}-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    progress("write", tmp);
    const stored: StoredCorpus = {
      documents: corpus.documents.map((d) => ({
        meta: d.meta,
        text: d.text,
        notes: d.notes,
        blocks: d.blocks.map((b) => ({
          kind: b.kind,
          start: b.start,
          end: b.end,
          location: [b.location.chapter, b.location.section, b.location.subsection, b.location.box]
            .filter(Boolean)
            .map((h) => h?.label)
            .join(" › "),
          ...(b.lead ? { lead: b.lead } : {}),
        })),
      })),
      chunks: corpus.chunks,
      indicators: corpus.documents.flatMap((d) => d.indicators),
      serviceAreas: corpus.documents.flatMap((d) => d.serviceAreas),
      lexicon,
      standards,
      domainWords,
    };
    writeFileSync(path.join(tmp, "corpus.json"), JSON.stringify(stored));
    writeFileSync(path.join(tmp, "lexical.json"), JSON.stringify(lexical));
    writeFileSync(path.join(tmp, "rules.json"), JSON.stringify(rules));
    writeFileSync(path.join(tmp, "library.json"), JSON.stringify(storedLibrary));
    if (local) {
      mkdirSync(path.join(tmp, "embeddings"));
      saveLocalModel(local, path.join(tmp, "embeddings"));
    }
    await vectorIndex.save(path.join(tmp, "hnswlib"));

    const files = Object.fromEntries(listFiles(tmp).map((f) => [f, sha256(readFileSync(path.join(tmp, f)))]));
    const manifest: BuildManifest = {
      formatVersion: INDEX_FORMAT_VERSION,
      id,
      createdAt: createdAt.toISOString(),
      toolVersion: TOOL_VERSION,
      inputsHash,
      documents: corpus.documents.map((d) => ({
        id: d.meta.id,
        title: d.meta.title,
        city: d.meta.city,
        status: d.meta.status,
        period: d.meta.period,
        file: d.meta.file,
        sha256: corpus.checksums[d.meta.id] as string,
        chunks: corpus.chunks.filter((c) => c.docId === d.meta.id).length,
      })),
      counts: {
        documents: corpus.documents.length,
        chunks: corpus.chunks.length,
        indicators: stored.indicators.length,
        serviceAreas: stored.serviceAreas.length,
        rules: rules.length,
        libraryQuestions: library.length,
      },
      embeddings: {
        provider: config.embeddings.provider,
        dimensions,
        ...(config.embeddings.provider === "openai-compatible" ? { model: config.embeddings.model } : {}),
      },
      buildMs: Math.round(performance.now() - started),
      files,
    };
    writeFileSync(path.join(tmp, "build.json"), JSON.stringify(manifest, null, 2));
    // A fresh id: the rename never replaces (let alone first deletes) another build's directory.
    const dir = path.join(buildsDir, id);
    renameSync(tmp, dir);
    if (options.activate !== false) {
      const { corrupt } = withIndexLock(config.indexDir, () => {
        setCurrentBuild(config.indexDir, id);
        return pruneBuilds(config.indexDir, options.keep ?? config.indexKeep);
      });
      for (const bad of corrupt) options.log.warn(`build ${bad} fails verification: left in ${buildsDir} for inspection (not counted, not pruned); delete it when done`);
    }
    progress("done", `${id} in ${manifest.buildMs} ms`);
    return { id, dir, manifest, stats: corpus.stats };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}
