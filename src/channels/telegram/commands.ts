import { Composer, InlineKeyboard } from "grammy";
import { fill } from "../../prompts.ts";
import type { BotContext } from "./context.ts";
import { optionalCalls, type FeatureDeps } from "./feature.ts";
import type { BotMessages } from "./messages.ts";
import { escapeHtml } from "./render.ts";
import type { BotSession } from "./session.ts";

/*
 * The plain commands: /start and /city (with the city buttons), /help, /about, /forget and
 * /feedback. (/services and /compare are in services.ts, /check in wizard.ts.)
 */

/** Bot commands as registered with setMyCommands (descriptions from prompts/bot.zh.yaml). */
export function botCommands(bm: BotMessages): { command: string; description: string }[] {
  return Object.entries(bm.commands).map(([command, description]) => ({ command, description }));
}

function cityKeyboard(cities: readonly string[], bm: BotMessages): InlineKeyboard {
  const kb = new InlineKeyboard();
  cities.forEach((c, i) => kb.text(c, `city:${i}`));
  return kb.text(bm.city_both, "city:-1");
}

export function commands({ core, log, feedback, messages: bm }: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const optional = optionalCalls(log);

  composer.command("start", async (ctx) => {
    await ctx.reply(bm.welcome, { parse_mode: "HTML", reply_markup: cityKeyboard(core().cities(), bm) });
  });
  composer.command("city", async (ctx) => {
    await ctx.reply(bm.choose_city, { reply_markup: cityKeyboard(core().cities(), bm) });
  });
  composer.callbackQuery(/^city:(-?\d+)$/, async (ctx) => {
    const i = Number(ctx.match[1]);
    const city = core().cities()[i];
    ctx.session.city = city ?? "";
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
    await ctx.reply(city ? fill(bm.city_saved, { city }) : bm.city_cleared);
  });

  composer.command("help", async (ctx) => {
    await ctx.reply(bm.help);
  });
  composer.command("about", async (ctx) => {
    const info = core().info();
    const documents = info.documents.map((d) => fill(bm.about_document, { title: escapeHtml(d.title), status: d.statusLabel, period: d.period })).join("\n");
    await ctx.reply(fill(bm.about, { documents, build: info.id, date: info.createdAt.slice(0, 10) }), { parse_mode: "HTML" });
  });
  composer.command("forget", async (ctx) => {
    // The whole session goes: city, profile, the conversation's turns, answers and any wizard.
    ctx.session = null as unknown as BotSession;
    await ctx.reply(bm.forgot);
  });
  composer.command("feedback", async (ctx) => {
    const text = ctx.match.trim();
    if (!text) {
      await ctx.reply(bm.feedback_prompt);
      return;
    }
    await feedback({ time: new Date().toISOString(), channel: "telegram", kind: "text", text, indexId: core().index.id });
    await ctx.reply(bm.feedback_saved);
  });
  return composer;
}
