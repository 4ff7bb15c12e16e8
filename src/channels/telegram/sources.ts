import { Composer } from "grammy";
import type { BotContext } from "./context.ts";
import { optionalCalls, replyAll, type FeatureDeps } from "./feature.ts";
import { renderSource } from "./render.ts";

/*
 * The "原文 [n]" buttons under an answer or a /check result: the cited passage in its section. The
 * button names the answer (kept in the session, the last ANSWERS_KEPT) and the citation's number;
 * an older answer's buttons say it has expired.
 */

export function sources({ core, config, log, messages: bm }: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const optional = optionalCalls(log);

  composer.callbackQuery(/^src:([0-9a-z]+):(\d+)$/, async (ctx) => {
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
  return composer;
}
