import { groupQuestions, reviewStatus, type QuestionGroup } from "./group.ts";
import type { QuestionLog } from "./log.ts";
import type { LoggedQuestion } from "./store.ts";

/*
 * What the review shows and exports: the unanswered questions (refused, not stated, 👎) of a period,
 * grouped by similar wording, and the log as CSV.
 */

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * A `--since` value as a time (ms): a span back from now (`7d`, `12h`, `30m`, `2w`) or a date
 * (`2026-05-01`, ISO date-time). Undefined for anything else.
 *
 * @example
 * parseSince("7d", Date.parse("2026-05-08T00:00:00Z")) // Date.parse("2026-05-01T00:00:00Z")
 */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const span = /^(\d{1,5})([mhdw])$/.exec(value.trim());
  if (span) return now - Number(span[1]) * (UNITS[span[2] as string] as number);
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const t = Date.parse(value.trim());
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export interface UnansweredReview {
  since: string | null;
  total: number;
  statuses: { refused: number; not_stated: number; down: number };
  groups: QuestionGroup[];
  /** Questions past the grouping limit (the least asked wordings). */
  omitted: number;
}

/** The unanswered questions since `since` (ms; all kept when undefined), grouped. */
export async function unansweredReview(qlog: QuestionLog, options: { since?: number | undefined; includeLinked?: boolean } = {}): Promise<UnansweredReview> {
  const rows = await qlog.list({ since: options.since, unanswered: true, includeLinked: options.includeLinked ?? false });
  const statuses = { refused: 0, not_stated: 0, down: 0 };
  for (const r of rows) {
    const s = reviewStatus(r);
    if (s) statuses[s]++;
  }
  const { groups, omitted } = groupQuestions(rows);
  return { since: options.since === undefined ? null : new Date(options.since).toISOString(), total: rows.length, statuses, groups, omitted };
}

/** One CSV cell: quoted when needed; a leading = + - @ is defused so spreadsheets never run it as a formula. */
function cell(value: unknown): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = [
  "asked_at",
  "channel",
  "city",
  "kind",
  "reason",
  "review_status",
  "group",
  "question",
  "interpreted_as",
  "topic",
  "asks",
  "chunk_ids",
  "latency_ms",
  "build_id",
  "feedback",
  "linked_chunk",
] as const;

/**
 * The log as CSV (UTF-8 with a BOM so spreadsheet programs read the Chinese right): one row per
 * question, newest first, with the review group of unanswered ones.
 */
export function toCsv(rows: readonly LoggedQuestion[]): string {
  const unanswered = rows.filter((r) => reviewStatus(r) !== undefined);
  const groupOf = new Map<string, string>();
  for (const g of groupQuestions(unanswered).groups) for (const id of g.ids) groupOf.set(id, g.key);
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of rows) {
    lines.push(
      [
        new Date(r.askedAt).toISOString(),
        r.channel,
        r.city,
        r.kind,
        r.reason,
        reviewStatus(r) ?? "",
        groupOf.get(r.id) ?? "",
        r.question,
        r.interpretation?.question,
        r.interpretation?.topic,
        r.interpretation?.asks,
        r.chunkIds.join(" "),
        r.latencyMs,
        r.buildId,
        r.feedback,
        r.linkedChunk,
      ]
        .map(cell)
        .join(","),
    );
  }
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}
