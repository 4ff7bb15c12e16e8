import type { Context, InlineKeyboard } from "grammy";
import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { BotContext } from "./context.ts";
import type { FeedbackSink } from "./feedback.ts";
import type { BotMessages } from "./messages.ts";

/*
 * What every feature of the bot (a grammY Composer in its own file: commands, services, answers,
 * sources, wizard, feedback, groups) is built from, and the small helpers they share.
 */

/** What a feature's Composer is built with. */
export interface FeatureDeps {
  /** The live core (looked up per update, so a reloaded index is used at once). */
  core: () => App;
  config: Config;
  log: Logger;
  feedback: FeedbackSink;
  messages: BotMessages;
}

/** What to do when an optional Bot API call fails (log and go on). */
export type OnOptionalFailure = (what: string) => (error: unknown) => void;

/** Optional Bot API calls (answerCallbackQuery, sendChatAction, edits) failing are logged at debug level. */
export function optionalCalls(log: Logger): OnOptionalFailure {
  return (what) => (e) => log.debug(`optional Bot API call failed (${what})`, { error: e instanceof Error ? e.message : String(e) });
}

export const isPrivate = (ctx: Context) => ctx.chat?.type === "private";

/** Reply with HTML messages; the keyboard goes under the last one. In groups the first one replies to the question. */
export async function replyAll(ctx: BotContext, messages: readonly string[], keyboard?: InlineKeyboard): Promise<void> {
  for (let i = 0; i < messages.length; i++) {
    const last = i === messages.length - 1;
    await ctx.reply(messages[i] as string, {
      parse_mode: "HTML",
      ...(last && keyboard ? { reply_markup: keyboard } : {}),
      ...(!isPrivate(ctx) && i === 0 && ctx.msg?.message_id ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {}),
    });
  }
}
