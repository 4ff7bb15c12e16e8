import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import type { App } from "../../src/app.ts";
import { buildHttpApp } from "../../src/channels/http/app.ts";
import { startBot } from "../../src/channels/telegram/run.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { ROOT, testApp, testConfig } from "../helpers.ts";
import { freePort, replies, startEmulator } from "../channels/telegram/harness.ts";

/*
 * D3: behind a proxy, a client-chosen X-Forwarded-For never escapes the per-IP limit.
 * D4: the Telegram webhook (a few Telegram addresses, every resident's updates) is not counted by
 * the per-IP limit; its secret authenticates it and the bot limits each resident.
 */

let core: App;
let server: TelegramServer;
const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-faults-proxy-"));
beforeAll(async () => {
  core = await testApp();
  server = await startEmulator();
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("D3: spoofed X-Forwarded-For", () => {
  it.each([["1"], ["127.0.0.1"], ["127.0.0.0/8, 10.0.0.0/8"]])("HTTP_TRUST_PROXY=%s: 40 requests with client-chosen first hops get the limit of 5", async (trust) => {
    const http = await buildHttpApp(() => core, testConfig({ HTTP_TRUST_PROXY: trust, HTTP_RATE_LIMIT_MAX: "5" }));
    try {
      const codes: number[] = [];
      for (let i = 0; i < 40; i++) {
        // The proxy (127.0.0.1) appends the address it saw; everything before it is the client's to choose.
        const res = await http.inject({ url: "/api/index", remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": `192.0.2.${i}, 203.0.113.99` } });
        codes.push(res.statusCode);
      }
      expect(codes.filter((c) => c === 200)).toHaveLength(5);
      expect(codes.filter((c) => c === 429)).toHaveLength(35);
      // Another real client behind the same proxy has its own allowance.
      const other = await http.inject({ url: "/api/index", remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": "203.0.113.100" } });
      expect(other.statusCode).toBe(200);
      // A direct client that is not a trusted proxy cannot use the header at all (address ranges only).
      if (trust !== "1") {
        for (let i = 0; i < 6; i++) await http.inject({ url: "/api/index", remoteAddress: "198.51.100.7", headers: { "x-forwarded-for": `192.0.2.${100 + i}` } });
        expect((await http.inject({ url: "/api/index", remoteAddress: "198.51.100.7", headers: { "x-forwarded-for": "192.0.2.200" } })).statusCode).toBe(429);
      }
    } finally {
      await http.close();
    }
  });

  it("HTTP_TRUST_PROXY=true (believe every hop) is refused, naming the key and what to use", () => {
    expect(() => loadConfig({ env: { HTTP_TRUST_PROXY: "true" }, root: ROOT })).toThrow(/number of proxies[\s\S]*HTTP_TRUST_PROXY/);
    expect(() => loadConfig({ env: { HTTP_TRUST_PROXY: "10.0.0.0/33" }, root: ROOT })).toThrow(/HTTP_TRUST_PROXY/);
  });
});

describe("D4: the webhook and the per-IP limit", () => {
  it("350 residents' updates from one Telegram address are all delivered; wrong secrets get the uniform 401", async () => {
    const token = `919191:${Math.random().toString(36).slice(2)}`;
    const secret = "s3cret_webhook_token";
    const port = await freePort();
    const config = testConfig({
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: server.config.apiURL,
      WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook`,
      WEBHOOK_SECRET: secret,
      MINSHENG_STATE_DIR: work,
      HTTP_RATE_LIMIT_MAX: "5",
      BOT_RATE_LIMIT: "2",
      BOT_RATE_WINDOW_MS: "60000",
    });
    const handle = await startBot(() => core, config, createLogger("silent"));
    const http = await buildHttpApp(() => core, config, { plugins: [handle.plugin!] });
    try {
      const update = (id: number, user: number, text = "/help") => ({
        update_id: id,
        message: {
          message_id: id,
          date: 0,
          text,
          ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] } : {}),
          chat: { id: user, type: "private" },
          from: { id: user, is_bot: false, first_name: "居民" },
        },
      });
      const deliver = (body: unknown, headers: Record<string, string> = { "x-telegram-bot-api-secret-token": secret }) =>
        http.inject({ method: "POST", url: "/telegram/hook", remoteAddress: "149.154.167.220", headers, payload: body as object });
      const codes: number[] = [];
      for (let start = 0; start < 350; start += 10) {
        const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => deliver(update(start + i + 1, 70_000 + start + i))));
        codes.push(...batch.map((r) => r.statusCode));
      }
      expect(codes.filter((c) => c === 429)).toHaveLength(0);
      expect(codes.every((c) => c === 200)).toBe(true);

      // The bot's own per-resident limit still applies.
      const resident = 69_999;
      for (let i = 0; i < 4; i++) await deliver(update(1000 + i, resident));
      const client = server.getClient(token, { userId: resident, chatId: resident });
      const got = await replies(client, 3);
      expect(got.some((m) => m.text.includes("发得太快"))).toBe(true);

      for (const headers of [{}, { "x-telegram-bot-api-secret-token": "wrong" }] as Record<string, string>[]) {
        const res = await deliver(update(2000, resident), headers);
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
      }
    } finally {
      await handle.stop();
      await http.close();
    }
  });
});
