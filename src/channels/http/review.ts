import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { readYamlFile } from "../../util/files.ts";
import type { ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { redact } from "../../redact.ts";
import { fill } from "../../prompts.ts";
import { LinkError, linkQuestions, passageVersion } from "../../questions/library-link.ts";
import type { QuestionLog } from "../../questions/log.ts";
import { parseSince, toCsv, unansweredReview } from "../../questions/review.ts";
import type { Chunk, CoreSource } from "../../app.ts";
import type { AdminGate } from "./auth.ts";
import { sendError } from "./errors.ts";
import { cookieValue, sessionSigner } from "./session.ts";

/*
 * The maintainers' review (/review): a login form for ADMIN_TOKEN, then the unanswered questions
 * grouped by wording; for each group, search the passages, pick one and save the questions as
 * library entries (seeds/questions/pending.yaml); export the log as CSV. The token is checked once,
 * at login, through the same failure limit as every admin entrance; the browser then holds a signed
 * session cookie (HttpOnly, SameSite=Strict, never in a URL; session.ts).
 */

const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), "review");
const COOKIE = "minsheng_review";

const s = z.string().min(1);
/** The review view's wording (prompts/review.zh.yaml). */
export const ReviewTextsSchema = z
  .object({ errors: z.object({ session: s, since: s }) })
  .catchall(s)
  .superRefine((t, ctx) => {
    for (const key of REQUIRED_TEXTS) if (typeof t[key] !== "string") ctx.addIssue({ code: "custom", path: [key], message: "missing" });
  });
export type ReviewTexts = z.infer<typeof ReviewTextsSchema>;

/** Keys the page and the routes use (placeholders in review.html, texts read by review.js). */
const REQUIRED_TEXTS = [
  "page_title",
  "heading",
  "login_failed",
  "summary",
  "summary_empty",
  "linked",
  "pick_question",
  "no_passages",
  "passages_label",
  "search_city_label",
  "search_city_all",
] as const;

/** Load and validate prompts/review.zh.yaml. */
export function loadReviewTexts(promptsDir: string): ReviewTexts {
  return readYamlFile(path.join(promptsDir, "review.zh.yaml"), ReviewTextsSchema, "CONFIG_INVALID");
}

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** review.html with {{key}} filled from the texts, and the texts review.js needs as JSON data. */
export function renderReviewPage(template: string, texts: ReviewTexts): string {
  const json = JSON.stringify(texts).replace(/</g, "\\u003c");
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (key === "texts_json") return json;
    const v = (texts as Record<string, unknown>)[key];
    if (typeof v !== "string") throw new Error(`review.html uses {{${key}}}, which prompts/review.zh.yaml does not have`);
    return escapeHtml(v);
  });
}

export interface ReviewDeps {
  core: CoreSource;
  seedsDir: string;
  promptsDir: string;
  questionLog: QuestionLog;
  gate: AdminGate;
  /** ADMIN_TOKEN (the review exists only with one). */
  token: string;
  /** The Chinese text of an error code (prompts/messages.zh.yaml). */
  text: (code: ErrorCode, vars?: Record<string, string | number>) => string;
  log?: Logger | undefined;
}


const LoginBody = z.object({ token: z.string().max(1000) }).strict();
const GroupsQuery = z.object({ since: z.string().max(40).optional(), linked: z.enum(["0", "1"]).optional() }).strict();
const ExportQuery = z.object({ since: z.string().max(40).optional() }).strict();
const PassagesQuery = z.object({ q: z.string().min(1).max(500), city: z.string().max(20).optional() }).strict();
const LinkBody = z
  .object({
    chunkId: z.string().min(1).max(200),
    version: z.string().min(1).max(64),
    questions: z.array(z.string().max(500)).min(1).max(100),
    ids: z.array(z.string().min(1).max(64)).max(20_000).default([]),
  })
  .strict();

/** Passages as the review lists them. */
function passageView(chunk: Chunk, titles: ReadonlyMap<string, string>) {
  return {
    chunkId: chunk.id,
    version: passageVersion(chunk),
    city: chunk.city,
    docTitle: titles.get(chunk.docId) ?? chunk.docId,
    location: chunk.location,
    text: chunk.text,
  };
}

/**
 * Register the review page and its API.
 *
 * @example
 * await registerReview(app, { core, seedsDir, promptsDir, questionLog, gate, token, text });
 */
export async function registerReview(app: FastifyInstance, deps: ReviewDeps): Promise<void> {
  const texts = loadReviewTexts(deps.promptsDir);
  const page = renderReviewPage(readFileSync(path.join(ASSETS, "review.html"), "utf8"), texts);
  const script = readFileSync(path.join(ASSETS, "review.js"), "utf8");
  const style = readFileSync(path.join(ASSETS, "review.css"), "utf8");
  const sessions = sessionSigner(deps.token);
  const api = app.withTypeProvider<ZodTypeProvider>();
  const qlog = deps.questionLog;

  const secure = (req: FastifyRequest) => (req.protocol === "https" ? "; Secure" : "");
  const setCookie = (req: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number) =>
    reply.header("set-cookie", `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure(req)}`);

  /** Review API requests: a valid session, and (for changes) no other site's Origin. */
  const requireSession = async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (req.method !== "GET" && origin !== undefined && origin !== "null") {
      let host: string | undefined;
      try {
        host = new URL(origin).host;
      } catch {
        host = undefined;
      }
      if (host !== req.headers.host) return sendError(reply, "UNAUTHORIZED", deps.text("UNAUTHORIZED"), [{ path: "origin", message: "requests from another site are refused" }]);
    }
    if (!sessions.valid(cookieValue(req.headers.cookie, COOKIE))) {
      return sendError(reply, "UNAUTHORIZED", texts.errors.session, [{ path: "cookie", message: "log in at /review (POST /api/review/login)" }]);
    }
    return undefined;
  };
  const unavailable = (reply: FastifyReply, error: unknown) => {
    const reason = qlog.enabled ? redact((error as Error)?.message ?? String(error)) : "the question log is off (QUESTION_LOG_DAYS=0)";
    return sendError(reply, "QUESTION_LOG_UNAVAILABLE", deps.text("QUESTION_LOG_UNAVAILABLE"), [{ path: "database", message: reason }]);
  };
  const sinceOf = (value: string | undefined, reply: FastifyReply): number | null | undefined => {
    if (value === undefined || value === "" || value === "all") return undefined;
    const t = parseSince(value);
    if (t === undefined) {
      void sendError(reply, "INPUT_INVALID", texts.errors.since, [{ path: "since", message: "a span (7d, 12h, 30m, 2w) or a date (2026-05-01)" }]);
      return null;
    }
    return t;
  };

  const nocache = { "cache-control": "no-store" };
  app.get("/review", { schema: { hide: true } }, async (_req, reply) => reply.headers(nocache).type("text/html; charset=utf-8").send(page));
  app.get("/review.js", { schema: { hide: true } }, async (_req, reply) => reply.headers(nocache).type("text/javascript; charset=utf-8").send(script));
  app.get("/review.css", { schema: { hide: true } }, async (_req, reply) => reply.headers(nocache).type("text/css; charset=utf-8").send(style));

  api.post("/api/review/login", { schema: { hide: true, body: LoginBody } }, async (req, reply) => {
    const check = deps.gate.check(req.ip, req.body.token);
    if (check.ok) {
      const { value, maxAgeS } = sessions.issue();
      setCookie(req, reply, value, maxAgeS);
      return reply.headers(nocache).send({ ok: true });
    }
    if (check.status === 429) {
      return sendError(reply, "RATE_LIMITED", deps.text("RATE_LIMITED", { seconds: check.retryAfterSeconds ?? 60 }), [{ path: "token", message: "too many wrong admin tokens" }]);
    }
    return sendError(reply, "UNAUTHORIZED", texts.login_failed as string, [{ path: "token", message: "wrong ADMIN_TOKEN" }]);
  });

  api.post("/api/review/logout", { schema: { hide: true } }, async (req, reply) => {
    sessions.revoke(cookieValue(req.headers.cookie, COOKIE));
    setCookie(req, reply, "", 0);
    return { ok: true };
  });

  api.get("/api/review/session", { schema: { hide: true }, preHandler: requireSession }, async () => ({ ok: true, questionLog: qlog.enabled ? qlog.status() : "off" }));

  api.get("/api/review/groups", { schema: { hide: true, querystring: GroupsQuery }, preHandler: requireSession }, async (req, reply) => {
    const since = sinceOf(req.query.since, reply);
    if (since === null) return reply;
    try {
      const core = deps.core();
      return { build: core.index.id, cities: core.cities(), ...(await unansweredReview(qlog, { since, includeLinked: req.query.linked === "1" })) };
    } catch (error) {
      return unavailable(reply, error);
    }
  });

  api.get("/api/review/export.csv", { schema: { hide: true, querystring: ExportQuery }, preHandler: requireSession }, async (req, reply) => {
    const since = sinceOf(req.query.since, reply);
    if (since === null) return reply;
    try {
      const rows = await qlog.list({ since });
      const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
      return reply
        .headers({ ...nocache, "content-disposition": `attachment; filename="minsheng-questions-${day}.csv"` })
        .type("text/csv; charset=utf-8")
        .send(toCsv(rows));
    } catch (error) {
      return unavailable(reply, error);
    }
  });

  api.get("/api/review/passages", { schema: { hide: true, querystring: PassagesQuery }, preHandler: requireSession }, async (req) => {
    const core = deps.core();
    const index = core.index;
    const titles = new Map(index.corpus.documents.map((d) => [d.meta.id, d.meta.title]));
    const cities = req.query.city && core.cities().includes(req.query.city) ? [req.query.city] : undefined;
    const chunks = await core.passages(req.query.q, cities ? { cities } : {});
    return { build: index.id, passages: chunks.map((c) => passageView(c, titles)) };
  });

  api.post("/api/review/link", { schema: { hide: true, body: LinkBody }, preHandler: requireSession }, async (req, reply) => {
    const index = deps.core().index;
    let result;
    try {
      result = linkQuestions(deps.seedsDir, index, { chunkId: req.body.chunkId, version: req.body.version, questions: req.body.questions });
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      return sendError(reply, error.code, deps.text(error.code), error.details.length ? error.details : [{ path: "chunkId", message: redact(error.message) }]);
    }
    deps.log?.info(`review: ${result.added.length} question(s) linked to ${result.chunkId} in ${result.file}`);
    // The entry is written; marking the logged questions follows (queued if the database is down).
    if (qlog.enabled && req.body.ids.length > 0) await qlog.link(req.body.ids, result.chunkId);
    return { ...result, message: fill(texts.linked as string, { file: result.file, added: result.added.length, quote: result.quote }) };
  });

}
