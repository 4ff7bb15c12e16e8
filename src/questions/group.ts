import { sha256 } from "../util/files.ts";
import { charBigrams } from "../util/text.ts";
import { normalizeText } from "../util/normalize.ts";
import type { LoggedQuestion } from "./store.ts";

/*
 * Grouping similar wordings for the review: lexical similarity is enough (the same request in other
 * words mostly shares its character pairs: 老人饭堂在哪吃 / 老年人饭堂在哪里吃). Distinct wordings are
 * compared as sets of character bigrams (Dice coefficient) and joined greedily, most asked first,
 * to the first group holding a wording at least THRESHOLD similar (single linkage).
 */

export const THRESHOLD = 0.5;
/** Distinct wordings grouped (the most asked); the rest are counted in `omitted`. */
const MAX_WORDINGS = 5000;

/** Why a question is in the review. */
export type ReviewStatus = "refused" | "not_stated" | "down";

export interface GroupQuestion {
  text: string;
  count: number;
}

export interface QuestionGroup {
  /** Stable while the group's most asked wording stays the same. */
  key: string;
  /** The most asked wording. */
  label: string;
  count: number;
  firstAsked: string;
  lastAsked: string;
  statuses: Record<ReviewStatus, number>;
  cities: string[];
  channels: string[];
  topics: string[];
  /** Distinct wordings, most asked first. */
  questions: GroupQuestion[];
  /** The logged rows (for linking them). */
  ids: string[];
  /** Passages already linked (with includeLinked). */
  linked: string[];
}

/** Normalised for comparison: simplified, half-width, lower case, no spaces or punctuation. */
export function comparable(text: string): string {
  return normalizeText(text).replace(/[\s\p{P}\p{S}]+/gu, "");
}

/** Character bigrams (a one-character text is its own feature). */
export function bigrams(text: string): Set<string> {
  const chars = [...text];
  return new Set(chars.length < 2 ? chars : charBigrams(text));
}

/** Dice coefficient of two feature sets (1: same, 0: nothing shared). */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) shared++;
  return (2 * shared) / (a.size + b.size);
}

export function reviewStatus(q: Pick<LoggedQuestion, "kind" | "feedback">): ReviewStatus | undefined {
  if (q.kind === "out_of_scope") return "refused";
  if (q.kind === "not_stated") return "not_stated";
  if (q.feedback === "down") return "down";
  return undefined;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Group questions by similar wording; groups are ordered by how often they were asked (then by
 * the latest question).
 *
 * @example
 * groupQuestions(rows)[0] // { label: "六安老人饭堂在哪吃", count: 7, questions: [...], ... }
 */
export function groupQuestions(rows: readonly LoggedQuestion[], threshold = THRESHOLD): { groups: QuestionGroup[]; omitted: number } {
  const byWording = new Map<string, { text: string; rows: LoggedQuestion[]; features: Set<string>; forms: Map<string, number> }>();
  for (const r of rows) {
    const key = comparable(r.question);
    let w = byWording.get(key);
    if (!w) byWording.set(key, (w = { text: r.question, rows: [], features: bigrams(key), forms: new Map() }));
    w.rows.push(r);
    w.forms.set(r.question, (w.forms.get(r.question) ?? 0) + 1);
  }
  // A wording is shown as its most frequent form (ties: the shortest, then the first in code order),
  // so the label does not depend on the order rows were read in.
  for (const w of byWording.values()) {
    w.text = [...w.forms].sort((a, b) => b[1] - a[1] || [...a[0]].length - [...b[0]].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]?.[0] ?? w.text;
  }
  const latest = (rs: readonly LoggedQuestion[]) => Math.max(...rs.map((r) => r.askedAt));
  const wordings = [...byWording.values()].sort((a, b) => b.rows.length - a.rows.length || latest(b.rows) - latest(a.rows));
  const kept = wordings.slice(0, MAX_WORDINGS);
  const omitted = wordings.slice(MAX_WORDINGS).reduce((n, w) => n + w.rows.length, 0);

  const clusters: (typeof kept)[] = [];
  for (const w of kept) {
    const home = clusters.find((c) => c.some((m) => similarity(m.features, w.features) >= threshold));
    if (home) home.push(w);
    else clusters.push([w]);
  }

  const groups = clusters.map((members): QuestionGroup => {
    const all = members.flatMap((m) => m.rows);
    const times = all.map((r) => r.askedAt);
    const statuses: Record<ReviewStatus, number> = { refused: 0, not_stated: 0, down: 0 };
    for (const r of all) {
      const s = reviewStatus(r);
      if (s) statuses[s]++;
    }
    const distinct = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => Boolean(x)))].sort();
    const label = (members[0] as { text: string }).text;
    return {
      key: sha256(comparable(label)).slice(0, 12),
      label,
      count: all.length,
      firstAsked: day(Math.min(...times)),
      lastAsked: day(Math.max(...times)),
      statuses,
      cities: distinct(all.map((r) => r.city)),
      channels: distinct(all.map((r) => r.channel)),
      topics: distinct(all.map((r) => r.interpretation?.topic)),
      questions: members.map((m) => ({ text: m.text, count: m.rows.length })),
      ids: all.map((r) => r.id),
      linked: distinct(all.map((r) => r.linkedChunk)),
    };
  });
  groups.sort((a, b) => b.count - a.count || b.lastAsked.localeCompare(a.lastAsked));
  return { groups, omitted };
}
