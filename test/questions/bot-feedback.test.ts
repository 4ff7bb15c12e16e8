import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { press, replies, say, startEmulator } from "../channels/telegram/harness.ts";
import { spawnCli, waitForOutput } from "../faults/helpers.ts";
import { runCli } from "../helpers.ts";

/*
 * The bot as `npm start` runs it (a real process against the Telegram emulator): a resident's
 * question is logged with channel "telegram", and their 👎 under the answer reaches that row, so an
 * answered-but-wrong question shows up in `review --unanswered` as thumbs down.
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-bot-log-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("bot questions and ratings in the question log", () => {
  it("a 👎 under a bot answer puts the question in the review", async () => {
    const emulator = await startEmulator();
    const token = `717171:${Math.random().toString(36).slice(2)}`;
    const env = { MINSHENG_STATE_DIR: work };
    const bot = spawnCli(["bot"], { ...env, TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.config.apiURL });
    try {
      await waitForOutput(bot, /已启动/);
      const resident = emulator.getClient(token, { userId: 88_001, chatId: 88_001 });
      await say(resident, "六安低保标准是多少 身份证34150219900101123X");
      const [answer] = await replies(resident);
      expect(answer?.text).toContain("630元/人/月");
      await press(resident, "fb:1:-");
      await replies(resident).catch(() => []);
    } finally {
      expect(await bot.stop()).toBe(0);
      await emulator.stop();
    }
    const { code, stdout, stderr } = await runCli(["review", "--unanswered", "--json"], { env });
    expect(code, stderr).toBe(0);
    const groups = JSON.parse(stdout) as { channels: string[]; statuses: Record<string, number>; questions: { text: string }[] }[];
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ channels: ["telegram"], statuses: { refused: 0, not_stated: 0, down: 1 } });
    expect(groups[0]?.questions[0]?.text).toBe("六安低保标准是多少 身份证[身份证号]");
  }, 90_000);
});
