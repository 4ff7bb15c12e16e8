import type { Answer } from "../../src/contract/answer.ts";
import { createLogger } from "../../src/log.ts";

/* What the question-log tests (SQLite and PostgreSQL) share: a refused answer to log, a log to read. */

/** A refused answer as the log receives it, with fields to override. */
export const answer = (over: Partial<Answer> = {}): Answer => ({
  question: "六安老人饭堂在哪吃",
  city: "六安市",
  kind: "out_of_scope",
  text: "抱歉……",
  citations: [],
  eligibility: [],
  reason: "weak_evidence",
  indexId: "build-1",
  interpretation: { question: "六安老人饭堂在哪吃", topic: "老年助餐", asks: "office" },
  timingsMs: { total: 3 },
  ...over,
});

/** A logger whose lines the test can read. */
export const collect = () => {
  const lines: string[] = [];
  return { lines, log: createLogger("info", (l) => lines.push(l)) };
};
