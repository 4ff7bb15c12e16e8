import type { App } from "../app.ts";
import type { Answer } from "../contract/answer.ts";
import type { QuestionLog } from "./log.ts";
import type { Channel } from "./store.ts";

/*
 * What feeds the question log from the channels: every answer a channel's core gives (with its
 * latency, also passed to an observer such as the metrics), and residents' ratings of answers.
 */

/** What observing an answer feeds besides the log (metrics). */
export interface AnswerObserver {
  (channel: Channel, answer: Answer, seconds: number): void;
}

/**
 * The core as one channel sees it: every `ask` is logged (and observed) with that channel's name.
 * Wrappers are made once per core, so a reloaded index gets its own at its first request.
 *
 * @example
 * const httpCore = loggedCore(() => live.current(), "http", { questionLog });
 */
export function loggedCore(core: () => App, channel: Channel, deps: { questionLog?: QuestionLog | undefined; observe?: AnswerObserver | undefined }): () => App {
  const wrapped = new WeakMap<App, App>();
  const wrap = (app: App): App => {
    const ask: App["ask"] = async (question, context) => {
      const started = performance.now();
      const answer = await app.ask(question, context);
      const latencyMs = performance.now() - started;
      deps.observe?.(channel, answer, latencyMs / 1000);
      const logId = deps.questionLog?.record({ channel, question, answer, latencyMs, buildId: app.index.id });
      return logId ? { ...answer, logId } : answer;
    };
    return Object.assign(Object.create(Object.getPrototypeOf(app) as object) as App, app, { ask });
  };
  return () => {
    const app = core();
    let w = wrapped.get(app);
    if (!w) wrapped.set(app, (w = wrap(app)));
    return w;
  };
}

/**
 * A feedback sink that also records ratings in the question log (by the rated answer's logId),
 * then passes every record on (feedback.jsonl).
 *
 * @example
 * startBot(core, config, log, { feedback: ratingsToLog(questionLog, fileFeedbackSink(file)) });
 */
export function ratingsToLog<R extends { kind: string; rating?: "up" | "down" | undefined; logId?: string | undefined }>(
  questionLog: QuestionLog,
  next: (record: R) => Promise<void>,
): (record: R) => Promise<void> {
  return async (record) => {
    if (record.kind === "rating" && record.rating && record.logId) questionLog.feedback(record.logId, record.rating);
    await next(record);
  };
}
