import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type Served } from "../../helpers.ts";

/*
 * GET /metrics on a running `serve` (METRICS=true): what the services feed it — answers by kind,
 * city and channel, latency, the live build, reloads by result, rate-limited requests, the question
 * log's database — in Prometheus text. Off by default.
 */

const TOKEN = "metrics-admin-token-123456";

const metric = (text: string, name: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

describe("metrics of a running server", () => {
  let served: Served;
  beforeAll(async () => {
    served = await startServe({ METRICS: "true", ADMIN_TOKEN: TOKEN, HTTP_RATE_LIMIT_MAX: "12", INDEX_WATCH: "false" });
  });
  afterAll(async () => {
    await served?.stop();
  });

  const scrape = async () => {
    const res = await fetch(`${served.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it("counts answers, latency, reloads, rate-limited requests; names the build and the database", async () => {
    const ask = (question: string) => fetch(`${served.base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question }) });
    expect((await ask("六安低保标准是多少")).status).toBe(200);
    expect((await ask("淮南低保标准是多少")).status).toBe(200);
    expect((await ask("今天天气怎么样")).status).toBe(200);
    const reload = await fetch(`${served.base}/api/admin/reload`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(reload.status).toBe(200);
    const build = ((await (await fetch(`${served.base}/api/index`)).json()) as { id?: string; buildId?: string; build?: { id: string } });
    // Over the per-IP limit (12 per window): the rest are refused and counted.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${served.base}/api/facts`)).status);
    const refused = statuses.filter((s) => s === 429).length;
    expect(refused).toBeGreaterThan(0);

    const text = await scrape();
    expect(text).toContain('minsheng_answers_total{kind="figure",city="六安市",channel="http"} 1');
    expect(text).toContain('minsheng_answers_total{kind="figure",city="淮南市",channel="http"} 1');
    expect(text).toMatch(/minsheng_answers_total\{kind="(out_of_scope|chitchat|[a-z_]+)",city="none",channel="http"\} 1/);
    expect(metric(text, 'minsheng_answer_duration_seconds_count{channel="http"}')).toBe(3);
    expect(metric(text, 'minsheng_index_reloads_total{result="unchanged"}')).toBe(1);
    expect(metric(text, "minsheng_http_rate_limited_total")).toBe(refused);
    expect(metric(text, 'minsheng_peer_up{peer="database"}')).toBe(1);
    expect(text).toMatch(/minsheng_index_build_info\{build="[^"]+"\} 1/);
    expect(JSON.stringify(build)).toContain(/minsheng_index_build_info\{build="([^"]+)"\}/.exec(text)?.[1] as string);
    expect(text).toMatch(/^minsheng_process_resident_memory_bytes \d+/m);
    expect(text).toContain("minsheng_nodejs_eventloop_lag_seconds");
    // The scraper is never rate-limited.
    expect((await fetch(`${served.base}/metrics`)).status).toBe(200);
  });
});

describe("metrics off by default", () => {
  it("has no /metrics", async () => {
    const served = await startServe({});
    try {
      expect((await fetch(`${served.base}/metrics`)).status).toBe(404);
    } finally {
      await served.stop();
    }
  });
});
