import path from "node:path";
import { run, type RunnerHandle } from "@grammyjs/runner";
import type { FastifyInstance } from "fastify";
import { webhookCallback } from "grammy";
import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import { AppError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { httpError, safeEqual } from "../http/auth.ts";
import { createBot } from "./bot.ts";
import { botCommands } from "./commands.ts";
import { fileFeedbackSink, type FeedbackSink } from "./feedback.ts";
import { loadBotMessages } from "./messages.ts";
import { fileSessionStore, redisSessionStore, type SessionStore } from "./session.ts";
import { resilientCounter } from "../../limits.ts";
import { closeRedis, connectRedis, redisWindowCounter, type SharedRedis } from "../../redis.ts";

/*
 * Starting the bot: long polling with @grammyjs/runner (concurrent across chats, in order within a
 * chat) by default; with WEBHOOK_URL, a webhook route on the console's HTTP server (secret checked)
 * so that several replicas behind a load balancer share one Redis session store.
 */

export interface BotHandle {
  mode: "polling" | "webhook";
  username: string;
  /** For webhook mode: registers the route; call before the HTTP server listens. */
  plugin?: (app: FastifyInstance) => void;
  /** After the HTTP server listens (webhook mode): tell Telegram where to send updates. */
  afterListen(): Promise<void>;
  /** Finish in-flight updates, then close the session store. */
  stop(): Promise<void>;
}

/** How long startup waits for the Bot API (getMe) before giving up with a clear error. */
const INIT_TIMEOUT_MS = 10_000;

/** The session store: Redis (the given shared client, or REDIS_URL), else one file per session. */
export async function sessionStoreFor(config: Config, redis?: SharedRedis): Promise<SessionStore> {
  const ttl = config.telegram.sessionTtlMs;
  if (redis) return redisSessionStore(redis, ttl);
  if (config.redisUrl) return redisSessionStore(config.redisUrl, ttl);
  return fileSessionStore(path.join(config.stateDir, "sessions"), ttl);
}

/**
 * Prepare and start the bot. Optional Bot API calls (setMyCommands) failing is logged, not fatal.
 * With REDIS_URL, sessions and the per-user rate limit use `options.redis`, the process's one
 * connection (src/server.ts passes it); started alone, the bot opens that one connection itself
 * and closes it when it stops.
 *
 * @example
 * const bot = await startBot(() => app, config, log);
 * process.once("SIGTERM", () => bot.stop());
 */
export async function startBot(
  core: () => App,
  config: Config,
  log: Logger,
  options: { storage?: SessionStore; feedback?: FeedbackSink; redis?: SharedRedis } = {},
): Promise<BotHandle> {
  const owned =
    !options.redis && !options.storage && config.redisUrl
      ? await connectRedis(config.redisUrl, { log, commandTimeoutMs: config.redisCommandTimeoutMs })
      : undefined;
  const redis = options.redis ?? owned;
  const storage = options.storage ?? (await sessionStoreFor(config, redis));
  const close = async () => {
    await storage.close();
    if (owned) await closeRedis(owned);
  };
  const feedback = options.feedback ?? fileFeedbackSink(path.join(config.stateDir, "feedback.jsonl"));
  const messages = loadBotMessages(config.promptsDir);
  const bot = createBot({
    core,
    config,
    log,
    storage,
    feedback,
    messages,
    // Counted in Redis (shared by replicas), in this process while Redis is down.
    ...(redis ? { limitCounter: resilientCounter(redisWindowCounter(redis, "minsheng:ratelimit:bot:")) } : {}),
  });
  try {
    await Promise.race([
      bot.init(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${INIT_TIMEOUT_MS / 1000} s`)), INIT_TIMEOUT_MS).unref()),
    ]);
  } catch (error) {
    await close();
    throw new AppError("CONFIG_INVALID", `cannot reach the Telegram Bot API at ${config.telegram.apiRoot} (${(error as Error).message})`);
  }
  await bot.api.setMyCommands(botCommands(messages)).catch((e: unknown) => log.warn("setMyCommands failed (continuing)", { error: (e as Error).message }));
  const username = bot.botInfo.username;

  const webhook = config.telegram.webhook;
  if (webhook) {
    const route = new URL(webhook.url).pathname;
    log.info(`telegram bot @${username}: webhook ${route}`);
    return {
      mode: "webhook",
      username,
      plugin: (app) => {
        app.post(
          route,
          {
            schema: { hide: true },
            // Telegram delivers every resident's updates from a few addresses, so a per-IP limit would
            // cap the whole bot: the secret authenticates the route and the bot limits each resident.
            config: { rateLimit: false },
            onRequest: async (req) => {
              const given = req.headers["x-telegram-bot-api-secret-token"];
              if (typeof given !== "string" || !safeEqual(given, webhook.secret)) throw httpError(401, "wrong or missing webhook secret");
            },
          },
          webhookCallback(bot, "fastify", { secretToken: webhook.secret }),
        );
      },
      afterListen: async () => {
        await bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: ["message", "callback_query"] });
      },
      stop: close,
    };
  }

  await bot.api.deleteWebhook().catch((e: unknown) => log.warn("deleteWebhook failed (continuing)", { error: (e as Error).message }));
  const runner: RunnerHandle = run(bot, { runner: { fetch: { allowed_updates: ["message", "callback_query"] } } });
  log.info(`telegram bot @${username}: long polling`);
  return {
    mode: "polling",
    username,
    afterListen: async () => {},
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
      await close();
    },
  };
}
