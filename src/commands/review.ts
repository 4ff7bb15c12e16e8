import { writeFileSync } from "node:fs";
import path from "node:path";
import { escapeControls } from "../channels/cli/terminal.ts";
import { AppError } from "../errors.ts";
import { openQuestionLog, type QuestionLog } from "../questions/log.ts";
import { parseSince, toCsv, unansweredReview } from "../questions/review.ts";
import { defineCommand, UsageError } from "./command.ts";

/** `review`: the question log — unanswered questions grouped by wording, or every question as CSV. */
export const reviewCommand = defineCommand({
  name: "review",
  summary: "the question log: unanswered questions grouped by wording, or every question as CSV",
  usage: "review --unanswered [--since 7d] [--linked] [--json]   |   review --export FILE [--since 7d]",
  options: {
    unanswered: { type: "boolean", default: false },
    export: { type: "string" },
    since: { type: "string" },
    linked: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
  async run({ values, positionals }, rt) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (Boolean(values.unanswered) === (values.export !== undefined)) throw new UsageError("use one of --unanswered, --export FILE");
    const since = values.since === undefined ? undefined : parseSince(values.since);
    if (values.since !== undefined && since === undefined) throw new UsageError(`--since ${JSON.stringify(values.since)}: use a span (7d, 12h, 30m, 2w) or a date (2026-05-01)`);
    if (rt.config.questionLog.days === 0) throw new AppError("QUESTION_LOG_UNAVAILABLE", "the question log is off (QUESTION_LOG_DAYS=0)");
    const questionLog = openQuestionLog(rt.config, rt.log);
    try {
      if (values.export !== undefined) {
        const rows = await readLog(() => questionLog.list({ since }), questionLog);
        writeFileSync(path.resolve(values.export), toCsv(rows));
        rt.stdout.write(`wrote ${rows.length} question(s) to ${values.export}\n`);
        return 0;
      }
      const review = await readLog(() => unansweredReview(questionLog, { since, includeLinked: Boolean(values.linked) }), questionLog);
      if (values.json) rt.stdout.write(JSON.stringify(review.groups, null, 2) + "\n");
      else rt.stdout.write(formatReview(review));
      return 0;
    } finally {
      await questionLog.close();
    }
  },
});

/** Read the question log, or fail with QUESTION_LOG_UNAVAILABLE naming the database and why. */
async function readLog<T>(read: () => Promise<T>, questionLog: QuestionLog): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new AppError("QUESTION_LOG_UNAVAILABLE", `cannot read the question log (${questionLog.description}): ${(error as Error).message}`);
  }
}

/** The unanswered review as text: one block per group, most asked first. */
function formatReview(review: Awaited<ReturnType<typeof unansweredReview>>): string {
  const { statuses: s } = review;
  const lines = [
    `${review.total} unanswered question(s)${review.since ? ` since ${review.since.slice(0, 16).replace("T", " ")} UTC` : ""} in ${review.groups.length} group(s): ` +
      `refused ${s.refused}, not stated ${s.not_stated}, thumbs down ${s.down}`,
  ];
  review.groups.forEach((g, i) => {
    const statuses = (["refused", "not_stated", "down"] as const).filter((k) => g.statuses[k] > 0).map((k) => `${k} ${g.statuses[k]}`);
    lines.push(
      "",
      `#${i + 1} ×${g.count}  ${g.firstAsked} … ${g.lastAsked}  ${statuses.join(", ")}  ${g.cities.join(" ") || "-"}  [${g.channels.join(", ")}]${g.linked.length ? `  linked: ${g.linked.join(" ")}` : ""}`,
      ...g.questions.map((q) => `    ${escapeControls(q.text)}  ×${q.count}`),
    );
  });
  if (review.omitted > 0) lines.push("", `${review.omitted} more question(s), the least asked wordings, are not grouped (see --export)`);
  return lines.join("\n") + "\n";
}