import { timingSafeEqual } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../../app.ts";
import type { Config } from "../../config.ts";
import { isAppError } from "../../errors.ts";
import type { ReloadResult } from "../../index/live.ts";
import { redact } from "../../log.ts";
import { errorText } from "../../prompts.ts";
import { ProfileSchema } from "../../rules/profile.ts";
import { HistorySchema } from "../../answer/types.ts";
import { TOOL_VERSION } from "../../version.ts";
import type { WindowCounter } from "../../redis.ts";

/*
 * The HTTP API and the staff console page. `buildHttpApp` builds (tests call `app.inject`);
 * `server.ts` only starts. Every body and query is validated with zod (400 naming the field),
 * bodies are size-limited, clients are rate-limited per IP, and a 5xx never shows internals.
 */

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "public");

/** The live core, looked up per request so that a reloaded index is used at once. */
export type CoreSource = () => App;

export interface HttpOptions {
  /** Logger settings for Fastify (pino); false for none. */
  logger?: FastifyServerOptions["logger"];
  /** Extra routes (e.g. the bot's webhook) registered on the same server. */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
  /** Hot swap of the index (POST /api/admin/reload with ADMIN_TOKEN). */
  reload?: (reason: string) => Promise<ReloadResult>;
  /** Count the per-IP limit here (Redis, shared by replicas) instead of in this process. */
  rateLimitCounter?: WindowCounter;
  /** Told when the shared counter fails (requests then pass unlimited rather than fail). */
  onRateLimitError?: (error: unknown) => void;
}

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store over a shared window counter. Route-specific limits get their own
 * key space through child(), as the plugin's own stores do.
 */
function sharedRateLimitStore(counter: WindowCounter, onError: (error: unknown) => void) {
  return class SharedStore {
    constructor(
      _params: unknown,
      private readonly prefix = "",
    ) {}
    incr(key: string, cb: StoreCallback, timeWindow: number): void {
      counter.hit(this.prefix + key, timeWindow).then(
        ({ count, ttlMs }) => cb(null, { current: count, ttl: ttlMs }),
        (error: unknown) => {
          onError(error);
          cb(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
    /** The plugin passes the route's merged limit options (its typings say RouteOptions; both have the route under routeInfo or at top level). */
    child(params: object): SharedStore {
      const p = params as { method?: unknown; url?: unknown; routeInfo?: { method?: unknown; url?: unknown } };
      const route = p.routeInfo ?? p;
      return new SharedStore(params, `${this.prefix}${String(route.method ?? "")}${String(route.url ?? "")}-`);
    }
  };
}

/** Constant-time comparison of secrets. */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ApiError {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

const AskBody = z
  .object({
    question: z.string().max(100_000).describe("the resident's question"),
    city: z.string().min(2).max(20).optional().describe("the saved city (context); a city named in the question wins"),
    profile: ProfileSchema.optional().describe("saved profile facts for eligibility questions"),
    history: HistorySchema.optional().describe("the resident's earlier questions in this conversation, oldest first (the last 10 are read)"),
  })
  .strict();
const CheckBody = z.object({ profile: ProfileSchema, topic: z.string().max(200).optional() }).strict();
const CityQuery = z.object({ city: z.string().min(2).max(20).optional() }).strict();
const FiguresQuery = z.object({ city: z.string().min(2).max(20).optional(), q: z.string().max(100).optional() }).strict();
const SourceParams = z.object({ chunkId: z.string().min(1).max(200) });

function apiError(code: string, message: string, details?: ApiError["error"]["details"]): ApiError {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/**
 * Build the HTTP application around the core.
 *
 * @example
 * const http = await buildHttpApp(() => app, config, { logger: false });
 * const res = await http.inject({ method: "POST", url: "/api/ask", payload: { question: "公租房" } });
 */
export async function buildHttpApp(core: CoreSource, config: Config, options: HttpOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    requestIdHeader: "x-request-id",
    genReqId: () => `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const messages = () => core().messages;

  // Each request takes the live core once and keeps it, so a reload never splits a request.
  const knownCity = (app: App, city: string | undefined, field: string) => {
    if (city === undefined || app.cities().includes(city)) return undefined;
    return apiError("INPUT_INVALID", `${field} 必须是：${app.cities().join("、")}`, [
      { path: field, message: `unknown city "${city}"; expected one of ${app.cities().join(", ")}` },
    ]);
  };

  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((v) => ({
        path: [error.validationContext, ...String(v.instancePath ?? "").split("/").filter(Boolean)].join(".").replace(/^body\./, ""),
        message: v.message ?? "invalid",
      }));
      return reply.code(400).send(apiError("INPUT_INVALID", `${errorText(messages(), "INPUT_INVALID")}（${details.map((d) => d.path).join("、")}）`, details));
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 413) return reply.code(413).send(apiError("PAYLOAD_TOO_LARGE", "提交的内容太大。"));
    if (status === 429) return reply.code(429).send(error);
    if (status < 500) {
      const code = isAppError(error) ? error.code : "BAD_REQUEST";
      const text = isAppError(error) ? `${errorText(messages(), error.code)} ${error.message}` : redact((error as Error).message);
      return reply.code(status).send(apiError(code, text));
    }
    request.log.error({ err: error, reqId: request.id }, "request failed");
    return reply.code(500).send(apiError("INTERNAL", errorText(messages(), "internal")));
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: "minsheng API", description: "六安市、淮南市“十四五”公共服务规划问答与资格核对", version: TOOL_VERSION },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyRateLimit, {
    ...(options.rateLimitCounter
      ? { store: sharedRateLimitStore(options.rateLimitCounter, options.onRateLimitError ?? (() => {})), skipOnError: true }
      : {}),
    max: config.http.rateLimit.max,
    timeWindow: config.http.rateLimit.windowMs,
    allowList: (req) => req.url === "/healthz",
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      ...apiError("RATE_LIMITED", `请求太频繁，请${Math.ceil(ctx.ttl / 1000)}秒后再试。`),
    }),
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, index: "index.html", cacheControl: true, maxAge: 0 });

  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get("/healthz", { schema: { hide: true } }, async () => ({ ok: true, index: core().index.id }));

  api.post("/api/ask", { schema: { body: AskBody, description: "Answer a question (the answer contract's Answer JSON)" } }, async (req, reply) => {
    const app = core();
    const bad = knownCity(app, req.body.city, "city");
    if (bad) return reply.code(400).send(bad);
    return app.ask(req.body.question, { city: req.body.city, profile: req.body.profile, history: req.body.history });
  });

  api.post("/api/check", { schema: { body: CheckBody, description: "Evaluate a profile against the eligibility rules" } }, async (req, reply) => {
    const app = core();
    const bad = knownCity(app, req.body.profile.city, "profile.city");
    if (bad) return reply.code(400).send(bad);
    return app.check(req.body.profile, req.body.topic);
  });

  api.get("/api/services", { schema: { querystring: CityQuery, description: "The 基本公共服务项目清单, area by area" } }, async (req, reply) => {
    const app = core();
    const bad = knownCity(app, req.query.city, "city");
    if (bad) return reply.code(400).send(bad);
    return app.services(req.query.city ? [req.query.city] : undefined);
  });

  api.get("/api/figures", { schema: { querystring: FiguresQuery, description: "Indicator-table rows (专栏1/2)" } }, async (req, reply) => {
    const app = core();
    const bad = knownCity(app, req.query.city, "city");
    if (bad) return reply.code(400).send(bad);
    return app.figures({ ...(req.query.city ? { cities: [req.query.city] } : {}), ...(req.query.q ? { query: req.query.q } : {}) });
  });

  api.get("/api/sources/:chunkId", { schema: { params: SourceParams, description: "A cited passage in its section context" } }, async (req, reply) => {
    const view = core().source(req.params.chunkId);
    if (!view) return reply.code(404).send(apiError("NOT_FOUND", "没有找到这段原文。", [{ path: "chunkId", message: "unknown chunk id" }]));
    return view;
  });

  api.get("/api/index", { schema: { description: "The live index: build id, date, documents and their status" } }, async () => core().info());

  api.get("/api/facts", { schema: { description: "Profile facts the rules use, for the eligibility form" } }, async () => {
    const app = core();
    return { cities: app.cities(), facts: app.profileFacts() };
  });

  api.post("/api/admin/reload", { schema: { hide: true } }, async (req, reply) => {
    const token = config.adminToken;
    if (!token || !options.reload) return reply.code(404).send(apiError("NOT_FOUND", "没有这个地址。"));
    const given = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    if (!safeEqual(given, token)) return reply.code(401).send(apiError("UNAUTHORIZED", "需要管理员令牌。"));
    const result = await options.reload("POST /api/admin/reload");
    return reply.code(result.ok ? 200 : 409).send(result);
  });

  api.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  for (const plugin of options.plugins ?? []) await plugin(app);
  app.setNotFoundHandler((req, reply) => reply.code(404).send(apiError("NOT_FOUND", `没有这个地址：${req.method} ${req.url.split("?")[0]}`)));
  return app;
}
