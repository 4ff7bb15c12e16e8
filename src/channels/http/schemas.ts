import { z } from "zod";
import { HistorySchema } from "../../contract/answer.ts";
import { ProfileSchema } from "../../contract/profile.ts";

/* The API's request shapes (zod): validated by Fastify, described in /openapi.json. */

export const AskBody = z
  .object({
    question: z.string().max(100_000).describe("the resident's question"),
    city: z.string().min(2).max(20).optional().describe("the saved city (context); a city named in the question wins"),
    profile: ProfileSchema.optional().describe("saved profile facts for eligibility questions"),
    history: HistorySchema.optional().describe("the resident's earlier questions in this conversation, oldest first (the last 10 are read)"),
  })
  .strict();
export const CheckBody = z
  .object({
    profile: ProfileSchema,
    topic: z.string().max(200).optional().describe("only rules about this topic (matched by its words, as in a question)"),
    service: z.string().max(200).optional().describe("only the rules of this service of GET /api/check/services (exact name)"),
  })
  .strict();
export const FactsQuery = z
  .object({
    service: z.string().max(200).optional().describe("only the facts the rules of this service need, most needed first"),
    city: z.string().min(2).max(20).optional(),
  })
  .strict();
export const CityQuery = z.object({ city: z.string().min(2).max(20).optional() }).strict();
export const FiguresQuery = z.object({ city: z.string().min(2).max(20).optional(), q: z.string().max(100).optional() }).strict();
export const SourceParams = z.object({ chunkId: z.string().min(1).max(200) });
