import type { Interpretation } from "../contract/answer.ts";

/*
 * The question log's storage: one small interface (migrate, write, prune, list, close) with two
 * implementations — SQLite in MINSHENG_STATE_DIR (sqlite.ts, the default: nothing to run) and
 * PostgreSQL for several replicas (postgres.ts, DATABASE_URL). The schema is versioned: each
 * migration has a number and runs once, in order, in one transaction with its record in
 * schema_migrations. Every text stored has been redacted before it reaches a store.
 */

/** Where a question came from. */
export type Channel = "http" | "telegram" | "cli";

/** One logged question, as stored (texts redacted). */
export interface LoggedQuestion {
  id: string;
  /** When it was asked (ms since the epoch). */
  askedAt: number;
  channel: Channel;
  city: string | null;
  kind: string;
  reason: string | null;
  question: string;
  interpretation: Interpretation | null;
  /** The cited passages, best first. */
  chunkIds: string[];
  latencyMs: number;
  buildId: string | null;
  feedback: "up" | "down" | null;
  /** The passage a maintainer linked the question to in the review (library entry written). */
  linkedChunk: string | null;
  linkedAt: number | null;
}

export type NewQuestion = Omit<LoggedQuestion, "feedback" | "linkedChunk" | "linkedAt">;

/** One change to the log; a batch is written in one transaction, in order. */
export type LogOp =
  | { op: "insert"; row: NewQuestion }
  | { op: "feedback"; id: string; rating: "up" | "down" }
  | { op: "link"; ids: string[]; chunkId: string; at: number };

export interface ListFilter {
  /** Only questions asked at or after this time (ms). */
  since?: number | undefined;
  /** Only refused (out_of_scope), not_stated and 👎 answers. */
  unanswered?: boolean | undefined;
  /** Include questions already linked to a passage (default: left out with `unanswered`). */
  includeLinked?: boolean | undefined;
  /** Newest first, at most this many. */
  limit?: number | undefined;
}

export interface QuestionStore {
  /** "sqlite /path/questions.sqlite" or "postgres host:port/db" (never a password): for log lines. */
  readonly description: string;
  /** Apply the migrations not yet applied; returns the schema version. Safe to call again. */
  migrate(): Promise<number>;
  write(ops: readonly LogOp[]): Promise<void>;
  /** Delete questions asked before `before` (ms); returns how many. */
  prune(before: number): Promise<number>;
  list(filter: ListFilter): Promise<LoggedQuestion[]>;
  close(): Promise<void>;
}

/** Answer kinds the review shows as refused or not stated. */
export const UNANSWERED_KINDS = ["out_of_scope", "not_stated"] as const;

export interface Migration {
  version: number;
  name: string;
  sqlite: string[];
  postgres: string[];
}

/**
 * The schema, version by version. Never edit a released migration: add the next one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "question log",
    sqlite: [
      `CREATE TABLE question_log (
        id TEXT PRIMARY KEY,
        asked_at INTEGER NOT NULL,
        channel TEXT NOT NULL,
        city TEXT,
        kind TEXT NOT NULL,
        reason TEXT,
        question TEXT NOT NULL,
        interpretation TEXT,
        chunk_ids TEXT NOT NULL DEFAULT '[]',
        latency_ms REAL NOT NULL,
        build_id TEXT,
        feedback TEXT CHECK (feedback IN ('up', 'down'))
      )`,
      "CREATE INDEX question_log_asked_at ON question_log (asked_at)",
    ],
    postgres: [
      `CREATE TABLE question_log (
        id TEXT PRIMARY KEY,
        asked_at BIGINT NOT NULL,
        channel TEXT NOT NULL,
        city TEXT,
        kind TEXT NOT NULL,
        reason TEXT,
        question TEXT NOT NULL,
        interpretation TEXT,
        chunk_ids TEXT NOT NULL DEFAULT '[]',
        latency_ms DOUBLE PRECISION NOT NULL,
        build_id TEXT,
        feedback TEXT CHECK (feedback IN ('up', 'down'))
      )`,
      "CREATE INDEX question_log_asked_at ON question_log (asked_at)",
    ],
  },
  {
    version: 2,
    name: "review links",
    sqlite: [
      "ALTER TABLE question_log ADD COLUMN linked_chunk TEXT",
      "ALTER TABLE question_log ADD COLUMN linked_at INTEGER",
      "CREATE INDEX question_log_kind ON question_log (kind, asked_at)",
    ],
    postgres: [
      "ALTER TABLE question_log ADD COLUMN linked_chunk TEXT",
      "ALTER TABLE question_log ADD COLUMN linked_at BIGINT",
      "CREATE INDEX question_log_kind ON question_log (kind, asked_at)",
    ],
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** A database written by a newer release: this one must not write into it. */
export class SchemaTooNewError extends Error {
  constructor(found: number) {
    super(`the question log's schema is version ${found}, newer than this release knows (${SCHEMA_VERSION}): upgrade minsheng`);
    this.name = "SchemaTooNewError";
  }
}

/** The WHERE clause and parameters of a list filter; `param(i)` spells the i-th placeholder. */
export function listWhere(filter: ListFilter, param: (i: number) => string): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.since !== undefined) {
    params.push(filter.since);
    clauses.push(`asked_at >= ${param(params.length)}`);
  }
  if (filter.unanswered) {
    clauses.push(`(kind IN (${UNANSWERED_KINDS.map((k) => `'${k}'`).join(", ")}) OR feedback = 'down')`);
    if (!filter.includeLinked) clauses.push("linked_chunk IS NULL");
  }
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/** A stored row (either database's column names) as a LoggedQuestion. */
export function fromRow(r: Record<string, unknown>): LoggedQuestion {
  const json = <T>(v: unknown, fallback: T): T => {
    if (typeof v !== "string") return fallback;
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  };
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: String(r.id),
    askedAt: Number(r.asked_at),
    channel: String(r.channel) as Channel,
    city: (r.city as string | null) ?? null,
    kind: String(r.kind),
    reason: (r.reason as string | null) ?? null,
    question: String(r.question),
    interpretation: json<Interpretation | null>(r.interpretation, null),
    chunkIds: json<string[]>(r.chunk_ids, []),
    latencyMs: Number(r.latency_ms),
    buildId: (r.build_id as string | null) ?? null,
    feedback: (r.feedback as "up" | "down" | null) ?? null,
    linkedChunk: (r.linked_chunk as string | null) ?? null,
    linkedAt: num(r.linked_at),
  };
}

/** The column values of a new row, in INSERT order. */
export const INSERT_COLUMNS = ["id", "asked_at", "channel", "city", "kind", "reason", "question", "interpretation", "chunk_ids", "latency_ms", "build_id"] as const;

export function insertValues(row: NewQuestion): unknown[] {
  return [
    row.id,
    row.askedAt,
    row.channel,
    row.city,
    row.kind,
    row.reason,
    row.question,
    row.interpretation ? JSON.stringify(row.interpretation) : null,
    JSON.stringify(row.chunkIds),
    row.latencyMs,
    row.buildId,
  ];
}
