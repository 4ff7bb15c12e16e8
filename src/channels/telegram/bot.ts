import { limit } from "@grammyjs/ratelimiter";
import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, InlineKeyboard, session, type Context } from "grammy";
import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { WindowCounter } from "../../redis.ts";
import { fill } from "../../prompts.ts";
import { keepTurn, rememberedLine, rememberFacts } from "./conversation.ts";
import { escapeHtml, packMessages, renderAnswer, renderSource } from "./render.ts";
import type { BotContext } from "./context.ts";
import type { FeedbackSink } from "./feedback.ts";
import type { BotMessages } from "./messages.ts";
import { ANSWERS_KEPT, initialSession, type BotSession, type SessionStore } from "./session.ts";
import { handleWizardCallback, showFolded, startWizard } from "./wizard.ts";

/*
 * The residents' Telegram bot (grammY). It only formats: every answer, verdict and list comes from
 * the core, and so does what to remember. A chat's last messages go to the core as `history`, so
 * follow-ups ("那淮南呢？") work. Updates of a chat are handled in order (sequentialize before the
 * session); per-user rate limit; failures reach bot.catch, the resident reads "系统繁忙" and the log
 * gets the update id only.
 */

export interface BotDeps {
  /** The live core (looked up per update, so a reloaded index is used at once). */
  core: () => App;
  config: Config;
  log: Logger;
  storage: SessionStore;
  feedback: FeedbackSink;
  messages: BotMessages;
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

const isPrivate = (ctx: Context) => ctx.chat?.type === "private";

/** Bot commands as registered with setMyCommands (descriptions from prompts/bot.zh.yaml). */
export function botCommands(bm: BotMessages): { command: string; description: string }[] {
  return Object.entries(bm.commands).map(([command, description]) => ({ command, description }));
}

/** Reply with HTML messages; the keyboard goes under the last one. */
async function replyAll(ctx: BotContext, messages: readonly string[], keyboard?: InlineKeyboard): Promise<void> {
  for (let i = 0; i < messages.length; i++) {
    const last = i === messages.length - 1;
    await ctx.reply(messages[i] as string, {
      parse_mode: "HTML",
      ...(last && keyboard ? { reply_markup: keyboard } : {}),
      ...(!isPrivate(ctx) && i === 0 && ctx.msg?.message_id ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {}),
    });
  }
}

function cityKeyboard(cities: readonly string[], bm: BotMessages): InlineKeyboard {
  const kb = new InlineKeyboard();
  cities.forEach((c, i) => kb.text(c, `city:${i}`));
  return kb.text(bm.city_both, "city:-1");
}

const mentionPattern = (username: string) => new RegExp(`@${username}\\b`, "gi");

/** A group message for the bot: a command (bare or /cmd@us), an @mention of it, or a reply to it. */
function groupMessageForUs(ctx: Context): boolean {
  const msg = ctx.message;
  if (!msg) return false;
  if (msg.reply_to_message?.from?.id === ctx.me.id) return true;
  const text = msg.text ?? msg.caption ?? "";
  const username = ctx.me.username.toLowerCase();
  const command = /^\/[A-Za-z0-9_]+(?:@([A-Za-z0-9_]+))?/.exec(text);
  if (command) return !command[1] || command[1].toLowerCase() === username;
  return mentionPattern(ctx.me.username).test(text);
}

/**
 * Whether the bot acts on an update: everything in private chats and button presses; in groups only
 * what is addressed to it. Everything else is dropped before sessions and the rate limit, so group
 * chatter costs no storage access and never draws a "too fast" notice.
 */
export function forUs(ctx: Context): boolean {
  if (ctx.callbackQuery) return true;
  if (!ctx.chat || ctx.chat.type === "private") return true;
  return groupMessageForUs(ctx);
}

/** The question with the bot's @mention removed, or undefined when a group message is not for us. */
function addressedText(ctx: BotContext): string | undefined {
  const text = ctx.message?.text;
  if (!text) return undefined;
  if (isPrivate(ctx)) return text;
  if (!groupMessageForUs(ctx)) return undefined;
  return text.replace(mentionPattern(ctx.me.username), " ").trim();
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

  bot.use(async (ctx, next) => {
    if (forUs(ctx)) await next();
  });
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

  const core = deps.core;
  const optional = (what: string) => (e: unknown) => log.debug(`optional Bot API call failed (${what})`, { error: e instanceof Error ? e.message : String(e) });

  bot.command("start", async (ctx) => {
    await ctx.reply(bm.welcome, { parse_mode: "HTML", reply_markup: cityKeyboard(core().cities(), bm) });
  });
  bot.command("city", async (ctx) => {
    await ctx.reply(bm.choose_city, { reply_markup: cityKeyboard(core().cities(), bm) });
  });
  bot.command("help", async (ctx) => {
    await ctx.reply(bm.help);
  });
  bot.command("about", async (ctx) => {
    const info = core().info();
    const documents = info.documents.map((d) => fill(bm.about_document, { title: escapeHtml(d.title), status: d.statusLabel, period: d.period })).join("\n");
    await ctx.reply(fill(bm.about, { documents, build: info.id, date: info.createdAt.slice(0, 10) }), { parse_mode: "HTML" });
  });
  bot.command("forget", async (ctx) => {
    // The whole session goes: city, profile, the conversation's turns, answers and any wizard.
    ctx.session = null as unknown as BotSession;
    await ctx.reply(bm.forgot);
  });
  bot.command("feedback", async (ctx) => {
    const text = ctx.match.trim();
    if (!text) {
      await ctx.reply(bm.feedback_prompt);
      return;
    }
    await deps.feedback({ time: new Date().toISOString(), channel: "telegram", kind: "text", text, indexId: core().index.id });
    await ctx.reply(bm.feedback_saved);
  });
  bot.command("services", async (ctx) => {
    const areas = core().services().areas;
    const kb = new InlineKeyboard();
    areas.forEach((a, i) => {
      kb.text(a.area, `svc:${i}`);
      if (i % 3 === 2) kb.row();
    });
    await ctx.reply(bm.services_choose, { reply_markup: kb });
  });
  bot.command("compare", async (ctx) => {
    const catalog = core().services();
    const [cityA, cityB] = catalog.cities;
    const lines = [bm.compare_title];
    if (cityA && cityB) {
      for (const a of catalog.areas.filter((x) => x.differing.length > 0)) {
        const onlyA = a.differing.filter((i) => a.byCity[cityA]?.items.includes(i));
        const onlyB = a.differing.filter((i) => a.byCity[cityB]?.items.includes(i));
        lines.push(escapeHtml(fill(bm.compare_line, { area: a.area, cityA, cityB, onlyA: onlyA.join("、") || "—", onlyB: onlyB.join("、") || "—" })));
      }
      lines.push(bm.compare_same);
    }
    await replyAll(ctx, packMessages(lines, config.telegram.messageLimit));
  });
  bot.command("check", async (ctx) => {
    if (!isPrivate(ctx)) {
      await ctx.reply(bm.wizard_private_only);
      return;
    }
    await startWizard(ctx, core(), bm);
  });

  bot.callbackQuery(/^city:(-?\d+)$/, async (ctx) => {
    const i = Number(ctx.match[1]);
    const city = core().cities()[i];
    ctx.session.city = city ?? "";
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
    await ctx.reply(city ? fill(bm.city_saved, { city }) : bm.city_cleared);
  });

  bot.callbackQuery(/^src:([0-9a-z]+):(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
    const saved = ctx.session.answers.find((a) => a.id === ctx.match[1]);
    const chunkId = saved?.chunkIds[Number(ctx.match[2]) - 1];
    const view = chunkId ? core().source(chunkId) : undefined;
    if (!view) {
      await ctx.reply(bm.source_expired);
      return;
    }
    await replyAll(ctx, renderSource(view, bm, config.telegram.messageLimit));
  });

  bot.callbackQuery(/^fb:([0-9a-z]+):([+-])$/, async (ctx) => {
    const saved = ctx.session.answers.find((a) => a.id === ctx.match[1]);
    await deps.feedback({
      time: new Date().toISOString(),
      channel: "telegram",
      kind: "rating",
      rating: ctx.match[2] === "+" ? "up" : "down",
      answerId: ctx.match[1],
      ...(saved ? { answerKind: saved.kind, chunkIds: saved.chunkIds } : {}),
      ...(saved?.logId ? { logId: saved.logId } : {}),
      indexId: core().index.id,
    });
    await ctx.answerCallbackQuery({ text: bm.feedback_thanks }).catch(optional("answerCallbackQuery"));
  });

  bot.callbackQuery(/^svc:(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
    const city = ctx.session.city;
    const catalog = core().services(city ? [city] : undefined);
    const area = catalog.areas[Number(ctx.match[1])];
    if (!area) {
      await ctx.reply(bm.services_none);
      return;
    }
    const blocks = catalog.cities.flatMap((c) => {
      const entry = area.byCity[c];
      if (!entry) return [];
      return [
        `<b>${escapeHtml(fill(bm.services_heading, { city: c, area: area.area, count: entry.declaredCount }))}</b>`,
        ...entry.items.map((item, i) => escapeHtml(fill(bm.services_item, { n: i + 1, item }))),
        `<i>${escapeHtml(fill(bm.services_source, { title: entry.citation.docTitle, location: entry.citation.location }))}</i>`,
        "",
      ];
    });
    await replyAll(ctx, packMessages(blocks, config.telegram.messageLimit));
  });

  bot.callbackQuery(/^wz:/, async (ctx) => handleWizardCallback(ctx, core(), bm, optional));
  bot.callbackQuery(/^nx:([0-9a-z]+)$/, async (ctx) => {
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
    await showFolded(ctx, core(), bm, ctx.match[1] as string);
  });
  bot.on("callback_query:data", async (ctx) => {
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
  });

  bot.on("message:text", async (ctx) => {
    const text = addressedText(ctx);
    if (text === undefined) return;
    await ctx.replyWithChatAction("typing").catch(optional("sendChatAction"));
    const s = ctx.session;
    const app = core();
    const personal = isPrivate(ctx);
    const answer = await app.ask(text, {
      ...(s.city ? { city: s.city } : {}),
      ...(personal ? { profile: s.profile } : {}),
      ...(s.turns?.length ? { history: s.turns } : {}),
    });
    keepTurn(s, text, config.questionMaxChars);
    // Only what the core says the resident stated about themselves is remembered; never in groups.
    const remembered = personal ? rememberedLine(app, bm, rememberFacts(s, answer.remember)) : undefined;
    const id = (++s.counter).toString(36);
    s.answers = [...s.answers, { id, chunkIds: answer.citations.map((c) => c.chunkId), kind: answer.kind, ...(answer.logId ? { logId: answer.logId } : {}) }].slice(-ANSWERS_KEPT);
    const { messages, keyboard } = renderAnswer(answer, bm, id, config.telegram.messageLimit, remembered ? [remembered] : []);
    await replyAll(ctx, messages, keyboard);
  });

  bot.on("message", async (ctx) => {
    if (isPrivate(ctx) || ctx.message.reply_to_message?.from?.id === ctx.me.id) await ctx.reply(bm.non_text);
  });

  bot.catch(async (err) => {
    const error = err.error instanceof Error ? err.error : new Error(String(err.error));
    log.error("telegram update failed", { update: err.ctx.update.update_id, error: error.stack ?? error.message });
    await err.ctx.reply(bm.busy).catch(() => undefined);
  });
  return bot;
}
