import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/contract/answer.ts";
import { createLogger } from "../../src/log.ts";
import { createQuestionLog } from "../../src/questions/log.ts";
import { sqliteStore, SQLITE_FILE } from "../../src/questions/sqlite.ts";
import { leaks, PII_DIGITS } from "../faults/helpers.ts";
import { runCli } from "../helpers.ts";

/*
 * `review --unanswered [--since] [--json]` and `review --export FILE` on a question log written
 * beforehand (SQLite in a state folder of this file's own), their usage errors, a log that is off or
 * unreadable; and the terminal chat logging its questions (channel "cli").
 */

const work = mkdtempSync(path.join(os.tmpdir(), "minsheng-review-cli-"));
const state = path.join(work, "state");
const env = { MINSHENG_STATE_DIR: state };
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DAY = 86_400_000;
const answer = (kind: Answer["kind"], city: string | null = "六安市"): Answer => ({
  question: "x",
  city,
  kind,
  text: "…",
  citations: [],
  eligibility: [],
  timingsMs: { total: 1 },
});

beforeAll(async () => {
  const now = Date.now();
  let at = now - 10 * DAY;
  const qlog = createQuestionLog(sqliteStore(path.join(state, SQLITE_FILE)), { log: createLogger("silent"), days: 90, now: () => at });
  // Ten days ago: an old refusal.
  qlog.record({ channel: "http", question: "淮南哪里办驾照", answer: answer("out_of_scope", "淮南市"), latencyMs: 1 });
  // Today: three wordings of one request, a not-stated answer, an answered-but-👎 one, an answered one.
  at = now - 3600_000;
  qlog.record({ channel: "http", question: "六安老人饭堂在哪吃", answer: answer("out_of_scope"), latencyMs: 1 });
  qlog.record({ channel: "telegram", question: "六安老人饭堂在哪吃？", answer: answer("out_of_scope"), latencyMs: 1 });
  qlog.record({ channel: "cli", question: "六安老年人饭堂在哪里吃", answer: answer("not_stated"), latencyMs: 1 });
  const rated = qlog.record({ channel: "http", question: "淮南公租房租金多少", answer: answer("figure", "淮南市"), latencyMs: 1 }) as string;
  qlog.feedback(rated, "down");
  qlog.record({ channel: "http", question: "六安低保标准是多少", answer: answer("figure"), latencyMs: 1 });
  await qlog.close();
});

describe("review CLI", () => {
  it("--unanswered --json: one object per group with its questions, most asked first", async () => {
    const { code, stdout, stderr } = await runCli(["review", "--unanswered", "--json"], { env });
    expect(code, stderr).toBe(0);
    const groups = JSON.parse(stdout) as { label: string; count: number; questions: { text: string; count: number }[]; statuses: Record<string, number>; cities: string[]; channels: string[] }[];
    expect(groups.map((g) => g.count)).toEqual([3, 1, 1]);
    expect(groups[0]).toMatchObject({
      label: "六安老人饭堂在哪吃",
      statuses: { refused: 2, not_stated: 1, down: 0 },
      cities: ["六安市"],
      channels: ["cli", "http", "telegram"],
      questions: [
        { text: "六安老人饭堂在哪吃", count: 2 },
        { text: "六安老年人饭堂在哪里吃", count: 1 },
      ],
    });
    const labels = groups.map((g) => g.label);
    expect(labels).toContain("淮南公租房租金多少");
    expect(labels).toContain("淮南哪里办驾照");
    expect(labels).not.toContain("六安低保标准是多少");
  });

  it("--since keeps the period; the text report counts statuses", async () => {
    const json = await runCli(["review", "--unanswered", "--since", "7d", "--json"], { env });
    expect((JSON.parse(json.stdout) as { label: string }[]).map((g) => g.label)).not.toContain("淮南哪里办驾照");
    const text = await runCli(["review", "--unanswered", "--since", "1d"], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^4 unanswered question\(s\) since \d{4}-\d\d-\d\d \d\d:\d\d UTC in 2 group\(s\): refused 2, not stated 1, thumbs down 1\n/);
    expect(text.stdout).toMatch(/#1 ×3 .* refused 2, not_stated 1 {2}六安市 {2}\[cli, http, telegram\]/);
    expect(text.stdout).toContain("    六安老年人饭堂在哪里吃  ×1");
  });

  it("--export FILE writes every question as CSV", async () => {
    const file = path.join(work, "export.csv");
    const { code, stdout } = await runCli(["review", "--export", file], { env });
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote 6 question(s) to ${file}\n`);
    const csv = readFileSync(file, "utf8");
    expect(csv.startsWith("\uFEFFasked_at,channel,city,kind,reason,review_status,group,question")).toBe(true);
    expect(csv.trim().split("\r\n")).toHaveLength(7);
    expect(csv).toMatch(/,http,淮南市,figure,,down,[0-9a-f]{12},淮南公租房租金多少,/);
    const recent = await runCli(["review", "--export", file, "--since", "2d"], { env });
    expect(recent.stdout).toBe(`wrote 5 question(s) to ${file}\n`);
  });

  it("refuses a bad period, both or neither mode, and says when the log is off or unreadable", async () => {
    const since = await runCli(["review", "--unanswered", "--since", "yesterday"], { env });
    expect(since.code).toBe(1);
    expect(since.stderr).toContain('--since "yesterday": use a span (7d, 12h, 30m, 2w) or a date (2026-05-01)');
    expect((await runCli(["review"], { env })).stderr).toContain("use one of --unanswered, --export FILE");
    expect((await runCli(["review", "--unanswered", "--export", "x.csv"], { env })).stderr).toContain("use one of --unanswered, --export FILE");
    const off = await runCli(["review", "--unanswered"], { env: { ...env, QUESTION_LOG_DAYS: "0" } });
    expect(off.code).toBe(1);
    expect(off.stderr).toContain("error [QUESTION_LOG_UNAVAILABLE]: the question log is off (QUESTION_LOG_DAYS=0)");
    const corrupt = path.join(work, "corrupt");
    mkdirSync(corrupt);
    writeFileSync(path.join(corrupt, SQLITE_FILE), "garbage ".repeat(1000));
    const bad = await runCli(["review", "--unanswered"], { env: { MINSHENG_STATE_DIR: corrupt } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error \[QUESTION_LOG_UNAVAILABLE\]: cannot read the question log \(sqlite .*questions\.sqlite\): file is not a database/);
  });

  it("an empty state folder (fresh clone): no question yet, nothing to do", async () => {
    const { code, stdout } = await runCli(["review", "--unanswered", "--json"], { env: { MINSHENG_STATE_DIR: path.join(work, "fresh") } });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });
});

describe("terminal chat", () => {
  it("logs the questions typed at a hotline terminal (channel cli), personal numbers redacted", async () => {
    const chatState = path.join(work, "chat-state");
    const chat = await runCli(["chat"], { input: "六安哪里可以办护照，我电话13812345678\n", env: { MINSHENG_STATE_DIR: chatState } });
    expect(chat.code, chat.stderr).toBe(0);
    const { stdout } = await runCli(["review", "--unanswered", "--json"], { env: { MINSHENG_STATE_DIR: chatState } });
    const groups = JSON.parse(stdout) as { channels: string[]; questions: { text: string }[] }[];
    expect(groups).toHaveLength(1);
    expect(groups[0]?.channels).toEqual(["cli"]);
    expect(groups[0]?.questions[0]?.text).toContain("六安哪里可以办护照");
    expect(leaks(stdout, PII_DIGITS)).toEqual([]);
  });
});
