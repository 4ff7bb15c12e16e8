import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Answer } from "./contract/answer.ts";

/*
 * Prometheus metrics (prom-client, a registry of our own): answers by kind, city and channel, answer
 * latency, the live build and its reloads, rate-limited requests, the health of Redis and the
 * question log's database. Served as text by GET /metrics when METRICS=true.
 */

export interface MetricsSources {
  /** The live build's id. */
  build?: () => string;
  /** Optional peers and their health ("up" | "down"). */
  health?: () => Record<string, "up" | "down">;
  /** Question log queue: changes not yet written, and dropped ones. */
  questionLog?: () => { pending: number; dropped: number };
}

export interface Metrics {
  readonly registry: Registry;
  /** One answered question. */
  observeAnswer(channel: string, answer: Pick<Answer, "kind" | "city">, seconds: number): void;
  /** One reload attempt: "ok" (a new build), "unchanged" or "refused". */
  reload(result: "ok" | "unchanged" | "refused"): void;
  /** One request refused by the per-IP rate limit. */
  rateLimited(): void;
  /** Where scrape-time values come from (set once the services run). */
  setSources(sources: MetricsSources): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

/**
 * A fresh set of metrics.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.observeAnswer("http", answer, 0.004);
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "minsheng_" });
  let sources: MetricsSources = {};

  const answers = new Counter({
    name: "minsheng_answers_total",
    help: "Answered questions by answer kind, city (none: both or unknown) and channel",
    labelNames: ["kind", "city", "channel"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "minsheng_answer_duration_seconds",
    help: "Time to answer one question (the core, without the network)",
    labelNames: ["channel"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const reloads = new Counter({
    name: "minsheng_index_reloads_total",
    help: "Index reload attempts by result (ok: a new build went live; unchanged; refused: the old build keeps serving)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: "minsheng_http_rate_limited_total",
    help: "HTTP requests refused by the per-IP rate limit (429)",
    registers: [registry],
  });
  new Gauge({
    name: "minsheng_index_build_info",
    help: "The live index build (value 1, the build id as a label)",
    labelNames: ["build"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const build = sources.build?.();
      if (build) this.set({ build }, 1);
    },
  });
  new Gauge({
    name: "minsheng_peer_up",
    help: "Health of optional peers (redis, database): 1 up, 0 down",
    labelNames: ["peer"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [peer, status] of Object.entries(sources.health?.() ?? {})) this.set({ peer }, status === "up" ? 1 : 0);
    },
  });
  new Gauge({
    name: "minsheng_question_log_pending",
    help: "Question log changes waiting to be written (grows while the database is unavailable)",
    registers: [registry],
    collect() {
      this.set(sources.questionLog?.().pending ?? 0);
    },
  });
  new Gauge({
    name: "minsheng_question_log_dropped",
    help: "Question log changes dropped since start because the queue was full during an outage",
    registers: [registry],
    collect() {
      this.set(sources.questionLog?.().dropped ?? 0);
    },
  });

  return {
    registry,
    observeAnswer(channel, answer, seconds) {
      answers.inc({ kind: answer.kind, city: answer.city ?? "none", channel });
      latency.observe({ channel }, seconds);
    },
    reload: (result) => reloads.inc({ result }),
    rateLimited: () => limited.inc(),
    setSources(next) {
      sources = { ...sources, ...next };
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
