import { Composer } from "grammy";
import type { BotContext } from "./context.ts";
import { rememberedLine, rememberFacts, keepTurn } from "./conversation.ts";
import { isPrivate, optionalCalls, replyAll, type FeatureDeps } from "./feature.ts";
import { addressedText, isReplyToUs } from "./groups.ts";
import { renderAnswer } from "./render.ts";
import { ANSWERS_KEPT } from "./session.ts";

/*
 * Questions in plain text, answered by the core. The chat's last messages go along as `history`
 * (so "那淮南呢？" works); the city chosen with /city and, in private chats only, the resident's
 * profile too. Only what the core says the resident stated about themselves is remembered. This
 * Composer goes last: it also takes what no other feature took (messages that are not text,
 * buttons of an older version of the bot).
 */

export function answers({ core, config, log, messages: bm }: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const optional = optionalCalls(log);

  composer.on("message:text", async (ctx) => {
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

  // Photos, voice, files, stickers…: said once in private chats, in groups only when replying to the bot.
  composer.on("message", async (ctx) => {
    if (isPrivate(ctx) || isReplyToUs(ctx)) await ctx.reply(bm.non_text);
  });

  // A button no feature knows (from an older version of the bot): stop its spinner.
  composer.on("callback_query:data", async (ctx) => {
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
  });
  return composer;
}
