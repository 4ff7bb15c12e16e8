import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ErrorCode } from "../../errors.ts";
import type { QuestionLog } from "../../questions/log.ts";
import { sendError } from "./errors.ts";

const FeedbackBody = z
  .object({
    logId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "the logId of an answer"),
    rating: z.enum(["up", "down"]),
  })
  .strict();

export interface FeedbackDeps {
  questionLog: QuestionLog;
  /** The Chinese text of an error code (prompts/messages.zh.yaml). */
  text: (code: ErrorCode, vars?: Record<string, string | number>) => string;
}

/**
 * POST /api/feedback {logId, rating}: a resident's 👍/👎 of a logged answer (the answer's `logId`).
 * Ids are random, so only whoever received the answer can rate it.
 */
export async function registerFeedback(app: FastifyInstance, deps: FeedbackDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post("/api/feedback", { schema: { body: FeedbackBody, description: "Rate an answer by its logId (present when the question log is on)" } }, async (req, reply) => {
    if (!deps.questionLog.enabled) {
      return sendError(reply, "NOT_FOUND", deps.text("NOT_FOUND"), [{ path: "url", message: "the question log is off (QUESTION_LOG_DAYS=0)" }]);
    }
    deps.questionLog.feedback(req.body.logId, req.body.rating);
    return reply.code(202).send({ ok: true });
  });
}
