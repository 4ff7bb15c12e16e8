import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import type { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import type { App } from "../src/app.ts";
import { startBot } from "../src/channels/telegram/run.ts";
import { createLogger } from "../src/log.ts";
import { startServices } from "../src/server.ts";
import { testApp, testConfig } from "./helpers.ts";
import { peerAvailable } from "./helpers-peers.ts";
import { startRedis } from "./helpers-redis.ts";
import { replies, say, startEmulator } from "./channels/telegram/harness.ts";

let server: TelegramServer;
let core: App;
let user = 7000;
beforeAll(async () => {
  server = await startEmulator();
  core = await testApp();
});
afterAll(() => server.stop());

/** How many clients other than `raw` are connected to the Redis server. */
async function otherClients(raw: ReturnType<typeof createClient>): Promise<number> {
  const list = String(await raw.sendCommand(["CLIENT", "LIST"]));
  return list.trim().split("\n").length - 1;
}

describe.skipIf(!peerAvailable("/usr/bin/redis-server"))("one Redis connection per process", () => {
  it("startServices (console and bot) opens one, shared; stop closes it and removes the SIGHUP handler", async () => {
    const redis = await startRedis();
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      const token = `616161:${Math.random().toString(36).slice(2)}`;
      const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: server.config.apiURL, REDIS_URL: redis.url });
      const out = new PassThrough();
      let printed = "";
      out.on("data", (d: Buffer) => (printed += d.toString()));
      const hups = process.listenerCount("SIGHUP");
      const stop = await startServices(config, { log: createLogger("silent"), app: async () => core, stdout: out, serve: true, bot: true, port: 0, host: "127.0.0.1" });
      try {
        expect(printed).toContain("已启动");
        expect(printed).toContain("民生问答热线工作台：http://127.0.0.1:");
        expect(await otherClients(raw)).toBe(1);
        const client = server.getClient(token, { userId: ++user, chatId: user });
        await say(client, "六安低保标准是多少");
        expect((await replies(client))[0]?.text).toContain("630元/人/月");
        expect(await otherClients(raw)).toBe(1);
      } finally {
        await stop();
      }
      expect(process.listenerCount("SIGHUP")).toBe(hups);
      await expect.poll(() => otherClients(raw)).toBe(0);
    } finally {
      await raw.quit();
      await redis.stop();
    }
  });

  it("startBot started alone with REDIS_URL opens one connection for sessions and its rate limit, and closes it", async () => {
    const redis = await startRedis();
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      const token = `626262:${Math.random().toString(36).slice(2)}`;
      const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: server.config.apiURL, REDIS_URL: redis.url });
      const handle = await startBot(() => core, config, createLogger("silent"));
      try {
        expect(await otherClients(raw)).toBe(1);
        const client = server.getClient(token, { userId: ++user, chatId: user });
        await say(client, "六安低保标准是多少");
        expect((await replies(client))[0]?.text).toContain("630元/人/月");
        expect(await raw.keys("minsheng:ratelimit:bot:*")).not.toHaveLength(0);
      } finally {
        await handle.stop();
      }
      await expect.poll(() => otherClients(raw)).toBe(0);
    } finally {
      await raw.quit();
      await redis.stop();
    }
  });
});
