import { BotError, GrammyError, HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import type { BotContext } from "../../../src/channels/telegram/context.ts";
import { onBotError } from "../../../src/channels/telegram/errors.ts";
import { loadBotMessages } from "../../../src/channels/telegram/messages.ts";
import { createLogger } from "../../../src/log.ts";
import { testConfig } from "../../helpers.ts";

/*
 * bot.catch without a network: a refused Bot API call, an unreachable Telegram and a bug are logged
 * apart, never with the message text, and the resident is told 系统繁忙 where a reply can be sent.
 */

const bm = loadBotMessages(testConfig().promptsDir);

function failed(error: unknown, replyFails = false) {
  const replies: string[] = [];
  const ctx = {
    update: { update_id: 4242, message: { text: "我的电话13956781234，公租房怎么申请" } },
    reply: async (text: string) => {
      if (replyFails) throw new Error("no network");
      replies.push(text);
    },
  } as unknown as BotContext;
  return { err: new BotError<BotContext>(error, ctx), replies };
}

async function handle(error: unknown, replyFails = false) {
  const lines: string[] = [];
  const { err, replies } = failed(error, replyFails);
  await onBotError(createLogger("debug", (l) => lines.push(l)), bm)(err);
  return { log: lines.join("\n"), entries: lines.map((l) => JSON.parse(l) as Record<string, unknown>), replies };
}

describe("bot.catch", () => {
  it("a refused Bot API call: the method and Telegram's description, not the payload", async () => {
    const refused = new GrammyError("Call to 'sendMessage' failed!", { ok: false, error_code: 400, description: "Bad Request: can't parse entities" }, "sendMessage", {
      chat_id: 1,
      text: "公租房<b>",
    });
    const { entries, log, replies } = await handle(refused);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ msg: "telegram update failed: the Bot API refused a call", update: 4242, method: "sendMessage", code: 400, description: "Bad Request: can't parse entities" });
    expect(log).not.toContain("公租房");
    expect(replies).toEqual([bm.busy]);
  });

  it("Telegram unreachable: a connectivity problem, without the request URL (it holds the token)", async () => {
    const cause = Object.assign(new Error("request to https://api.telegram.org/bot123:SECRET/sendMessage failed, reason: connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const { entries, log } = await handle(new HttpError("Network request for 'sendMessage' failed!", cause), true);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ msg: "telegram update failed: cannot reach the Telegram Bot API", update: 4242, error: "Network request for 'sendMessage' failed!", code: "ECONNREFUSED" });
    expect(log).not.toContain("SECRET");
  });

  it("a bug: logged with its stack, the resident reads 系统繁忙", async () => {
    const { entries, log, replies } = await handle(new Error("index exploded"));
    expect(entries).toHaveLength(1);
    expect(entries[0]?.msg).toBe("telegram update failed");
    expect(String(entries[0]?.error)).toMatch(/index exploded\n\s+at /);
    expect(log).not.toContain("公租房");
    expect(log).not.toContain("13956781234");
    expect(replies).toEqual([bm.busy]);
  });

  it("a failing 系统繁忙 reply is not a second error", async () => {
    const { entries } = await handle("not even an Error", true);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.error).toContain("not even an Error");
  });
});
