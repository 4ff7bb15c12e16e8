import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "redis";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../process-kit.ts";
import { peerAvailable } from "../helpers-peers.ts";
import { press, replies, say, startEmulator } from "../channels/telegram/harness.ts";
import { redisOn, serve, spawnCli, waitForOutput } from "./helpers.ts";

/*
 * D1: Redis killed while `serve` and `bot` run under load, then restarted on the same port; then
 * Redis hung (SIGSTOP). No request waits for the outage, none fails; the bot keeps answering with
 * the resident's saved city; /healthz says redis: down; the log says so once; shared limits and
 * sessions resume when Redis is back (a change made during the outage is written back).
 *
 * FAULT_REDIS_OUTAGE_S sets the outage (default 6 s; the figure is measured with 30).
 */

const OUTAGE_MS = Number(process.env.FAULT_REDIS_OUTAGE_S ?? "6") * 1000;
const HANG_MS = 3000;
const CONNECTIONS = 10;
const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-faults-redis-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Sample {
  at: number;
  ms: number;
  status: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).length;

describe.skipIf(!peerAvailable("/usr/bin/redis-server"))("D1: Redis outage under load", () => {
  it(
    "no request waits for Redis, none fails; the bot answers; limits and sessions resume",
    async () => {
      const port = await freePort();
      let redis = await redisOn(port);
      const emulator = await startEmulator();
      const token = `616161:${Math.random().toString(36).slice(2)}`;
      const env = { REDIS_URL: redis.url, LOG_LEVEL: "info", HTTP_RATE_LIMIT_MAX: "1000000" };
      const served = await serve(env);
      const bot = spawnCli(["bot"], { ...env, TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.config.apiURL, MINSHENG_STATE_DIR: work });
      const samples: Sample[] = [];
      let running = true;
      let workers: Promise<void>[] = [];
      try {
        await waitForOutput(bot, /已启动/);
        const userId = 77_001;
        const resident = emulator.getClient(token, { userId, chatId: userId });
        await press(resident, "city:1");
        expect((await replies(resident))[0]?.text).toContain("淮南市");

        const started = performance.now();
        const worker = async (i: number) => {
          const questions = ["六安低保标准是多少", "淮南公租房谁能申请", "两市基本公共服务清单有什么不同"];
          for (let n = 0; running; n++) {
            const t0 = performance.now();
            let status = 0;
            // A request that waited for Redis would otherwise keep the test from ending.
            const signal = AbortSignal.timeout(OUTAGE_MS + 10_000);
            try {
              const res =
                (i + n) % 2 === 0
                  ? await fetch(`${served.base}/api/ask`, {
                      method: "POST",
                      headers: { "content-type": "application/json" },
                      body: JSON.stringify({ question: questions[n % questions.length] }),
                      signal,
                    })
                  : await fetch(`${served.base}/api/index`, { signal });
              await res.arrayBuffer();
              status = res.status;
            } catch {
              status = 0;
            }
            samples.push({ at: t0 - started, ms: performance.now() - t0, status });
          }
        };
        workers = Array.from({ length: CONNECTIONS }, (_, i) => worker(i));
        await sleep(1000);

        // Outage: Redis killed.
        const downAt = performance.now() - started;
        await redis.kill("SIGKILL");
        const health = async () => ((await (await fetch(`${served.base}/healthz`)).json()) as { redis?: string }).redis;
        await expect.poll(health, { timeout: 3000, interval: 100 }).toBe("down");
        // The bot answers with the city saved before the outage, and takes a new choice.
        const asked = performance.now();
        await say(resident, "公租房");
        const [answer] = await replies(resident, 1, OUTAGE_MS);
        const botReplyMs = performance.now() - asked;
        expect(answer?.text).toContain("淮南市");
        expect(answer?.text).not.toContain("【六安市】");
        await press(resident, "city:0");
        expect((await replies(resident, 1, OUTAGE_MS))[0]?.text).toContain("六安市");
        await sleep(Math.max(0, downAt + OUTAGE_MS - (performance.now() - started)));

        // Redis back on the same port (empty: no persistence).
        redis = await redisOn(port);
        const upAt = performance.now() - started;
        await expect.poll(health, { timeout: 5000, interval: 100 }).toBe("up");
        await sleep(2000);

        // Hung: the connection stays open, Redis answers nothing.
        const hangAt = performance.now() - started;
        redis.child.kill("SIGSTOP");
        await sleep(HANG_MS);
        redis.child.kill("SIGCONT");
        const hangEnd = performance.now() - started;
        await sleep(1500);
        running = false;
        await Promise.all(workers);

        const raw = createClient({ url: redis.url });
        await raw.connect();
        try {
          // Limits count in Redis again; the city chosen during the outage was written back.
          await expect.poll(async () => (await raw.keys("minsheng:ratelimit:http:*")).length, { timeout: 5000 }).toBeGreaterThan(0);
          await expect.poll(async () => JSON.parse((await raw.get(`minsheng:session:u:${userId}`)) ?? "{}").city, { timeout: 5000 }).toBe("六安市");
        } finally {
          await raw.quit();
        }

        const outage = samples.filter((s) => s.at >= downAt - 1000 && s.at <= upAt);
        const hang = samples.filter((s) => s.at >= hangAt - 500 && s.at <= hangEnd);
        const slowest = (xs: Sample[]) => Math.round(Math.max(...xs.map((s) => s.ms)));
        const figures = {
          outageS: OUTAGE_MS / 1000,
          connections: CONNECTIONS,
          requests: samples.length,
          duringOutage: outage.length,
          slowestDuringOutageMs: slowest(outage),
          duringHang: hang.length,
          slowestDuringHangMs: slowest(hang),
          status5xx: samples.filter((s) => s.status >= 500).length,
          failed: samples.filter((s) => s.status === 0).length,
          over1s: samples.filter((s) => s.ms > 1000).length,
          botReplyDuringOutageMs: Math.round(botReplyMs),
        };
        console.log(`redis outage figures: ${JSON.stringify(figures)}`);
        expect(outage.length).toBeGreaterThan(100);
        expect(figures.status5xx).toBe(0);
        expect(figures.failed).toBe(0);
        expect(samples.every((s) => s.status === 200)).toBe(true);
        // The target: 0 requests slower than 1 s (and 0 5xx, above), over the whole run — the
        // kill, the restart and the hang. During the hang a request waits at most one command deadline
        // (REDIS_COMMAND_TIMEOUT_MS, 500 ms), so the slowest are about 550 ms on a loaded 2-core machine.
        expect(figures.over1s).toBe(0);
        expect(botReplyMs).toBeLessThan(OUTAGE_MS / 2);

        // One warning per outage (the kill and the hang), and the recovery, in each process.
        const logs = served.stderr();
        expect(count(logs, /Redis unavailable/)).toBe(2);
        expect(count(logs, /Redis is back/)).toBe(2);
        expect(count(bot.stderr(), /Redis unavailable/)).toBeGreaterThanOrEqual(1);
        expect(count(bot.stderr(), /Redis unavailable/)).toBeLessThanOrEqual(2);
      } finally {
        running = false;
        await Promise.all(workers);
        await bot.stop();
        await served.stop();
        redis.child.kill("SIGCONT");
        await redis.kill();
        await emulator.stop();
      }
    },
    90_000 + OUTAGE_MS,
  );
});
