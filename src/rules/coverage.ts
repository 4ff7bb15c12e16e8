import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type Lexicon } from "../corpus/lexicon.ts";
import { matchLexicon } from "../corpus/lexicon-match.ts";
import { readYamlFile } from "../util/files.ts";
import type { Chunk } from "../corpus/types.ts";
import { normalizeText, squash } from "../util/normalize.ts";
import { COVERAGE_FILE } from "./catalog.ts";

/*
 * The rule-coverage audit: every sentence of the plans that names a group of people (the lexicon's
 * `groups`, service providers left out) together with what it gives them or how it treats them
 * (`treatment` and benefit words: 优先, 免费, 补贴, 救助, 放宽, 试点 …) should be a rule, or be
 * explained in seeds/rules/coverage.yaml (a goal with no group, a statistic, an institution …).
 */

export const COVERAGE_REASONS = [
  "statistic", // a past result or a count ("累计发放…35.8万人次")
  "goal", // an aim with no one who can claim anything ("提升残疾人保障和发展能力")
  "institution", // building institutions, systems, platforms, staff ("建设…救治中心", "建立…数据库")
  "duplicate", // the same group and treatment as another sentence that is a rule
  "rights", // general rights protection with no service to claim ("保障妇女和未成年人合法权益")
  "provider", // about those who provide a service, not those who receive it
] as const;

export const CoverageEntrySchema = z
  .object({
    doc: z.string().min(1),
    /** A verbatim part of the sentence (whitespace aside). */
    quote: z.string().min(4),
    reason: z.enum(COVERAGE_REASONS),
    note: z.string().min(2).optional(),
  })
  .strict();
export type CoverageEntry = z.infer<typeof CoverageEntrySchema>;

export const CoverageFileSchema = z.object({ explained: z.array(CoverageEntrySchema).default([]) }).strict();

/** `seeds/rules/coverage.yaml` (empty when absent). */
export function loadCoverageFile(seedsDir: string): CoverageEntry[] {
  const file = path.join(seedsDir, "rules", COVERAGE_FILE);
  if (!existsSync(file)) return [];
  return readYamlFile(file, CoverageFileSchema, "RULES_INVALID").explained;
}

/** A sentence of the plans that names a group and what it gets. */
export interface GroupSentence {
  docId: string;
  city: string;
  chunkId: string;
  /** The sentence, verbatim. */
  quote: string;
  /** The standard terms of the groups it names. */
  groups: string[];
}

/** Sentence ends for the audit: 。 and ；, since plan sentences chain clauses with ；. */
const SENTENCE = /[^。；！？]+[。；！？]?/g;

/**
 * Every sentence of the passages (tables and lists left out: their rows are covered by the
 * service-list rules) that names a receiving group and a treatment.
 *
 * @example
 * groupSentences(chunks, lexicon).find((s) => s.quote.includes("优先招录聘用退役军人"))?.groups // ["退役军人"]
 */
export function groupSentences(chunks: readonly Chunk[], lexicon: Lexicon): GroupSentence[] {
  const out: GroupSentence[] = [];
  for (const c of chunks) {
    if (c.kind === "table-row" || c.kind === "service-area" || c.kind === "note") continue;
    for (const m of c.text.matchAll(SENTENCE)) {
      const quote = m[0].trim();
      if ([...quote].length < 8) continue;
      const words = matchLexicon(lexicon, normalizeText(quote), ["groups", "intents"]);
      const groups = [...new Set(words.filter((w) => w.entry.kind === "groups" && !w.entry.provider).map((w) => w.entry.term))];
      const treats = words.some((w) => w.entry.term === "treatment" || w.entry.term === "list_benefit");
      if (groups.length > 0 && treats) out.push({ docId: c.docId, city: c.city, chunkId: c.id, quote, groups });
    }
  }
  return out;
}

export interface CoverageReport {
  sentences: number;
  covered: number;
  explained: number;
  uncovered: { docId: string; quote: string; groups: string[] }[];
  /** Explanations that match no detected sentence (stale after a plan changed). */
  unused: CoverageEntry[];
}

/**
 * Which group sentences a rule cites (a rule quote inside the sentence, or the sentence inside a
 * quote) and which coverage.yaml explains; the rest are uncovered.
 */
export function coverageReport(
  sentences: readonly GroupSentence[],
  ruleQuotes: readonly { doc: string; text: string }[],
  explained: readonly CoverageEntry[],
): CoverageReport {
  const quotes = ruleQuotes.map((q) => ({ doc: q.doc, flat: squash(q.text) }));
  const notes = explained.map((e) => ({ entry: e, flat: squash(e.quote), used: false }));
  let covered = 0;
  let explainedCount = 0;
  const uncovered: CoverageReport["uncovered"] = [];
  for (const s of sentences) {
    const flat = squash(s.quote);
    if (quotes.some((q) => q.doc === s.docId && (flat.includes(q.flat) || q.flat.includes(flat)))) {
      covered++;
      continue;
    }
    const note = notes.find((n) => n.entry.doc === s.docId && flat.includes(n.flat));
    if (note) {
      note.used = true;
      explainedCount++;
      continue;
    }
    uncovered.push({ docId: s.docId, quote: s.quote, groups: s.groups });
  }
  return { sentences: sentences.length, covered, explained: explainedCount, uncovered, unused: notes.filter((n) => !n.used).map((n) => n.entry) };
}
