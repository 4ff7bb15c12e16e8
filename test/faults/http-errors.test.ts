import net from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import { buildHttpApp } from "../../src/channels/http/app.ts";
import type { ReloadResult } from "../../src/live.ts";
import { testApp, testConfig } from "../helpers.ts";

/*
 * D15: every 4xx/5xx has the one shape {error:{code,message,details?}} — also what Node and Fastify
 * answer before a route runs; probes are never limited. D16: the admin token only as
 * "Authorization: Bearer …", with its own small limit on wrong guesses. Security headers.
 */

let core: App;
let http: FastifyInstance;
let base: string;
const reload = async (): Promise<ReloadResult> => ({ ok: true, unchanged: true, from: "a", to: "a" });

beforeAll(async () => {
  core = await testApp();
  http = await buildHttpApp(() => core, testConfig({ ADMIN_TOKEN: "admin-token-123", HTTP_RATE_LIMIT_MAX: "1000" }), { reload });
  base = await http.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => http.close());

/** The body is exactly {error:{code,message[,details]}}, the message in Chinese. */
function expectErrorShape(body: unknown, code: string): void {
  expect(Object.keys(body as object)).toEqual(["error"]);
  const error = (body as { error: Record<string, unknown> }).error;
  expect(Object.keys(error).filter((k) => k !== "details")).toEqual(["code", "message"]);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(/[\u4e00-\u9fff]/);
}

/** Send raw bytes and read the whole response (status line, headers, body). */
function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    let data = "";
    const sock = net.connect(Number(port), "127.0.0.1", () => sock.write(request));
    sock.on("data", (d) => (data += d.toString()));
    sock.on("error", reject);
    sock.on("close", () => {
      const [head = "", body = ""] = data.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), headers: head, body });
    });
  });
}

describe("D15: one error shape", () => {
  it("a URL that does not decode (/api/sources/%FF)", async () => {
    const res = await fetch(`${base}/api/sources/%FF`);
    expect(res.status).toBe(400);
    expectErrorShape(await res.json(), "BAD_REQUEST");
  });

  it("headers over Node's limit: 431", async () => {
    const res = await raw(`GET /api/index HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expectErrorShape(JSON.parse(res.body), "HEADERS_TOO_LARGE");
  });

  it("malformed HTTP (Node's 'Client Error')", async () => {
    const res = await raw("GET /api/index HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n");
    expect(res.status).toBe(400);
    expectErrorShape(JSON.parse(res.body), "BAD_REQUEST");
  });

  it("a path escaping the console's folder (/%2e%2e/%2e%2e/etc/passwd): 403 FORBIDDEN, not BAD_REQUEST", async () => {
    // Raw, since fetch would resolve the dot segments before sending.
    const res = await raw("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(res.status).toBe(403);
    expectErrorShape(JSON.parse(res.body), "FORBIDDEN");
    expect(res.body).not.toContain("root:");
  });

  it("429 carries no extra top-level statusCode", async () => {
    const limited = await buildHttpApp(() => core, testConfig({ HTTP_RATE_LIMIT_MAX: "1" }));
    try {
      await limited.inject({ url: "/api/index", remoteAddress: "10.7.7.7" });
      const res = await limited.inject({ url: "/api/index", remoteAddress: "10.7.7.7" });
      expect(res.statusCode).toBe(429);
      expectErrorShape(res.json(), "RATE_LIMITED");
    } finally {
      await limited.close();
    }
  });

  it("/healthz with a query string is never rate-limited", async () => {
    const limited = await buildHttpApp(() => core, testConfig({ HTTP_RATE_LIMIT_MAX: "2" }));
    try {
      const codes: number[] = [];
      for (let i = 0; i < 10; i++) codes.push((await limited.inject({ url: "/healthz?probe=1", remoteAddress: "10.7.7.8" })).statusCode);
      expect(codes.every((c) => c === 200)).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it("other 4xx: unknown route, bad JSON, a body that is not JSON, too large", async () => {
    expectErrorShape(await (await fetch(`${base}/nope`)).json(), "NOT_FOUND");
    const badJson = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
    expect(badJson.status).toBe(400);
    expectErrorShape(await badJson.json(), "BAD_REQUEST");
    const xml = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/xml" }, body: "<q/>" });
    expect(xml.status).toBe(415);
    expectErrorShape(await xml.json(), "UNSUPPORTED_MEDIA_TYPE");
    const big = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "公".repeat(40_000) }) });
    expect(big.status).toBe(413);
    expectErrorShape(await big.json(), "PAYLOAD_TOO_LARGE");
  });
});

describe("D16: the admin token", () => {
  const post = (authorization: string | undefined, remoteAddress = "10.8.8.8") =>
    http.inject({ method: "POST", url: "/api/admin/reload", remoteAddress, ...(authorization === undefined ? {} : { headers: { authorization } }) });

  it("is accepted only as 'Bearer <token>'", async () => {
    expect((await post("Bearer admin-token-123", "10.8.0.1")).statusCode).toBe(200);
    expect((await post("bearer admin-token-123", "10.8.0.1")).statusCode).toBe(200);
    for (const wrong of ["admin-token-123", "Bearer  admin-token-123", "Basic admin-token-123", "Bearer admin-token-123 extra", "Token admin-token-123"]) {
      const res = await post(wrong, "10.8.0.2");
      expect(res.statusCode, wrong).toBe(401);
      expectErrorShape(res.json(), "UNAUTHORIZED");
    }
  });

  it("wrong guesses have their own small limit: then even the right token waits", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await post(`Bearer guess-${i}`, "10.8.0.3")).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401]);
    const locked = await post("Bearer admin-token-123", "10.8.0.3");
    expect(locked.statusCode).toBe(429);
    expectErrorShape(locked.json(), "RATE_LIMITED");
    // Another client is not affected.
    expect((await post("Bearer admin-token-123", "10.8.0.4")).statusCode).toBe(200);
  });
});

describe("security headers", () => {
  it("the console and the API send CSP (own files only), nosniff and frame denial", async () => {
    for (const url of ["/", "/app.js", "/api/index"]) {
      const res = await fetch(`${base}${url}`);
      expect(res.status, url).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options"), url).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), url).toBe("DENY");
    }
  });
});
