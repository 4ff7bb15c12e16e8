import { GrammyError, HttpError, type BotError } from "grammy";
import type { Logger } from "../../log.ts";
import type { BotContext } from "./context.ts";
import type { BotMessages } from "./messages.ts";

/*
 * bot.catch: an update whose handling failed. Three kinds, logged apart:
 * - GrammyError: the Bot API refused a call (blocked by the resident, a message too long, bad HTML…):
 *   the method and Telegram's description are logged;
 * - HttpError: Telegram could not be reached (network, proxy, DNS): logged as a connectivity problem;
 * - anything else is a bug: logged with its stack.
 * The log never gets the message text or who sent it: only the update id and the error. (The
 * payload of a refused call, which holds the reply's text, is not logged; neither is the cause of
 * an HttpError, whose message can name the Bot API URL with the token.) The resident reads the
 * generic 系统繁忙 where a reply can still be sent.
 */

/** The network error's code ("ECONNREFUSED", "ETIMEDOUT"…) under an HttpError, when there is one. */
function networkCode(error: HttpError): string | undefined {
  const inner = error.error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = inner?.code ?? inner?.cause?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The handler for bot.catch.
 *
 * @example
 * bot.catch(onBotError(log, messages));
 */
export function onBotError(log: Logger, bm: BotMessages): (err: BotError<BotContext>) => Promise<void> {
  return async (err) => {
    const update = err.ctx.update.update_id;
    const e = err.error;
    if (e instanceof GrammyError) {
      log.error("telegram update failed: the Bot API refused a call", { update, method: e.method, code: e.error_code, description: e.description });
    } else if (e instanceof HttpError) {
      const code = networkCode(e);
      log.error("telegram update failed: cannot reach the Telegram Bot API", { update, error: e.message, ...(code ? { code } : {}) });
    } else {
      const error = e instanceof Error ? e : new Error(String(e));
      log.error("telegram update failed", { update, error: error.stack ?? error.message });
    }
    await err.ctx.reply(bm.busy).catch(() => undefined);
  };
}
