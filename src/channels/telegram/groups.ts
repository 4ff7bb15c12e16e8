import { Composer, type Context } from "grammy";
import type { BotContext } from "./context.ts";
import { isPrivate } from "./feature.ts";

/*
 * Groups: the bot acts only on what is addressed to it — a command (bare or /cmd@us), an @mention
 * of it, or a reply to one of its messages. Everything else is dropped before sessions and the rate
 * limit (the groups Composer goes first), so group chatter costs no storage access and never draws
 * a "too fast" notice. In private chats every message is for the bot. Groups never get a profile
 * (see answers.ts).
 */

const mentionPattern = (username: string) => new RegExp(`@${username}\\b`, "gi");

/** A group message for the bot: a command (bare or /cmd@us), an @mention of it, or a reply to it. */
function groupMessageForUs(ctx: Context): boolean {
  const msg = ctx.message;
  if (!msg) return false;
  if (isReplyToUs(ctx)) return true;
  const text = msg.text ?? msg.caption ?? "";
  const username = ctx.me.username.toLowerCase();
  const command = /^\/[A-Za-z0-9_]+(?:@([A-Za-z0-9_]+))?/.exec(text);
  if (command) return !command[1] || command[1].toLowerCase() === username;
  return mentionPattern(ctx.me.username).test(text);
}

/** The message replies to one of the bot's own. */
export function isReplyToUs(ctx: Context): boolean {
  return ctx.message?.reply_to_message?.from?.id === ctx.me.id;
}

/**
 * Whether the bot acts on an update: everything in private chats and button presses; in groups only
 * what is addressed to it.
 */
export function forUs(ctx: Context): boolean {
  if (ctx.callbackQuery) return true;
  if (!ctx.chat || ctx.chat.type === "private") return true;
  return groupMessageForUs(ctx);
}

/** The question with the bot's @mention removed, or undefined when a group message is not for us. */
export function addressedText(ctx: BotContext): string | undefined {
  const text = ctx.message?.text;
  if (!text) return undefined;
  if (isPrivate(ctx)) return text;
  if (!groupMessageForUs(ctx)) return undefined;
  return text.replace(mentionPattern(ctx.me.username), " ").trim();
}

/** The first middleware: updates not addressed to the bot go no further. */
export function groups(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(async (ctx, next) => {
    if (forUs(ctx)) await next();
  });
  return composer;
}
