import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildHttpApp } from "../../../src/channels/http/app.ts";
import { createLogger } from "../../../src/log.ts";
import { createMetrics, type Metrics } from "../../../src/metrics.ts";
import { PENDING_FILE } from "../../../src/questions/library-link.ts";
import { createQuestionLog, disabledQuestionLog, type QuestionLog } from "../../../src/questions/log.ts";
import { loggedCore } from "../../../src/questions/observe.ts";
import { sqliteStore } from "../../../src/questions/sqlite.ts";
import { ROOT, testApp, testConfig } from "../../helpers.ts";

/*
 * The review API and the feedback and metrics routes, through app.inject: the login and its
 * failure limit (shared with the reload endpoint), the session cookie, groups, passages, links
 * (stale and wrong ids refused, nothing written), CSV export, /healthz and /metrics.
 */

const TOKEN = "review-token-0123456789";
const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-review-http-"));
const seeds = path.join(work, "seeds");
let http: FastifyInstance;
let qlog: QuestionLog;
let metrics: Metrics;

beforeAll(async () => {
  cpSync(path.join(ROOT, "seeds"), seeds, { recursive: true });
  const app = await testApp();
  qlog = createQuestionLog(sqliteStore(path.join(work, "questions.sqlite")), { log: createLogger("silent"), days: 90 });
  metrics = createMetrics();
  const config = testConfig({ ADMIN_TOKEN: TOKEN, METRICS: "true", MINSHENG_SEEDS_DIR: seeds, ADMIN_AUTH_MAX_FAILURES: "3" });
  const core = loggedCore(() => app, "http", { questionLog: qlog, observe: metrics.observeAnswer.bind(metrics) });
  metrics.setSources({ build: () => app.index.id, health: () => ({ database: qlog.status() }), questionLog: () => qlog.stats() });
  http = await buildHttpApp(core, config, { questionLog: qlog, metrics, health: () => ({ database: qlog.status() }), reload: async () => ({ ok: true, unchanged: true, from: "a", to: "a" }) });
});
afterAll(async () => {
  await http?.close();
  await qlog?.close();
  rmSync(work, { recursive: true, force: true });
});

const ask = (question: string) => http.inject({ method: "POST", url: "/api/ask", payload: { question } });
let cookie = "";
const login = async (token = TOKEN, ip = "127.0.0.1") => http.inject({ method: "POST", url: "/api/review/login", payload: { token }, remoteAddress: ip });
const authed = (method: "GET" | "POST", url: string, payload?: object) => http.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });

describe("review API", () => {
  it("answers carry a logId; unanswered ones reach the review after login", async () => {
    const refused = (await ask("六安哪里可以办护照")).json<{ kind: string; logId: string }>();
    expect(refused.logId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await ask("六安哪里能办护照");
    await ask("六安低保标准是多少");
    await qlog.flush();

    expect((await http.inject({ method: "GET", url: "/api/review/groups" })).statusCode).toBe(401);
    const res = await login();
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/^minsheng_review=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(setCookie).not.toContain(TOKEN);
    cookie = setCookie.split(";")[0] as string;

    const groups = await authed("GET", "/api/review/groups");
    expect(groups.statusCode).toBe(200);
    const body = groups.json<{ total: number; groups: { label: string; count: number; questions: { text: string }[]; ids: string[] }[] }>();
    const passport = body.groups.find((g) => g.questions.some((q) => q.text === "六安哪里可以办护照"));
    expect(passport?.count).toBe(2);
    expect(passport?.ids).toContain(refused.logId);
    expect(body.groups.flatMap((g) => g.questions.map((q) => q.text))).not.toContain("六安低保标准是多少");
    expect((await authed("GET", "/api/review/groups?since=yesterday")).json()).toMatchObject({ error: { code: "INPUT_INVALID", details: [{ path: "since" }] } });
  });

  it("refuses forged, expired-looking and logged-out cookies", async () => {
    const forged = cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect((await http.inject({ method: "GET", url: "/api/review/session", headers: { cookie: forged } })).statusCode).toBe(401);
    expect((await http.inject({ method: "GET", url: "/api/review/session", headers: { cookie: "minsheng_review=0000000000000.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } })).statusCode).toBe(401);
    const other = String((await login()).headers["set-cookie"]).split(";")[0] as string;
    expect((await http.inject({ method: "GET", url: "/api/review/session", headers: { cookie: other } })).statusCode).toBe(200);
    await http.inject({ method: "POST", url: "/api/review/logout", headers: { cookie: other } });
    expect((await http.inject({ method: "GET", url: "/api/review/session", headers: { cookie: other } })).statusCode).toBe(401);
    expect((await authed("GET", "/api/review/session")).statusCode).toBe(200);
  });

  it("refuses changes posted from another site", async () => {
    const res = await http.inject({ method: "POST", url: "/api/review/link", headers: { cookie, origin: "http://evil.example" }, payload: { chunkId: "x", version: "y", questions: ["随便问问"] } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { details: [{ path: "origin" }] } });
  });

  it("searches passages, links a group to one, and writes pending.yaml; stale or wrong ids write nothing", async () => {
    const found = await authed("GET", `/api/review/passages?q=${encodeURIComponent("老年助餐")}&city=${encodeURIComponent("六安市")}`);
    const passages = found.json<{ passages: { chunkId: string; version: string; city: string; text: string; docTitle: string }[] }>().passages;
    expect(passages.length).toBeGreaterThan(0);
    expect(passages.every((p) => p.city === "六安市")).toBe(true);
    const passage = passages.find((p) => p.text.includes("助餐")) ?? (passages[0] as (typeof passages)[number]);
    const pending = path.join(seeds, "questions", PENDING_FILE);

    const stale = await authed("POST", "/api/review/link", { chunkId: passage.chunkId, version: "0000000000000000", questions: ["六安哪里吃老年餐"] });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: { code: "PASSAGE_CHANGED", message: expect.stringContaining("重新查找") } });
    const wrong = await authed("POST", "/api/review/link", { chunkId: "luan-14th-public-services#c9999", version: passage.version, questions: ["六安哪里吃老年餐"] });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ error: { code: "PASSAGE_UNKNOWN" } });
    const bad = await authed("POST", "/api/review/link", { chunkId: passage.chunkId, version: passage.version, questions: [] });
    expect(bad.statusCode).toBe(400);
    expect(existsSync(pending)).toBe(false);

    const groups = (await authed("GET", "/api/review/groups")).json<{ groups: { ids: string[]; questions: { text: string }[] }[] }>().groups;
    const group = groups.find((g) => g.questions.some((q) => q.text === "六安哪里可以办护照")) as (typeof groups)[number];
    const linked = await authed("POST", "/api/review/link", { chunkId: passage.chunkId, version: passage.version, questions: group.questions.map((q) => q.text), ids: group.ids });
    expect(linked.statusCode).toBe(200);
    expect(linked.json()).toMatchObject({ file: "questions/pending.yaml", chunkId: passage.chunkId, message: expect.stringContaining("运行 index 后生效") });
    expect(linked.json<{ added: string[] }>().added.sort()).toEqual(["六安哪里可以办护照", "六安哪里能办护照"]);
    expect(readFileSync(pending, "utf8")).toContain("六安哪里可以办护照");
    // Linked questions leave the review (and come back with linked=1).
    const after = (await authed("GET", "/api/review/groups")).json<{ groups: { questions: { text: string }[] }[] }>().groups;
    expect(after.flatMap((g) => g.questions.map((q) => q.text))).not.toContain("六安哪里可以办护照");
    const all = (await authed("GET", "/api/review/groups?linked=1")).json<{ groups: { linked: string[]; questions: { text: string }[] }[] }>().groups;
    expect(all.find((g) => g.questions.some((q) => q.text === "六安哪里可以办护照"))?.linked).toEqual([passage.chunkId]);
  });

  it("exports the log as CSV behind the session", async () => {
    expect((await http.inject({ method: "GET", url: "/api/review/export.csv" })).statusCode).toBe(401);
    const csv = await authed("GET", "/api/review/export.csv?since=30d");
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).toMatch(/^attachment; filename="minsheng-questions-\d{8}\.csv"$/);
    expect(csv.body).toContain("六安低保标准是多少");
    expect(csv.body.split("\r\n").filter(Boolean).length).toBeGreaterThanOrEqual(4);
  });

  it("records a rating by logId (202), refusing a malformed one", async () => {
    const a = (await ask("淮南公租房谁能申请")).json<{ logId: string }>();
    expect((await http.inject({ method: "POST", url: "/api/feedback", payload: { logId: a.logId, rating: "down" } })).statusCode).toBe(202);
    expect((await http.inject({ method: "POST", url: "/api/feedback", payload: { logId: "../../x", rating: "down" } })).json()).toMatchObject({ error: { code: "INPUT_INVALID", details: [{ path: "logId" }] } });
    await qlog.flush();
    expect((await qlog.list({})).find((r) => r.id === a.logId)?.feedback).toBe("down");
    const groups = (await authed("GET", "/api/review/groups")).json<{ groups: { label: string; statuses: { down: number } }[] }>().groups;
    expect(groups.find((g) => g.label === "淮南公租房谁能申请")?.statuses.down).toBe(1);
  });

  it("serves the page with its wording from prompts/review.zh.yaml and no inline script", async () => {
    const page = await http.inject({ method: "GET", url: "/review" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<title>民生问答 · 问题复核</title>");
    expect(page.body).not.toMatch(/\{\{\w+\}\}/);
    expect(page.body).toMatch(/<script type="application\/json" id="texts">\{.*"login_failed":"令牌不正确。"/);
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect((await http.inject({ method: "GET", url: "/review.js" })).headers["content-type"]).toBe("text/javascript; charset=utf-8");
  });

  it("/healthz names the database; /metrics counts answers, the build and peers", async () => {
    expect((await http.inject({ method: "GET", url: "/healthz" })).json()).toMatchObject({ ok: true, database: "up" });
    const text = (await http.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).toMatch(/minsheng_answers_total\{kind="out_of_scope",city="(六安市|none)",channel="http"\} [1-9]/);
    expect(text).toMatch(/minsheng_answers_total\{kind="figure",city="六安市",channel="http"\} 1/);
    expect(text).toMatch(/minsheng_answer_duration_seconds_count\{channel="http"\} [4-9]/);
    expect(text).toMatch(/minsheng_index_build_info\{build="[^"]+"\} 1/);
    expect(text).toContain('minsheng_peer_up{peer="database"} 1');
  });

  it("the login shares the admin failure limit with the reload endpoint", async () => {
    const ip = "10.9.8.7";
    expect((await login("wrong-1", ip)).statusCode).toBe(401);
    const reload = await http.inject({ method: "POST", url: "/api/admin/reload", headers: { authorization: "Bearer wrong-2" }, remoteAddress: ip });
    expect(reload.statusCode).toBe(401);
    expect((await login("wrong-3", ip)).json()).toMatchObject({ error: { code: "UNAUTHORIZED", message: "令牌不正确。" } });
    const limited = await login(TOKEN, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["set-cookie"]).toBeUndefined();
    expect((await http.inject({ method: "POST", url: "/api/admin/reload", headers: { authorization: `Bearer ${TOKEN}` }, remoteAddress: ip })).statusCode).toBe(429);
    expect((await login(TOKEN, "10.9.8.8")).statusCode).toBe(200);
  });
});

describe("without ADMIN_TOKEN, METRICS or the log", () => {
  it("has no review, no metrics; feedback says the log is off", async () => {
    const app = await testApp();
    const bare = await buildHttpApp(() => app, testConfig(), { questionLog: disabledQuestionLog(), metrics: createMetrics() });
    try {
      for (const url of ["/review", "/api/review/groups", "/metrics"]) expect((await bare.inject({ method: "GET", url })).statusCode, url).toBe(404);
      expect((await bare.inject({ method: "POST", url: "/api/review/login", payload: { token: "x" } })).statusCode).toBe(404);
      const fb = await bare.inject({ method: "POST", url: "/api/feedback", payload: { logId: "abcdefgh12345678", rating: "up" } });
      expect(fb.statusCode).toBe(404);
      expect(fb.json()).toMatchObject({ error: { details: [{ message: expect.stringContaining("QUESTION_LOG_DAYS=0") }] } });
      expect((await bare.inject({ method: "GET", url: "/healthz" })).json()).not.toHaveProperty("database");
    } finally {
      await bare.close();
    }
  });

  it("with the log off, the review says so (503) instead of showing an empty list", async () => {
    const app = await testApp();
    const off = await buildHttpApp(() => app, testConfig({ ADMIN_TOKEN: TOKEN }), { questionLog: disabledQuestionLog() });
    try {
      const c = String((await off.inject({ method: "POST", url: "/api/review/login", payload: { token: TOKEN } })).headers["set-cookie"]).split(";")[0] as string;
      const res = await off.inject({ method: "GET", url: "/api/review/groups", headers: { cookie: c } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: "QUESTION_LOG_UNAVAILABLE", details: [{ message: expect.stringContaining("QUESTION_LOG_DAYS=0") }] } });
    } finally {
      await off.close();
    }
  });
});
