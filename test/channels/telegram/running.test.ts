import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createClient } from "redis";
import type { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import type { App } from "../../../src/app.ts";
import { buildHttpApp } from "../../../src/channels/http/app.ts";
import { startBot } from "../../../src/channels/telegram/run.ts";
import { redisSessionStore } from "../../../src/channels/telegram/session.ts";
import { createLogger } from "../../../src/log.ts";
import { closeRedis, connectRedis, redisWindowCounter } from "../../../src/redis.ts";
import { ROOT, testApp, testConfig } from "../../helpers.ts";
import { peerAvailable } from "../../helpers-peers.ts";
import { startRedis } from "../../helpers-redis.ts";
import { allReplies, buttons, freePort, press, replies, say, silence, startEmulator, startTestBot } from "./harness.ts";

let server: TelegramServer;
let core: App;
let user = 5000;
beforeAll(async () => {
  server = await startEmulator();
  core = await testApp();
});
afterAll(() => server.stop());

describe("sending", () => {
  it("splits a long answer under the message limit, never inside a source line, keyboard on the last", async () => {
    const h = await startTestBot(core, server, { env: { BOT_MESSAGE_LIMIT: "200" } });
    try {
      const client = server.getClient(h.token, { userId: ++user, chatId: user });
      await say(client, "六安和淮南的基本公共服务清单有什么不同");
      const msgs = await allReplies(client);
      expect(msgs.length).toBeGreaterThan(2);
      for (const m of msgs) expect(m.text.length).toBeLessThanOrEqual(200);
      const all = msgs.map((m) => m.text).join("\n");
      const sourceLines = all.split("\n").filter((l) => l.startsWith("<i>《"));
      expect(sourceLines.length).toBeGreaterThan(0);
      for (const line of sourceLines) expect(line).toMatch(/^<i>《[^<]*》：\[\d+\][^<]*<\/i>$/);
      expect(msgs.slice(0, -1).every((m) => buttons(m).length === 0)).toBe(true);
      expect(buttons(msgs[msgs.length - 1]!).some((b) => b.data.startsWith("fb:"))).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it("rate-limits a user with a friendly message", async () => {
    const h = await startTestBot(core, server, { env: { BOT_RATE_LIMIT: "2", BOT_RATE_WINDOW_MS: "60000" } });
    try {
      const client = server.getClient(h.token, { userId: ++user, chatId: user });
      for (let i = 0; i < 4; i++) await say(client, "/help");
      const msgs = await replies(client, 3);
      expect(msgs.filter((m) => m.text.includes("发得太快")).length).toBeGreaterThanOrEqual(1);
    } finally {
      await h.stop();
    }
  });

  it("group chatter not addressed to the bot never counts toward the rate limit", async () => {
    const h = await startTestBot(core, server, { env: { BOT_RATE_LIMIT: "2", BOT_RATE_WINDOW_MS: "60000" } });
    try {
      const id = ++user;
      const client = server.getClient(h.token, { userId: id, chatId: -id, type: "group", firstName: "居民" });
      for (let i = 0; i < 5; i++) await say(client, `大家好，今天第${i + 1}次开会`);
      expect(await silence(client)).toBe(true);
      const username = h.bot.botInfo.username;
      await say(client, `@${username} 六安的低保标准是多少`);
      const [answer] = await replies(client);
      expect(answer?.text).toContain("630元/人/月");
      expect(answer?.text).not.toContain("发得太快");
    } finally {
      await h.stop();
    }
  });

  it("a failing answer never crashes the bot: 系统繁忙 for the user, the update id (no text) in the log", async () => {
    const broken = { ...core, ask: async () => Promise.reject(new Error("index exploded")) } as App;
    const h = await startTestBot(broken, server);
    try {
      const client = server.getClient(h.token, { userId: ++user, chatId: user });
      await say(client, "我的身份证340102199001011234，公租房");
      expect((await replies(client))[0]?.text).toBe("系统繁忙，请稍后再试。");
      const log = h.logs.join("\n");
      expect(log).toMatch(/"update":\d+.*"msg":"telegram update failed"/);
      expect(log).toContain("index exploded");
      expect(log).not.toContain("公租房");
      expect(log).not.toContain("340102199001011234");
      await say(client, "/help");
      expect((await replies(client))[0]?.text).toContain("/check");
    } finally {
      await h.stop();
    }
  });
});

describe("startBot", () => {
  it("treats optional Bot API calls the emulator lacks (setMyCommands) as non-fatal", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "minsheng-bot-"));
    const token = `424242:${Math.random().toString(36).slice(2)}`;
    const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: server.config.apiURL, MINSHENG_STATE_DIR: dir });
    const lines: string[] = [];
    const handle = await startBot(() => core, config, createLogger("info", (l) => lines.push(l)));
    try {
      expect(handle.mode).toBe("polling");
      expect(lines.join("\n")).toContain("setMyCommands failed (continuing)");
      const client = server.getClient(token, { userId: ++user, chatId: user });
      await say(client, "六安低保标准是多少");
      expect((await replies(client))[0]?.text).toContain("630元/人/月");
    } finally {
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports an unreachable Bot API clearly", async () => {
    const config = testConfig({ TELEGRAM_BOT_TOKEN: "1:x", TELEGRAM_API_ROOT: `http://127.0.0.1:${await freePort()}` });
    await expect(startBot(() => core, config, createLogger("silent"))).rejects.toThrow(/cannot reach the Telegram Bot API/);
  });
});

describe("webhook mode on the console's HTTP server", () => {
  it("rejects a wrong secret and answers with the right one", async () => {
    const token = `777777:${Math.random().toString(36).slice(2)}`;
    const secret = "s3cret_webhook_token";
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), "minsheng-hook-"));
    const config = testConfig({
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: server.config.apiURL,
      WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook`,
      WEBHOOK_SECRET: secret,
      MINSHENG_STATE_DIR: dir,
    });
    const handle = await startBot(() => core, config, createLogger("silent"));
    const http = await buildHttpApp(() => core, config, { plugins: [handle.plugin!] });
    await http.listen({ host: "127.0.0.1", port });
    try {
      await handle.afterListen();
      const update = (text: string, id: number) => ({
        update_id: id,
        message: { message_id: id, date: 0, text, chat: { id: 9001, type: "private" }, from: { id: 9001, is_bot: false, first_name: "居民" } },
      });
      const post = (body: unknown, headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/telegram/hook`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
      expect((await post(update("公租房", 1), {})).status).toBe(401);
      expect((await post(update("公租房", 2), { "x-telegram-bot-api-secret-token": "wrong" })).status).toBe(401);
      const ok = await post(update("六安低保标准是多少", 3), { "x-telegram-bot-api-secret-token": secret });
      expect(ok.status).toBe(200);
      const client = server.getClient(token, { userId: 9001, chatId: 9001 });
      expect((await replies(client))[0]?.text).toContain("630元/人/月");
      expect(await silence(client, 300)).toBe(true);
    } finally {
      await handle.stop();
      await http.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!peerAvailable("/usr/bin/redis-server"))("Redis sessions (real redis-server)", () => {
  it("are shared by two bot instances, expire, and /forget removes them", async () => {
    const redis = await startRedis();
    try {
      const token = `555555:${Math.random().toString(36).slice(2)}`;
      const ttl = 60_000;
      const a = await startTestBot(core, server, { token, storage: await redisSessionStore(redis.url, ttl) });
      const client = server.getClient(token, { userId: ++user, chatId: user });
      await press(client, "city:1");
      expect((await replies(client))[0]?.text).toContain("淮南市");
      await say(client, "我是灵活就业");
      await replies(client);
      await a.stop();
      await a.storage.close();

      const b = await startTestBot(core, server, { token, storage: await redisSessionStore(redis.url, ttl) });
      await say(client, "公租房");
      const [m] = await replies(client);
      expect(m?.text).toContain("淮南市");
      expect(m?.text).not.toContain("六安市规划");

      const raw = createClient({ url: redis.url });
      await raw.connect();
      const key = `minsheng:session:u:${user}`;
      const pttl = await raw.pTTL(key);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(ttl);
      expect(JSON.parse((await raw.get(key)) as string)).toMatchObject({ city: "淮南市", profile: { employment: "灵活就业" } });
      await say(client, "/forget");
      await replies(client);
      expect(await raw.exists(key)).toBe(0);
      await raw.quit();
      await b.stop();
      await b.storage.close();
    } finally {
      await redis.stop();
    }
  });

  it("two bot instances share one per-user rate limit through Redis", async () => {
    const redis = await startRedis();
    const client = await connectRedis(redis.url);
    try {
      const token = `556655:${Math.random().toString(36).slice(2)}`;
      const options = { token, env: { BOT_RATE_LIMIT: "2", BOT_RATE_WINDOW_MS: "60000" }, limitCounter: redisWindowCounter(client, "t:bot:") };
      const resident = server.getClient(token, { userId: ++user, chatId: user });
      const a = await startTestBot(core, server, options);
      await say(resident, "/help");
      await replies(resident);
      await say(resident, "/help");
      await replies(resident);
      await a.stop();
      // The next replica knows this resident already used the allowance.
      const b = await startTestBot(core, server, options);
      await say(resident, "/help");
      const [m] = await replies(resident);
      expect(m?.text).toContain("发得太快");
      const other = server.getClient(token, { userId: ++user, chatId: user });
      await say(other, "/help");
      expect((await replies(other))[0]?.text).not.toContain("发得太快");
      await b.stop();
    } finally {
      await closeRedis(client);
      await redis.stop();
    }
  });

  it("a Redis URL that cannot be reached stops the start with a clear error", async () => {
    const config = testConfig({ TELEGRAM_BOT_TOKEN: "1:x", TELEGRAM_API_ROOT: server.config.apiURL, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    await expect(startBot(() => core, config, createLogger("silent"))).rejects.toThrow(/REDIS_URL/);
  });
});

describe("the bot process", () => {
  it("npm run cli -- bot runs against the Bot API, answers, and exits cleanly on SIGTERM", async () => {
    const token = `888888:${Math.random().toString(36).slice(2)}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), "minsheng-proc-"));
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "bot"], {
      cwd: ROOT,
      env: { ...process.env, MINSHENG_INDEX_DIR: inject("indexDir"), TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: server.config.apiURL, MINSHENG_STATE_DIR: dir, LOG_LEVEL: "warn" },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toContain("已启动");
      const client = server.getClient(token, { userId: ++user, chatId: user });
      await say(client, "六安低保标准是多少");
      expect((await replies(client))[0]?.text).toContain("630元/人/月");
      const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
