import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { fileFeedbackSink } from "../../src/channels/telegram/feedback.ts";
import { createLogger, type LogLevel } from "../../src/log.ts";
import { SQLITE_FILE } from "../../src/questions/sqlite.ts";
import { buttons, press, replies, say, startEmulator } from "../channels/telegram/harness.ts";
import { leaks, PII_CORPUS, PII_DIGITS, serve, spawnCli, waitForOutput } from "./helpers.ts";

/*
 * D5, D6: personal numbers never reach a log or a file, in any of the forms residents write them,
 * at any log level; request lines carry paths without query strings and ids the server made. The
 * same for a running bot: its output and every file it keeps (sessions, feedback, the question log).
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-faults-logs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("personal numbers in logs and files", () => {
  it("serve at LOG_LEVEL=debug: nothing on stdout but its address, no PII, no query strings, server-made request ids", async () => {
    const served = await serve({ LOG_LEVEL: "debug" });
    const clientId = "client-chosen-id-4242";
    try {
      for (const pii of PII_CORPUS) {
        const q = encodeURIComponent(pii);
        const headers = { "x-request-id": clientId };
        await fetch(`${served.base}/api/figures?q=${q}`, { headers });
        await fetch(`${served.base}/api/sources/${q}`, { headers });
        await fetch(`${served.base}/nope/${q}?x=${q}`, { headers });
        await fetch(`${served.base}/api/sources/%FF${q}`, { headers });
        await fetch(`${served.base}/api/ask`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ question: `我的电话是${pii}，公租房怎么申请`, city: pii }),
        });
        await fetch(`${served.base}/api/ask`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: `{"question": "${pii}` });
        await fetch(`${served.base}/api/ask`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ question: `身份证${pii}` }),
        });
      }
    } finally {
      expect(await served.stop()).toBe(0);
    }
    const out = served.stdout();
    const err = served.stderr();
    // The request lines were logged (at debug), so there was something to leak.
    expect(out + err).toContain("/api/figures");
    expect(leaks(out + err, PII_DIGITS)).toEqual([]);
    expect(out.trim().split("\n")).toEqual([expect.stringMatching(/^民生问答热线工作台：http:\/\/127\.0\.0\.1:\d+\/$/)]);
    expect(err).not.toContain(clientId);
    expect(err).not.toMatch(/\?(q|x)=/);
    const lines = err.trim().split("\n").map((l) => JSON.parse(l) as { reqId?: string });
    expect(lines.some((l) => /^req-/.test(l.reqId ?? ""))).toBe(true);
  });

  it.each(["debug", "info", "warn", "error"] as LogLevel[])("every message and field at %s", (level) => {
    const lines: string[] = [];
    const log = createLogger(level, (l) => lines.push(l));
    for (const pii of PII_CORPUS) {
      for (const method of ["debug", "info", "warn", "error"] as const) {
        log[method](`resident wrote ${pii}`, {
          question: `电话${pii}`,
          nested: { list: [pii, { deep: pii }] },
          error: new Error(`failed for ${pii}`),
          number: Number(pii.replace(/\D/g, "").slice(0, 15)),
        });
      }
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(lines.join("\n"), PII_DIGITS)).toEqual([]);
  });

  it("feedback.jsonl keeps the text without ID-card, phone or bank-card numbers", async () => {
    const file = path.join(work, "feedback.jsonl");
    const sink = fileFeedbackSink(file);
    for (const pii of PII_CORPUS) await sink({ time: new Date().toISOString(), channel: "telegram", kind: "text", text: `请联系我 ${pii} 谢谢` });
    const stored = readFileSync(file, "utf8");
    expect(stored.split("\n").filter(Boolean)).toHaveLength(PII_CORPUS.length);
    expect(stored).toContain("请联系我");
    expect(leaks(stored, PII_DIGITS)).toEqual([]);
  });
});

/** Every file under `dir`, with its bytes. */
function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((file) => ({ file: path.relative(dir, file), bytes: readFileSync(file) }));
}

describe("personal numbers sent to a running bot", () => {
  it.each(["debug", "info"] as LogLevel[])(
    "bot at LOG_LEVEL=%s: none in its stdout, stderr, sessions, feedback or question log",
    async (level) => {
      const state = mkdtempSync(path.join(work, `bot-${level}-`));
      const emulator = await startEmulator();
      const token = `727272:${Math.random().toString(36).slice(2)}`;
      const bot = spawnCli(["bot"], {
        LOG_LEVEL: level,
        MINSHENG_STATE_DIR: state,
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_API_ROOT: emulator.config.apiURL,
        BOT_RATE_LIMIT: "1000",
      });
      let rated = 0;
      try {
        await waitForOutput(bot, /已启动/);
        const resident = emulator.getClient(token, { userId: 99_001, chatId: 99_001 });
        await say(resident, "/start");
        await replies(resident);
        await press(resident, "city:0");
        await replies(resident);
        for (const pii of PII_CORPUS) {
          await say(resident, `我的电话是${pii}，六安低保标准是多少`);
          const answer = (await replies(resident)).find((m) => buttons(m).some((b) => b.data.startsWith("fb:")));
          const down = answer && buttons(answer).find((b) => b.data.startsWith("fb:") && b.data.endsWith(":-"));
          if (down) {
            await press(resident, down.data);
            rated++;
          }
          await say(resident, `身份证${pii}`);
          await replies(resident);
          await say(resident, `/feedback 请联系我 ${pii} 谢谢`);
          await replies(resident);
        }
        // Updates of one chat are handled in order: once this is answered, every rating is written.
        await say(resident, "/help");
        await replies(resident);
      } finally {
        expect(await bot.stop()).toBe(0);
        await emulator.stop();
      }
      expect(rated).toBe(PII_CORPUS.length);

      const out = bot.stdout();
      const err = bot.stderr();
      expect(err).toContain("long polling");
      expect(leaks(out, PII_DIGITS)).toEqual([]);
      expect(leaks(err, PII_DIGITS)).toEqual([]);

      // There was something to leak into each file: the questions, the written feedback and the
      // ratings, the session with the chat's last messages.
      const files = filesUnder(state);
      const names = files.map((f) => f.file);
      expect(names).toContain(SQLITE_FILE);
      expect(names).toContain("feedback.jsonl");
      expect(names.some((n) => n.startsWith(`sessions${path.sep}`))).toBe(true);
      const db = new Database(path.join(state, SQLITE_FILE), { readonly: true });
      try {
        const questions = db.prepare("SELECT question FROM question_log").all() as { question: string }[];
        expect(questions.length).toBeGreaterThanOrEqual(PII_CORPUS.length * 2);
        expect(questions.filter((q) => q.question.includes("低保标准"))).toHaveLength(PII_CORPUS.length);
      } finally {
        db.close();
      }
      const feedback = readFileSync(path.join(state, "feedback.jsonl"), "utf8").split("\n").filter(Boolean);
      expect(feedback.filter((l) => l.includes("请联系我"))).toHaveLength(PII_CORPUS.length);
      expect(feedback.filter((l) => l.includes('"kind":"rating"'))).toHaveLength(PII_CORPUS.length);

      // The bytes of every file (the SQLite database read raw, not through queries), as UTF-8 and as
      // single bytes (text in a binary page).
      for (const { file, bytes } of files) {
        expect(leaks(bytes.toString("utf8"), PII_DIGITS), file).toEqual([]);
        expect(leaks(bytes.toString("latin1"), PII_DIGITS), file).toEqual([]);
      }
    },
    120_000,
  );
});
