import type { Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { CoreSource } from "../../app.ts";
import type { Config } from "../../config.ts";
import { isAppError, type ErrorCode } from "../../errors.ts";
import type { ReloadResult } from "../../live.ts";
import type { WindowCounter } from "../../limits.ts";
import { pinoOf, redact, type Logger } from "../../log.ts";
import { errorText, fill } from "../../prompts.ts";
import { TOOL_VERSION } from "../../version.ts";
import type { Metrics } from "../../metrics.ts";
import type { QuestionLog } from "../../questions/log.ts";
import { adminGate, bearerToken } from "./auth.ts";
import { sharedRateLimitStore, securityHeaders, trustProxy } from "./plumbing.ts";
import { apiError, codeOfStatus, sendError, statusOf, type ApiError, type ErrorDetails } from "./errors.ts";
import { knownCity, registerApi } from "./api.ts";
import { registerConsoleRoutes } from "./console.ts";
import { registerFeedback } from "./feedback.ts";
import { registerReview } from "./review.ts";

/*
 * The HTTP server around the API (routes in api.ts), the staff console page (console.ts), feedback
 * and the review. `buildHttpApp` builds (tests call `app.inject`); `server.ts` only starts. Every
 * body and query is validated with zod (400 naming the field), bodies are size-limited, clients are
 * rate-limited per IP, every 4xx/5xx has the one shape {error:{code,message,details?}} (a 5xx never
 * shows internals), and responses carry security headers (helmet; the CSP allows only the
 * console's own files).
 */

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "public");

/** The live core, looked up per request so that a reloaded index is used at once. */

export interface HttpOptions {
  /** Where Fastify logs (request lines at debug); none when absent. */
  logger?: Logger;
  /** Extra routes (e.g. the bot's webhook) registered on the same server. */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
  /** Hot swap of the index (POST /api/admin/reload with ADMIN_TOKEN). */
  reload?: (reason: string) => Promise<ReloadResult>;
  /** Count the per-IP limit here (Redis, shared by replicas) instead of in this process. */
  rateLimitCounter?: WindowCounter;
  /** Health of optional peers, shown by /healthz (e.g. redis: "down" during an outage). */
  health?: () => Record<string, "up" | "down">;
  /** The question log: POST /api/feedback, and the review (/review) when ADMIN_TOKEN is set. */
  questionLog?: QuestionLog;
  /** GET /metrics serves these when METRICS=true; rate-limited requests are counted. */
  metrics?: Metrics;
}

const REASONS: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large" };

/**
 * Build the HTTP application around the core.
 *
 * @example
 * const http = await buildHttpApp(() => app, config);
 * const res = await http.inject({ method: "POST", url: "/api/ask", payload: { question: "公租房" } });
 */
export async function buildHttpApp(core: CoreSource, config: Config, options: HttpOptions = {}): Promise<FastifyInstance> {
  const messages = () => core().messages;
  const text = (code: ErrorCode, vars?: Record<string, string | number>) => fill(errorText(messages(), code), vars);
  /** The one error body for a status: the resident's text by code, details for developers. */
  const errorBody = (status: number, details?: ErrorDetails) => {
    const code = codeOfStatus(status);
    return apiError(code, text(code, { seconds: 60 }), details);
  };
  const sendStatus = (reply: FastifyReply, status: number, details?: ErrorDetails) => reply.code(status).send(errorBody(status, details));

  const logger = options.logger ? pinoOf(options.logger) : undefined;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : {}),
    // Request lines only at debug (and then without query strings: see log.ts).
    logController: new LogController({ disableRequestLogging: !logger?.isLevelEnabled("debug") }),
    bodyLimit: config.http.bodyLimit,
    trustProxy: trustProxy(config.http.trustProxy),
    // Request ids are the server's own: a client-sent x-request-id would name (and forge) log lines.
    requestIdHeader: false,
    genReqId: () => `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    // A URL Fastify cannot decode (/api/sources/%FF) gets the same shape as every other error.
    frameworkErrors: (error, _request, reply) =>
      sendStatus(reply, error.statusCode && error.statusCode < 500 ? error.statusCode : 400, [{ path: "url", message: "the URL is not valid (bad percent-encoding or too long)" }]),
    // Errors Node raises before Fastify sees a request (malformed HTTP, headers over the limit).
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => {
      if (error.code === "ECONNRESET" || socket.destroyed) return;
      const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
      const body = JSON.stringify(errorBody(status));
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
        );
      } else socket.destroy();
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((v) => ({
        path: [error.validationContext, ...String(v.instancePath ?? "").split("/").filter(Boolean)].join(".").replace(/^body\./, ""),
        message: v.message ?? "invalid",
      }));
      return sendError(reply, "INPUT_INVALID", `${text("INPUT_INVALID")}（${details.map((d) => d.path).join("、")}）`, details);
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    // The rate limiter throws the body its errorResponseBuilder made.
    const limited = (error as { limited?: ApiError }).limited;
    if (status === 429 && limited) return reply.code(429).send(limited);
    // A core error carries its code; the status follows from the table (INPUT_INVALID 400, INDEX_CORRUPT 503 …).
    if (isAppError(error) && statusOf(error.code) !== 500) {
      if (statusOf(error.code) < 500) return sendError(reply, error.code, `${text(error.code)} ${redact(error.message)}`);
      request.log.error({ err: error }, "request failed");
      return sendError(reply, error.code, text(error.code));
    }
    if (status < 500) {
      return sendStatus(reply, status, [{ path: "request", message: redact((error as Error).message) }]);
    }
    request.log.error({ err: error }, "request failed");
    return sendError(reply, "INTERNAL", text("INTERNAL"));
  });

  const security = securityHeaders();
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(security);
    done();
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: "minsheng API", description: "六安市、淮南市“十四五”公共服务规划问答与资格核对", version: TOOL_VERSION },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyRateLimit, {
    ...(options.rateLimitCounter ? { store: sharedRateLimitStore(options.rateLimitCounter) } : {}),
    max: config.http.rateLimit.max,
    timeWindow: config.http.rateLimit.windowMs,
    ...(options.metrics ? { onExceeded: () => options.metrics?.rateLimited() } : {}),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: ctx.statusCode,
      limited: apiError("RATE_LIMITED", text("RATE_LIMITED", { seconds: Math.max(1, Math.ceil(ctx.ttl / 1000)) })),
    }),
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, index: "index.html", cacheControl: true, maxAge: 0 });
  registerConsoleRoutes(app, { core, knownCity });

  const api = app.withTypeProvider<ZodTypeProvider>();

  // Probes are never limited (a load balancer asks often, from one address).
  api.get("/healthz", { schema: { hide: true }, config: { rateLimit: false } }, async () => ({ ok: true, index: core().index.id, ...options.health?.() }));

  registerApi(app, { core, text, sendStatus });

  // Wrong tokens are counted per client, in this process; past the limit every admin request is
  // refused until the window ends, the right token too, so guessing learns nothing. The review's
  // login goes through the same gate.
  const gate = adminGate(config.adminToken, config.adminAuth);
  api.post("/api/admin/reload", { schema: { hide: true } }, async (req, reply) => {
    if (!config.adminToken || !options.reload) return sendStatus(reply, 404, [{ path: "url", message: "the admin endpoint is off (no ADMIN_TOKEN)" }]);
    const check = gate.check(req.ip, bearerToken(req.headers.authorization));
    if (!check.ok && check.status === 429) {
      return sendError(reply, "RATE_LIMITED", text("RATE_LIMITED", { seconds: check.retryAfterSeconds ?? 60 }), [{ path: "authorization", message: "too many wrong admin tokens" }]);
    }
    if (!check.ok) return sendStatus(reply, 401, [{ path: "authorization", message: "expected Authorization: Bearer <ADMIN_TOKEN>" }]);
    const result = await options.reload("POST /api/admin/reload");
    if (result.ok) return result;
    return sendError(reply, "RELOAD_REFUSED", text("RELOAD_REFUSED"), [{ path: "index/current", message: redact(result.error ?? "reload failed") }]);
  });

  api.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  if (options.questionLog) {
    await registerFeedback(app, { questionLog: options.questionLog, text });
    if (config.adminToken) {
      await registerReview(app, {
        core,
        seedsDir: config.seedsDir,
        promptsDir: config.promptsDir,
        questionLog: options.questionLog,
        gate,
        token: config.adminToken,
        text,
        log: options.logger,
      });
    }
  }
  if (config.metrics && options.metrics) {
    const metrics = options.metrics;
    api.get("/metrics", { schema: { hide: true }, config: { rateLimit: false } }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.render()));
  }

  for (const plugin of options.plugins ?? []) await plugin(app);
  app.setNotFoundHandler((req, reply) => sendStatus(reply, 404, [{ path: "url", message: `no route ${req.method} ${redact(req.url.split("?")[0] ?? "")}` }]));
  return app;
}
