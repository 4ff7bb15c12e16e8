import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisSessionStore } from "../src/channels/telegram/session.ts";
import type { App } from "../src/app.ts";
import { buildHttpApp } from "../src/channels/http/app.ts";
import { freePort } from "./process-kit.ts";
import { resilientCounter } from "../src/limits.ts";
import { closeRedis, connectRedis, redisWindowCounter, type SharedRedis } from "../src/redis.ts";
import { runCli, startServe, testApp, testConfig } from "./helpers.ts";
import { peerAvailable } from "./helpers-peers.ts";
import { startRedis } from "./helpers-redis.ts";
import { redisOn } from "./faults/helpers.ts";

/*
 * What replicas share through Redis besides bot sessions: the per-IP limit of the HTTP API (and,
 * in running.test.ts, the bot's per-user limit). Against a real redis-server.
 */

describe.skipIf(!peerAvailable("/usr/bin/redis-server"))("shared limits (real redis-server)", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let client: SharedRedis;
  let core: App;
  beforeAll(async () => {
    redis = await startRedis();
    client = await connectRedis(redis.url);
    core = await testApp();
  });
  afterAll(async () => {
    await closeRedis(client);
    await redis.stop();
  });

  it("a window counter counts hits per key and starts the window with the first hit", async () => {
    const counter = redisWindowCounter(client, "t:counter:");
    const first = await counter.hit("a", 60_000);
    const second = await counter.hit("a", 60_000);
    expect([first.count, second.count]).toEqual([1, 2]);
    expect(second.ttlMs).toBeGreaterThan(0);
    expect(second.ttlMs).toBeLessThanOrEqual(first.ttlMs);
    expect((await counter.hit("b", 60_000)).count).toBe(1);
    // The expiry is set once, by the first hit: a later hit with another window does not move it.
    expect((await counter.hit("a", 600_000)).ttlMs).toBeLessThanOrEqual(60_000);
    const short = redisWindowCounter(client, "t:short:");
    await short.hit("x", 50);
    await new Promise((r) => setTimeout(r, 120));
    expect((await short.hit("x", 50)).count).toBe(1);
  });

  it("two API replicas share one per-IP limit", async () => {
    const config = testConfig({ HTTP_RATE_LIMIT_MAX: "3" });
    const counter = redisWindowCounter(client, "t:http:");
    const a = await buildHttpApp(() => core, config, { rateLimitCounter: counter });
    const b = await buildHttpApp(() => core, config, { rateLimitCounter: counter });
    try {
      const codes: number[] = [];
      for (const app of [a, b, a, b, a]) codes.push((await app.inject({ url: "/api/index", remoteAddress: "10.1.2.3" })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const limited = await b.inject({ url: "/api/index", remoteAddress: "10.1.2.3" });
      expect(limited.json().error.code).toBe("RATE_LIMITED");
      expect((await b.inject({ url: "/api/index", remoteAddress: "10.1.2.4" })).statusCode).toBe(200);
      // A replica without the shared counter counts on its own.
      const alone = await buildHttpApp(() => core, config);
      expect((await alone.inject({ url: "/api/index", remoteAddress: "10.1.2.3" })).statusCode).toBe(200);
      await alone.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("when Redis is gone, the API keeps answering and limits each client in this process", async () => {
    const own = await startRedis();
    const ownClient = await connectRedis(own.url);
    const app = await buildHttpApp(() => core, testConfig({ HTTP_RATE_LIMIT_MAX: "1" }), {
      rateLimitCounter: resilientCounter(redisWindowCounter(ownClient, "t:gone:")),
    });
    try {
      expect((await app.inject({ url: "/api/index", remoteAddress: "10.9.9.9" })).statusCode).toBe(200);
      expect((await app.inject({ url: "/api/index", remoteAddress: "10.9.9.9" })).statusCode).toBe(429);
      await own.stop();
      const res = await app.inject({ method: "POST", url: "/api/ask", payload: { question: "六安低保标准是多少" }, remoteAddress: "10.9.9.9" });
      expect(res.statusCode).toBe(200);
      expect(res.json().text).toContain("630");
      expect(ownClient.status()).toBe("down");
      expect((await app.inject({ url: "/api/index", remoteAddress: "10.9.9.9" })).statusCode).toBe(429);
    } finally {
      await app.close();
      await closeRedis(ownClient);
    }
  });

  it("serve with REDIS_URL counts the API's limit in Redis", async () => {
    const served = await startServe({ REDIS_URL: redis.url, HTTP_RATE_LIMIT_MAX: "2", INDEX_WATCH: "false" });
    try {
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await fetch(`${served.base}/api/index`)).status);
      expect(codes).toEqual([200, 200, 429]);
      expect(await client.client.keys("minsheng:ratelimit:http:*")).toHaveLength(1);
    } finally {
      await served.stop();
    }
  });
});

describe.skipIf(!peerAvailable("/usr/bin/redis-server"))("bot sessions through a Redis outage (real redis-server)", () => {
  it("are kept in memory while Redis is down and written back when it returns, never over a copy not read", async () => {
    const port = await freePort();
    let server = await redisOn(port);
    const shared = await connectRedis(server.url, { retryEveryMs: 100 });
    const store = await redisSessionStore(shared, 60_000, "t:s:");
    const session = (city: string) => ({ city, profile: {}, answers: [], counter: 0 });
    try {
      await store.write("read-before", session("淮南市"));
      expect(await store.read("read-before")).toMatchObject({ city: "淮南市" });
      await server.kill();
      // Down: a known session still reads, changes are kept.
      expect(await store.read("read-before")).toMatchObject({ city: "淮南市" });
      await store.write("read-before", session("六安市"));
      expect(await store.read("read-before")).toMatchObject({ city: "六安市" });
      // A session this process never read: a fresh one for now, not written back later.
      expect(await store.read("never-read")).toBeUndefined();
      await store.write("never-read", session("六安市"));
      expect(shared.status()).toBe("down");

      server = await redisOn(port);
      const raw = createClient({ url: server.url });
      await raw.connect();
      try {
        await raw.set("t:s:never-read", JSON.stringify(session("淮南市")));
        await expect.poll(async () => JSON.parse((await raw.get("t:s:read-before")) ?? "{}").city, { timeout: 10_000 }).toBe("六安市");
        expect(JSON.parse((await raw.get("t:s:never-read")) ?? "{}").city).toBe("淮南市");
        expect(await store.read("never-read")).toMatchObject({ city: "淮南市" });
      } finally {
        await raw.quit();
      }
    } finally {
      await store.close();
      await closeRedis(shared);
      await server.kill();
    }
  });
});

describe.skipIf(!peerAvailable("/usr/bin/redis-server"))("Redis health in /metrics (real redis-server)", () => {
  it('peer_up{peer="redis"} goes 1 → 0 when redis-server is killed and back to 1 when it returns', async () => {
    const port = await freePort();
    let server = await redisOn(port);
    const served = await startServe({ REDIS_URL: server.url, METRICS: "true", INDEX_WATCH: "false", LOG_LEVEL: "error" });
    const redisUp = async () => {
      const text = await (await fetch(`${served.base}/metrics`)).text();
      const m = /^minsheng_peer_up\{peer="redis"\} (\d+)$/m.exec(text);
      return m ? Number(m[1]) : undefined;
    };
    try {
      expect(await redisUp()).toBe(1);
      await server.kill("SIGKILL");
      await expect.poll(redisUp, { timeout: 5000, interval: 100 }).toBe(0);
      // Still 0 a moment later: the outage is not forgotten while Redis stays away.
      await new Promise((r) => setTimeout(r, 500));
      expect(await redisUp()).toBe(0);
      server = await redisOn(port);
      await expect.poll(redisUp, { timeout: 10_000, interval: 100 }).toBe(1);
    } finally {
      await served.stop();
      await server.kill();
    }
  }, 60_000);
});

describe("REDIS_URL that cannot be reached", () => {
  it("serve stops at start with an error naming REDIS_URL (and does not hang)", async () => {
    const { code, stderr } = await runCli(["serve", "--port", String(await freePort())], { env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    expect(code).toBe(1);
    expect(stderr).toContain("REDIS_URL");
  });
});
