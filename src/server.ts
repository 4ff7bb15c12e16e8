import { fill } from "./prompts.ts";
import path from "node:path";
import type { App } from "./app.ts";
import { startHttpServer } from "./channels/http/server.ts";
import { fileFeedbackSink, type FeedbackSink } from "./channels/telegram/feedback.ts";
import { startBot, type BotHandle } from "./channels/telegram/run.ts";
import type { Config } from "./config.ts";
import { resilientCounter } from "./limits.ts";
import { LiveApp } from "./live.ts";
import type { Logger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { openQuestionLog, type QuestionLog } from "./questions/log.ts";
import { loggedCore, ratingsToLog } from "./questions/observe.ts";
import { closeRedis, connectRedis, redisWindowCounter } from "./redis.ts";

/*
 * The process's long-running services: one Redis connection (when REDIS_URL is set), the question
 * log and metrics, the LiveApp with its file watch and SIGHUP reload, the Telegram bot and the HTTP
 * server (API + staff console). `startServices` starts what is asked for and returns `stop`, which
 * closes everything in reverse order of start. The caller decides when to stop (the CLI: SIGINT or
 * SIGTERM).
 */

export interface ServiceOptions {
  log: Logger;
  /** The core; asked for once, after Redis is connected and the question log opened. */
  app: () => Promise<App>;
  /** Where the one-line "started" notices go (the bot's name, the console's address). */
  stdout: NodeJS.WritableStream;
  /** The HTTP API and staff console. */
  serve: boolean;
  /** The Telegram bot (when TELEGRAM_BOT_TOKEN is set; without `serve` it is required). */
  bot: boolean;
  port?: number;
  host?: string;
}

/** The settings do not allow what was asked for (e.g. the bot alone without TELEGRAM_BOT_TOKEN). */
export class ServiceSettingsError extends Error {}

/**
 * Start the services. A start that fails part-way closes what had started (so the process can exit)
 * and rethrows.
 *
 * @example
 * const stop = await startServices(config, { log, app: () => createApp(config, { log }), stdout: process.stdout, serve: true, bot: true });
 * process.once("SIGTERM", () => void stop());
 */
export async function startServices(config: Config, options: ServiceOptions): Promise<() => Promise<void>> {
  const { log, stdout } = options;
  const stops: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const s of stops.reverse()) await s();
    })());
  try {
    // One Redis connection for everything replicas share (fails fast on a bad REDIS_URL); closed last.
    const redis = config.redisUrl ? await connectRedis(config.redisUrl, { log, commandTimeoutMs: config.redisCommandTimeoutMs }) : undefined;
    if (redis) stops.push(() => closeRedis(redis));
    // The question log is written to the end: closed after the channels, before Redis.
    const questionLog: QuestionLog = openQuestionLog(config, log);
    stops.push(() => questionLog.close());
    const metrics = config.metrics ? createMetrics() : undefined;
    const live = new LiveApp(await options.app(), log);
    const core = () => live.current();
    const health = () => ({ ...(redis ? { redis: redis.status() } : {}), ...(questionLog.enabled ? { database: questionLog.status() } : {}) });
    if (metrics) {
      live.onReload((r) => metrics.reload(r.ok ? (r.unchanged ? "unchanged" : "ok") : "refused"));
      metrics.setSources({ build: () => core().index.id, health, questionLog: () => questionLog.stats() });
    }
    // Every channel's questions go through its logged view of the core (question log, metrics).
    const observe = metrics ? metrics.observeAnswer.bind(metrics) : undefined;
    const httpCore = loggedCore(core, "http", { questionLog, observe });
    const botCore = loggedCore(core, "telegram", { questionLog, observe });
    const feedback: FeedbackSink = ratingsToLog(questionLog, fileFeedbackSink(path.join(config.stateDir, "feedback.jsonl")));
    const reload = (reason: string) => live.reload(reason);
    if (config.indexWatch) live.watch();
    const onHup = () => void reload("SIGHUP");
    process.on("SIGHUP", onHup);
    stops.push(async () => {
      live.close();
      process.off("SIGHUP", onHup);
    });
    let bot: BotHandle | undefined;
    if (options.bot && config.telegram.token) {
      // The bot shares this process's Redis connection (sessions, its rate limit); it opens none.
      const handle = await startBot(botCore, config, log, { feedback, ...(redis ? { redis } : {}) });
      bot = handle;
      // Stopped after the HTTP server has closed, so in-flight webhook updates finish first.
      stops.push(() => handle.stop());
      const t = core().messages.terminal;
      stdout.write(fill(t.bot_started, { username: bot.username, mode: bot.mode === "webhook" ? "webhook" : t.bot_polling }) + "\n");
    } else if (options.bot && !options.serve) {
      throw new ServiceSettingsError("the bot needs TELEGRAM_BOT_TOKEN (see .env.example)");
    }
    if (options.serve || bot?.mode === "webhook") {
      const { app: http, url } = await startHttpServer(httpCore, config, log, {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host ? { host: options.host } : {}),
        ...(bot?.plugin ? { plugins: [bot.plugin] } : {}),
        reload,
        health,
        questionLog,
        ...(metrics ? { metrics } : {}),
        // Counted in Redis (shared by replicas), in this process while Redis is down.
        ...(redis ? { rateLimitCounter: resilientCounter(redisWindowCounter(redis, "minsheng:ratelimit:http:")) } : {}),
      });
      stdout.write(fill(core().messages.terminal.console_started, { url }) + "\n");
      stops.push(() => http.close());
    }
    if (bot) await bot.afterListen();
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
