import { limit } from "@grammyjs/ratelimiter";
import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, session, type Context } from "grammy";
import type { WindowCounter } from "../../redis.ts";
import { answers } from "./answers.ts";
import { commands } from "./commands.ts";
import type { BotContext } from "./context.ts";
import { onBotError } from "./errors.ts";
import type { FeatureDeps } from "./feature.ts";
import { groups } from "./groups.ts";
import { ratings } from "./ratings.ts";
import { services } from "./services.ts";
import { initialSession, type SessionStore } from "./session.ts";
import { sources } from "./sources.ts";
import { wizard } from "./wizard.ts";

/*
 * The residents' Telegram bot (grammY). It only formats: every answer, verdict and list comes from
 * the core, and so does what to remember. Each feature is a Composer in its own file (commands,
 * services, wizard, sources, ratings, answers; groups decides what is addressed to the bot); this
 * file builds the Bot and its middleware: updates of a chat are handled in order (sequentialize
 * before the session), a per-user rate limit, Bot API calls retried on 429 and 5xx (auto-retry).
 * Failures reach bot.catch (errors.ts): the resident reads "系统繁忙" and the log gets the update id
 * and the error, never the message.
 */

export interface BotDeps extends FeatureDeps {
  storage: SessionStore;
  /** Count the per-user limit here (Redis, shared by replicas) instead of in this process. */
  limitCounter?: WindowCounter;
}

/**
 * The ratelimiter plugin's storage interface (incr, then pexpire on the first hit) over a window
 * counter whose transaction already starts the window with the first hit: pexpire has nothing
 * left to do, and a crash between the two can never leave a counter without expiry.
 */
function limiterStorage(counter: WindowCounter, windowMs: number) {
  return {
    incr: async (key: string) => (await counter.hit(key, windowMs)).count,
    pexpire: async () => 1,
  };
}

/** Private chats are keyed by user, groups by chat (groups never get a profile). */
export function sessionKey(ctx: Omit<Context, "session">): string | undefined {
  const chat = ctx.chat;
  if (!chat) return ctx.from ? `u:${ctx.from.id}` : undefined;
  return chat.type === "private" ? `u:${ctx.from?.id ?? chat.id}` : `g:${chat.id}`;
}

/**
 * Build the bot with all its handlers (not started: see run.ts).
 *
 * @example
 * const bot = createBot({ core: () => app, config, log, storage, feedback, messages });
 */
export function createBot(deps: BotDeps): Bot<BotContext> {
  const { config, log, messages: bm } = deps;
  if (!config.telegram.token) throw new Error("createBot needs TELEGRAM_BOT_TOKEN");
  const bot = new Bot<BotContext>(config.telegram.token, { client: { apiRoot: config.telegram.apiRoot } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 15 }));

  // Group chatter not addressed to the bot goes no further: no session read, no rate limit.
  bot.use(groups());
  bot.use(sequentialize((ctx) => sessionKey(ctx)));
  bot.use(
    limit({
      timeFrame: config.telegram.rateLimit.windowMs,
      limit: config.telegram.rateLimit.limit,
      ...(deps.limitCounter ? { storageClient: limiterStorage(deps.limitCounter, config.telegram.rateLimit.windowMs) } : {}),
      keyGenerator: (ctx) => ctx.from?.id.toString(),
      onLimitExceeded: async (ctx) => {
        await ctx.reply(bm.rate_limited).catch((e: unknown) => log.warn("rate-limit reply failed", { error: String(e) }));
      },
    }),
  );
  bot.use(session({ initial: initialSession, storage: deps.storage, getSessionKey: sessionKey }));

  // Commands before answers: a command is a text message too. Answers go last (they take the rest).
  bot.use(commands(deps), services(deps), wizard(deps), sources(deps), ratings(deps), answers(deps));

  bot.catch(onBotError(log, bm));
  return bot;
}
