import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Answer } from "../contract/answer.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { redact } from "../redact.ts";
import { postgresStore } from "./postgres.ts";
import { SQLITE_FILE, sqliteStore } from "./sqlite.ts";
import type { Channel, ListFilter, LoggedQuestion, LogOp, NewQuestion, QuestionStore } from "./store.ts";

/*
 * The question log: every answered question (redacted) with its channel, city, kind, reason,
 * interpretation, cited passages, latency, build and — later — the resident's 👍/👎. It never holds
 * up an answer: recording only queues a row; rows are written in batches (every FLUSH_MS or
 * BATCH rows) off the answer path. When the database is unavailable (down, refusing the password,
 * a corrupt or locked file) the log says why once, keeps up to MAX_PENDING changes in memory and
 * retries with backoff; when it is back it writes them and says so. /healthz shows its status.
 */

const FLUSH_MS = 1000;
const BATCH = 500;
const MAX_PENDING = 20_000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
const PRUNE_EVERY_MS = 3600_000;
/** Longest question text kept (questions over QUESTION_MAX_CHARS are refused, but logged). */
const MAX_QUESTION_CHARS = 2000;

export type LogStatus = "up" | "down";

export interface QuestionLogStats {
  written: number;
  pending: number;
  dropped: number;
  /** Total time spent in batch writes (ms) and their number. */
  flushMs: number;
  flushes: number;
}

export interface QuestionLog {
  /** False when QUESTION_LOG_DAYS=0: nothing is stored and nothing connects. */
  readonly enabled: boolean;
  readonly description: string;
  /** Queue one answered question; returns its id (for feedback), undefined when the log is off. */
  record(entry: { channel: Channel; question: string; answer: Answer; latencyMs: number; buildId?: string | undefined }): string | undefined;
  /** Queue a resident's rating of a logged answer. */
  feedback(id: string, rating: "up" | "down"): void;
  /** Mark logged questions as linked to a passage (the review wrote their library entry). */
  link(ids: readonly string[], chunkId: string): Promise<void>;
  /** Read questions (review, export): fails when the database is unavailable. */
  list(filter: ListFilter): Promise<LoggedQuestion[]>;
  /** "up" when the last attempt to use the database worked. */
  status(): LogStatus;
  stats(): QuestionLogStats;
  /** Write what is queued now (resolves when written, or when the attempt failed). */
  flush(): Promise<void>;
  /** Write what is queued (for at most `graceMs`), then close the database. */
  close(graceMs?: number): Promise<void>;
}

export interface QuestionLogOptions {
  log: Logger;
  /** Days kept: older questions are deleted at start and hourly. */
  days: number;
  now?: () => number;
}

/** Redact every text of an interpretation. */
function redactInterpretation(i: Answer["interpretation"]): LoggedQuestion["interpretation"] {
  if (!i) return null;
  return { ...i, question: redact(i.question), topic: redact(i.topic), asks: redact(i.asks) };
}

/** The stored row of one answered question: every text redacted. */
export function questionRow(entry: { channel: Channel; question: string; answer: Answer; latencyMs: number; buildId?: string | undefined }, id: string, askedAt: number): NewQuestion {
  const a = entry.answer;
  return {
    id,
    askedAt,
    channel: entry.channel,
    city: a.city === null ? null : redact(a.city),
    kind: a.kind,
    reason: a.reason === undefined ? null : redact(a.reason),
    // Redacted before it is cut, so a number across the cut cannot leave its first digits behind.
    question: redact(entry.question).slice(0, MAX_QUESTION_CHARS),
    interpretation: redactInterpretation(a.interpretation),
    chunkIds: a.citations.map((c) => c.chunkId),
    latencyMs: Math.round(entry.latencyMs * 1000) / 1000,
    buildId: entry.buildId ?? a.indexId ?? null,
  };
}

/** A log that stores nothing (QUESTION_LOG_DAYS=0). */
export function disabledQuestionLog(): QuestionLog {
  const off = () => Promise.reject(new Error("the question log is off (QUESTION_LOG_DAYS=0)"));
  return {
    enabled: false,
    description: "off",
    record: () => undefined,
    feedback: () => undefined,
    link: off,
    list: off,
    status: () => "up",
    stats: () => ({ written: 0, pending: 0, dropped: 0, flushMs: 0, flushes: 0 }),
    flush: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * A batched, outage-tolerant log over `store`. Migrates (and prunes) in the background at once.
 *
 * @example
 * const qlog = createQuestionLog(sqliteStore(".state/questions.sqlite"), { log, days: 90 });
 * const id = qlog.record({ channel: "http", question, answer, latencyMs: 3.2 });
 */
export function createQuestionLog(store: QuestionStore, options: QuestionLogOptions): QuestionLog {
  const { log } = options;
  const now = options.now ?? Date.now;
  let queue: LogOp[] = [];
  let ready = false;
  let down: { since: number; reason: string } | undefined;
  let retryMs = RETRY_MIN_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  let lastPrune = 0;
  const stats: QuestionLogStats = { written: 0, pending: 0, dropped: 0, flushMs: 0, flushes: 0 };
  let droppedThisOutage = 0;

  const markDown = (error: unknown) => {
    const reason = (error as Error)?.message ?? String(error);
    if (down) return;
    down = { since: now(), reason };
    log.error(
      `question log unavailable (${store.description}: ${reason}): answering without it; questions are kept in memory (up to ${MAX_PENDING}) and written when it is back`,
    );
  };
  const markUp = (queued: number) => {
    retryMs = RETRY_MIN_MS;
    if (!down) return;
    const seconds = ((now() - down.since) / 1000).toFixed(1);
    log.info(
      `question log is back after ${seconds} s (${store.description}): writing the ${queued} change(s) queued meanwhile${droppedThisOutage ? `; ${droppedThisOutage} were dropped (queue full)` : ""}`,
    );
    down = undefined;
    droppedThisOutage = 0;
  };

  const schedule = (ms: number) => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, ms);
    timer.unref();
  };

  const prepare = async () => {
    if (!ready) {
      await store.migrate();
      ready = true;
    }
    if (options.days > 0 && now() - lastPrune >= PRUNE_EVERY_MS) {
      const deleted = await store.prune(now() - options.days * 86_400_000);
      lastPrune = now();
      if (deleted > 0) log.info(`question log: ${deleted} question(s) older than ${options.days} days deleted`);
    }
  };

  const flushOnce = async (): Promise<void> => {
    const batch = queue.slice(0, BATCH);
    const started = performance.now();
    try {
      await prepare();
      await store.write(batch);
    } catch (error) {
      markDown(error);
      schedule(retryMs);
      retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      return;
    } finally {
      stats.flushMs += performance.now() - started;
      stats.flushes++;
    }
    // Records queued meanwhile were appended; the written batch is the queue's head.
    queue = queue.slice(batch.length);
    stats.written += batch.length;
    markUp(batch.length + queue.length);
    if (queue.length > 0) schedule(queue.length >= BATCH ? 0 : FLUSH_MS);
  };

  /** Write everything queued (batch by batch) unless an attempt fails; waits for a write under way first. */
  const flush = async (): Promise<void> => {
    while (running) await running;
    if (queue.length === 0 && ready) return;
    do {
      const run = flushOnce().finally(() => {
        if (running === run) running = undefined;
      });
      running = run;
      await run;
    } while (queue.length > 0 && !down && !closed);
  };

  const enqueue = (op: LogOp) => {
    if (closed) return;
    queue.push(op);
    if (queue.length > MAX_PENDING) {
      // The oldest go first; ratings and links are kept over questions where possible.
      const at = queue.findIndex((o) => o.op === "insert");
      queue.splice(at >= 0 ? at : 0, 1);
      stats.dropped++;
      droppedThisOutage++;
    }
    if (!down) schedule(queue.length >= BATCH ? 0 : FLUSH_MS);
  };

  // Migrate (and prune) now, so /healthz tells a broken database at start.
  void flush();

  return {
    enabled: true,
    description: store.description,
    record(entry) {
      const id = randomBytes(12).toString("base64url");
      enqueue({ op: "insert", row: questionRow(entry, id, now() - Math.round(entry.latencyMs)) });
      return id;
    },
    feedback(id, rating) {
      enqueue({ op: "feedback", id, rating });
    },
    async link(ids, chunkId) {
      enqueue({ op: "link", ids: [...ids], chunkId, at: now() });
      await flush();
    },
    async list(filter) {
      try {
        if (!ready) {
          await store.migrate();
          ready = true;
        }
        const rows = await store.list(filter);
        return rows;
      } catch (error) {
        markDown(error);
        throw error;
      }
    },
    status: () => (down ? "down" : "up"),
    stats: () => ({ ...stats, pending: queue.length }),
    flush,
    async close(graceMs = 3000) {
      clearTimeout(timer);
      timer = undefined;
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([flush(), deadline]);
      closed = true;
      if (queue.length > 0) log.warn(`question log closed with ${queue.length} change(s) not written (${store.description} unavailable)`);
      await store.close().catch(() => undefined);
    },
  };
}

/**
 * The question log the configuration asks for: off (QUESTION_LOG_DAYS=0), PostgreSQL
 * (DATABASE_URL) or SQLite in MINSHENG_STATE_DIR.
 */
export function openQuestionLog(config: Config, log: Logger): QuestionLog {
  const { databaseUrl, days } = config.questionLog;
  if (days === 0) return disabledQuestionLog();
  const store = databaseUrl ? postgresStore(databaseUrl) : sqliteStore(path.join(config.stateDir, SQLITE_FILE));
  return createQuestionLog(store, { log, days });
}
