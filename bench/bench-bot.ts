import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type autocannon from "autocannon";
import TelegramServerDefault from "telegram-test-api";
import type { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import { freePort, loadP95, loadRun, peakRssMb, stopServer, waitForHttp } from "./kit.ts";
import { loadBotMessages } from "../src/channels/telegram/messages.ts";
import { readQuestions } from "../src/eval/run.ts";

/*
 * `npm run bench:bot`: N simulated residents talk to the bot in webhook mode on loopback. The bot
 * runs as in production (its own process, the console's HTTP server, default rate limits); a
 * Telegram Bot API emulator (telegram-test-api) receives its replies. The webhook answers once the
 * reply has been sent, so webhook latency is reply latency. Baseline in the same run: updates the
 * bot reads but ignores (a group message that does not mention it).
 */

const { values } = parseArgs({
  options: {
    questions: { type: "string", default: "../shared/eval/dev.jsonl" },
    residents: { type: "string", default: "2000" },
    duration: { type: "string", default: "20" },
    connections: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});

const questions = readQuestions(path.resolve(values.questions as string)).map((q) => q.question);
const residents = Number(values.residents);
const emulator = new (TelegramServerDefault as unknown as typeof TelegramServer)({ port: await freePort(), host: "127.0.0.1", storeTimeout: 3600 });
await emulator.start();
const port = await freePort();
const secret = "bench_webhook_secret";
const token = "100000:bench";
const state = mkdtempSync(path.join(os.tmpdir(), "minsheng-benchbot-"));
const server = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "start"], {
  env: {
    ...process.env,
    LOG_LEVEL: "warn",
    HTTP_PORT: String(port),
    TELEGRAM_BOT_TOKEN: token,
    TELEGRAM_API_ROOT: emulator.config.apiURL,
    WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
    WEBHOOK_SECRET: secret,
    MINSHENG_STATE_DIR: state,
  },
  stdio: ["ignore", "ignore", "inherit"],
});
try {
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 120_000);
  let n = 0;
  const update = (text: string, chatType: "private" | "group") => {
    n++;
    // Group chatter (the baseline) comes from other users than the residents, so it does not use
    // up the residents' per-user rate limit before the measured run.
    const user = (chatType === "private" ? 10_000 : 1_000_000) + (n % residents);
    const chat = chatType === "private" ? { id: user, type: "private" } : { id: -user, type: "group", title: "小区群" };
    return JSON.stringify({ update_id: n, message: { message_id: n, date: Math.floor(Date.now() / 1000), text, chat, from: { id: user, is_bot: false, first_name: "居民" } } });
  };
  const target = (text: (i: number) => string, chatType: "private" | "group") => ({
    url: `http://127.0.0.1:${port}/telegram/webhook`,
    duration: Number(values.duration),
    connections: Number(values.connections),
    requests: [
      {
        method: "POST" as const,
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
        setupRequest: (req: autocannon.Request) => ({ ...req, body: update(text(n), chatType) }),
      },
    ],
  });
  const baseline = await loadRun({ ...target(() => "大家好，今天几点开会", "group"), duration: Math.max(5, Math.round(Number(values.duration) / 2)) });
  const before = emulator.storage.botMessages.length;
  const asked = await loadRun(target((i) => questions[i % questions.length] as string, "private"));
  const rateLimitedText = loadBotMessages(path.resolve("prompts")).rate_limited;
  const rateLimited = emulator.storage.botMessages.slice(before).filter((m) => m.message.text === rateLimitedText).length;
  const report = {
    residents,
    connections: Number(values.connections),
    durationS: Number(values.duration),
    answered: {
      updatesPerSec: Math.round(asked.requests.average),
      replyLatencyMs: { median: asked.latency.p50, p95: loadP95(asked), p99: asked.latency.p99 },
      errors: asked.errors + asked.non2xx,
      total: asked.requests.total,
    },
    baselineIgnoredGroupMessage: {
      updatesPerSec: Math.round(baseline.requests.average),
      latencyMs: { median: baseline.latency.p50, p95: loadP95(baseline) },
    },
    botRepliesReceivedByApi: emulator.storage.botMessages.length - before,
    rateLimitedReplies: rateLimited,
    serverPeakRssMb: peakRssMb(server.pid),
  };
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else {
    const r = report;
    process.stdout.write(
      [
        `webhook, ${r.residents} residents, ${r.connections} connections, ${r.durationS}s:`,
        `  answered questions: ${r.answered.updatesPerSec}/s; reply latency median ${r.answered.replyLatencyMs.median} ms, p95 ${r.answered.replyLatencyMs.p95} ms, p99 ${r.answered.replyLatencyMs.p99} ms; errors ${r.answered.errors} of ${r.answered.total}`,
        `  baseline (ignored group messages): ${r.baselineIgnoredGroupMessage.updatesPerSec}/s; median ${r.baselineIgnoredGroupMessage.latencyMs.median} ms`,
        `  replies received by the Bot API emulator: ${r.botRepliesReceivedByApi} (rate-limit notices: ${r.rateLimitedReplies}); server peak RSS ${r.serverPeakRssMb} MB`,
      ].join("\n") + "\n",
    );
  }
  if (rateLimited > 0) {
    process.stderr.write(
      `warning: at least ${rateLimited} updates hit the per-user rate limit, so part of the answered figures are refusals; ` +
        `use more --residents or fewer --connections\n`,
    );
  }
} finally {
  await stopServer(server);
  await emulator.stop();
  rmSync(state, { recursive: true, force: true });
}
