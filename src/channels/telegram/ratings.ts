import { Composer } from "grammy";
import type { BotContext } from "./context.ts";
import { optionalCalls, type FeatureDeps } from "./feature.ts";

/*
 * The 👍/👎 buttons under an answer: a rating for the maintainers (feedback.ts writes it), with the
 * answer's kind, cited chunks and question-log id when the answer is still in the session — never
 * who rated it. (Written feedback is the /feedback command, in commands.ts.)
 */

export function ratings({ core, log, feedback, messages: bm }: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const optional = optionalCalls(log);

  composer.callbackQuery(/^fb:([0-9a-z]+):([+-])$/, async (ctx) => {
    const saved = ctx.session.answers.find((a) => a.id === ctx.match[1]);
    await feedback({
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
  return composer;
}
