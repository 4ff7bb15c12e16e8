import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer, collect } from "./samples.ts";
import { createLogger } from "../../src/log.ts";
import { createQuestionLog } from "../../src/questions/log.ts";
import { describePostgres, postgresStore } from "../../src/questions/postgres.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/questions/store.ts";
import { leaks, PII_CORPUS, PII_DIGITS } from "../faults/helpers.ts";
import { postgresAvailable, startPostgres, type TestPostgres } from "../helpers-postgres.ts";

/*
 * The question log on a real PostgreSQL (Debian's server, started here in a temp dir): the same
 * behaviour as SQLite (batches, ratings, links, retention, versioned migrations — replicas starting
 * together migrate once), nothing unredacted stored, and outages — the server stopped, a wrong
 * password — that never fail an answer, are logged once, and heal when the server is back.
 */


describe.skipIf(!postgresAvailable())("question log on PostgreSQL", () => {
  let server: TestPostgres;
  let n = 0;
  /** A database of its own for each test (CREATE DATABASE on the shared server). */
  const freshUrl = async (): Promise<string> => {
    const name = `qlog_${process.pid}_${n++}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return server.url.replace(/\/postgres$/, `/${name}`);
  };
  const query = async (url: string, sql: string): Promise<Record<string, unknown>[]> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("writes batches, ratings and links; lists unanswered ones; prunes by age", async () => {
    const url = await freshUrl();
    let now = Date.parse("2026-03-01T00:00:00Z");
    const qlog = createQuestionLog(postgresStore(url), { log: createLogger("silent"), days: 30, now: () => now });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(qlog.record({ channel: i % 2 ? "telegram" : "http", question: `问题${i}`, answer: answer({ kind: i < 30 ? "out_of_scope" : "answer", citations: [] }), latencyMs: 1.25 }) as string);
    qlog.feedback(ids[35] as string, "down");
    await qlog.flush();
    expect(qlog.stats()).toMatchObject({ pending: 0, written: 41 });
    const rows = await qlog.list({});
    expect(rows).toHaveLength(40);
    expect(rows.find((r) => r.id === ids[35])).toMatchObject({ kind: "answer", feedback: "down", channel: "telegram", latencyMs: 1.25, buildId: "build-1" });
    expect(rows.find((r) => r.id === ids[0])?.interpretation).toEqual({ question: "六安老人饭堂在哪吃", topic: "老年助餐", asks: "office" });
    expect(await qlog.list({ unanswered: true })).toHaveLength(31);
    await qlog.link(ids.slice(0, 5), "luan#c0001");
    expect(await qlog.list({ unanswered: true })).toHaveLength(26);
    expect((await qlog.list({ unanswered: true, includeLinked: true })).filter((r) => r.linkedChunk === "luan#c0001")).toHaveLength(5);
    await qlog.close();

    // 31 days later a new process prunes everything older than QUESTION_LOG_DAYS at start.
    now += 31 * 86_400_000;
    const { lines, log } = collect();
    const later = createQuestionLog(postgresStore(url), { log, days: 30, now: () => now });
    later.record({ channel: "http", question: "新问题", answer: answer(), latencyMs: 1 });
    await later.flush();
    expect((await later.list({})).map((r) => r.question)).toEqual(["新问题"]);
    expect(lines.join("\n")).toContain("40 question(s) older than 30 days deleted");
    await later.close();
  });

  it("migrates once, in order, even when replicas start together", async () => {
    const url = await freshUrl();
    const stores = [postgresStore(url), postgresStore(url), postgresStore(url)];
    expect(await Promise.all(stores.map((s) => s.migrate()))).toEqual([SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
    expect(await stores[0]?.migrate()).toBe(SCHEMA_VERSION);
    await Promise.all(stores.map((s) => s.close()));
    const versions = await query(url, "SELECT version, name FROM schema_migrations ORDER BY version");
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it("stores no ID-card, phone or bank-card number, in any form residents write them (PII corpus)", async () => {
    const url = await freshUrl();
    const qlog = createQuestionLog(postgresStore(url), { log: createLogger("silent"), days: 90 });
    for (const pii of PII_CORPUS) {
      const id = qlog.record({
        channel: "telegram",
        question: `我的号码是${pii}，公租房怎么申请`,
        answer: answer({ reason: `reason ${pii}`, interpretation: { question: `公租房 ${pii}`, topic: `topic ${pii}`, asks: `asks ${pii}` } }),
        latencyMs: 1,
      }) as string;
      qlog.feedback(id, "down");
    }
    await qlog.close();
    const rows = await query(url, "SELECT * FROM question_log");
    expect(rows).toHaveLength(PII_CORPUS.length);
    const stored = JSON.stringify(rows);
    expect(stored).toContain("公租房怎么申请");
    expect(leaks(stored, PII_DIGITS)).toEqual([]);
  });

  it("a wrong password: answers go on, the log says why once (no password in it), nothing is lost once it is right", async () => {
    const { lines, log } = collect();
    const qlog = createQuestionLog(postgresStore(server.wrongPasswordUrl), { log, days: 90 });
    for (let i = 0; i < 3; i++) {
      expect(qlog.record({ channel: "http", question: `q${i}`, answer: answer(), latencyMs: 0 })).toBeTruthy();
      await qlog.flush();
    }
    expect(qlog.status()).toBe("down");
    expect(qlog.stats().pending).toBe(3);
    const errors = lines.filter((l) => l.includes("question log unavailable"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("password authentication failed");
    expect(errors[0]).toContain(`postgres 127.0.0.1:${server.port}/postgres`);
    expect(lines.join("\n")).not.toContain(server.password);
    await expect(qlog.list({})).rejects.toThrow(/password authentication failed/);
    await qlog.close(200);
    expect(lines.some((l) => l.includes("closed with 3 change(s) not written"))).toBe(true);
  });

  it("the server stopped and started again: down (said once), questions kept, written when it is back", async () => {
    const url = await freshUrl();
    const { lines, log } = collect();
    const qlog = createQuestionLog(postgresStore(url), { log, days: 90 });
    qlog.record({ channel: "http", question: "停机前", answer: answer(), latencyMs: 0 });
    await qlog.flush();
    expect(qlog.status()).toBe("up");
    await server.stop();
    try {
      for (let i = 0; i < 4; i++) {
        const started = performance.now();
        qlog.record({ channel: "http", question: `停机时${i}`, answer: answer(), latencyMs: 0 });
        // Recording never waits for the database.
        expect(performance.now() - started).toBeLessThan(50);
        await qlog.flush();
      }
      expect(qlog.status()).toBe("down");
      expect(qlog.stats().pending).toBe(4);
      expect(lines.filter((l) => l.includes("question log unavailable"))).toHaveLength(1);
    } finally {
      await server.start();
    }
    await expect.poll(async () => (await qlog.flush(), qlog.stats().pending), { timeout: 30_000, interval: 250 }).toBe(0);
    expect(qlog.status()).toBe("up");
    expect(lines.some((l) => l.includes("question log is back"))).toBe(true);
    expect((await qlog.list({})).map((r) => r.question).sort()).toEqual(["停机前", "停机时0", "停机时1", "停机时2", "停机时3"]);
    await qlog.close();
  });

  it("describes a database without its password", () => {
    expect(describePostgres("postgres://u:secret@db.example:6543/minsheng")).toBe("postgres db.example:6543/minsheng");
    expect(describePostgres("postgres://u:secret@db/minsheng")).toBe("postgres db:5432/minsheng");
  });
});
