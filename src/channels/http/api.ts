import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { App, CoreSource } from "../../app.ts";
import type { ErrorCode } from "../../errors.ts";
import { redact } from "../../log.ts";
import { fill } from "../../prompts.ts";
import { neededFacts, serviceRules } from "./console.ts";
import { apiError, sendError, type ApiError, type ErrorDetails } from "./errors.ts";
import { AskBody, CheckBody, CityQuery, FactsQuery, FiguresQuery, SourceParams } from "./schemas.ts";

/*
 * The public API over the core: ask, check, the service list, figures, sources, the live index and
 * the profile facts. Each request takes the live core once and keeps it, so a reload never splits
 * a request; cities and services a request names are checked against that core.
 */

/** A 400 body when `city` (the request's `field`) is not a city the core covers. */
export function knownCity(app: App, city: string | undefined, field: string): ApiError | undefined {
  if (city === undefined || app.cities().includes(city)) return undefined;
  return apiError("INPUT_INVALID", fill(app.messages.errors.city_unknown, { field, cities: app.cities().join("、") }), [
    { path: field, message: `unknown city "${redact(city)}"; expected one of ${app.cities().join(", ")}` },
  ]);
}

export interface ApiDeps {
  core: CoreSource;
  /** The Chinese text of an error code (prompts/messages.zh.yaml). */
  text: (code: ErrorCode, vars?: Record<string, string | number>) => string;
  /** Reply with the one error body of an HTTP status. */
  sendStatus: (reply: FastifyReply, status: number, details?: ErrorDetails) => FastifyReply;
}

/** Register the public API routes. */
export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  const { core, text } = deps;
  const api = app.withTypeProvider<ZodTypeProvider>();

  const unknownService = (app: App, service: string) => {
    if (app.index.rules.some((r) => r.service === service)) return undefined;
    return apiError("INPUT_INVALID", `${text("INPUT_INVALID")}（service）`, [
      { path: "service", message: `no rule covers the service "${redact(service)}"; GET /api/check/services lists them` },
    ]);
  };

  api.post("/api/ask", { schema: { body: AskBody, description: "Answer a question (the answer contract's Answer JSON)" } }, async (req, reply) => {
    const app = core();
    const bad = knownCity(app, req.body.city, "city") ?? knownCity(app, req.body.profile?.city, "profile.city");
    if (bad) return reply.code(400).send(bad);
    return app.ask(req.body.question, { city: req.body.city, profile: req.body.profile, history: req.body.history });
  });

  api.post("/api/check", { schema: { body: CheckBody, description: "Evaluate a profile against the eligibility rules" } }, async (req, reply) => {
    const app = core();
    const bad = knownCity(app, req.body.profile.city, "profile.city");
    if (bad) return reply.code(400).send(bad);
    const { service, topic } = req.body;
    if (service === undefined) return app.check(req.body.profile, topic);
    if (topic !== undefined) return sendError(reply, "INPUT_INVALID", `${text("INPUT_INVALID")}（service）`, [{ path: "service", message: "give topic or service, not both" }]);
    const unknown = unknownService(app, service);
    if (unknown) return reply.code(400).send(unknown);
    // Only the service's rules are judged (in catalog order, as check sorts them).
    const { cities } = app.eligibility.rulesFor(req.body.profile);
    const results = app.eligibility.judge(serviceRules(app.index.rules, service, cities), cities, req.body.profile);
    return { city: req.body.profile.city ?? null, results };
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
    if (!view) return deps.sendStatus(reply, 404, [{ path: "chunkId", message: "unknown chunk id" }]);
    return view;
  });

  api.get("/api/index", { schema: { description: "The live index: build id, date, documents and their status" } }, async () => core().info());

  api.get("/api/facts", { schema: { querystring: FactsQuery, description: "Profile facts the rules use (of one service: the ones its rules need), for the eligibility form" } }, async (req, reply) => {
    const app = core();
    const { service, city } = req.query;
    const bad = knownCity(app, city, "city") ?? (service === undefined ? undefined : unknownService(app, service));
    if (bad) return reply.code(400).send(bad);
    if (service === undefined) return { cities: app.cities(), facts: app.profileFacts() };
    const rules = serviceRules(app.index.rules, service, city ? [city] : app.cities());
    return { cities: app.cities(), facts: neededFacts(app.profileFacts(), rules), rules: rules.length };
  });
}
