import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { answer, collect } from "./samples.ts";
import { createLogger } from "../../src/log.ts";
import { createQuestionLog, questionRow } from "../../src/questions/log.ts";
import { loggedCore, ratingsToLog } from "../../src/questions/observe.ts";
import { sqliteStore } from "../../src/questions/sqlite.ts";
import { MIGRATIONS, SCHEMA_VERSION, type QuestionStore } from "../../src/questions/store.ts";
import { leaks, PII_CORPUS, PII_DIGITS } from "../faults/helpers.ts";
import { testApp } from "../helpers.ts";

/*
 * The question log on a real SQLite file: batched writes, ratings and links, retention, versioned
 * migrations, redaction of everything stored, and outages (a locked file) that never fail an answer.
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-qlog-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(work, `q${n++}`, "questions.sqlite");


describe("question log on SQLite", () => {
  it("queues questions and writes them in one batch, with ratings and links applied in order", async () => {
    const { log } = collect();
    const qlog = createQuestionLog(sqliteStore(fresh()), { log, days: 90 });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(qlog.record({ channel: "http", question: `问题${i}`, answer: answer(), latencyMs: 2.5 }) as string);
    expect(new Set(ids).size).toBe(30);
    expect(qlog.stats().pending).toBe(30);
    qlog.feedback(ids[0] as string, "down");
    await qlog.flush();
    expect(qlog.stats()).toMatchObject({ pending: 0, written: 31 });
    const rows = await qlog.list({});
    expect(rows).toHaveLength(30);
    const first = rows.find((r) => r.id === ids[0]);
    expect(first).toMatchObject({ channel: "http", city: "六安市", kind: "out_of_scope", reason: "weak_evidence", feedback: "down", buildId: "build-1", latencyMs: 2.5 });
    expect(first?.interpretation).toEqual({ question: "六安老人饭堂在哪吃", topic: "老年助餐", asks: "office" });
    await qlog.link(ids.slice(0, 2), "luan#c0001");
    const unanswered = await qlog.list({ unanswered: true });
    expect(unanswered).toHaveLength(28);
    expect((await qlog.list({ unanswered: true, includeLinked: true })).filter((r) => r.linkedChunk === "luan#c0001")).toHaveLength(2);
    await qlog.close();
  });

  it("writes without being flushed by hand (the batch timer), and the answer path only queues", async () => {
    const qlog = createQuestionLog(sqliteStore(fresh()), { log: createLogger("silent"), days: 90 });
    qlog.record({ channel: "telegram", question: "淮南公租房", answer: answer({ kind: "answer", city: "淮南市" }), latencyMs: 1 });
    expect(qlog.stats().pending).toBe(1);
    await expect.poll(() => qlog.stats().pending, { timeout: 5000 }).toBe(0);
    expect((await qlog.list({}))[0]).toMatchObject({ channel: "telegram", kind: "answer" });
    await qlog.close();
  });

  it("lists only refused, not-stated and 👎 answers as unanswered, within a period", async () => {
    let now = Date.parse("2026-05-10T00:00:00Z");
    const qlog = createQuestionLog(sqliteStore(fresh()), { log: createLogger("silent"), days: 90, now: () => now });
    qlog.record({ channel: "http", question: "a", answer: answer({ kind: "answer" }), latencyMs: 0 });
    qlog.record({ channel: "http", question: "b", answer: answer({ kind: "not_stated" }), latencyMs: 0 });
    const rated = qlog.record({ channel: "http", question: "c", answer: answer({ kind: "figure" }), latencyMs: 0 }) as string;
    qlog.feedback(rated, "down");
    now += 86_400_000 * 3;
    qlog.record({ channel: "cli", question: "d", answer: answer(), latencyMs: 0 });
    await qlog.flush();
    expect((await qlog.list({ unanswered: true })).map((r) => r.question).sort()).toEqual(["b", "c", "d"]);
    expect((await qlog.list({ unanswered: true, since: now - 86_400_000 })).map((r) => r.question)).toEqual(["d"]);
    await qlog.close();
  });

  it("deletes questions older than QUESTION_LOG_DAYS at start", async () => {
    const file = fresh();
    let now = Date.parse("2026-01-01T00:00:00Z");
    const first = createQuestionLog(sqliteStore(file), { log: createLogger("silent"), days: 30, now: () => now });
    first.record({ channel: "http", question: "old", answer: answer(), latencyMs: 0 });
    now += 20 * 86_400_000;
    first.record({ channel: "http", question: "recent", answer: answer(), latencyMs: 0 });
    await first.close();
    now += 15 * 86_400_000;
    const { lines, log } = collect();
    const second = createQuestionLog(sqliteStore(file), { log, days: 30, now: () => now });
    await second.flush();
    expect((await second.list({})).map((r) => r.question)).toEqual(["recent"]);
    expect(lines.join("\n")).toContain("1 question(s) older than 30 days deleted");
    await second.close();
  });

  it("migrates version by version, records each, and leaves a database of a newer release alone", async () => {
    const file = fresh();
    const store = sqliteStore(file);
    await store.migrate();
    await store.close();
    // A database made by the first release (version 1 only) …
    const old = fresh();
    rmSync(path.dirname(old), { recursive: true, force: true });
    await sqliteStore(old).migrate().then(async () => {
      const db = new Database(old);
      db.exec("DROP TABLE question_log; DELETE FROM schema_migrations;");
      for (const sql of (MIGRATIONS[0] as (typeof MIGRATIONS)[number]).sqlite) db.exec(sql);
      db.prepare("INSERT INTO schema_migrations VALUES (1, 'question log', 0)").run();
      db.prepare("INSERT INTO question_log (id, asked_at, channel, kind, question, latency_ms) VALUES ('keep0001', ?, 'http', 'not_stated', '老问题', 1)").run(Date.now());
      db.close();
    });
    // … is brought to the current version with its rows kept.
    const upgraded = sqliteStore(old);
    expect(await upgraded.migrate()).toBe(SCHEMA_VERSION);
    expect((await upgraded.list({ unanswered: true })).map((r) => r.question)).toEqual(["老问题"]);
    await upgraded.close();
    const versions = new Database(old).prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));

    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations VALUES (?, 'from the future', 0)").run(SCHEMA_VERSION + 1);
    db.close();
    const { lines, log } = collect();
    const qlog = createQuestionLog(sqliteStore(file), { log, days: 90 });
    qlog.record({ channel: "http", question: "x", answer: answer(), latencyMs: 0 });
    await qlog.flush();
    expect(qlog.status()).toBe("down");
    expect(lines.join("\n")).toContain(`schema is version ${SCHEMA_VERSION + 1}, newer than this release knows (${SCHEMA_VERSION})`);
    await qlog.close(100);
  });

  it("stores no ID-card, phone or bank-card number, in any form residents write them (PII corpus)", async () => {
    const file = fresh();
    const qlog = createQuestionLog(sqliteStore(file), { log: createLogger("silent"), days: 90 });
    for (const pii of PII_CORPUS) {
      const id = qlog.record({
        channel: "http",
        question: `我的号码是${pii}，公租房怎么申请`,
        answer: answer({
          city: "六安市",
          reason: `reason ${pii}`,
          interpretation: { question: `公租房 ${pii}`, topic: `topic ${pii}`, asks: `asks ${pii}` },
        }),
        latencyMs: 1,
      }) as string;
      qlog.feedback(id, "down");
    }
    await qlog.close();
    const stored = readdirSync(path.dirname(file))
      .map((f) => readFileSync(path.join(path.dirname(file), f)).toString("utf8"))
      .join("\n");
    expect(stored).toContain("公租房怎么申请");
    expect(leaks(stored, PII_DIGITS)).toEqual([]);
  });

  it("a locked database file: the log says why once, keeps the questions, and writes them when the lock is gone", async () => {
    const file = fresh();
    const { lines, log } = collect();
    const qlog = createQuestionLog(sqliteStore(file), { log, days: 90 });
    await qlog.flush();
    const locker = new Database(file);
    locker.exec("BEGIN EXCLUSIVE");
    for (let i = 0; i < 5; i++) {
      qlog.record({ channel: "http", question: `锁住时的问题${i}`, answer: answer(), latencyMs: 0 });
      await qlog.flush();
    }
    expect(qlog.status()).toBe("down");
    expect(qlog.stats().pending).toBe(5);
    const errors = lines.filter((l) => l.includes("question log unavailable"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("database is locked");
    locker.exec("COMMIT");
    locker.close();
    await expect.poll(async () => (await qlog.flush(), qlog.stats().pending), { timeout: 20_000, interval: 200 }).toBe(0);
    expect(qlog.status()).toBe("up");
    expect(lines.some((l) => l.includes("question log is back"))).toBe(true);
    expect(await qlog.list({})).toHaveLength(5);
    await qlog.close();
  });

  it("a corrupt database file: down, reported once, never overwritten", async () => {
    const file = fresh();
    rmSync(path.dirname(file), { recursive: true, force: true });
    const garbage = Buffer.from("this is not a database ".repeat(400));
    await import("node:fs").then((fs) => fs.mkdirSync(path.dirname(file), { recursive: true }));
    writeFileSync(file, garbage);
    const { lines, log } = collect();
    const qlog = createQuestionLog(sqliteStore(file), { log, days: 90 });
    for (let i = 0; i < 3; i++) {
      qlog.record({ channel: "http", question: "q", answer: answer(), latencyMs: 0 });
      await qlog.flush();
    }
    expect(qlog.status()).toBe("down");
    const errors = lines.filter((l) => l.includes("question log unavailable"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("file is not a database");
    await expect(qlog.list({})).rejects.toThrow(/not a database/);
    await qlog.close(100);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it("keeps at most its queue bound during an outage, dropping the oldest questions first", async () => {
    let failing = true;
    const inner = sqliteStore(fresh());
    const flaky: QuestionStore = {
      ...inner,
      description: "flaky",
      write: (ops) => (failing ? Promise.reject(new Error("connection refused")) : inner.write(ops)),
      migrate: () => (failing ? Promise.reject(new Error("connection refused")) : inner.migrate()),
    };
    const qlog = createQuestionLog(flaky, { log: createLogger("silent"), days: 90 });
    for (let i = 0; i < 20_010; i++) qlog.record({ channel: "http", question: `q${i}`, answer: answer(), latencyMs: 0 });
    expect(qlog.stats()).toMatchObject({ pending: 20_000, dropped: 10 });
    failing = false;
    while (qlog.stats().pending > 0) await qlog.flush();
    const rows = await qlog.list({});
    expect(rows).toHaveLength(20_000);
    expect(rows.some((r) => r.question === "q0")).toBe(false);
    expect(rows.some((r) => r.question === "q20009")).toBe(true);
    await qlog.close();
  });
});

describe("logged core", () => {
  it("logs every ask with its channel and hands the answer its logId; a rating reaches the row", async () => {
    const app = await testApp();
    const qlog = createQuestionLog(sqliteStore(fresh()), { log: createLogger("silent"), days: 90 });
    const seen: string[] = [];
    const core = loggedCore(() => app, "telegram", { questionLog: qlog, observe: (channel, a) => seen.push(`${channel}:${a.kind}`) });
    expect(core()).toBe(core());
    const a = await core().ask("六安低保标准是多少");
    expect(a.kind).toBe("figure");
    expect(a.logId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const sink: unknown[] = [];
    await ratingsToLog(qlog, async (r) => void sink.push(r))({ kind: "rating", rating: "down", logId: a.logId });
    await qlog.flush();
    const [row] = await qlog.list({});
    expect(row).toMatchObject({ id: a.logId, channel: "telegram", kind: "figure", city: "六安市", feedback: "down", buildId: app.index.id });
    expect(row?.chunkIds).toEqual(a.citations.map((c) => c.chunkId));
    expect(sink).toHaveLength(1);
    expect(seen).toEqual(["telegram:figure"]);
    await qlog.close();
  });

  it("a long question is cut after redaction: a phone number across the cut leaves no digits", () => {
    const question = "问".repeat(1995) + "13812345678，我想问低保";
    const row = questionRow({ channel: "http", question, answer: answer(), latencyMs: 1 }, "id000002", 0);
    expect(row.question).not.toMatch(/\d{4}/);
    expect([...row.question].length).toBeLessThanOrEqual(2000);
  });

  it("questionRow redacts every text it keeps", () => {
    const row = questionRow(
      { channel: "http", question: "身份证34150219900101123X", answer: answer({ reason: "13812345678", interpretation: { question: "6222021234567890128", topic: "t", asks: "a" } }), latencyMs: 1 },
      "id000001",
      0,
    );
    expect(JSON.stringify(row)).not.toMatch(/\d{11}/);
    expect(row.question).toBe("身份证[身份证号]");
  });
});
