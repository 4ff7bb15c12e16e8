import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/contract/answer.ts";
import { postgresAvailable, startPostgres } from "../helpers-postgres.ts";
import { leaks, PII_CORPUS, PII_DIGITS, serve } from "./helpers.ts";

/*
 * The question log's database failing under a running `serve` (a real process): PostgreSQL down at
 * start and back later, PostgreSQL refusing the password, a corrupt SQLite file. Every question is
 * answered as usual, the log says why once, /healthz reports database: "down" (and "up" again when
 * it is back). Questions asked meanwhile — personal numbers in them — reach the database redacted.
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-faults-db-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const QUESTIONS = ["六安低保标准是多少", "淮南公租房谁能申请", "六安哪里可以办护照", ...PII_CORPUS.map((p) => `我的号码${p}，六安低保怎么申请`)];
const count = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).length;

async function askAll(base: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const question of QUESTIONS) {
    const started = performance.now();
    const res = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question }) });
    expect(res.status, question).toBe(200);
    // Nothing waits for the database (connection attempts time out after seconds).
    expect(performance.now() - started, question).toBeLessThan(2000);
    answers.push((await res.json()) as Answer);
  }
  return answers;
}

const health = async (base: string) => (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean; database?: string };

describe.skipIf(!postgresAvailable())("question log: PostgreSQL outages under a running server", () => {
  it("down at start: answers as usual, says why once, /healthz down; back: questions written, redacted", async () => {
    const server = await startPostgres();
    await server.stop();
    const served = await serve({ DATABASE_URL: server.url, LOG_LEVEL: "info" });
    try {
      const answers = await askAll(served.base);
      expect(answers[0]?.kind).toBe("figure");
      expect(answers[0]?.text).toContain("630元/人/月");
      expect(answers.every((a) => typeof a.logId === "string")).toBe(true);
      await expect.poll(async () => (await health(served.base)).database, { timeout: 15_000 }).toBe("down");
      expect((await health(served.base)).ok).toBe(true);
      // Retries go on with backoff; the reason is logged once per outage.
      await new Promise((r) => setTimeout(r, 3500));
      expect(count(served.stderr(), /question log unavailable/)).toBe(1);
      expect(served.stderr()).toMatch(/question log unavailable \(postgres 127\.0\.0\.1:\d+\/postgres: [^)]*ECONNREFUSED/);

      await server.start();
      await expect.poll(async () => (await health(served.base)).database, { timeout: 60_000, interval: 500 }).toBe("up");
      expect(served.stderr()).toMatch(/question log is back after [\d.]+ s/);
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      const rows = (await c.query("SELECT * FROM question_log")).rows as Record<string, unknown>[];
      await c.end();
      expect(rows).toHaveLength(QUESTIONS.length);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(answers.map((a) => a.logId)));
      expect(leaks(JSON.stringify(rows), PII_DIGITS)).toEqual([]);
      expect(leaks(served.stderr() + served.stdout(), PII_DIGITS)).toEqual([]);
    } finally {
      await served.stop();
      await server.destroy();
    }
  }, 150_000);

  it("refusing the password: answers as usual, says why once without the password, /healthz down", async () => {
    const server = await startPostgres();
    const served = await serve({ DATABASE_URL: server.wrongPasswordUrl, LOG_LEVEL: "info" });
    try {
      const answers = await askAll(served.base);
      expect(answers[1]?.kind).not.toBe("out_of_scope");
      await expect.poll(async () => (await health(served.base)).database, { timeout: 15_000 }).toBe("down");
      await new Promise((r) => setTimeout(r, 3500));
      expect(count(served.stderr(), /question log unavailable/)).toBe(1);
      expect(served.stderr()).toContain("password authentication failed");
      expect(served.stderr()).not.toContain(server.password);
    } finally {
      await served.stop();
      await server.destroy();
    }
  }, 120_000);
});

describe("question log: a corrupt SQLite file under a running server", () => {
  it("answers as usual, says why once, /healthz down, and leaves the file as it was", async () => {
    const state = path.join(work, "corrupt-state");
    mkdirSync(state, { recursive: true });
    const garbage = Buffer.from("not a database at all ".repeat(500));
    writeFileSync(path.join(state, "questions.sqlite"), garbage);
    const served = await serve({ MINSHENG_STATE_DIR: state, LOG_LEVEL: "info" });
    try {
      const answers = await askAll(served.base);
      expect(answers[0]?.text).toContain("630元/人/月");
      await expect.poll(async () => (await health(served.base)).database, { timeout: 15_000 }).toBe("down");
      await new Promise((r) => setTimeout(r, 3500));
      expect(count(served.stderr(), /question log unavailable/)).toBe(1);
      expect(served.stderr()).toContain("file is not a database");
    } finally {
      expect(await served.stop()).toBe(0);
    }
    expect(readFileSync(path.join(state, "questions.sqlite")).equals(garbage)).toBe(true);
  }, 120_000);

  it("a healthy SQLite file: every question of a running server is stored, personal numbers redacted", async () => {
    const state = path.join(work, "healthy-state");
    const served = await serve({ MINSHENG_STATE_DIR: state });
    let answers: Answer[] = [];
    try {
      answers = await askAll(served.base);
      expect((await health(served.base)).database).toBe("up");
    } finally {
      // SIGTERM: the log writes what is queued before the process exits.
      expect(await served.stop()).toBe(0);
    }
    const stored = readdirSync(state)
      .filter((f) => f.startsWith("questions.sqlite"))
      .map((f) => readFileSync(path.join(state, f)).toString("utf8"))
      .join("\n");
    for (const a of answers) expect(stored).toContain(a.logId as string);
    expect(stored).toContain("六安低保怎么申请");
    expect(leaks(stored, PII_DIGITS)).toEqual([]);
  }, 120_000);
});
