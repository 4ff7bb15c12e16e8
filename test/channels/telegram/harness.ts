import { run, type RunnerHandle } from "@grammyjs/runner";
import TelegramServerDefault from "telegram-test-api";
import type { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import type { TelegramClient } from "telegram-test-api/lib/modules/telegramClient.js";
import type { App } from "../../../src/app.ts";
import { createBot } from "../../../src/channels/telegram/bot.ts";
import type { BotContext } from "../../../src/channels/telegram/context.ts";
import type { FeedbackRecord } from "../../../src/channels/telegram/feedback.ts";
import { loadBotMessages } from "../../../src/channels/telegram/messages.ts";
import { memorySessionStore, type SessionStore } from "../../../src/channels/telegram/session.ts";
import type { Bot } from "grammy";
import { freePort } from "../../process-kit.ts";
import { createLogger } from "../../../src/log.ts";
import type { WindowCounter } from "../../../src/redis.ts";
import { testConfig } from "../../helpers.ts";

/*
 * A Telegram Bot API emulator (telegram-test-api) on loopback, the real grammY bot talking HTTP to
 * it, and a test client playing the resident.
 */

export { freePort };

export interface BotMessage {
  text: string;
  parse_mode?: string;
  reply_markup?: { inline_keyboard?: { text: string; callback_data: string }[][] };
  messageId: number;
}

export interface Harness {
  server: TelegramServer;
  token: string;
  bot: Bot<BotContext>;
  feedback: FeedbackRecord[];
  logs: string[];
  storage: SessionStore;
  stop(): Promise<void>;
}

export async function startEmulator(): Promise<TelegramServer> {
  const server = new (TelegramServerDefault as unknown as typeof TelegramServer)({ port: await freePort(), host: "127.0.0.1", storeTimeout: 600 });
  await server.start();
  return server;
}

/** Start a bot (long polling through the runner) against the emulator. */
export async function startTestBot(
  core: App | (() => App),
  server: TelegramServer,
  options: { env?: Record<string, string>; storage?: SessionStore; token?: string; poll?: boolean; limitCounter?: WindowCounter } = {},
): Promise<Harness & { runner?: RunnerHandle }> {
  const token = options.token ?? `123456:${Math.random().toString(36).slice(2)}`;
  const config = testConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: server.config.apiURL, BOT_RATE_LIMIT: "1000", ...options.env });
  const logs: string[] = [];
  const feedback: FeedbackRecord[] = [];
  const storage = options.storage ?? memorySessionStore();
  const bot = createBot({
    core: typeof core === "function" ? core : () => core,
    config,
    log: createLogger("debug", (l) => logs.push(l)),
    storage,
    feedback: async (r) => void feedback.push(r),
    messages: loadBotMessages(config.promptsDir),
    ...(options.limitCounter ? { limitCounter: options.limitCounter } : {}),
  });
  await bot.init();
  const runner = options.poll === false ? undefined : run(bot);
  return {
    server,
    token,
    bot,
    feedback,
    logs,
    storage,
    ...(runner ? { runner } : {}),
    stop: async () => {
      if (runner?.isRunning()) await runner.stop();
    },
  };
}

/**
 * Unread bot messages for the client's chat, fetched once from the emulator. (The emulator's own
 * client.getUpdates polls recursively and keeps polling after it times out, stealing later messages.)
 */
async function fetchOnce(client: TelegramClient): Promise<BotMessage[]> {
  const c = client as unknown as { url: string; botToken: string; chatId: number };
  const res = await fetch(`${c.url}/getUpdates`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: c.botToken, chatId: c.chatId }),
  });
  const data = (await res.json()) as { result: { message: BotMessage; messageId: number }[] };
  return data.result.map((u) => ({ ...u.message, messageId: u.messageId }));
}

/** Wait until the client has received `count` new bot messages (or time out). */
export async function replies(client: TelegramClient, count = 1, timeoutMs = 15_000): Promise<BotMessage[]> {
  const out: BotMessage[] = [];
  const until = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < until) {
    out.push(...(await fetchOnce(client)));
    if (out.length < count) await new Promise((r) => setTimeout(r, 30));
  }
  if (out.length < count) throw new Error(`expected ${count} bot messages, got ${out.length}: ${JSON.stringify(out.map((m) => m.text))}`);
  return out;
}

/** Every bot message until none has arrived for `quietMs`. */
export async function allReplies(client: TelegramClient, quietMs = 600, timeoutMs = 15_000): Promise<BotMessage[]> {
  const out = await replies(client, 1, timeoutMs);
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const more = await fetchOnce(client);
    if (more.length === 0) return out;
    out.push(...more);
  }
}

/** No bot message arrives within `ms`. */
export async function silence(client: TelegramClient, ms = 800): Promise<boolean> {
  await new Promise((r) => setTimeout(r, ms));
  return (await fetchOnce(client)).length === 0;
}

export function buttons(m: BotMessage): { text: string; data: string }[] {
  return (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: b.callback_data }));
}

export async function say(client: TelegramClient, text: string, extra: Record<string, unknown> = {}): Promise<void> {
  if (text.startsWith("/")) await client.sendCommand(client.makeCommand(text, extra) as never);
  else await client.sendMessage(client.makeMessage(text, extra) as never);
}

export async function press(client: TelegramClient, data: string, messageId?: number): Promise<void> {
  await client.sendCallback(client.makeCallbackQuery(data, messageId === undefined ? {} : { message: { message_id: messageId } }) as never);
}
