import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../../src/app.ts";
import { AnswerSchema } from "../../../src/contract/answer.ts";
import { buildHttpApp } from "../../../src/channels/http/app.ts";
import { codeOfStatus, statusOf } from "../../../src/channels/http/errors.ts";
import { AppError, ERROR_CODES } from "../../../src/errors.ts";
import { createLogger } from "../../../src/log.ts";
import { testApp, testConfig } from "../../helpers.ts";

let core: App;
let http: FastifyInstance;

beforeAll(async () => {
  core = await testApp();
  http = await buildHttpApp(() => core, testConfig());
});
afterAll(() => http.close());

const post = (url: string, payload: unknown) => http.inject({ method: "POST", url, payload: payload as object });

describe("POST /api/ask", () => {
  it("answers with the contract's Answer JSON", async () => {
    const res = await post("/api/ask", { question: "淮南老旧小区可以加装电梯吗", city: "淮南市" });
    expect(res.statusCode).toBe(200);
    const answer = AnswerSchema.parse(res.json());
    expect(answer.citations.every((c) => c.city === "淮南市")).toBe(true);
    expect(res.headers["x-ratelimit-limit"]).toBeDefined();
  });

  it.each([
    [{}, "question"],
    [{ question: 5 }, "question"],
    [{ question: "公租房", extra: 1 }, "body"],
    [{ question: "公租房", city: "南京市" }, "city"],
    [{ question: "公租房", profile: { age: "old" } }, "profile.age"],
    [{ question: "公租房", profile: { salary: 1 } }, "profile"],
    [{ question: "那淮南呢", history: "六安低保标准是多少" }, "history"],
    [{ question: "那淮南呢", history: ["六安低保", 3] }, "history.1"],
    [{ question: "那淮南呢", history: Array.from({ length: 51 }, () => "谢谢") }, "history"],
  ])("400 naming the field for %j", async (payload, field) => {
    const res = await post("/api/ask", payload);
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: { code: string; message: string; details: { path: string }[] } };
    expect(body.error.code).toBe("INPUT_INVALID");
    expect(body.error.details.map((d) => d.path)).toContain(field);
    expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it("answers a follow-up in the context of its history", async () => {
    const res = await post("/api/ask", { question: "那淮南呢？", history: ["六安低保标准是多少"] });
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(a.interpretation).toMatchObject({ question: "淮南低保标准是多少", followUp: true });
    expect(a.city).toBe("淮南市");
  });

  it("400 for a body that is not JSON", async () => {
    const res = await http.inject({ method: "POST", url: "/api/ask", headers: { "content-type": "application/json" }, payload: "{oops" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("BAD_REQUEST");
  });

  it("413 for a body over the limit", async () => {
    const res = await post("/api/ask", { question: "公".repeat(40_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("other endpoints", () => {
  it("POST /api/check evaluates a profile", async () => {
    const res = await post("/api/check", { profile: { city: "六安市", employment: "灵活就业" }, topic: "公积金" });
    expect(res.statusCode).toBe(200);
    expect(res.json().results[0]).toMatchObject({ ruleId: "luan.housing-fund.flexible-workers", verdict: "conditional" });
    expect((await post("/api/check", {})).statusCode).toBe(400);
    expect((await post("/api/check", { profile: { city: "北京市" } })).json().error.details[0].path).toBe("profile.city");
  });

  it("POST /api/check with a service evaluates exactly that service's rules", async () => {
    const res = await post("/api/check", { profile: { city: "六安市", incomeStatus: "低保", hukou: "城镇", housing: "无房" }, service: "公租房" });
    expect(res.statusCode).toBe(200);
    const { results } = res.json() as { results: { ruleId: string; verdict: string }[] };
    expect(results).toEqual([expect.objectContaining({ ruleId: "luan.public-rental.low-income-urban", verdict: "eligible" })]);
    const both = (await post("/api/check", { profile: {}, service: "公租房" })).json() as { results: { ruleId: string }[] };
    const expected = core.index.rules.filter((r) => r.service === "公租房").map((r) => r.id);
    expect(both.results.map((r) => r.ruleId).sort()).toEqual(expected.sort());
  });

  it.each([
    [{ profile: {}, service: "公租方" }, "service"],
    [{ profile: {}, service: "公租房", topic: "公租房" }, "service"],
    [{ profile: {}, service: 3 }, "service"],
  ])("POST /api/check: 400 naming the field for %j", async (payload, field) => {
    const res = await post("/api/check", payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("INPUT_INVALID");
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  it("GET /api/check/services lists the services the rules cover, for a city too", async () => {
    const all = (await http.inject({ url: "/api/check/services" })).json() as { services: { name: string; cities: string[]; area: string; topics: string[] }[] };
    expect(all.services.map((s) => s.name)).toEqual(expect.arrayContaining(["公租房", "住房公积金", "公租房（公共服务行业住房困难群体）"]));
    expect(new Set(all.services.map((s) => s.name)).size).toBe(all.services.length);
    const huainan = (await http.inject({ url: `/api/check/services?city=${encodeURIComponent("淮南市")}` })).json() as typeof all;
    expect(huainan.services.every((s) => s.cities.join() === "淮南市")).toBe(true);
    expect(huainan.services.map((s) => s.name)).not.toContain("公租房（公共服务行业住房困难群体）");
    const bad = await http.inject({ url: `/api/check/services?city=${encodeURIComponent("北京")}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe("city");
  });

  it("GET /api/facts?service= gives only the facts that service's rules need, most needed first", async () => {
    const all = (await http.inject({ url: "/api/facts" })).json() as { facts: { name: string }[] };
    const res = await http.inject({ url: `/api/facts?service=${encodeURIComponent("公租房")}` });
    expect(res.statusCode).toBe(200);
    const one = res.json() as { cities: string[]; facts: { name: string; label: string; options: unknown[] }[]; rules: number };
    expect(one.rules).toBe(2);
    expect(one.facts.map((f) => f.name)).toEqual(["incomeStatus", "hukou", "housing"]);
    expect(one.facts.length).toBeLessThan(all.facts.length);
    expect(one.facts[0]).toMatchObject({ label: "家庭经济状况" });
    const youth = (await http.inject({ url: `/api/facts?service=${encodeURIComponent("公租房（公共服务行业住房困难群体）")}&city=${encodeURIComponent("六安市")}` })).json() as typeof one;
    expect(youth.facts.map((f) => f.name)).toContain("occupation");
    const none = (await http.inject({ url: `/api/facts?service=${encodeURIComponent("公租房（公共服务行业住房困难群体）")}&city=${encodeURIComponent("淮南市")}` })).json() as typeof one;
    expect(none).toMatchObject({ facts: [], rules: 0 });
    const bad = await http.inject({ url: `/api/facts?service=${encodeURIComponent("公租方")}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ path: "service" });
    expect((await http.inject({ url: "/api/facts?foo=1" })).statusCode).toBe(400);
  });

  it("GET /api/services lists both cities' areas with differences", async () => {
    const res = await http.inject({ url: "/api/services" });
    const data = res.json() as { cities: string[]; areas: { area: string; differing: string[] }[] };
    expect(data.cities).toEqual(["六安市", "淮南市"]);
    expect(data.areas).toHaveLength(9);
    expect(data.areas[0]?.differing).toEqual(["农村免费孕前优生健康检查", "免费孕前优生健康检查"]);
    const one = await http.inject({ url: `/api/services?city=${encodeURIComponent("淮南市")}` });
    expect(one.json().cities).toEqual(["淮南市"]);
    expect((await http.inject({ url: `/api/services?city=${encodeURIComponent("北京")}` })).statusCode).toBe(400);
    expect((await http.inject({ url: "/api/services?foo=1" })).statusCode).toBe(400);
  });

  it("GET /api/figures filters indicator rows and cites each", async () => {
    const res = await http.inject({ url: `/api/figures?q=${encodeURIComponent("体育场地")}` });
    const rows = res.json() as { city: string; indicator: string; citation: { location: string } }[];
    expect(rows.map((r) => r.city).sort()).toEqual(["六安市", "淮南市", "淮南市"]);
    expect(rows.every((r) => r.indicator.includes("体育场地"))).toBe(true);
    expect(rows.every((r) => /专栏 [12]/.test(r.citation.location))).toBe(true);
  });

  it("GET /api/sources/:chunkId gives the passage in its section; unknown ids are 404", async () => {
    const chunk = core.index.chunks.find((c) => c.text.includes("鼓励灵活就业人员参加住房公积金制度"))!;
    const res = await http.inject({ url: `/api/sources/${encodeURIComponent(chunk.id)}` });
    const view = res.json() as { section: { location: string; paragraphs: { text: string; cited: boolean }[] } };
    expect(view.section.location).toBe("第九章 舒适宜人的住房保障服务 › 第二节 住有宜居");
    expect(view.section.paragraphs.some((p) => p.cited && p.text.includes("住房公积金"))).toBe(true);
    const missing = await http.inject({ url: "/api/sources/nope" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("NOT_FOUND");
  });

  it("GET /api/index, /api/facts, /healthz, /openapi.json and the page", async () => {
    const info = (await http.inject({ url: "/api/index" })).json();
    expect(info.documents.map((d: { statusLabel: string }) => d.statusLabel)).toEqual(["规划文本", "征求意见稿"]);
    const facts = (await http.inject({ url: "/api/facts" })).json();
    expect(facts.facts.map((f: { name: string }) => f.name)).toContain("employment");
    expect((await http.inject({ url: "/healthz" })).json().ok).toBe(true);
    const openapi = (await http.inject({ url: "/openapi.json" })).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(["/api/ask", "/api/check", "/api/services", "/api/sources/{chunkId}"]));
    const page = await http.inject({ url: "/" });
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain('lang="zh-CN"');
    expect((await http.inject({ url: "/nope" })).statusCode).toBe(404);
  });
});

describe("protection", () => {
  it("rate-limits per client with a Chinese message", async () => {
    const limited = await buildHttpApp(() => core, testConfig({ HTTP_RATE_LIMIT_MAX: "3" }));
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await limited.inject({ url: "/api/index", remoteAddress: "10.0.0.9" })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const res = await limited.inject({ url: "/api/index", remoteAddress: "10.0.0.9" });
    expect(res.json().error).toMatchObject({ code: "RATE_LIMITED" });
    expect(res.json().error.message).toContain("请求太频繁");
    expect((await limited.inject({ url: "/api/index", remoteAddress: "10.0.0.10" })).statusCode).toBe(200);
    await limited.close();
  });

  it("a core error gets its code's status from the one table: 503 for an unavailable service, its text, nothing of the message", async () => {
    const down = { ...core, ask: async () => Promise.reject(new AppError("EMBEDDINGS_UNAVAILABLE", "embeddings server http://10.0.0.5:8080 refused")) } as App;
    const logs: string[] = [];
    const app = await buildHttpApp(() => down, testConfig(), { logger: createLogger("error", (l) => logs.push(l)) });
    const res = await app.inject({ method: "POST", url: "/api/ask", payload: { question: "公租房" } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toEqual({ code: "EMBEDDINGS_UNAVAILABLE", message: "语义检索服务暂时不可用，请稍后再试。" });
    expect(res.body).not.toContain("10.0.0.5");
    expect(logs.join()).toContain("refused");
    await app.close();
  });

  it("every code the API sends has one status, and framework statuses map back to their codes", () => {
    for (const code of ERROR_CODES) expect(statusOf(code)).toBeGreaterThanOrEqual(400);
    expect(statusOf("INPUT_INVALID")).toBe(400);
    expect(statusOf("PASSAGE_CHANGED")).toBe(409);
    expect(statusOf("QUESTION_LOG_UNAVAILABLE")).toBe(503);
    expect(codeOfStatus(400)).toBe("BAD_REQUEST");
    expect(codeOfStatus(431)).toBe("HEADERS_TOO_LARGE");
    expect(codeOfStatus(418)).toBe("BAD_REQUEST");
  });

  it("a failure inside never leaks: 500 with the generic text", async () => {
    const broken = { ...core, ask: async () => Promise.reject(new Error("secret connection string postgres://admin:pw@db")) } as App;
    const logs: string[] = [];
    const app = await buildHttpApp(() => broken, testConfig(), {
      logger: createLogger("error", (l) => logs.push(l)),
    });
    const res = await app.inject({ method: "POST", url: "/api/ask", payload: { question: "公租房" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("secret");
    expect(res.json().error).toEqual({ code: "INTERNAL", message: "系统繁忙，请稍后再试。" });
    expect(logs.join()).toContain("secret connection string");
    expect(logs.join()).toContain("reqId");
    await app.close();
  });
});
