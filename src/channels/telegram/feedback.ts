import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { redact } from "../../log.ts";

/** One piece of feedback for maintainers (no user ids; text redacted). */
export interface FeedbackRecord {
  time: string;
  channel: "telegram";
  kind: "rating" | "text";
  rating?: "up" | "down";
  answerId?: string;
  /** The question log's id of the rated answer (when the log is on). */
  logId?: string;
  answerKind?: string;
  chunkIds?: string[];
  indexId?: string;
  text?: string;
}

export type FeedbackSink = (record: FeedbackRecord) => Promise<void>;

/** Append feedback as JSON lines to `file` (created with its folder on first use). */
export function fileFeedbackSink(file: string): FeedbackSink {
  return async (record) => {
    await mkdir(path.dirname(file), { recursive: true });
    const clean = record.text === undefined ? record : { ...record, text: redact(record.text) };
    await appendFile(file, JSON.stringify(clean) + "\n");
  };
}
