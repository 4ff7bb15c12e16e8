import { z } from "zod";
import { ProfileSchema, type Profile } from "./profile.ts";

/*
 * The answer contract (docs/answer-contract.md): one JSON shape for the CLI, the HTTP API, the bot
 * and the evaluation. Fields may be added, never renamed or removed.
 */

export const CitationSchema = z.object({
  city: z.string(),
  docId: z.string(),
  docTitle: z.string(),
  /** 规划文本 | 征求意见稿 */
  docStatus: z.string(),
  location: z.string(),
  /** Verbatim from the source (whitespace aside). */
  quote: z.string().min(1),
  chunkId: z.string(),
  chunkText: z.string(),
  score: z.number(),
});
export type Citation = z.infer<typeof CitationSchema>;

export const VerdictSchema = z.enum(["eligible", "conditional", "not_eligible", "unknown"]);
export type Verdict = z.infer<typeof VerdictSchema>;

/** The order results are listed in: eligible → conditional → not_eligible → unknown. */
export const VERDICT_ORDER: Readonly<Record<Verdict, number>> = { eligible: 0, conditional: 1, not_eligible: 2, unknown: 3 };

export const EligibilityResultSchema = z.object({
  ruleId: z.string(),
  title: z.string(),
  city: z.string(),
  verdict: VerdictSchema,
  reasons: z.array(z.string()),
  missingFacts: z.array(z.string()),
  citations: z.array(CitationSchema),
});
export type EligibilityResult = z.infer<typeof EligibilityResultSchema>;

export const AnswerKindSchema = z.enum([
  "greeting",
  "answer",
  "figure",
  "list",
  "eligibility",
  "compare",
  "clarify",
  "not_stated",
  "out_of_scope",
]);
export type AnswerKind = z.infer<typeof AnswerKindSchema>;

/** How a question was understood (shown to staff; a resolved follow-up also to residents). */
export const InterpretationSchema = z.object({
  /** The question as resolved from the conversation ("那淮南呢" → "淮南低保标准是多少"). */
  question: z.string(),
  /** Its topic in a few words. */
  topic: z.string(),
  /** What it asks for: amount, count, office, materials … or the kind of answer (passage, list …). */
  asks: z.string(),
  /** True when earlier turns changed what is asked. */
  followUp: z.boolean().optional(),
});
export type Interpretation = z.infer<typeof InterpretationSchema>;

export const AnswerSchema = z.object({
  id: z.string().optional(),
  question: z.string(),
  city: z.string().nullable(),
  kind: AnswerKindSchema,
  text: z.string().min(1),
  citations: z.array(CitationSchema),
  eligibility: z.array(EligibilityResultSchema),
  /** Why the answer has this kind (e.g. "weak_evidence", "city_not_covered", "too_long"). */
  reason: z.string().optional(),
  /** The build that answered. */
  indexId: z.string().optional(),
  /** For eligibility answers: the facts the verdicts were judged on. */
  profile: ProfileSchema.optional(),
  interpretation: InterpretationSchema.optional(),
  /** Facts the resident stated about themselves in this turn (a channel may remember them). */
  remember: ProfileSchema.optional(),
  timingsMs: z.object({ total: z.number() }).catchall(z.number()),
  /** The question log's id of this answer, set by channels that log it (rate it: POST /api/feedback). */
  logId: z.string().optional(),
});
export type Answer = z.infer<typeof AnswerSchema>;

/**
 * The conversation so far, as channels send it: the resident's earlier messages, oldest first. At
 * most HISTORY_ACCEPTED are accepted (each at most HISTORY_TURN_CHARS characters); the last 10 are read.
 */
export const HISTORY_ACCEPTED = 50;
export const HISTORY_TURN_CHARS = 2000;
export const HistorySchema = z
  .array(z.string().max(HISTORY_TURN_CHARS, `each earlier turn is at most ${HISTORY_TURN_CHARS} characters`))
  .max(HISTORY_ACCEPTED, `at most ${HISTORY_ACCEPTED} earlier turns`);

/** The resident's context: what they saved earlier (city, profile facts). */
export interface AskContext {
  /** The resident's saved city: used when the question names none. */
  city?: string | undefined;
  /** Batch id echoed in the answer. */
  id?: string | undefined;
  /** Facts the resident saved earlier (the question's own facts win). */
  profile?: Profile | undefined;
  /** The resident's earlier questions in this conversation, oldest first (at most 10 are used). */
  history?: readonly string[] | undefined;
}
